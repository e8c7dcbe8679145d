package bench

import "testing"

// The many_queries scenario registers the extra queries as asked (a share
// over the changed label), and its check holds: every query over the
// changed label ends with a fresh registration's result, the others empty.
func TestManyQueriesScenario(t *testing.T) {
	r, err := RunManyQueries(Options{Changes: 3000, Seed: 7}, ManyOptions{Counts: []int{1, 50}, Rounds: 1, TouchedShare: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.ManyQueries) != 2 || r.Verified != "ok" {
		t.Fatalf("result %+v", r)
	}
	p := r.ManyQueries[1]
	if p.Queries != 50 || p.Touched != 5 || p.ChangesPerSec <= 0 || r.ManyQueries[0].Ratio != 1 {
		t.Errorf("point %+v", p)
	}
}

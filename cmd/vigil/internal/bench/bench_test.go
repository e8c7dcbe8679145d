package bench

import (
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

var tiny = BuildingConfig{Buildings: 2, FloorsPerBldg: 2, RoomsPerFloor: 3, MaxDelta: 2, RunStartMillis: 5_000_000}

func TestDrasiModelSize(t *testing.T) {
	boot := NewBuilding(DrasiBuildings, 1).Bootstrap()
	nodes, rels := 0, 0
	for _, c := range boot {
		if c.Element.IsRel() {
			rels++
		} else {
			nodes++
		}
	}
	if nodes != 2110 || rels != 2100 || len(boot) != 4210 {
		t.Fatalf("got %d nodes, %d relations, %d elements; want 2110, 2100, 4210", nodes, rels, len(boot))
	}
}

// sameStep reports whether two steps are equal. Values hold pointers
// (a string's bytes, a list's items), so reflect.DeepEqual would tell apart
// equal property values built separately: the properties are compared by
// their binary encodings, which are equal exactly when the values are.
func sameStep(t *testing.T, x, y Step) bool {
	t.Helper()
	px, py := x.Change.Element.Props, y.Change.Element.Props
	if (px == nil) != (py == nil) {
		return false
	}
	bx, err := value.AppendBinary(nil, value.Map(px))
	if err != nil {
		t.Fatal(err)
	}
	by, err := value.AppendBinary(nil, value.Map(py))
	if err != nil {
		t.Fatal(err)
	}
	x.Change.Element.Props, y.Change.Element.Props = nil, nil
	return reflect.DeepEqual(x, y) && string(bx) == string(by)
}

func TestStreamsAreSeeded(t *testing.T) {
	for _, s := range Scenarios {
		a, b, c := s.NewWorkload(7), s.NewWorkload(7), s.NewWorkload(8)
		a.Bootstrap()
		b.Bootstrap()
		c.Bootstrap()
		same, differ := true, false
		for i := 0; i < 50; i++ {
			x, y, z := a.Next(), b.Next(), c.Next()
			same = same && sameStep(t, x, y)
			differ = differ || !sameStep(t, x, z)
		}
		if !same || !differ {
			t.Errorf("%s: same seed gives the same stream: %v; another seed a different one: %v", s.Name, same, differ)
		}
	}
}

// runTiny loads a workload into an engine with the query and applies n
// steps, returning the engine, the query and the changes applied.
func runTiny(t *testing.T, query string, w Workload, n int) (*engine.Engine, *engine.Query, []engine.Change) {
	t.Helper()
	e := engine.New(engine.Options{Start: w.Start()})
	q, err := e.AddQuery(engine.QuerySpec{ID: "q", Text: query})
	if err != nil {
		t.Fatal(err)
	}
	var seen []engine.Change
	for _, c := range w.Bootstrap() {
		seen = append(seen, c)
		if _, err := e.Apply([]engine.Change{c}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		s := w.Next()
		seen = append(seen, s.Change)
		if _, err := e.Apply([]engine.Change{s.Change}); err != nil {
			t.Fatal(err)
		}
		if !s.Tick.IsZero() {
			var err error
			sharedtest.Within(t, time.Minute, fmt.Sprintf("AdvanceTo(%v) at step %d", s.Tick, i), func() { _, err = e.AdvanceTo(s.Tick) })
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if q.Err() != nil {
		t.Fatal(q.Err())
	}
	return e, q, seen
}

func comfort(temp, hum, co2 float64) float64 {
	c := 50 + (temp - 72) + (hum - 42)
	if co2 > 500 {
		c += (co2 - 500) / 25
	}
	return math.Floor(c)
}

func byFirstColumn(t *testing.T, q *engine.Query) map[string]engine.Row {
	t.Helper()
	out := map[string]engine.Row{}
	for _, r := range q.Results() {
		k := r[0].AsString()
		if _, dup := out[k]; dup {
			t.Fatalf("two rows for %s", k)
		}
		out[k] = r
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestProjectionAndCalculationMatchTheModel(t *testing.T) {
	for _, query := range []string{ProjectionQuery, CalculationQuery} {
		w := NewBuilding(tiny, 3)
		_, q, _ := runTiny(t, query, w, 300)
		rows := byFirstColumn(t, q)
		if len(rows) != w.Rooms() {
			t.Fatalf("%d rows for %d rooms", len(rows), w.Rooms())
		}
		for i := 0; i < w.Rooms(); i++ {
			id, _, temp, hum, co2 := w.Room(i)
			r := rows["Room "+id]
			if query == ProjectionQuery {
				if r[1].AsFloat() != temp || r[2].AsFloat() != hum || r[3].AsFloat() != co2 {
					t.Errorf("room %s: got %v, want %v %v %v", id, r, temp, hum, co2)
				}
			} else if got, want := r[1].AsFloat(), comfort(temp, hum, co2); got != want {
				t.Errorf("room %s: comfort %v, want %v", id, got, want)
			}
		}
	}
}

func TestFloorAverageIsTheMeanOfItsRooms(t *testing.T) {
	for _, cfg := range []BuildingConfig{tiny, func() BuildingConfig { c := tiny; c.NoChangeShare = 0.9; return c }()} {
		w := NewBuilding(cfg, 5)
		_, q, _ := runTiny(t, AveragingQuery, w, 500)
		sum, n := map[string]float64{}, map[string]int{}
		for i := 0; i < w.Rooms(); i++ {
			_, floor, temp, hum, co2 := w.Room(i)
			sum["Floor "+floor] += comfort(temp, hum, co2)
			n["Floor "+floor]++
		}
		rows := byFirstColumn(t, q)
		if len(rows) != len(n) {
			t.Fatalf("%d rows for %d floors", len(rows), len(n))
		}
		for f, s := range sum {
			if got, want := rows[f][1].AsFloat(), s/float64(n[f]); !near(got, want) {
				t.Errorf("%s: average %v, want %v", f, got, want)
			}
		}
	}
}

func TestNoChangeStepsLeaveTheAverageAlone(t *testing.T) {
	cfg := tiny
	cfg.NoChangeShare = 1 // every change a CO2 reading at or below 500 ppm
	w := NewBuilding(cfg, 9)
	e, q, _ := runTiny(t, AveragingQuery, w, 0)
	before := canonRows(rowsOf(q))
	for i := 0; i < 300; i++ {
		diffs, err := e.Apply([]engine.Change{w.Next().Change})
		if err != nil {
			t.Fatal(err)
		}
		if len(diffs) != 0 {
			t.Fatalf("step %d changed the result: %+v", i, diffs)
		}
	}
	if after := canonRows(rowsOf(q)); !reflect.DeepEqual(before, after) {
		t.Fatalf("result moved: %v -> %v", before, after)
	}
}

func rowsOf(q *engine.Query) [][]value.Value {
	var out [][]value.Value
	for _, r := range q.Results() {
		out = append(out, r)
	}
	return out
}

func TestJoin2ReachesTheBuilding(t *testing.T) {
	w := NewBuilding(tiny, 4)
	_, q, _ := runTiny(t, Join2Query, w, 100)
	per := map[string]int{}
	for _, r := range q.Results() {
		per[r[0].AsString()]++
		if r[1].AsString()[len("Floor f_"):][0] != r[0].AsString()[len("Building ")] {
			t.Errorf("room on the wrong building: %v", r)
		}
	}
	if len(per) != 2 || per["Building 0"] != 6 || per["Building 1"] != 6 {
		t.Fatalf("rows per building: %v", per)
	}
}

func TestGovernanceWindowCountsRecentDenials(t *testing.T) {
	cfg := DefaultGovernance
	cfg.Agents, cfg.History = 5, 50
	w := NewGovernance(cfg, 2)
	e, q, seen := runTiny(t, GovernanceQuery, w, 60_000) // about three minutes of calls: windows expire
	since := e.Now().Add(-cfg.Window).UnixMilli()
	want := map[string]int64{}
	for _, c := range seen {
		p := c.Element.Props
		if c.Element.Labels[0] == "ToolCall" && p["decision"].AsString() == "deny" && p["at"].AsInt() > since {
			want[p["agent"].AsString()]++
		}
	}
	got := map[string]int64{}
	for _, r := range q.Results() {
		if r[1].AsInt() > 0 {
			got[r[0].AsString()] = r[1].AsInt()
		}
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("denials in the window: got %v, want %v", got, want)
	}
}

// runWithin is Run bounded by sharedtest.Within: a scenario takes seconds,
// under -race too, and one that keeps firing its clock-driven queries
// fails within two minutes.
func runWithin(t *testing.T, s Scenario, o Options) (r *Result, err error) {
	t.Helper()
	sharedtest.Within(t, 2*time.Minute, "scenario "+s.Name, func() { r, err = Run(s, o) })
	return r, err
}

func TestRunSmall(t *testing.T) {
	o := Options{Changes: 400, RerunChanges: 20, PacedChanges: 100, Seed: 1, RerunBudget: time.Second}
	for _, s := range Scenarios {
		r, err := runWithin(t, s, o)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if r.Verified != "ok" {
			t.Errorf("%s: %s", s.Name, r.Verified)
		}
		if r.Scenario != s.Name || r.Store != "memory" || r.Changes != 400 || r.Elements == 0 {
			t.Errorf("%s: bad identity %+v", s.Name, r)
		}
		for name, v := range map[string]float64{
			"changes/s": r.ChangesPerSec, "floor changes/s": r.FloorChangesPerSec, "re-run changes/s": r.RerunChangesPerSec,
			"bootstrap": r.BootstrapElementsPerSec, "p50": r.P50Micros, "allocs": r.AllocsPerChange,
			"bytes/element": r.BytesPerElement, "paced p99": r.PacedP99Micros,
		} {
			if !(v > 0) || math.IsInf(v, 0) {
				t.Errorf("%s: %s = %v", s.Name, name, v)
			}
		}
		if !(r.P50Micros <= r.P99Micros && r.P99Micros <= r.P999Micros && r.P999Micros <= r.MaxMicros) {
			t.Errorf("%s: percentiles out of order: %v %v %v %v", s.Name, r.P50Micros, r.P99Micros, r.P999Micros, r.MaxMicros)
		}
		if s.Name == "governance" && r.Ticks != 4 {
			t.Errorf("governance: %d ticks, want 4", r.Ticks)
		}
		if s.Name == "projection" && r.Diffs != 400 {
			t.Errorf("projection: %d diffs for 400 changes", r.Diffs)
		}
	}
}

// The durable store runs the same scenarios through a Badger-backed host
// and reaches the same results.
func TestBadgerStore(t *testing.T) {
	for _, s := range Scenarios {
		r, err := runWithin(t, s, Options{Store: "badger", Changes: 300, RerunChanges: -1, PacedChanges: -1, Seed: 3})
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if r.Store != "badger" || r.Verified != "ok" || r.ChangesPerSec <= 0 || r.P99Micros <= 0 {
			t.Fatalf("%s: %+v", s.Name, r)
		}
	}
	if _, err := Run(Scenarios[0], Options{Store: "rocks", Changes: 10}); err == nil {
		t.Fatal("an unknown store ran")
	}
}

func TestSelect(t *testing.T) {
	if s, err := Select("all"); err != nil || len(s) != 6 {
		t.Fatal(s, err)
	}
	if s, err := Select("join2,projection"); err != nil || len(s) != 2 || s[0].Name != "join2" {
		t.Fatal(s, err)
	}
	if _, err := Select("nope"); err == nil {
		t.Fatal("want an error")
	}
}

func TestPercentiles(t *testing.T) {
	ns := make([]int64, 1000)
	for i := range ns {
		ns[len(ns)-1-i] = int64(i+1) * 1000
	}
	p := percentiles(ns, 0.5, 0.99, 0.999, 1)
	if !reflect.DeepEqual(p, []float64{500, 990, 999, 1000}) {
		t.Fatal(p)
	}
}

// BenchmarkScenarios drives each scenario's stream through the engine, for
// profiling (go test -bench Scenarios/projection -cpuprofile cpu.out).
func BenchmarkScenarios(b *testing.B) {
	for _, s := range Scenarios {
		b.Run(s.Name, func(b *testing.B) {
			w := s.NewWorkload(1)
			tg, _, _, _, _, err := load(s, w, false, "memory")
			if err != nil {
				b.Fatal(err)
			}
			var m meter
			b.ResetTimer()
			if err := drive(tg, w, b.N, &m, 0); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(m.elapsed.Nanoseconds())/float64(b.N), "ns/change")
			b.ReportMetric(float64(m.mallocs)/float64(b.N), "allocs/change")
		})
	}
}

package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// routeBenchStart is the clock of the routing benchmarks.
var routeBenchStart = time.Unix(1_700_000_000, 0).UTC()

// benchL0 loads nodes n0… of label L0, node i with props(id, i, 1+i%50),
// registers the queries, and then times one Apply per change of a stream
// of updates, the i-th of node i%nodes with props(id, i, i%97).
func benchL0(b *testing.B, opts Options, nodes int, props func(id string, i int, v int64) map[string]value.Value, queries []string) {
	opts.Start = routeBenchStart
	e := New(opts)
	for i := range nodes {
		id := fmt.Sprintf("n%d", i)
		if _, err := e.Apply([]Change{{Op: OpInsert, Time: routeBenchStart, Element: Element{ID: id, Labels: []string{"L0"}, Props: props(id, i, int64(1+i%50))}}}); err != nil {
			b.Fatal(err)
		}
	}
	for i, q := range queries {
		if _, err := e.AddQuery(QuerySpec{ID: fmt.Sprintf("q%d", i), Text: q}); err != nil {
			b.Fatal(err)
		}
	}
	chs := make([]Change, 4096)
	for i := range chs {
		id := fmt.Sprintf("n%d", i%nodes)
		chs[i] = Change{Op: OpUpdate, Time: routeBenchStart, Element: Element{ID: id, Labels: []string{"L0"}, Props: props(id, i, int64(i%97))}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ch := chs[i%len(chs)]
		ch.Time = routeBenchStart.Add(time.Duration(i) * time.Millisecond)
		if _, err := e.Apply([]Change{ch}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkManyQueries is the cost of a change with n queries registered,
// one over the changed label and the rest over labels no change carries:
// with routing it stays the cost of the one query (vigil bench
// --scenario many_queries measures the same with changes/s).
func BenchmarkManyQueries(b *testing.B) {
	props := func(id string, _ int, v int64) map[string]value.Value {
		return map[string]value.Value{"id": value.Str(id), "v": value.Int(v)}
	}
	for _, n := range []int{1, 10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("queries=%d", n), func(b *testing.B) {
			qs := make([]string, n)
			for i := range qs {
				qs[i] = fmt.Sprintf("MATCH (n:L%d) WHERE n.v > 0 RETURN n.id AS id, n.v AS v", i)
			}
			benchL0(b, Options{}, 1000, props, qs)
		})
	}
}

// BenchmarkParallelStep: changes that reach k queries (aggregations over
// the changed label), run one after another (workers=1) or side by side
// (workers=2).
func BenchmarkParallelStep(b *testing.B) {
	props := func(id string, i int, v int64) map[string]value.Value {
		return map[string]value.Value{"id": value.Str(id), "g": value.Int(int64(i % 10)), "v": value.Int(v)}
	}
	for _, k := range []int{2, 8, 32, 256} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("queries=%d/workers=%d", k, workers), func(b *testing.B) {
				qs := make([]string, k)
				for i := range qs {
					qs[i] = fmt.Sprintf("MATCH (n:L0) WHERE n.v > %d RETURN n.g AS g, count(n) AS c, sum(n.v) AS s, avg(n.v * 1.5) AS a", i%7)
				}
				benchL0(b, Options{Workers: workers}, 1000, props, qs)
			})
		}
	}
}

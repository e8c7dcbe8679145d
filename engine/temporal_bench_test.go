package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

const (
	trueForQuery = "MATCH (a:Agent) WHERE drasi.trueFor(a.errors > 5, duration({minutes: 10})) RETURN a.id AS agent, a.errors AS errors"
	windowQuery  = "MATCH (d:Decision) WHERE d.verdict = 'deny' RETURN d.agent AS agent, drasi.slidingWindow(duration({minutes: 10}), count(d)) AS denies"
)

var benchStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func agentChange(i, errors int, at time.Time) Change {
	id := fmt.Sprintf("a%d", i)
	return Change{Op: OpUpdate, Time: at, Element: Element{ID: id, Labels: []string{"Agent"},
		Props: map[string]value.Value{"id": value.Str(id), "errors": value.Int(int64(errors))}}}
}

func decisionChange(i, agents int, at time.Time) Change {
	id := fmt.Sprintf("d%d", i)
	return Change{Op: OpInsert, Time: at, Element: Element{ID: id, Labels: []string{"Decision"},
		Props: map[string]value.Value{"agent": value.Str(fmt.Sprintf("a%d", i%agents)), "verdict": value.Str("deny")}}}
}

// BenchmarkTrueForPerChange: agents' error counts cross the threshold back
// and forth; each change schedules or cancels a future.
func BenchmarkTrueForPerChange(b *testing.B) {
	e := New(Options{Start: benchStart})
	if _, err := e.AddQuery(QuerySpec{ID: "q", Text: trueForQuery}); err != nil {
		b.Fatal(err)
	}
	changes := make([]Change, b.N)
	for i := range changes {
		changes[i] = agentChange(i%1000, 3+(i/1000)%2*5, benchStart.Add(time.Duration(i)*time.Millisecond))
	}
	one := make([]Change, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range changes {
		one[0] = changes[i]
		if _, err := e.Apply(one); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/change")
}

// BenchmarkTrueForPerFiredFuture: b.N agents went over the threshold at
// once; the timed part is the clock move that fires all their futures.
func BenchmarkTrueForPerFiredFuture(b *testing.B) {
	e := New(Options{Start: benchStart})
	if _, err := e.AddQuery(QuerySpec{ID: "q", Text: trueForQuery}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := e.Apply([]Change{agentChange(i, 9, benchStart)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	diffs, err := e.AdvanceTo(benchStart.Add(10 * time.Minute))
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if len(diffs) != 1 || len(diffs[0].Added) != b.N {
		b.Fatalf("expected %d rows to appear, got %+v", b.N, len(diffs))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/future")
}

// BenchmarkSlidingWindowPerChange: deny decisions arrive for 100 agents;
// each lands in its agent's 10-minute window.
func BenchmarkSlidingWindowPerChange(b *testing.B) {
	e := New(Options{Start: benchStart})
	if _, err := e.AddQuery(QuerySpec{ID: "q", Text: windowQuery}); err != nil {
		b.Fatal(err)
	}
	changes := make([]Change, b.N)
	for i := range changes {
		changes[i] = decisionChange(i, 100, benchStart.Add(time.Duration(i)*time.Millisecond))
	}
	one := make([]Change, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range changes {
		one[0] = changes[i]
		if _, err := e.Apply(one); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/change")
}

// BenchmarkSlidingWindowPerFiredFuture: b.N agents each had one deny; the
// timed clock move expires every window (one future per group).
func BenchmarkSlidingWindowPerFiredFuture(b *testing.B) {
	e := New(Options{Start: benchStart})
	if _, err := e.AddQuery(QuerySpec{ID: "q", Text: windowQuery}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := e.Apply([]Change{decisionChange(i, b.N, benchStart)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	diffs, err := e.AdvanceTo(benchStart.Add(10 * time.Minute))
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if len(diffs) != 1 || len(diffs[0].Updated) != b.N {
		b.Fatalf("expected %d windows to empty, got %d diffs", b.N, len(diffs))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/future")
}

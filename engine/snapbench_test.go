package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// BenchmarkSnapshotEncode measures Snapshot and Restore of an engine holding
// 100,000 rooms under a projection and a per-floor average.
func BenchmarkSnapshotEncode(b *testing.B) {
	e := New(Options{})
	for _, q := range []QuerySpec{
		{ID: "p", Text: `MATCH (r:Room) RETURN elementId(r) AS id, r.temperature AS temperature, r.humidity AS humidity`},
		{ID: "avg", Text: `MATCH (r:Room) RETURN r.floor AS floor, avg(r.temperature) AS t`},
	} {
		if _, err := e.AddQuery(q); err != nil {
			b.Fatal(err)
		}
	}
	const rooms = 100_000
	start := time.Unix(0, 0)
	for n := 0; n < rooms; n += 1000 {
		batch := make([]Change, 1000)
		for i := range batch {
			batch[i] = Change{Op: OpInsert, Time: start, Element: Element{
				ID: fmt.Sprintf("room-%d", n+i), Labels: []string{"Room"},
				Props: map[string]value.Value{"temperature": value.Float(20 + float64((n+i)%40)/10), "humidity": value.Float(40 + float64((n+i)%17)),
					"floor": value.Int(int64((n + i) / 200))}}}
		}
		if _, err := e.Apply(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		var n int
		for i := 0; i < b.N; i++ {
			data, err := e.Snapshot()
			if err != nil {
				b.Fatal(err)
			}
			n = len(data)
		}
		b.ReportMetric(float64(n)/rooms, "B/element")
		b.ReportMetric(float64(rooms)*float64(b.N)/b.Elapsed().Seconds(), "elements/s")
	})
	data, err := e.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("restore", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, _, err := Restore(data, Options{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(rooms)*float64(b.N)/b.Elapsed().Seconds(), "elements/s")
	})
}

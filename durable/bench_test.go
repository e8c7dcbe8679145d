package durable

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/store"
)

// benchBatch is the number of changes per committed step: what the server's
// batcher gathers in its window (N changes or T ms) under load.
const benchBatch = 100

// BenchmarkProjection measures a single-node projection (Drasi's query-perf
// projection scenario's shape) per change, in memory and durable, with
// steps of benchBatch changes. Durable mode reports the bytes its store
// takes on disk per change.
func BenchmarkProjection(b *testing.B) {
	for _, mode := range []string{"memory", "badger"} {
		b.Run(mode, func(b *testing.B) {
			var log store.Log // nil: memory
			var st *store.Store
			if mode == "badger" {
				var err error
				if st, err = store.Open(b.TempDir(), store.Options{}); err != nil {
					b.Fatal(err)
				}
				defer st.Close()
				log = st
			}
			start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
			h, err := Open(Options{Log: log, Start: start})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := h.AddQuery(engine.QuerySpec{ID: "p", Text: `MATCH (r:Room) RETURN elementId(r) AS id, r.temperature AS temperature, r.humidity AS humidity`}, nil); err != nil {
				b.Fatal(err)
			}
			const rooms = 2000
			mk := func(i, n int) engine.Change {
				return engine.Change{Op: engine.OpUpdate, Time: start.Add(time.Duration(n) * time.Millisecond), Element: engine.Element{
					ID: fmt.Sprintf("room-%d", i), Labels: []string{"Room"},
					Props: map[string]value.Value{"temperature": value.Float(20 + float64(n%40)/10), "humidity": value.Float(40 + float64(n%17))}}}
			}
			var boot []engine.Change
			for i := 0; i < rooms; i++ {
				boot = append(boot, mk(i, 0))
			}
			for i := 0; i < len(boot); i += benchBatch {
				if _, _, err := h.Apply([]engine.Batch{{Source: "s", Changes: boot[i:min(i+benchBatch, len(boot))]}}); err != nil {
					b.Fatal(err)
				}
			}
			var sizeBefore int64
			if st != nil {
				sizeBefore = st.BytesWritten()
			}
			b.ReportAllocs()
			b.ResetTimer()
			batch := make([]engine.Change, 0, benchBatch)
			for n := 0; n < b.N; n++ {
				batch = append(batch, mk(n%rooms, n+1))
				if len(batch) == benchBatch || n == b.N-1 {
					if _, _, err := h.Apply([]engine.Batch{{Source: "s", Changes: batch, Position: []byte{byte(n)}}}); err != nil {
						b.Fatal(err)
					}
					batch = make([]engine.Change, 0, benchBatch)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/change")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "changes/s")
			if st != nil && b.N >= 1000 {
				b.ReportMetric(float64(st.BytesWritten()-sizeBefore)/float64(b.N), "written-B/change")
			}
		})
	}
}

// BenchmarkReplay measures a restart without snapshots: opening a store
// whose log holds 100,000 projection changes (in steps of benchBatch) and
// replaying it.
func BenchmarkReplay(b *testing.B) {
	dir := b.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	h, err := Open(Options{Log: st, Start: start, SnapshotEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := h.AddQuery(engine.QuerySpec{ID: "p", Text: `MATCH (r:Room) RETURN elementId(r) AS id, r.temperature AS temperature`}, nil); err != nil {
		b.Fatal(err)
	}
	const changes = 100_000
	for n := 0; n < changes; n += benchBatch {
		batch := make([]engine.Change, benchBatch)
		for i := range batch {
			batch[i] = engine.Change{Op: engine.OpUpdate, Time: start.Add(time.Duration(n+i) * time.Millisecond), Element: engine.Element{
				ID: fmt.Sprintf("room-%d", (n+i)%2000), Labels: []string{"Room"},
				Props: map[string]value.Value{"temperature": value.Float(float64(n+i) / 100)}}}
		}
		if _, _, err := h.Apply([]engine.Batch{{Source: "s", Changes: batch, Position: []byte{1}}}); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Open(Options{Log: st, SnapshotEvery: -1}); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
	b.ReportMetric(float64(changes)*float64(b.N)/b.Elapsed().Seconds(), "replayed-changes/s")
}

// BenchmarkSnapshot measures writing and restoring an engine snapshot of
// 100,000 rooms under two queries (a projection and a per-floor average):
// a restart then restores the snapshot instead of replaying the changes
// that built it. It reports the snapshot's bytes per element, the time to
// take it (the engine pauses meanwhile) and the restart time.
func BenchmarkSnapshot(b *testing.B) {
	dir := b.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	h, err := Open(Options{Log: st, Start: start, SnapshotEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []engine.QuerySpec{
		{ID: "p", Text: `MATCH (r:Room) RETURN elementId(r) AS id, r.temperature AS temperature, r.humidity AS humidity`},
		{ID: "avg", Text: `MATCH (r:Room) RETURN r.floor AS floor, avg(r.temperature) AS t`},
	} {
		if _, _, err := h.AddQuery(q, nil); err != nil {
			b.Fatal(err)
		}
	}
	const rooms = 100_000
	for n := 0; n < rooms; n += 1000 {
		batch := make([]engine.Change, 1000)
		for i := range batch {
			batch[i] = engine.Change{Op: engine.OpInsert, Time: start, Element: engine.Element{
				ID: fmt.Sprintf("room-%d", n+i), Labels: []string{"Room"},
				Props: map[string]value.Value{"temperature": value.Float(20 + float64((n+i)%40)/10), "humidity": value.Float(40 + float64((n+i)%17)),
					"floor": value.Int(int64((n + i) / 200))}}}
		}
		if _, _, err := h.Apply([]engine.Batch{{Source: "s", Changes: batch, Position: []byte{1}}}); err != nil {
			b.Fatal(err)
		}
	}
	t0 := time.Now()
	data, err := h.Engine().Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	encode := time.Since(t0)
	if err := st.WriteSnapshot(st.LogSeq(), data); err != nil {
		b.Fatal(err)
	}
	write := time.Since(t0)
	st.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		h, err := Open(Options{Log: st})
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := h.RestoredSnapshot(); !ok || len(h.Engine().Query("p").Results()) != rooms {
			b.Fatal("the snapshot was not restored")
		}
		st.Close()
	}
	b.StopTimer()
	b.ReportMetric(float64(len(data))/rooms, "snapshot-B/element")
	b.ReportMetric(float64(encode.Milliseconds()), "encode-ms")
	b.ReportMetric(float64(write.Milliseconds()), "encode+write-ms")
	b.ReportMetric(float64(rooms)*float64(b.N)/b.Elapsed().Seconds(), "restored-elements/s")
}

package durable

import (
	"bytes"
	"math/rand"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
	"github.com/vigilhq/vigil/outbox"
)

// A change event written from the engine's rows is byte for byte the event
// written from the same rows as maps (the plain outbox.Event form).
func TestEventRowsMatchMaps(t *testing.T) {
	rng := rand.New(rand.NewSource(sharedtest.Seed(t)))
	dt := value.NewDateTime(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), "Europe/Berlin")
	vals := []value.Value{value.Null, value.True, value.Int(-7), value.Float(0.1), value.Float(2e-9),
		value.Str(`<"q">`), value.Str("é\u2028"), dt, value.List([]value.Value{value.Int(1), value.Str("x")}),
		value.Map(map[string]value.Value{"b": value.Int(2), "a": value.Null})}
	columns := []string{"zeta", "alpha", "Mid", "a_b"}
	row := func() engine.Row {
		r := make(engine.Row, len(columns))
		for i := range r {
			r[i] = vals[rng.Intn(len(vals))]
		}
		return r
	}
	for i := 0; i < 500; i++ {
		d := &engine.Diff{QueryID: "q"}
		for k := rng.Intn(3); k > 0; k-- {
			d.Added = append(d.Added, row())
		}
		for k := rng.Intn(3); k > 0; k-- {
			d.Updated = append(d.Updated, engine.Update{Before: row(), After: row()})
		}
		for k := rng.Intn(3); k > 0; k-- {
			d.Deleted = append(d.Deleted, row())
		}
		at := time.UnixMilli(rng.Int63n(1 << 40))
		fast := EventOf(d, columns, at)
		maps := &outbox.Event{Kind: outbox.KindChange, QueryID: d.QueryID, SourceTimeMs: at.UnixMilli()}
		for _, r := range d.Added {
			maps.Added = append(maps.Added, RowMap(r, columns))
		}
		for _, u := range d.Updated {
			maps.Updated = append(maps.Updated, outbox.Update{Before: RowMap(u.Before, columns), After: RowMap(u.After, columns)})
		}
		for _, r := range d.Deleted {
			maps.Deleted = append(maps.Deleted, RowMap(r, columns))
		}
		a, err := fast.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		b, err := maps.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("diff %d:\n rows %s\n maps %s", i, a, b)
		}
		if x, y, z := fast.Counts(); x != len(d.Added) || y != len(d.Updated) || z != len(d.Deleted) {
			t.Fatalf("counts %d %d %d", x, y, z)
		}
	}
}

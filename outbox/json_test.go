package outbox

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand"
	"testing"

	"github.com/vigilhq/vigil/internal/sharedtest"
)

// The hand-written change encoder writes exactly what encoding/json writes
// for the same event.
func TestAppendChangeMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(sharedtest.Seed(t)))
	strs := []string{"", "plain", `quote " and \ back`, "<b>&amp;</b>", "tab\tnew\nline\r", "\x00\x1f", "é ü 😀", "line\u2028sep\u2029", "bad \xff utf8", "\u007f"}
	floats := []float64{0, -0.0, 1, -1.5, 0.1, 1e-7, 1.5e-7, 123456789012, 1e20, 1e21, 1.234e25, -3e-9, math.MaxFloat64, math.SmallestNonzeroFloat64}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch k := rng.Intn(9); {
		case k == 0:
			return nil
		case k == 1:
			return rng.Intn(2) == 0
		case k == 2:
			return rng.Int63() - rng.Int63()
		case k == 3:
			return floats[rng.Intn(len(floats))]
		case k == 4 || k == 5:
			return strs[rng.Intn(len(strs))]
		case k == 6 && depth < 3:
			l := make([]any, rng.Intn(4))
			for i := range l {
				l[i] = gen(depth + 1)
			}
			return l
		case k == 7 && depth < 3:
			return row(rng, gen, depth+1, strs)
		}
		return strs[rng.Intn(len(strs))]
	}
	for i := 0; i < 2000; i++ {
		e := &Event{Kind: KindChange, QueryID: strs[rng.Intn(len(strs))], Sequence: rng.Uint64(), SourceTimeMs: rng.Int63()}
		for j := rng.Intn(3); j > 0; j-- {
			e.Added = append(e.Added, row(rng, gen, 0, strs))
		}
		for j := rng.Intn(3); j > 0; j-- {
			u := Update{Before: row(rng, gen, 0, strs), After: row(rng, gen, 0, strs)}
			if rng.Intn(5) == 0 {
				u.Before = nil
			}
			e.Updated = append(e.Updated, u)
		}
		for j := rng.Intn(3); j > 0; j-- {
			e.Deleted = append(e.Deleted, row(rng, gen, 0, strs))
		}
		got, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(changeWire{e.Kind, e.QueryID, e.Sequence, e.SourceTimeMs, orEmpty(e.Added), orEmpty(e.Updated), orEmpty(e.Deleted)})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("event %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func row(rng *rand.Rand, gen func(int) any, depth int, keys []string) map[string]any {
	m := map[string]any{}
	for k := rng.Intn(5); k > 0; k-- {
		m[keys[rng.Intn(len(keys))]] = gen(depth + 1)
	}
	return m
}

func TestAppendChangeRejectsNaN(t *testing.T) {
	e := &Event{Kind: KindChange, Added: []map[string]any{{"x": math.NaN()}}}
	if _, err := e.MarshalJSON(); err == nil {
		t.Fatal("NaN encoded")
	}
}

func BenchmarkChangeEventJSON(b *testing.B) {
	e := &Event{Kind: KindChange, QueryID: "rooms", Sequence: 42, SourceTimeMs: 1796132000000,
		Updated: []Update{{
			Before: map[string]any{"RoomName": "Room 01_02_03", "Temperature": 71.25, "Humidity": 42.0, "CO2": int64(500)},
			After:  map[string]any{"RoomName": "Room 01_02_03", "Temperature": 72.5, "Humidity": 42.0, "CO2": int64(500)},
		}}}
	b.Run("appendChange", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			e.MarshalJSON()
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			json.Marshal(changeWire{e.Kind, e.QueryID, e.Sequence, e.SourceTimeMs, orEmpty(e.Added), orEmpty(e.Updated), orEmpty(e.Deleted)})
		}
	})
}

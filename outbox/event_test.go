package outbox

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

// The wire forms, as encoding/json writes them from maps: the reference the
// one hand-written encoder (Event.AppendJSON) is held to.
type (
	changeWire struct {
		Kind           string           `json:"kind"`
		QueryID        string           `json:"queryId"`
		Sequence       uint64           `json:"sequence"`
		SourceTimeMs   int64            `json:"sourceTimeMs"`
		AddedResults   []map[string]any `json:"addedResults"`
		UpdatedResults []updateWire     `json:"updatedResults"`
		DeletedResults []map[string]any `json:"deletedResults"`
	}
	updateWire struct {
		Before map[string]any `json:"before"`
		After  map[string]any `json:"after"`
	}
	controlWire struct {
		Kind          string `json:"kind"`
		QueryID       string `json:"queryId"`
		Sequence      uint64 `json:"sequence"`
		SourceTimeMs  int64  `json:"sourceTimeMs"`
		ControlSignal struct {
			Kind   string `json:"kind"`
			Reason string `json:"reason,omitempty"`
		} `json:"controlSignal"`
	}
	snapshotWire struct {
		Kind         string           `json:"kind"`
		QueryID      string           `json:"queryId"`
		Sequence     uint64           `json:"sequence"`
		SourceTimeMs int64            `json:"sourceTimeMs"`
		Columns      []string         `json:"columns"`
		Results      []map[string]any `json:"results"`
	}
)

func maps(rows []engine.Row, columns []string) []map[string]any {
	out := []map[string]any{}
	for _, r := range rows {
		out = append(out, RowMap(r, columns))
	}
	return out
}

// Every event kind encodes to exactly what encoding/json writes for the same
// event built from maps: sorted keys, HTML-safe escaping, its float format,
// empty lists as [] and a missing before row as null.
func TestEventMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(sharedtest.Seed(t)))
	dt := value.NewDateTime(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), "Europe/Berlin")
	vals := []value.Value{value.Null, value.True, value.Int(-7), value.Float(0.1), value.Float(2e-9), value.Float(1e21),
		value.Str(`<"q"> & \`), value.Str("é\u2028 😀"), value.Str("tab\tnew\nline\x00"), dt,
		value.List([]value.Value{value.Int(1), value.Str("x")}),
		value.Map(map[string]value.Value{"b": value.Int(2), "a": value.Null})}
	strs := []string{"", "plain", `quote " and \ back`, "<b>&amp;</b>", "line\u2028sep", "é"}
	columns := []string{"zeta", "alpha", "Mid", "a_b", "<b>"}
	cols := NewColumns(columns)
	oldColumns := []string{"old", "alpha"}
	row := func(n int) engine.Row {
		r := make(engine.Row, n)
		for i := range r {
			r[i] = vals[rng.Intn(len(vals))]
		}
		return r
	}
	for i := 0; i < 1000; i++ {
		d := &engine.Diff{QueryID: strs[rng.Intn(len(strs))]}
		for k := rng.Intn(3); k > 0; k-- {
			d.Added = append(d.Added, row(len(columns)))
		}
		for k := rng.Intn(3); k > 0; k-- {
			u := engine.Update{Before: row(len(columns)), After: row(len(columns) - rng.Intn(2))}
			if rng.Intn(5) == 0 {
				u.Before = nil
			}
			d.Updated = append(d.Updated, u)
		}
		for k := rng.Intn(3); k > 0; k-- {
			d.Deleted = append(d.Deleted, row(len(columns)))
		}
		at := time.UnixMilli(rng.Int63n(1 << 40))
		seq := rng.Uint64()
		var ev *Event
		var want any
		switch rng.Intn(4) {
		case 0:
			ev = Control(d.QueryID, strs[rng.Intn(len(strs))], strs[rng.Intn(len(strs))], at)
			w := controlWire{Kind: KindControl, QueryID: d.QueryID, Sequence: seq, SourceTimeMs: at.UnixMilli()}
			w.ControlSignal.Kind, w.ControlSignal.Reason = ev.Signal, ev.Reason
			want = w
		case 1:
			ev = Snapshot(d.QueryID, seq, cols, d.Added, at)
			want = snapshotWire{KindSnapshot, d.QueryID, seq, at.UnixMilli(), columns, maps(d.Added, columns)}
		case 2:
			// A replaced query's old rows under its old columns.
			ev = Change(d, cols, at)
			ev.DeletedColumns = NewColumns(oldColumns)
			want = changeWire{KindChange, d.QueryID, seq, at.UnixMilli(), maps(d.Added, columns), updates(d.Updated, columns), maps(d.Deleted, oldColumns)}
		default:
			ev = Change(d, cols, at)
			want = changeWire{KindChange, d.QueryID, seq, at.UnixMilli(), maps(d.Added, columns), updates(d.Updated, columns), maps(d.Deleted, columns)}
		}
		ev.Sequence = seq
		got, err := ev.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		wantJSON, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, wantJSON) {
			t.Fatalf("event %d:\n got %s\nwant %s", i, got, wantJSON)
		}
		if x, y, z := ev.Counts(); ev.Kind == KindChange && (x != len(d.Added) || y != len(d.Updated) || z != len(d.Deleted)) {
			t.Fatalf("counts %d %d %d", x, y, z)
		}
	}
}

func updates(us []engine.Update, columns []string) []updateWire {
	out := []updateWire{}
	for _, u := range us {
		w := updateWire{After: RowMap(u.After, columns)}
		if u.Before != nil {
			w.Before = RowMap(u.Before, columns)
		}
		out = append(out, w)
	}
	return out
}

func BenchmarkChangeEventJSON(b *testing.B) {
	cols := NewColumns([]string{"RoomName", "Temperature", "Humidity", "CO2"})
	d := &engine.Diff{QueryID: "rooms", Updated: []engine.Update{{
		Before: engine.Row{value.Str("Room 01_02_03"), value.Float(71.25), value.Float(42), value.Int(500)},
		After:  engine.Row{value.Str("Room 01_02_03"), value.Float(72.5), value.Float(42), value.Int(500)},
	}}}
	e := Change(d, cols, time.UnixMilli(1796132000000))
	e.Sequence = 42
	b.ReportAllocs()
	buf := make([]byte, 0, 512)
	for i := 0; i < b.N; i++ {
		buf = e.AppendJSON(buf[:0])
	}
}

// Decode reads back what AppendJSON wrote, for each kind of event.
func TestDecodeReadsWhatAppendJSONWrote(t *testing.T) {
	cols := NewColumns([]string{"b", "a"})
	at := time.UnixMilli(1_700_000_000_123)
	row := func(a, b int64) engine.Row { return engine.Row{value.Int(b), value.Int(a)} }
	ch := Change(&engine.Diff{QueryID: "q", Added: []engine.Row{row(1, 2)}, Deleted: []engine.Row{row(3, 4)},
		Updated: []engine.Update{{Before: row(5, 6), After: row(7, 8)}}}, cols, at)
	ch.Sequence = 9
	d, err := Decode(ch.AppendJSON(nil))
	if err != nil || d.Kind != KindChange || d.QueryID != "q" || d.Sequence != 9 || d.SourceTimeMs != at.UnixMilli() ||
		string(d.Added[0]["a"]) != "1" || string(d.Deleted[0]["b"]) != "4" || string(d.Updated[0].Before["a"]) != "5" || string(d.Updated[0].After["b"]) != "8" {
		t.Errorf("change: %+v %v", d, err)
	}
	d, err = Decode(Snapshot("q", 3, cols, []engine.Row{row(1, 2)}, at).AppendJSON(nil))
	if err != nil || d.Kind != KindSnapshot || len(d.Columns) != 2 || d.Columns[0] != "b" || string(d.Results[0]["b"]) != "2" {
		t.Errorf("snapshot: %+v %v", d, err)
	}
	d, err = Decode(Control("q", SignalStopped, "gone", at).AppendJSON(nil))
	if err != nil || d.Kind != KindControl || d.Signal == nil || d.Signal.Kind != SignalStopped || d.Signal.Reason != "gone" {
		t.Errorf("control: %+v %v", d, err)
	}
}

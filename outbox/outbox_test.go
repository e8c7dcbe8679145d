package outbox

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

func TestMemorySequencesAndReads(t *testing.T) {
	var o Outbox = NewMemory()
	for i := 1; i <= 5; i++ {
		seq, err := o.Append("q", &Event{Kind: KindChange, Columns: NewColumns([]string{"i"}), Added: []engine.Row{{value.Int(int64(i))}}})
		if err != nil || seq != uint64(i) {
			t.Fatalf("append %d: seq %d err %v", i, seq, err)
		}
	}
	if seq, _ := o.Append("other", &Event{Kind: KindControl, Signal: SignalRunning}); seq != 1 {
		t.Fatalf("other query starts at %d", seq)
	}
	for _, tc := range []struct {
		after    uint64
		max      int
		wantSeqs []uint64
		wantErr  error
	}{
		{0, 0, []uint64{1, 2, 3, 4, 5}, nil},
		{2, 0, []uint64{3, 4, 5}, nil},
		{2, 2, []uint64{3, 4}, nil},
		{5, 0, nil, nil},
		{9, 0, nil, nil},
	} {
		recs, err := o.ReadFrom("q", tc.after, tc.max)
		if !errors.Is(err, tc.wantErr) {
			t.Fatalf("after %d: err %v", tc.after, err)
		}
		var got []uint64
		for _, r := range recs {
			got = append(got, r.Seq)
		}
		if len(got) != len(tc.wantSeqs) {
			t.Fatalf("after %d max %d: got %v want %v", tc.after, tc.max, got, tc.wantSeqs)
		}
		for i := range got {
			if got[i] != tc.wantSeqs[i] {
				t.Fatalf("after %d: got %v want %v", tc.after, got, tc.wantSeqs)
			}
		}
	}
	o.Compact("q", 3)
	if first, last := o.Bounds("q"); first != 4 || last != 5 {
		t.Fatalf("bounds %d %d", first, last)
	}
	if _, err := o.ReadFrom("q", 2, 0); !errors.Is(err, ErrCompacted) {
		t.Fatalf("read compacted: %v", err)
	}
	if recs, err := o.ReadFrom("q", 3, 0); err != nil || len(recs) != 2 {
		t.Fatalf("read after compaction point: %v %v", recs, err)
	}
	o.Compact("q", 100)
	if first, last := o.Bounds("q"); first != 0 || last != 5 {
		t.Fatalf("bounds after full compaction %d %d", first, last)
	}
	if seq, _ := o.Append("q", &Event{Kind: KindChange}); seq != 6 {
		t.Fatalf("sequence after compaction = %d, want 6", seq)
	}
	o.Drop("q")
	// The numbering continues, so that no old position points into the
	// stream of a query created again under the name.
	if _, err := o.ReadFrom("q", 3, 0); !errors.Is(err, ErrCompacted) {
		t.Fatalf("read of a dropped stream: %v", err)
	}
	if seq, _ := o.Append("q", &Event{Kind: KindChange}); seq != 7 {
		t.Fatalf("sequence after drop = %d, want 7", seq)
	}
}

func TestEventJSON(t *testing.T) {
	for _, tc := range []struct {
		ev   Event
		want string
	}{
		{Event{Kind: KindChange, QueryID: "q", Sequence: 3, SourceTimeMs: 7, Columns: NewColumns([]string{"a"}), Added: []engine.Row{{value.Int(1)}}},
			`{"kind":"change","queryId":"q","sequence":3,"sourceTimeMs":7,"addedResults":[{"a":1}],"updatedResults":[],"deletedResults":[]}`},
		{Event{Kind: KindChange, Columns: NewColumns([]string{"a"}), Updated: []engine.Update{{Before: engine.Row{value.Int(1)}, After: engine.Row{value.Int(2)}}}},
			`{"kind":"change","queryId":"","sequence":0,"sourceTimeMs":0,"addedResults":[],"updatedResults":[{"before":{"a":1},"after":{"a":2}}],"deletedResults":[]}`},
		{Event{Kind: KindControl, QueryID: "q", Sequence: 1, Signal: SignalBootstrapStarted},
			`{"kind":"control","queryId":"q","sequence":1,"sourceTimeMs":0,"controlSignal":{"kind":"bootstrapStarted"}}`},
		{Event{Kind: KindSnapshot, QueryID: "q", Sequence: 9, Columns: NewColumns([]string{"a"})},
			`{"kind":"snapshot","queryId":"q","sequence":9,"sourceTimeMs":0,"columns":["a"],"results":[]}`},
	} {
		b, err := json.Marshal(&tc.ev)
		if err != nil || string(b) != tc.want {
			t.Errorf("got %s (%v)\nwant %s", b, err, tc.want)
		}
	}
}

// Appends from one writer and reads from many run concurrently (go test -race).
func TestMemoryConcurrentReaders(t *testing.T) {
	o := NewMemory()
	var wg sync.WaitGroup
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var after uint64
			// A lost append would leave the reader short of 200 for ever:
			// it gives up, failing the test, instead of spinning until go
			// test's timeout.
			deadline := time.Now().Add(10 * time.Second)
			for after < 200 {
				if time.Now().After(deadline) {
					t.Errorf("reader at %d of 200 events after 10s", after)
					return
				}
				recs, err := o.ReadFrom("q", after, 16)
				if err != nil {
					t.Error(err)
					return
				}
				for _, rec := range recs {
					if rec.Seq != after+1 || !strings.Contains(string(rec.Data), `"sequence":`) {
						t.Errorf("gap: %d after %d", rec.Seq, after)
						return
					}
					after = rec.Seq
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		o.Append("q", &Event{Kind: KindChange})
	}
	wg.Wait()
}

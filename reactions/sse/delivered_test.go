package sse

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
)

// memFeed is an in-memory reactions.Feed: per query, the events appended
// with sequences 1, 2, ...; a snapshot is the last sequence.
type memFeed struct {
	mu      sync.Mutex
	events  map[string][]outbox.Record
	changed chan struct{}
}

func newMemFeed(queries ...string) *memFeed {
	f := &memFeed{events: map[string][]outbox.Record{}, changed: make(chan struct{})}
	for _, q := range queries {
		f.events[q] = nil
	}
	return f
}

func (f *memFeed) append(q string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seq := uint64(len(f.events[q]) + 1)
	data := fmt.Appendf(nil, `{"kind":"change","queryId":%q,"sequence":%d}`, q, seq)
	f.events[q] = append(f.events[q], outbox.Record{QueryID: q, Seq: seq, Kind: "change", Data: data})
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *memFeed) Read(q string, after uint64, max int) ([]outbox.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	evs := f.events[q]
	if after >= uint64(len(evs)) {
		return nil, nil
	}
	out := evs[after:]
	if len(out) > max {
		out = out[:max]
	}
	return append([]outbox.Record(nil), out...), nil
}

func (f *memFeed) Snapshot(_ context.Context, q string) (outbox.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	evs, ok := f.events[q]
	if !ok {
		return outbox.Record{}, reactions.ErrNotFound
	}
	seq := uint64(len(evs))
	return outbox.Record{QueryID: q, Seq: seq, Kind: "snapshot", Data: fmt.Appendf(nil, `{"kind":"snapshot","queryId":%q,"sequence":%d}`, q, seq)}, nil
}

func (f *memFeed) Changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed
}

// TestReactionCountsDelivered follows an SSE reaction with one client and
// checks that its status counts the events the client received, and per
// query the last sequence it received. Before this the status always said
// "delivered": 0.
func TestReactionCountsDelivered(t *testing.T) {
	for _, tc := range []struct {
		name    string
		queries []string
		changes []string // the query of each change appended after connecting
	}{
		{"one query", []string{"a"}, []string{"a", "a", "a"}},
		{"two queries", []string{"a", "b"}, []string{"a", "b", "b", "a", "b"}},
		{"no changes", []string{"a", "b"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qs := map[string]any{}
			for _, q := range tc.queries {
				qs[q] = nil
			}
			rr, err := Factory("stream", qs, map[string]any{"heartbeat": "50ms"})
			if err != nil {
				t.Fatal(err)
			}
			r := rr.(*Reaction)
			feed := newMemFeed(tc.queries...)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go r.Run(ctx, feed)
			hs := httptest.NewServer(r)
			defer hs.Close()

			if st := r.Status(); st.Delivered != 0 || st.Positions != nil || !st.LastDelivery.IsZero() {
				t.Fatalf("status before any client: %+v", st)
			}
			// Run makes the feed available asynchronously.
			var resp *http.Response
			for deadline := time.Now().Add(5 * time.Second); ; {
				if resp, err = http.Get(hs.URL); err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode == http.StatusOK || time.Now().After(deadline) {
					break
				}
				resp.Body.Close()
				time.Sleep(5 * time.Millisecond)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET: %s", resp.Status)
			}
			events := make(chan map[string]any)
			go func() {
				sc := bufio.NewScanner(resp.Body)
				for sc.Scan() {
					if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
						var ev map[string]any
						json.Unmarshal([]byte(d), &ev)
						events <- ev
					}
				}
				close(events)
			}()
			receive := func(n int) {
				t.Helper()
				for i := 0; i < n; i++ {
					select {
					case _, ok := <-events:
						if !ok {
							t.Fatalf("stream ended after %d of %d events", i, n)
						}
					case <-time.After(5 * time.Second):
						t.Fatalf("received %d of %d events", i, n)
					}
				}
			}
			receive(len(tc.queries)) // a snapshot per query
			for _, q := range tc.changes {
				feed.append(q)
			}
			receive(len(tc.changes))

			want := uint64(len(tc.queries) + len(tc.changes))
			wantPos := map[string]uint64{}
			for _, q := range tc.queries {
				wantPos[q] = 0
			}
			for _, q := range tc.changes {
				wantPos[q]++
			}
			st := r.Status()
			// The client has read them, so the stream has counted them
			// (it counts before it flushes them).
			if st.Delivered != want {
				t.Errorf("delivered %d, want %d", st.Delivered, want)
			}
			if fmt.Sprint(st.Positions) != fmt.Sprint(wantPos) {
				t.Errorf("positions %v, want %v", st.Positions, wantPos)
			}
			if st.LastDelivery.IsZero() || st.Clients != 1 || st.State != "running" {
				t.Errorf("status %+v: want a last delivery, 1 client, running", st)
			}
		})
	}
}

// TestNotRunningAnswersJSONError: a stream request to a reaction that is
// not running gets the API's error body.
func TestNotRunningAnswersJSONError(t *testing.T) {
	rr, err := Factory("idle", map[string]any{"q": nil}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	rr.(*Reaction).ServeHTTP(rec, httptest.NewRequest("GET", "/v1/reactions/idle/events", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Content-Type") != "application/json" ||
		rec.Body.String() != `{"error":"reaction is not running"}`+"\n" {
		t.Errorf("got %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}

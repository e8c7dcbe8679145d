package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
)

// feed is a minimal reactions.Feed over an in-memory outbox.
type feed struct {
	out *outbox.Memory
	mu  sync.Mutex
	ch  chan struct{}
}

func newFeed() *feed { return &feed{out: outbox.NewMemory(), ch: make(chan struct{})} }

func (f *feed) append(q string, ev *outbox.Event) {
	f.out.Append(q, ev)
	f.mu.Lock()
	close(f.ch)
	f.ch = make(chan struct{})
	f.mu.Unlock()
}

func (f *feed) Read(q string, after uint64, max int) ([]outbox.Record, error) {
	return f.out.ReadFrom(q, after, max)
}

func (f *feed) Snapshot(ctx context.Context, q string) (outbox.Record, error) {
	return outbox.Record{}, reactions.ErrNotFound
}

func (f *feed) Changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ch
}

func TestProperties(t *testing.T) {
	for _, tc := range []struct {
		props map[string]any
		want  string
	}{
		{map[string]any{}, "url is required"},
		{map[string]any{"url": "ftp://x"}, "want an http(s) URL"},
		{map[string]any{"url": "http://x", "maxAttempts": 0}, "at least 1"},
		{map[string]any{"url": "http://x", "baseDelay": "soon"}, "property baseDelay"},
		{map[string]any{"url": "http://x", "startFrom": "middle"}, "startFrom"},
	} {
		if _, err := New("h", []string{"q"}, tc.props); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.props, err, tc.want)
		}
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	w, _ := New("h", []string{"q"}, map[string]any{"url": "http://x", "baseDelay": "100ms", "maxDelay": "1s"})
	for _, tc := range []struct {
		n        int
		min, max time.Duration
	}{{1, 50 * time.Millisecond, 100 * time.Millisecond}, {2, 100 * time.Millisecond, 200 * time.Millisecond},
		{4, 400 * time.Millisecond, 800 * time.Millisecond}, {10, 500 * time.Millisecond, time.Second}} {
		for i := 0; i < 50; i++ {
			if d := w.backoff(tc.n); d < tc.min || d > tc.max {
				t.Fatalf("backoff(%d) = %v, want [%v, %v]", tc.n, d, tc.min, tc.max)
			}
		}
	}
}

// A receiver that always fails: each event is attempted maxAttempts times,
// then dead-lettered, and delivery moves on; status shows it failing.
func TestRetriesThenDeadLetters(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key")+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		w.WriteHeader(500)
	}))
	defer srv.Close()
	w, err := New("h", []string{"q"}, map[string]any{"url": srv.URL, "maxAttempts": 3, "token": "tok"})
	if err != nil {
		t.Fatal(err)
	}
	var sleeps []time.Duration
	w.sleepFor = func(ctx context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil }
	f := newFeed()
	f.append("q", &outbox.Event{Kind: outbox.KindControl, Signal: outbox.SignalRunning})
	f.append("q", &outbox.Event{Kind: outbox.KindChange})
	f.append("q", &outbox.Event{Kind: outbox.KindChange})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx, f); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for w.Status().DeadLetters < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("status %+v", w.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5s of its context's cancel")
	}
	st := w.Status()
	if st.Failures != 6 || st.Positions["q"] != 3 || st.Error == "" || len(sleeps) != 4 {
		t.Fatalf("status %+v, sleeps %v", st, sleeps)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 6 || keys[0] != "q:2 Bearer tok" || keys[5] != "q:3 Bearer tok" {
		t.Fatalf("requests: %v", keys)
	}
	if dl := w.DeadLetters(); len(dl) != 2 || dl[0].Sequence != 2 || dl[0].Error != "HTTP 500" {
		t.Fatalf("dead letters %+v", dl)
	}
}

// snapFeed answers Snapshot with the stream's last sequence, as the server
// does.
type snapFeed struct{ *feed }

func (f snapFeed) Snapshot(ctx context.Context, q string) (outbox.Record, error) {
	_, last := f.out.Bounds(q)
	return outbox.Record{QueryID: q, Seq: last, Kind: outbox.KindSnapshot, Data: []byte(`{"kind":"snapshot"}`)}, nil
}

// startFrom: now on a compacted stream starts after its end and posts no
// snapshot: only what happens next.
func TestStartFromNowOnCompactedStream(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		mu.Unlock()
	}))
	defer srv.Close()
	w, err := New("h", []string{"q"}, map[string]any{"url": srv.URL, "startFrom": "now"})
	if err != nil {
		t.Fatal(err)
	}
	f := snapFeed{newFeed()}
	for i := 0; i < 3; i++ {
		f.append("q", &outbox.Event{Kind: outbox.KindChange})
	}
	f.out.Compact("q", 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx, f)
	// Let the reaction find the end of the stream first.
	for deadline := time.Now().Add(5 * time.Second); w.Status().State != "running"; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("reaction not running 5s after Run started: status %+v", w.Status())
		}
	}
	time.Sleep(100 * time.Millisecond)
	f.append("q", &outbox.Event{Kind: outbox.KindChange})
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(keys)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing delivered")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // a wrongly posted snapshot would come first anyway
	mu.Lock()
	defer mu.Unlock()
	if keys[0] != "q:4" {
		t.Fatalf("first delivery %v, want q:4 (no snapshot of the compacted past)", keys)
	}
}

package webhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/outbox"
)

// An action webhook POSTs one request per row added (onAdded) and per row
// deleted (onDeleted), each with its own idempotency key; an update does
// not act, and control events carry no rows.
func TestActionsPerRow(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Header.Get("Idempotency-Key")+" "+string(b))
		mu.Unlock()
	}))
	defer srv.Close()
	w, err := New("freeze", []string{"q"}, map[string]any{"url": srv.URL,
		"onAdded":   `{"action": "freeze", "agent": {agent}}`,
		"onDeleted": `{"action": "unfreeze", "agent": {agent}}`})
	if err != nil {
		t.Fatal(err)
	}
	cols := outbox.NewColumns([]string{"agent", "denials"})
	row := func(a string, n int64) engine.Row { return engine.Row{value.Str(a), value.Int(n)} }
	f := newFeed()
	f.append("q", outbox.Control("q", outbox.SignalRunning, "", time.Unix(0, 0)))
	f.append("q", &outbox.Event{Kind: outbox.KindChange, Columns: cols, Added: []engine.Row{row("a1", 5), row("a2", 6)}})
	f.append("q", &outbox.Event{Kind: outbox.KindChange, Columns: cols, Updated: []engine.Update{{Before: row("a1", 5), After: row("a1", 7)}}})
	f.append("q", &outbox.Event{Kind: outbox.KindChange, Columns: cols, Deleted: []engine.Row{row("a1", 7)}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx, f)
	want := []string{
		`q:2:added:0 {"action": "freeze", "agent": "a1"}`,
		`q:2:added:1 {"action": "freeze", "agent": "a2"}`,
		`q:4:deleted:0 {"action": "unfreeze", "agent": "a1"}`,
	}
	for deadline := time.Now().Add(5 * time.Second); w.Status().Positions["q"] < 4; {
		if time.Now().After(deadline) {
			t.Fatalf("status %+v", w.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

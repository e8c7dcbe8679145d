package httpsource

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

func TestDecode(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := time.UnixMilli(1700000000123).UTC()
	for _, tc := range []struct {
		name, body string
		check      func(t *testing.T, chs []engine.Change)
	}{
		{"node insert ms", `{"operation":"insert","element":{"type":"node","id":"a1","labels":["Agent"],"properties":{"name":"x","n":3,"f":1.5,"l":[1,"a"]}},"timestamp":1700000000123}`,
			func(t *testing.T, chs []engine.Change) {
				c := chs[0]
				if c.Op != engine.OpInsert || c.Element.ID != "a1" || c.Element.Labels[0] != "Agent" || !c.Time.Equal(ms) {
					t.Fatalf("%+v", c)
				}
				if c.Element.Props["n"].Kind() != value.KindInt || c.Element.Props["f"].Kind() != value.KindFloat || c.Element.Props["l"].Kind() != value.KindList {
					t.Fatalf("props %v", c.Element.Props)
				}
			}},
		{"nanoseconds", `{"operation":"update","element":{"id":"a1","labels":["Agent"]},"timestamp":1700000000123000000}`,
			func(t *testing.T, chs []engine.Change) {
				if chs[0].Op != engine.OpUpdate || !chs[0].Time.Equal(ms) {
					t.Fatalf("%+v", chs[0])
				}
			}},
		{"microseconds", `{"operation":"update","element":{"id":"a1"},"timestamp":1700000000123000}`,
			func(t *testing.T, chs []engine.Change) {
				if !chs[0].Time.Equal(ms) {
					t.Fatalf("%v", chs[0].Time)
				}
			}},
		{"rfc3339 and default time", `[{"operation":"insert","element":{"id":"a"},"timestamp":"2023-11-14T22:13:20.123Z"},{"operation":"insert","element":{"id":"b"}}]`,
			func(t *testing.T, chs []engine.Change) {
				if !chs[0].Time.Equal(ms) || !chs[1].Time.Equal(now) {
					t.Fatalf("%v %v", chs[0].Time, chs[1].Time)
				}
			}},
		{"relation", `{"operation":"insert","element":{"type":"relation","id":"r","labels":["MADE"],"from":"a","to":"b"}}`,
			func(t *testing.T, chs []engine.Change) {
				e := chs[0].Element
				if e.Type != "MADE" || e.From != "a" || e.To != "b" {
					t.Fatalf("%+v", e)
				}
			}},
		{"relation startId", `{"operation":"insert","element":{"type":"relation","id":"r","labels":["MADE"],"startId":"a","endId":"b"}}`,
			func(t *testing.T, chs []engine.Change) {
				if chs[0].Element.From != "a" || chs[0].Element.To != "b" {
					t.Fatal(chs[0].Element)
				}
			}},
		{"drasi delete", `{"operation":"delete","id":"a1","labels":["Agent"]}`,
			func(t *testing.T, chs []engine.Change) {
				if chs[0].Op != engine.OpDelete || chs[0].Element.ID != "a1" {
					t.Fatal(chs[0])
				}
			}},
		{"batch wrapper", `{"position": 7, "events":[{"operation":"delete","element":{"id":"x"}}]}`,
			func(t *testing.T, chs []engine.Change) {
				if len(chs) != 1 || chs[0].Element.ID != "x" {
					t.Fatal(chs)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chs, _, err := Decode([]byte(tc.body), now)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, chs)
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{``, "empty body"},
		{`nope`, "must be an object or an array"},
		{`{"operation":`, "invalid JSON"},
		{`{"element":{"id":"a"}}`, "operation is required"},
		{`{"operation":"upsert","element":{"id":"a"}}`, `unknown operation "upsert"`},
		{`{"operation":"insert"}`, "element is required"},
		{`{"operation":"insert","element":{"labels":["A"]}}`, "element.id is required"},
		{`{"operation":"insert","element":{"id":"a","type":"edge"}}`, `unknown element.type "edge"`},
		{`{"operation":"insert","element":{"id":"a","type":"relation","labels":["R"],"from":"x"}}`, "needs element.from and element.to"},
		{`{"operation":"insert","element":{"id":"a","type":"relation","from":"x","to":"y"}}`, "labels[0]"},
		{`{"operation":"insert","element":{"id":"a","from":"x"}}`, "a node has no from/to"},
		{`{"operation":"delete"}`, "delete needs an id"},
		{`{"operation":"insert","element":{"id":"a"},"timestamp":-5}`, "timestamp -5"},
		{`{"operation":"insert","element":{"id":"a"},"timestamp":"yesterday"}`, "timestamp"},
		{`{"operation":"insert","elemnt":{"id":"a"}}`, `unknown field "elemnt"`},
		{`[{"operation":"insert","element":{"id":"a"}},{"operation":"insert"}]`, "event 1: element is required"},
	} {
		_, _, err := Decode([]byte(tc.body), time.Now())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.body, err, tc.want)
		}
	}
}

// Positions make retries idempotent: a position at or below the last
// applied one is acknowledged without emitting again.
func TestSubmitPositions(t *testing.T) {
	src, err := New("s", nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var batches []engine.Batch
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go src.Run(ctx, []byte("3"), func(_ context.Context, b engine.Batch) error {
		mu.Lock()
		batches = append(batches, b)
		mu.Unlock()
		return nil
	})
	for deadline := time.Now().Add(5 * time.Second); src.Status().State != "running"; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("source not running 5s after Run started: status %+v", src.Status())
		}
	}
	body := `{"operation":"insert","element":{"id":"a"}}`
	for _, tc := range []struct {
		pos  string
		code int
		dup  bool
	}{
		{"3", 200, true}, // at the resume position: already applied
		{"4", 200, false},
		{"4", 200, true},
		{"2", 200, true},
		{"", 200, false},
		{"x", 400, false},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		if tc.pos != "" {
			req.Header.Set("Vigil-Position", tc.pos)
		}
		src.ServeHTTP(rec, req)
		if rec.Code != tc.code || strings.Contains(rec.Body.String(), `"duplicate":true`) != tc.dup {
			t.Errorf("pos %q: %d %s", tc.pos, rec.Code, rec.Body)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(batches) != 2 || string(batches[0].Position) != "4" || batches[0].Changes[0].Source != "s" || batches[1].Position != nil {
		t.Fatalf("batches: %+v", batches)
	}
	if st := src.Status(); st.Changes != 2 || st.Position != "4" {
		t.Fatalf("status %+v", st)
	}
}

// TestRequestBeforeRunWaitsForIt: the server registers a source and starts
// its Run on another goroutine; a request arriving in between is applied
// once Run starts instead of failing.
func TestRequestBeforeRunWaitsForIt(t *testing.T) {
	src, _ := New("s", nil)
	got := make(chan int, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		time.Sleep(50 * time.Millisecond)
		src.Run(ctx, nil, func(_ context.Context, b engine.Batch) error { got <- len(b.Changes); return nil })
	}()
	rec := httptest.NewRecorder()
	src.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader(`{"operation":"delete","element":{"type":"node","id":"a","labels":["A"]}}`)))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	select {
	case n := <-got:
		if n != 1 {
			t.Fatalf("emitted %d changes, want 1", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the request was acknowledged but its batch not emitted within 5s")
	}
}

func TestNotRunning(t *testing.T) {
	// A request to a source whose Run has not started waits for it until
	// the request gives up, then answers 503 (retry), never 404.
	src, _ := New("s", nil)
	rec := httptest.NewRecorder()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	src.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader(`{"operation":"delete","id":"a"}`)).WithContext(ctx))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatal(rec.Code, rec.Header())
	}
	if _, err := New("s", map[string]any{"maxEvents": "many"}); err == nil || !strings.Contains(err.Error(), "maxEvents") {
		t.Fatal(err)
	}
}

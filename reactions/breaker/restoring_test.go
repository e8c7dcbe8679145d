package breaker

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Until a reaction has restored its state the API answers 503 with
// Retry-After, never 404: after a restart an OPEN breaker must not read as
// absent to an enforcement point.
func TestAPIAnswers503WhileRestoring(t *testing.T) {
	h := NewHub()
	rx, err := h.ReactionFactory("breaker", map[string]any{"q": nil}, map[string]any{"key": "agent", "recoveryTimeout": "1m"})
	if err != nil {
		t.Fatal(err)
	}
	r := rx.(*Reaction)
	h.reactions.Put(r.name, r)
	get := func(method, path string) (int, string, string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, strings.NewReader(`{"ok": true}`))
		h.Handler().ServeHTTP(rec, req)
		return rec.Code, rec.Header().Get("Retry-After"), rec.Body.String()
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/v1/breakers"}, {"GET", "/v1/breakers/a1"}, {"POST", "/v1/breakers/a1/probe"},
	} {
		if code, retry, body := get(tc.method, tc.path); code != http.StatusServiceUnavailable || retry != "1" || !strings.Contains(body, "restoring") {
			t.Errorf("%s %s while restoring: %d %q %s", tc.method, tc.path, code, retry, body)
		}
	}
	r.publish(newState(), nil) // the session's first publish: the state is restored
	if code, _, body := get("GET", "/v1/breakers/a1"); code != http.StatusNotFound {
		t.Errorf("after restoring, an unknown key: %d %s", code, body)
	}
	if code, _, body := get("GET", "/v1/breakers"); code != http.StatusOK || strings.TrimSpace(body) != "[]" {
		t.Errorf("after restoring, the list: %d %s", code, body)
	}
}

package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestSameSite(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	cases := []struct {
		name    string
		noToken bool
		host    string
		headers map[string]string
		want    int
	}{
		{"cli on loopback IP", true, "127.0.0.1:8080", nil, 204},
		{"localhost", true, "localhost:8080", nil, 204},
		{"IPv6 loopback", true, "[::1]:8080", nil, 204},
		{"same-origin console", true, "127.0.0.1:8080", map[string]string{"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}, 204},
		{"cross-site page", true, "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"other origin", true, "127.0.0.1:8080", map[string]string{"Origin": "http://evil.example"}, 403},
		{"DNS rebinding without token", true, "evil.example:8080", nil, 403},
		{"host name with a token", false, "vigil.internal:8080", nil, 204},
		{"cross-site with a token", false, "vigil.internal:8080", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/v1/apply", nil)
			r.Host = c.host
			for k, v := range c.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			sameSite(c.noToken, ok).ServeHTTP(w, r)
			if w.Code != c.want {
				t.Fatalf("status %d, want %d (%s)", w.Code, c.want, w.Body)
			}
		})
	}
}

package breaker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Patterns are the ServeMux patterns Handler serves; the program mounts
// Handler at each (the server's Options.Routes).
func (h *Hub) Patterns() []string {
	return []string{"GET /v1/breakers", "GET /v1/breakers/{key}", "POST /v1/breakers/{key}/probe"}
}

// Handler serves the breakers of every CircuitBreaker reaction of the hub:
//
//	GET  /v1/breakers              all breakers, sorted by key (then reaction)
//	GET  /v1/breakers/{key}        one breaker (?reaction= when several reactions have the key)
//	POST /v1/breakers/{key}/probe  {"ok": true|false}: a probe result for a HALF_OPEN breaker
//
// Errors are {"error": "..."}.
func (h *Hub) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/breakers", func(w http.ResponseWriter, r *http.Request) {
		out, restoring := h.breakers()
		if len(restoring) > 0 {
			notRestored(w, restoring)
			return
		}
		if out == nil {
			out = []Breaker{}
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("GET /v1/breakers/{key}", func(w http.ResponseWriter, r *http.Request) {
		b, _, code, msg := h.find(r)
		if code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "1")
		}
		if code != 0 {
			writeError(w, code, msg)
			return
		}
		writeJSON(w, http.StatusOK, b)
	})
	mux.HandleFunc("POST /v1/breakers/{key}/probe", h.handleProbe)
	return mux
}

// find looks a breaker up by key (and ?reaction=); code is nonzero with a
// message when it cannot.
func (h *Hub) find(r *http.Request) (Breaker, *Reaction, int, string) {
	key, only := r.PathValue("key"), r.URL.Query().Get("reaction")
	var found []Breaker
	var owners []*Reaction
	var restoring []string
	for _, rx := range h.running() {
		if only != "" && rx.name != only {
			continue
		}
		bs, ok := rx.Breakers()
		if !ok {
			restoring = append(restoring, rx.name)
		}
		for _, b := range bs {
			if b.Key == key {
				found, owners = append(found, b), append(owners, rx)
			}
		}
	}
	switch {
	case len(found) == 0 && len(restoring) > 0:
		// The key may be OPEN in the state not yet restored.
		return Breaker{}, nil, http.StatusServiceUnavailable, restoringMsg(restoring)
	case len(found) == 0:
		return Breaker{}, nil, http.StatusNotFound, fmt.Sprintf("no breaker for key %q", key)
	case len(found) == 1:
		return found[0], owners[0], 0, ""
	}
	switch len(found) {
	case 1:
		return found[0], owners[0], 0, ""
	}
	names := make([]string, len(owners))
	for i, o := range owners {
		names[i] = o.name
	}
	return Breaker{}, nil, http.StatusConflict, fmt.Sprintf("key %q has breakers in reactions %s: add ?reaction=NAME", key, strings.Join(names, ", "))
}

func (h *Hub) handleProbe(w http.ResponseWriter, r *http.Request) {
	var body struct {
		OK *bool `json:"ok"`
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4096))
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		err = dec.Decode(&body)
	}
	if err != nil || body.OK == nil {
		writeError(w, http.StatusBadRequest, `want a body {"ok": true} or {"ok": false}`)
		return
	}
	_, rx, code, msg := h.find(r)
	if code == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	if code != 0 {
		writeError(w, code, msg)
		return
	}
	b, err := rx.Probe(r.Context(), r.PathValue("key"), *body.OK)
	switch {
	case errors.Is(err, ErrUnknownKey):
		writeError(w, http.StatusNotFound, fmt.Sprintf("no breaker for key %q", r.PathValue("key")))
	case errors.Is(err, ErrNotHalfOpen):
		writeError(w, http.StatusConflict, fmt.Sprintf("breaker %q: %v; probes are taken only while HALF_OPEN", r.PathValue("key"), err))
	case err != nil:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, err.Error())
	default:
		writeJSON(w, http.StatusOK, b)
	}
}

// restoringMsg says which reactions have not restored their state yet.
func restoringMsg(names []string) string {
	return fmt.Sprintf("circuit breaker reaction %s is restoring its state; retry", strings.Join(names, ", "))
}

// notRestored answers 503 while a reaction restores its state: a list
// without its breakers would read as "none open".
func notRestored(w http.ResponseWriter, names []string) {
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusServiceUnavailable, restoringMsg(names))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

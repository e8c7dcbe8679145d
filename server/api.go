package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/sse"
	"github.com/vigilhq/vigil/resources"
	"github.com/vigilhq/vigil/server/console"
)

// SourceView is a source as GET /v1/sources shows it.
type SourceView struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	State     string    `json:"state"`
	Error     string    `json:"error,omitempty"`
	Notice    string    `json:"notice,omitempty"`
	Position  string    `json:"position,omitempty"`
	Changes   uint64    `json:"changes"`
	LastEvent time.Time `json:"lastEvent,omitzero"`
	Where     string    `json:"where,omitempty"`
}

// QueryView is a query as GET /v1/queries shows it.
type QueryView struct {
	ID       string    `json:"id"`
	State    string    `json:"state"` // running or error
	Error    string    `json:"error,omitempty"`
	Language string    `json:"language"`
	Query    string    `json:"query"`
	Columns  []string  `json:"columns"`
	Rows     int       `json:"rows"`
	Sequence uint64    `json:"sequence"` // last event in the query's stream
	Sources  []string  `json:"sources"`
	Warnings []string  `json:"warnings,omitempty"`
	Where    string    `json:"where,omitempty"`
	Created  time.Time `json:"created"`
}

// ReactionView is a reaction as GET /v1/reactions shows it.
type ReactionView struct {
	Name        string                 `json:"name"`
	Kind        string                 `json:"kind"`
	Queries     []string               `json:"queries"`
	Status      reactions.Status       `json:"status"`
	Lag         map[string]uint64      `json:"lag,omitempty"` // per query: events not yet handled
	DeadLetters []reactions.DeadLetter `json:"deadLetters,omitempty"`
	Warnings    []string               `json:"warnings,omitempty"`
	Where       string                 `json:"where,omitempty"`
}

// Results is GET /v1/queries/{id}/results: the current rows and the
// sequence of the last event they reflect.
type Results struct {
	QueryID      string           `json:"queryId"`
	State        string           `json:"state"`
	Error        string           `json:"error,omitempty"`
	Sequence     uint64           `json:"sequence"`
	SourceTimeMs int64            `json:"sourceTimeMs"`
	Columns      []string         `json:"columns"`
	Results      []map[string]any `json:"results"`
}

// Status is GET /v1/status.
type Status struct {
	Ready   bool      `json:"ready"`
	Started time.Time `json:"started"` // when Start ran: uptime, and whether a restart happened
	// Durable: the server keeps its state and event numbering across
	// restarts (-data); a memory server starts its streams again, so a
	// reader's Last-Event-ID from before a restart means nothing to it.
	Durable   bool      `json:"durable"`
	EngineNow time.Time `json:"engineNow"`
	Queries   int       `json:"queries"`
	Sources   int       `json:"sources"`
	Reactions int       `json:"reactions"`
	Scheduler struct {
		Fires          uint64  `json:"fires"`
		LastLatenessMs float64 `json:"lastLatenessMs"`
		MaxLatenessMs  float64 `json:"maxLatenessMs"`
		MeanLatenessMs float64 `json:"meanLatenessMs"`
		NextDue        string  `json:"nextDue,omitempty"`
		PendingFutures bool    `json:"pendingFutures"`
	} `json:"scheduler"`
	// Errors are the resource errors without a resource (e.g. YAML
	// syntax), until the file they are in is applied again without them.
	Errors []string `json:"errors,omitempty"`
	// Endpoints are the extra endpoints plugins added (Options.Routes), as
	// patterns such as "GET /v1/breakers": what a client such as the
	// console may ask for beyond the server's own API.
	Endpoints []string `json:"endpoints,omitempty"`
}

// writeJSON answers with v, indented: the API is read by people with curl
// as much as by programs.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// writeError answers with the one error shape of every endpoint, the
// sources' and the SSE streams' included: {"error":"..."} on one line, so
// that a client parses every error body alike and a log keeps it on one
// line.
func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Handler returns the HTTP API, the SSE streams, the metrics and the
// console.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-s.done:
			msg := "stopped"
			if err := s.Err(); err != nil {
				msg = "stopped: " + err.Error()
			}
			writeJSON(w, 503, map[string]string{"status": msg})
		default:
			writeJSON(w, 200, map[string]string{"status": "ok"})
		}
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !s.ready.Load() {
			writeJSON(w, 503, map[string]string{"status": "loading"})
			return
		}
		writeJSON(w, 200, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	mux.HandleFunc("GET /v1/status", s.handleStatus)
	mux.HandleFunc("POST /v1/apply", s.handleApply)

	mux.HandleFunc("GET /v1/sources", s.handleSources)
	mux.HandleFunc("GET /v1/sources/{name}", s.handleSources)
	mux.HandleFunc("POST /v1/sources/{name}/events", s.handleSourceEvents)
	mux.HandleFunc("DELETE /v1/sources/{name}", s.handleDelete(resources.KindSource))

	mux.HandleFunc("GET /v1/queries", s.handleQueries)
	mux.HandleFunc("GET /v1/queries/{id}", s.handleQueries)
	mux.HandleFunc("GET /v1/queries/{id}/results", s.handleResults)
	mux.HandleFunc("GET /v1/queries/{id}/events", s.handleQueryEvents)
	mux.HandleFunc("DELETE /v1/queries/{id}", s.handleDelete(resources.KindContinuousQuery))

	mux.HandleFunc("GET /v1/reactions", s.handleReactions)
	mux.HandleFunc("GET /v1/reactions/{name}", s.handleReactions)
	mux.HandleFunc("GET /v1/reactions/{name}/events", s.handleReactionEvents)
	mux.HandleFunc("DELETE /v1/reactions/{name}", s.handleDelete(resources.KindReaction))

	var own *http.ServeMux
	for _, rt := range s.opts.Routes {
		if !rt.OwnAuth {
			mux.Handle(rt.Pattern, rt.Handler)
			continue
		}
		if own == nil {
			own = http.NewServeMux()
		}
		own.Handle(rt.Pattern, s.untilReady(rt.Handler))
	}
	mux.Handle("GET /", http.FileServerFS(console.FS()))
	h := s.auth(s.untilReady(jsonErrors(mux)))
	if own != nil {
		// The more specific patterns of the routes that check credentials
		// themselves win; everything else goes through the token check.
		own.Handle("/", h)
		h = own
	}
	return sameSite(s.opts.Token == "", h)
}

// jsonErrors gives the mux's own answers (404 for an unknown path, 405 for a
// method the path does not take) the JSON error shape every other error has.
func jsonErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&plainErrorWriter{ResponseWriter: w, r: r}, r)
	})
}

// plainErrorWriter turns a text/plain error (http.Error's) into
// {"error": ...}; anything else passes through untouched.
type plainErrorWriter struct {
	http.ResponseWriter
	r       *http.Request
	swallow bool
}

func (p *plainErrorWriter) WriteHeader(code int) {
	if code >= 400 && strings.HasPrefix(p.Header().Get("Content-Type"), "text/plain") {
		p.swallow = true
		p.Header().Del("X-Content-Type-Options")
		msg := "no such endpoint: " + p.r.Method + " " + p.r.URL.Path
		if code == http.StatusMethodNotAllowed {
			msg = "method " + p.r.Method + " not allowed on " + p.r.URL.Path
			if allow := p.Header().Get("Allow"); allow != "" {
				msg += " (allowed: " + allow + ")"
			}
		} else if code != http.StatusNotFound {
			msg = http.StatusText(code)
		}
		writeError(p.ResponseWriter, code, msg)
		return
	}
	p.ResponseWriter.WriteHeader(code)
}

func (p *plainErrorWriter) Write(b []byte) (int, error) {
	if p.swallow {
		return len(b), nil
	}
	return p.ResponseWriter.Write(b)
}

// Flush passes on to the SSE streams' writer.
func (p *plainErrorWriter) Flush() {
	if f, ok := p.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (p *plainErrorWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// untilReady answers every resource endpoint with 503 and Retry-After until
// the initial resources are loaded (SetReady). Before then a source that a
// resource file defines may not be registered yet, and a 404 would tell a
// client that it does not exist: a client takes that as final and drops
// its events, while a 503 makes it retry. /v1/status, the probes, the
// metrics and the console answer throughout.
func (s *Server) untilReady(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.ready.Load() && gatedUntilReady(r.URL.Path) {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, "loading resources: the server is not ready yet (retry; GET /readyz says when it is)")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// gatedUntilReady reports whether path names a resource endpoint, whose
// answer depends on the resources loaded at start.
func gatedUntilReady(path string) bool {
	if strings.HasPrefix(path, "/mcp/") {
		return true // MCP reactions are resources too
	}
	rest, ok := strings.CutPrefix(path, "/v1/")
	if !ok {
		return false
	}
	return rest != "status"
}

// unknownSourceLabel is the source label of requests to a source that does
// not exist; resource names cannot contain parentheses, so no source has it.
const unknownSourceLabel = "(unknown)"

// auth requires the bearer token, when one is configured, everywhere but
// the health probes. Browsers cannot set headers on EventSource, so the
// console may pass ?token= once; it is then kept in an HttpOnly cookie.
// sameSite refuses requests that a web page the operator happens to visit
// could make: any request a browser marks cross-site (a page posting a
// reaction that sends every result to its author), a request whose Origin
// is another host, and, when no token is set, a request addressed to a host
// name other than localhost (DNS rebinding: a name of the attacker's that
// resolves to 127.0.0.1). Command-line clients send neither header and use
// the address they were given.
func sameSite(noToken bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			writeError(w, http.StatusForbidden, "cross-site request refused")
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			if u, err := url.Parse(o); err != nil || u.Host != r.Host {
				writeError(w, http.StatusForbidden, "request from another origin refused")
				return
			}
		}
		if noToken {
			host := r.Host
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			host = strings.Trim(host, "[]")
			if host != "localhost" && net.ParseIP(host) == nil {
				writeError(w, http.StatusForbidden, "without a token the server answers only requests addressed to an IP address or localhost (set -token to serve a host name)")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) auth(next http.Handler) http.Handler {
	if s.opts.Token == "" {
		return next
	}
	want := []byte(s.opts.Token)
	ok := func(got string) bool { return got != "" && subtle.ConstantTimeCompare([]byte(got), want) == 1 }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		if h, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); found && ok(h) {
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie("vigil_token"); err == nil && ok(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		if t := r.URL.Query().Get("token"); ok(t) {
			http.SetCookie(w, &http.Cookie{Name: "vigil_token", Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
		writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
	})
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	var st Status
	err := s.do(r.Context(), func() {
		st.Ready = s.ready.Load()
		st.Started = s.started
		st.Durable = s.opts.Store != nil
		st.EngineNow = s.eng.Now()
		st.Queries, st.Sources, st.Reactions = len(s.queries), len(s.sources), len(s.reactions)
		for _, rt := range s.opts.Routes {
			st.Endpoints = append(st.Endpoints, rt.Pattern)
		}
		if due, ok := s.eng.NextDue(); ok {
			st.Scheduler.PendingFutures = true
			st.Scheduler.NextDue = due.UTC().Format(time.RFC3339Nano)
		}
		for _, le := range s.loadErrs {
			st.Errors = append(st.Errors, le.msg)
		}
	})
	if err != nil {
		writeError(w, 503, err.Error())
		return
	}
	fires := s.sched.fires.Load()
	st.Scheduler.Fires = fires
	st.Scheduler.LastLatenessMs = float64(s.sched.lastLateNs.Load()) / 1e6
	st.Scheduler.MaxLatenessMs = float64(s.sched.maxLateNs.Load()) / 1e6
	if fires > 0 {
		st.Scheduler.MeanLatenessMs = float64(s.sched.totalLateNs.Load()) / float64(fires) / 1e6
	}
	writeJSON(w, 200, st)
}

// handleApply takes a YAML body of resources (several documents allowed).
// Good resources are applied even when others fail; the answer is 400 when
// any failed, listing each resource's outcome.
func (s *Server) handleApply(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "body too large (limit 8 MiB)")
		return
	}
	name := r.URL.Query().Get("file")
	if name == "" {
		name = "request"
	}
	rs, perrs := resources.Parse(name, body)
	if len(rs) == 0 && len(perrs) == 0 {
		writeError(w, http.StatusBadRequest, "no resources in the body")
		return
	}
	results, err := s.Apply(r.Context(), rs, perrs)
	if err != nil {
		writeError(w, 503, err.Error())
		return
	}
	code := 200
	for _, res := range results {
		if res.Action == "error" {
			code = http.StatusBadRequest
		}
	}
	writeJSON(w, code, map[string]any{"results": results})
}

func (s *Server) handleDelete(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if name == "" {
			name = r.PathValue("id")
		}
		found, err := s.Delete(r.Context(), kind, name)
		switch {
		case err != nil:
			writeError(w, 503, err.Error())
		case !found:
			writeError(w, 404, kind+" "+quote(name)+" not found")
		default:
			writeJSON(w, 200, map[string]string{"deleted": kind + "/" + name})
		}
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func (s *Server) sourceView(e *sourceEntry) SourceView {
	v := SourceView{Name: e.res.Name, Kind: e.res.Source.Kind, Where: e.res.Where()}
	switch {
	case e.state == stateError:
		v.State, v.Error = e.state.String(), e.errText()
	case e.src != nil:
		st := e.src.Status()
		v.State, v.Error, v.Notice, v.Position, v.Changes, v.LastEvent = st.State, st.Error, st.Notice, st.Position, st.Changes, st.LastEvent
		if e.state == stateFailed {
			v.State, v.Error = e.state.String(), e.errText()
		}
	}
	return v
}

func (s *Server) handleSources(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var out []SourceView
	var one *SourceView
	err := s.do(r.Context(), func() {
		if name != "" {
			if e := s.sources[name]; e != nil {
				v := s.sourceView(e)
				one = &v
			}
			return
		}
		out = []SourceView{}
		for _, e := range s.sources {
			out = append(out, s.sourceView(e))
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	})
	switch {
	case err != nil:
		writeError(w, 503, err.Error())
	case name != "" && one == nil:
		writeError(w, 404, "source "+quote(name)+" not found")
	case one != nil:
		writeJSON(w, 200, one)
	default:
		writeJSON(w, 200, out)
	}
}

// statusRecorder remembers the status a handler wrote (for the metrics).
type statusRecorder struct {
	http.ResponseWriter
	code int
}

// WriteHeader records the status and passes it on.
func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) handleSourceEvents(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.hmu.RLock()
	ref, found := s.handlers[name]
	s.hmu.RUnlock()
	var h http.Handler
	if ref.src != nil {
		h, _ = ref.src.(http.Handler)
	}
	switch {
	case !found:
		// Any name can be asked for: counted under one label value, so
		// that a client (or a scan) cannot grow the series without bound.
		s.m.httpRejected.add(1, unknownSourceLabel, "unknown_source")
		writeError(w, 404, "source "+quote(name)+" not found")
		return
	case ref.err != nil:
		s.m.httpRejected.add(1, name, "source_error")
		writeError(w, 409, "source "+quote(name)+" is in error: "+ref.err.Error())
		return
	case h == nil:
		s.m.httpRejected.add(1, name, "not_http")
		writeError(w, 405, "source "+quote(name)+" is of kind "+ref.kind+" and does not accept events over HTTP")
		return
	}
	rec := &statusRecorder{ResponseWriter: w, code: 200}
	h.ServeHTTP(rec, r)
	if rec.code >= 400 {
		s.m.httpRejected.add(1, name, http.StatusText(rec.code))
	}
}

func (s *Server) queryView(qe *queryEntry) QueryView {
	r := qe.res
	v := QueryView{ID: r.Name, State: qe.state.String(), Error: qe.errText(), Language: r.Query.Language, Query: r.Query.Text,
		Columns: []string{}, Sources: []string{}, Where: r.Where(), Created: qe.created}
	if qe.q != nil {
		v.Columns = qe.q.Columns()
		if qe.running() {
			v.Rows = qe.q.Len()
		}
	}
	_, v.Sequence = s.out.Bounds(r.Name)
	for _, sub := range r.Query.Subscriptions {
		v.Sources = append(v.Sources, sub.ID)
		if s.sources[sub.ID] == nil {
			v.Warnings = append(v.Warnings, "subscribes to source "+quote(sub.ID)+", which does not exist")
		}
	}
	if qe.q != nil {
		for _, what := range qe.q.Unsubscribed() {
			v.Warnings = append(v.Warnings, "reads "+what+", which no subscription admits: that part of the pattern never matches (add it to spec.sources.subscriptions)")
		}
	}
	return v
}

func (s *Server) handleQueries(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var out []QueryView
	var one *QueryView
	err := s.do(r.Context(), func() {
		if id != "" {
			if qe := s.queries[id]; qe != nil {
				v := s.queryView(qe)
				one = &v
			}
			return
		}
		out = []QueryView{}
		for _, qe := range s.queries {
			out = append(out, s.queryView(qe))
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	})
	switch {
	case err != nil:
		writeError(w, 503, err.Error())
	case id != "" && one == nil:
		writeError(w, 404, "query "+quote(id)+" not found")
	case one != nil:
		writeJSON(w, 200, one)
	default:
		writeJSON(w, 200, out)
	}
}

func (s *Server) handleResults(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var res *Results
	err := s.do(r.Context(), func() {
		qe := s.queries[id]
		if qe == nil {
			return
		}
		ev := s.snapshotEvent(qe)
		res = &Results{QueryID: id, State: qe.state.String(), Error: qe.errText(), Sequence: ev.Sequence, SourceTimeMs: ev.SourceTimeMs,
			Columns: []string{}, Results: []map[string]any{}}
		if qe.q != nil {
			res.Columns = qe.q.Columns()
			for _, row := range ev.Added {
				res.Results = append(res.Results, outbox.RowMap(row, res.Columns))
			}
		}
	})
	switch {
	case err != nil:
		writeError(w, 503, err.Error())
	case res == nil:
		writeError(w, 404, "query "+quote(id)+" not found")
	default:
		writeJSON(w, 200, res)
	}
}

func (s *Server) handleQueryEvents(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var found bool
	if err := s.do(r.Context(), func() { found = s.queries[id] != nil }); err != nil {
		writeError(w, 503, err.Error())
		return
	}
	if !found {
		writeError(w, 404, "query "+quote(id)+" not found")
		return
	}
	// End the stream when the server stops, not only when the client leaves.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	sse.Stream(w, r.WithContext(ctx), s, []string{id}, sse.Options{CloseWhenGone: true, Clients: &s.sseClients})
}

func (s *Server) reactionView(e *reactionEntry) ReactionView {
	rr := e.res.Reaction
	v := ReactionView{Name: e.res.Name, Kind: rr.Kind, Queries: rr.QueryNames(), Where: e.res.Where()}
	switch {
	case e.state == stateError:
		v.Status = reactions.Status{State: e.state.String(), Error: e.errText()}
	case e.r != nil:
		v.Status = e.r.Status()
		if e.state == stateFailed {
			v.Status.State, v.Status.Error = e.state.String(), e.errText()
		}
		if v.Status.Positions != nil {
			v.Lag = map[string]uint64{}
			for _, q := range v.Queries {
				_, last := s.out.Bounds(q)
				if p := v.Status.Positions[q]; last > p {
					v.Lag[q] = last - p
				} else {
					v.Lag[q] = 0
				}
			}
		}
		if dl, ok := e.r.(reactions.DeadLetterer); ok {
			v.DeadLetters = dl.DeadLetters()
		}
	}
	for _, q := range v.Queries {
		if s.queries[q] == nil {
			v.Warnings = append(v.Warnings, "query "+quote(q)+" does not exist")
		}
	}
	return v
}

func (s *Server) handleReactions(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var out []ReactionView
	var one *ReactionView
	err := s.do(r.Context(), func() {
		if name != "" {
			if e := s.reactions[name]; e != nil {
				v := s.reactionView(e)
				one = &v
			}
			return
		}
		out = []ReactionView{}
		for _, e := range s.reactions {
			out = append(out, s.reactionView(e))
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	})
	switch {
	case err != nil:
		writeError(w, 503, err.Error())
	case name != "" && one == nil:
		writeError(w, 404, "reaction "+quote(name)+" not found")
	case one != nil:
		writeJSON(w, 200, one)
	default:
		writeJSON(w, 200, out)
	}
}

func (s *Server) handleReactionEvents(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var h http.Handler
	var found bool
	if err := s.do(r.Context(), func() {
		e := s.reactions[name]
		if found = e != nil; found && e.r != nil {
			h, _ = e.r.(http.Handler)
		}
	}); err != nil {
		writeError(w, 503, err.Error())
		return
	}
	switch {
	case !found:
		writeError(w, 404, "reaction "+quote(name)+" not found")
	case h == nil:
		writeError(w, 404, "reaction "+quote(name)+" has no event stream (only SSE reactions do)")
	default:
		h.ServeHTTP(w, r)
	}
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	s.serveMetrics(w, r)
}

// Package mcp is the reaction of kind MCP: it serves Vigil's continuous
// queries to AI agents and their supervisors over the Model Context
// Protocol (streamable HTTP at /mcp/{reaction}, on the server's listener).
//
// Each query the reaction names is a resource, vigil://queries/{id}: its
// read is the query's current result (the snapshot event: columns, rows
// and the sequence it reflects), and a subscribed session is sent
// notifications/resources/updated when the result changes, with the new
// sequence and a one-line summary per changed row in the notification's
// _meta. The changes themselves are readable at
// vigil://queries/{id}/changes?after={sequence}. Breakers are resources
// too (vigil://breakers/{key}), and four tools answer questions:
// list_queries, get_results, get_breaker and explain_row.
//
// Each session has its own MCP server and its own notifier goroutine,
// which reads the outbox at the session's own position: the engine never
// waits for a session, and a session whose client reads slowly (or has
// vanished) delays only its own notifications, which coalesce meanwhile.
package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/rowtemplate"
	"github.com/vigilhq/vigil/resources"
)

// Kind is the reaction kind this package registers.
const Kind = "MCP"

// Defaults of the reaction's properties.
const (
	DefaultMaxSessions      = 64
	DefaultMaxSubscriptions = 100
	DefaultSessionTimeout   = 10 * time.Minute
	DefaultWriteTimeout     = 10 * time.Second
	// resumeBytes bounds the messages a reaction keeps for resumption.
	resumeBytes = 4 << 20
)

// queryConf is one query the reaction serves.
type queryConf struct {
	id          string
	description string
	summary     *rowtemplate.Template // nil: the row as JSON
}

// Reaction is a running MCP reaction.
type Reaction struct {
	hub          *Hub
	name         string
	queries      []*queryConf
	byID         map[string]*queryConf
	token        string
	maxSessions  int
	maxSubs      int
	idle         time.Duration
	writeTimeout time.Duration

	handler *sdk.StreamableHTTPHandler
	// shared answers requests that carry a session id: the SDK asks for a
	// server on every request (for its protocol versions) but serves an
	// existing session with the server that session was created with.
	shared *sdk.Server
	schema *sdk.SchemaCache

	started  chan struct{} // closed when Run starts
	mu       sync.Mutex
	feed     reactions.Feed
	ctx      context.Context
	sessions map[string]*session // by MCP session id, once initialized
	reserved int                 // slots of sessions being created

	notifications atomic.Uint64
	expired       atomic.Uint64
	cmu           sync.Mutex
	tools         map[string]uint64
	rejects       map[string]uint64
}

func newReaction(h *Hub, name string, queries map[string]any, props map[string]any) (*Reaction, error) {
	p := resources.NewProps(props)
	r := &Reaction{
		hub:          h,
		name:         name,
		byID:         map[string]*queryConf{},
		token:        p.String("token", ""),
		maxSessions:  p.Int("maxSessions", DefaultMaxSessions),
		maxSubs:      p.Int("maxSubscriptions", DefaultMaxSubscriptions),
		idle:         p.Duration("sessionTimeout", DefaultSessionTimeout),
		writeTimeout: p.Duration("writeTimeout", DefaultWriteTimeout),
		sessions:     map[string]*session{},
		started:      make(chan struct{}),
		tools:        map[string]uint64{},
		rejects:      map[string]uint64{},
		schema:       sdk.NewSchemaCache(),
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if raw, ok := props["token"].(string); ok && raw != "" && r.token == "" {
		// An unset variable must not leave the endpoint open.
		return nil, fmt.Errorf("property token: %s is empty (is the environment variable set?)", raw)
	}
	switch {
	case r.maxSessions < 1:
		return nil, fmt.Errorf("property maxSessions: must be at least 1 (got %d)", r.maxSessions)
	case r.maxSubs < 1:
		return nil, fmt.Errorf("property maxSubscriptions: must be at least 1 (got %d)", r.maxSubs)
	case r.idle <= 0:
		return nil, fmt.Errorf("property sessionTimeout: must be positive (got %s)", r.idle)
	case r.writeTimeout <= 0:
		return nil, fmt.Errorf("property writeTimeout: must be positive (got %s)", r.writeTimeout)
	}
	for _, id := range reactions.QueryNames(queries) {
		qc, err := parseQueryConf(id, queries[id])
		if err != nil {
			return nil, err
		}
		r.queries = append(r.queries, qc)
		r.byID[id] = qc
	}
	if len(r.queries) == 0 {
		return nil, errors.New("spec.queries: an MCP reaction serves at least one query")
	}
	r.shared = r.newServer(nil)
	// Registered as soon as it is built (the newest reaction of a name is
	// the one served), so that a client connecting while Run is being
	// started finds it.
	defer h.reactions.Put(name, r)
	// Messages are kept (bounded) so that a client whose stream broke
	// (a network blip, a write that hit writeTimeout) gets what it missed
	// when it reconnects with Last-Event-ID.
	events := sdk.NewMemoryEventStore(nil)
	events.SetMaxBytes(resumeBytes)
	r.handler = sdk.NewStreamableHTTPHandler(r.serverFor, &sdk.StreamableHTTPOptions{
		EventStore: events,
		Logger:     r.hub.opts.Logger.With("reaction", name),
		// The server's own checks (sameSite) refuse what this protects
		// against, and it would also refuse the loopback proxy's requests
		// addressed by name.
		DisableLocalhostProtection: true,
	})
	return r, nil
}

// parseQueryConf reads a query's entry of spec.queries: nothing, a summary
// template, or {summary, description}.
func parseQueryConf(id string, v any) (*queryConf, error) {
	qc := &queryConf{id: id}
	switch t := v.(type) {
	case nil:
	case string:
		qc.summary = rowtemplate.Parse(t)
	case map[string]any:
		for k, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("spec.queries.%s.%s: want a string, got %T", id, k, x)
			}
			switch k {
			case "summary":
				qc.summary = rowtemplate.Parse(s)
			case "description":
				qc.description = s
			default:
				return nil, fmt.Errorf("spec.queries.%s: unknown key %q (known: summary, description)", id, k)
			}
		}
	default:
		return nil, fmt.Errorf("spec.queries.%s: want a summary template or {summary, description}, got %T", id, v)
	}
	return qc, nil
}

// Name implements reactions.Reaction.
func (r *Reaction) Name() string { return r.name }

// Run implements reactions.Reaction: sessions are driven by their clients;
// Run makes the feed available, expires idle sessions, and closes every
// session when the reaction stops (deleted or replaced), so that clients
// reconnect to its successor.
func (r *Reaction) Run(ctx context.Context, feed reactions.Feed) error {
	r.mu.Lock()
	r.feed, r.ctx = feed, ctx
	r.mu.Unlock()
	close(r.started)
	// The factory registered the reaction (the newest of a name is the one
	// served); registering again here could put back a replaced reaction
	// whose Run starts after its successor's.
	defer r.hub.reactions.Remove(r.name, r)
	tick := time.NewTicker(max(r.idle/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			for _, s := range r.allSessions() {
				r.end(s)
			}
			return nil
		case now := <-tick.C:
			for _, s := range r.allSessions() {
				if s.idleSince(now) >= r.idle {
					r.expired.Add(1)
					r.end(s)
				}
			}
		}
	}
}

// end takes a session out of the reaction at once and closes it in the
// background: closing waits for the session's requests to finish, and one
// whose client stopped reading a response must not hold up the others.
func (r *Reaction) end(s *session) {
	r.drop(s.id)
	go s.close()
}

func (r *Reaction) allSessions() []*session {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*session, 0, len(r.sessions))
	for _, s := range r.sessions {
		out = append(out, s)
	}
	return out
}

// running returns the feed and the reaction's context, or nil before Run
// and after it ended.
func (r *Reaction) running() (reactions.Feed, context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.feed == nil || r.ctx.Err() != nil {
		return nil, nil
	}
	return r.feed, r.ctx
}

// Status implements reactions.Reaction: Clients are the open sessions and
// Delivered the notifications sent.
func (r *Reaction) Status() reactions.Status {
	feed, _ := r.running()
	st := reactions.Status{State: "running", Delivered: r.notifications.Load()}
	if feed == nil {
		st.State = "stopped"
	}
	r.mu.Lock()
	st.Clients = len(r.sessions)
	r.mu.Unlock()
	return st
}

type metricsSnapshot struct {
	sessions, subscriptions int
	notifications, expired  uint64
	tools, rejected         map[string]uint64
}

func (r *Reaction) metricsSnapshot() metricsSnapshot {
	m := metricsSnapshot{notifications: r.notifications.Load(), expired: r.expired.Load()}
	for _, s := range r.allSessions() {
		m.sessions++
		m.subscriptions += s.subscriptionCount()
	}
	r.cmu.Lock()
	m.tools, m.rejected = map[string]uint64{}, map[string]uint64{}
	for k, v := range r.tools {
		m.tools[k] = v
	}
	for k, v := range r.rejects {
		m.rejected[k] = v
	}
	r.cmu.Unlock()
	return m
}

// rejectReasons are the label values of vigil_mcp_rejected_total.
var rejectReasons = []string{"auth", "sessions", "subscriptions"}

func (r *Reaction) rejected(reason string) {
	r.cmu.Lock()
	r.rejects[reason]++
	r.cmu.Unlock()
}

func (r *Reaction) toolCalled(name string) {
	r.cmu.Lock()
	r.tools[name]++
	r.cmu.Unlock()
}

// creation carries, through one HTTP request, the session it creates: the
// SDK asks for the request's server twice.
type creation struct {
	s        *session
	reserved bool // the request holds a session slot
}

type creationKey struct{}

// ServeHTTP serves the streamable HTTP transport (the hub has checked the
// token). A request without a session id creates a session, within
// maxSessions; a GET is the session's stream of notifications, and its
// writes get a deadline, so that a client that stopped reading ends its
// stream instead of holding its notifier forever.
func (r *Reaction) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	// The server starts a reaction's Run just after building it: a client
	// that comes in between waits for it rather than being refused.
	select {
	case <-r.started:
	case <-req.Context().Done():
		return
	case <-time.After(5 * time.Second):
	}
	if feed, _ := r.running(); feed == nil {
		writeError(w, http.StatusServiceUnavailable, "MCP reaction "+quote(r.name)+" is not running")
		return
	}
	// Every response gets write deadlines: one whose client stopped
	// reading fails instead of holding the request (and the session's
	// close, which waits for its requests) forever, and a failed write
	// ends the request.
	rc := http.NewResponseController(w)
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	req = req.WithContext(ctx)
	dw := &deadlineWriter{ResponseWriter: w, rc: rc, timeout: r.writeTimeout, failed: cancel}
	defer func() {
		if !dw.broken.Load() {
			// The deadline stays on the connection; a kept-alive
			// connection's next request must not inherit it.
			rc.SetWriteDeadline(time.Time{})
		} else if conn, _, err := rc.Hijack(); err == nil {
			// The response was cut short: the connection cannot carry
			// another request.
			conn.Close()
		}
	}()
	w = dw

	id := req.Header.Get("Mcp-Session-Id")
	if id == "" && req.Method == http.MethodPost {
		c := &creation{}
		if isInitialize(req) {
			if !r.reserve() {
				r.rejected("sessions")
				w.Header().Set("Retry-After", "5")
				writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("MCP reaction %q has its maximum of %d sessions open", r.name, r.maxSessions))
				return
			}
			c.reserved = true
		}
		// A request without a session either makes one (initialize) or
		// is a probe (server/discover) the SDK answers in a session of
		// its own, closed after.
		defer r.settle(c)
		req = req.WithContext(context.WithValue(req.Context(), creationKey{}, c))
		r.handler.ServeHTTP(w, req)
		return
	}
	if s := r.session(id); s != nil {
		s.seen()
		if req.Method == http.MethodGet {
			s.streams.Add(1)
			s.wakeUp() // notifications wait for a stream to carry them
			defer func() {
				s.streams.Add(-1)
				s.seen()
			}()
		}
	}
	r.handler.ServeHTTP(w, req)
}

// reserve takes a session slot for a request that may create a session.
func (r *Reaction) reserve() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.sessions)+r.reserved >= r.maxSessions {
		return false
	}
	r.reserved++
	return true
}

// admit makes sure a session being initialized holds a slot: the request
// that created it took one if it read as an initialize; one that did not
// (a body a strict decoder reads otherwise) takes it now, or is refused.
func (r *Reaction) admit(s *session) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.reserved {
		return true
	}
	if len(r.sessions)+r.reserved >= r.maxSessions {
		return false
	}
	r.reserved++
	s.reserved = true
	return true
}

// settle returns the slot a creating request took: its session, if it
// initialized, now holds its own place in r.sessions; a request that made
// none (a probe, a failed handshake) gives the slot back.
func (r *Reaction) settle(c *creation) {
	r.mu.Lock()
	if c.s != nil && c.s.reserved || c.s == nil && c.reserved {
		r.reserved--
		if c.s != nil {
			c.s.reserved = false
		}
	}
	r.mu.Unlock()
	if c.s != nil && !c.s.initialized() {
		c.s.close()
	}
}

// isInitialize reports whether a POST body is (or, in a batch, holds) an
// initialize request: the request that makes a session. The body is read
// (within the SDK's own bound) and put back.
func isInitialize(req *http.Request) bool {
	if req.Body == nil {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, sdk.DefaultMaxRequestBodyBytes+1))
	req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return false
	}
	var one struct {
		Method string `json:"method"`
	}
	if json.Unmarshal(body, &one) == nil {
		return one.Method == "initialize"
	}
	var batch []struct {
		Method string `json:"method"`
	}
	if json.Unmarshal(body, &batch) == nil {
		for _, m := range batch {
			if m.Method == "initialize" {
				return true
			}
		}
	}
	return false
}

func (r *Reaction) session(id string) *session {
	if id == "" {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sessions[id]
}

// serverFor gives the SDK the MCP server of a request: a new one, with a
// new session, for a request that creates a session; the shared one
// otherwise (the SDK then serves the session it already has).
func (r *Reaction) serverFor(req *http.Request) *sdk.Server {
	c, _ := req.Context().Value(creationKey{}).(*creation)
	if c == nil || req.Header.Get("Mcp-Session-Id") != "" {
		return r.shared
	}
	if c.s == nil {
		c.s = newSession(r)
		c.s.reserved = c.reserved
	}
	return c.s.server
}

// adopt records an initialized session, so that its requests count as
// activity and the reaction can close it.
func (r *Reaction) adopt(s *session, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sessions[id] = s
	if s.reserved {
		// The session holds its place from now on (admit reserved it):
		// its creating request releases its reservation here, not when
		// its response is done (the client may already be opening the
		// next session).
		s.reserved = false
		r.reserved--
	}
}

func (r *Reaction) drop(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sessions, id)
}

// queryIDs are the served queries' ids, sorted.
func (r *Reaction) queryIDs() []string {
	out := make([]string, len(r.queries))
	for i, q := range r.queries {
		out[i] = q.id
	}
	sort.Strings(out)
	return out
}

// deadlineWriter sets a write deadline before each write and flush of a
// notification stream.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	failed  context.CancelFunc // ends the stream's request
	broken  atomic.Bool        // a write or flush failed
}

func (d *deadlineWriter) Write(b []byte) (int, error) {
	d.rc.SetWriteDeadline(time.Now().Add(d.timeout))
	n, err := d.ResponseWriter.Write(b)
	if err != nil {
		d.broken.Store(true)
		d.failed()
	}
	return n, err
}

func (d *deadlineWriter) Flush() {
	d.rc.SetWriteDeadline(time.Now().Add(d.timeout))
	if err := d.rc.Flush(); err != nil {
		d.broken.Store(true)
		d.failed()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (d *deadlineWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }

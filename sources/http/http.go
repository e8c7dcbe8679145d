// Package httpsource is the HTTP source (kind `HTTP`): clients POST element
// changes in Drasi's HTTP-source shape to /v1/sources/{name}/events and the
// server applies them as one batch per request.
//
// Body: one event, a JSON array of events, or {"events": [...]} (Drasi's
// batch shape), optionally with "position" in the wrapper. An event is
//
//	{"operation": "insert" | "update" | "delete",
//	 "element": {"type": "node" | "relation", "id": "...", "labels": [...],
//	             "properties": {...}, "from": "...", "to": "..."},
//	 "timestamp": 1700000000000}
//
// A relation's type is its first label; its endpoints are from/to (or
// startId/endId). A delete needs only the id, given as element.id or a
// top-level "id" as Drasi writes it. The timestamp is the change's source
// time, the engine's "now" while it is processed: an integer below 1e14 is
// milliseconds since the epoch, below 1e17 microseconds, otherwise
// nanoseconds (Drasi sends nanoseconds); an RFC 3339 string is accepted
// too; without one the time of receipt is used.
//
// Idempotent retries: a client may number its requests with a position
// (the Vigil-Position header, a ?position= parameter or the wrapper's
// "position"), an unsigned integer that grows with each request. A request
// whose position is not above the last one applied is acknowledged without
// being applied again, so a client that retries after a lost response never
// doubles a change. The position is committed with the batch it came with.
package httpsource

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/resources"
	"github.com/vigilhq/vigil/sources"
)

// Kind is the source kind this package registers.
const Kind = "HTTP"

// Factory builds an HTTP source (see sources.Factory).
func Factory(name string, props map[string]any) (sources.Source, error) { return New(name, props) }

// Source is a running HTTP source.
type Source struct {
	name      string
	maxBody   int64
	maxEvents int

	// submit serialises requests, so that positions are checked and
	// committed in order and a retry cannot race its original.
	submit sync.Mutex

	mu      sync.Mutex
	emit    sources.Emit
	runCtx  context.Context
	lastPos uint64
	hasPos  bool
	status  sources.Status

	// running is closed when Run first starts: a request that arrives
	// between the resource's registration and its Run waits for it rather
	// than answering 503 (the server starts Run on its own goroutine).
	running     chan struct{}
	runningOnce sync.Once
}

// startWait bounds how long a request waits for a registered source to run.
const startWait = 5 * time.Second

// New builds an HTTP source. Properties: maxBodyBytes (default 4 MiB),
// maxEvents per request (default 10000).
func New(name string, props map[string]any) (*Source, error) {
	p := resources.NewProps(props)
	s := &Source{
		name:      name,
		maxBody:   int64(p.Int("maxBodyBytes", 4<<20)),
		maxEvents: p.Int("maxEvents", 10000),
		status:    sources.Status{State: "starting"},
		running:   make(chan struct{}),
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// Name implements sources.Source.
func (s *Source) Name() string { return s.name }

// Run implements sources.Source: the source is passive, so Run only records
// where to emit and the last committed position, and waits.
func (s *Source) Run(ctx context.Context, from []byte, emit sources.Emit) error {
	s.mu.Lock()
	if len(from) > 0 {
		n, err := strconv.ParseUint(string(from), 10, 64)
		if err != nil {
			s.mu.Unlock()
			return fmt.Errorf("source %q: bad resume position %q", s.name, from)
		}
		s.lastPos, s.hasPos = n, true
		s.status.Position = string(from)
	}
	s.emit, s.runCtx = emit, ctx
	s.status.State = "running"
	s.mu.Unlock()
	s.runningOnce.Do(func() { close(s.running) })
	<-ctx.Done()
	s.mu.Lock()
	s.emit, s.status.State = nil, "stopped"
	s.mu.Unlock()
	return nil
}

// Status implements sources.Source.
func (s *Source) Status() sources.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Result is the outcome of an accepted request.
type Result struct {
	Accepted  int    `json:"accepted"`            // changes applied
	Position  string `json:"position,omitempty"`  // the client position, when given
	Duplicate bool   `json:"duplicate,omitempty"` // position already applied: nothing done
}

// BadRequest is an error in the request itself (HTTP 400).
type BadRequest struct{ Msg string }

// Error returns the message, which names the event and field at fault.
func (e *BadRequest) Error() string { return e.Msg }

// ErrNotRunning is returned while the source is not running (HTTP 503).
var ErrNotRunning = errors.New("source is not running")

// ServeHTTP accepts POSTed events.
func (s *Source) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeErr(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		writeErr(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body too large or unreadable (limit %d bytes)", s.maxBody))
		return
	}
	pos := r.Header.Get("Vigil-Position")
	if pos == "" {
		pos = r.URL.Query().Get("position")
	}
	res, err := s.Submit(r.Context(), body, pos)
	var bad *BadRequest
	switch {
	case errors.As(err, &bad):
		writeErr(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrNotRunning), isUnavailable(err):
		// Not the request's fault: retry (with the same position, if
		// any, so that a batch that did land is not applied twice).
		w.Header().Set("Retry-After", "1")
		writeErr(w, http.StatusServiceUnavailable, err.Error())
	case err != nil:
		// The engine refused a change (e.g. an id that is already a node
		// sent as a relation): the client's data is at fault.
		writeErr(w, http.StatusUnprocessableEntity, err.Error())
	default:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(res)
	}
}

func isUnavailable(err error) bool {
	var u *sources.UnavailableError
	return errors.As(err, &u) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func writeErr(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Submit applies a request body; pos is the client position ("" for none).
// It returns after the batch is applied and committed.
func (s *Source) Submit(ctx context.Context, body []byte, pos string) (Result, error) {
	changes, wrapPos, err := Decode(body, time.Now())
	if err != nil {
		return Result{}, &BadRequest{Msg: err.Error()}
	}
	if pos == "" {
		pos = wrapPos
	}
	if len(changes) > s.maxEvents {
		return Result{}, &BadRequest{Msg: fmt.Sprintf("%d events in one request; the limit is %d", len(changes), s.maxEvents)}
	}
	var n uint64
	if pos != "" {
		if n, err = strconv.ParseUint(pos, 10, 64); err != nil {
			return Result{}, &BadRequest{Msg: fmt.Sprintf("position %q is not an unsigned integer", pos)}
		}
	}
	select {
	case <-s.running:
	case <-ctx.Done():
		return Result{}, ErrNotRunning
	case <-time.After(startWait):
		return Result{}, ErrNotRunning
	}
	s.submit.Lock()
	defer s.submit.Unlock()
	s.mu.Lock()
	emit, runCtx, dup := s.emit, s.runCtx, pos != "" && s.hasPos && n <= s.lastPos
	s.mu.Unlock()
	if emit == nil {
		return Result{}, ErrNotRunning
	}
	if dup {
		return Result{Position: pos, Duplicate: true}, nil
	}
	for i := range changes {
		changes[i].Source = s.name
	}
	b := engine.Batch{Source: s.name, Changes: changes, Time: time.Now()}
	if len(changes) > 0 {
		b.Time = changes[len(changes)-1].Time
	}
	if pos != "" {
		b.Position = []byte(pos)
	}
	// Stop waiting when either the client goes away or the source stops.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(runCtx, cancel)
	defer stop()
	if err := emit(ctx, b); err != nil {
		return Result{}, err
	}
	s.mu.Lock()
	s.status.Changes += uint64(len(changes))
	s.status.LastEvent = time.Now()
	if pos != "" {
		s.lastPos, s.hasPos = n, true
		s.status.Position = pos
	}
	s.mu.Unlock()
	return Result{Accepted: len(changes), Position: pos}, nil
}

type wireEvent struct {
	Operation string          `json:"operation"`
	Element   *wireElement    `json:"element"`
	ID        string          `json:"id"`     // Drasi's delete shape
	Labels    []string        `json:"labels"` // Drasi's delete shape (ignored)
	Timestamp json.RawMessage `json:"timestamp"`
}

type wireElement struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Labels     []string       `json:"labels"`
	Properties map[string]any `json:"properties"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	StartID    string         `json:"startId"`
	EndID      string         `json:"endId"`
}

type wireBatch struct {
	Position json.RawMessage   `json:"position"`
	Events   []json.RawMessage `json:"events"`
}

// Decode parses a request body into engine changes; now is the time given
// to events without a timestamp. It also returns the wrapper's position.
// Errors name the event (by index) and the field.
func Decode(body []byte, now time.Time) ([]engine.Change, string, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, "", errors.New("empty body: send an event, an array of events or {\"events\": [...]}")
	}
	var raws []json.RawMessage
	var pos string
	switch body[0] {
	case '[':
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, "", fmt.Errorf("invalid JSON: %v", err)
		}
	case '{':
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(body, &probe); err != nil {
			return nil, "", fmt.Errorf("invalid JSON: %v", err)
		}
		if _, ok := probe["events"]; ok {
			var wb wireBatch
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&wb); err != nil {
				return nil, "", fmt.Errorf("invalid batch: %v", err)
			}
			raws = wb.Events
			if len(wb.Position) > 0 && string(wb.Position) != "null" {
				pos = strings.Trim(string(wb.Position), `"`)
			}
		} else {
			raws = []json.RawMessage{body}
		}
	default:
		return nil, "", errors.New("invalid JSON: the body must be an object or an array")
	}
	out := make([]engine.Change, 0, len(raws))
	for i, raw := range raws {
		ch, err := decodeEvent(raw, now)
		if err != nil {
			if len(raws) == 1 {
				return nil, "", err
			}
			return nil, "", fmt.Errorf("event %d: %w", i, err)
		}
		out = append(out, ch)
	}
	return out, pos, nil
}

func decodeEvent(raw json.RawMessage, now time.Time) (engine.Change, error) {
	var ev wireEvent
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep integers integers
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return engine.Change{}, fmt.Errorf("invalid event: %v", err)
	}
	var ch engine.Change
	switch strings.ToLower(ev.Operation) {
	case "insert", "i", "c", "create":
		ch.Op = engine.OpInsert
	case "update", "u":
		ch.Op = engine.OpUpdate
	case "delete", "d":
		ch.Op = engine.OpDelete
	case "":
		return ch, errors.New("operation is required (insert, update or delete)")
	default:
		return ch, fmt.Errorf("unknown operation %q (want insert, update or delete)", ev.Operation)
	}
	t, err := decodeTime(ev.Timestamp, now)
	if err != nil {
		return ch, err
	}
	ch.Time = t
	if ch.Op == engine.OpDelete {
		id := ev.ID
		if ev.Element != nil && ev.Element.ID != "" {
			id = ev.Element.ID
		}
		if id == "" {
			return ch, errors.New("delete needs an id (element.id or id)")
		}
		ch.Element.ID = id
		return ch, nil
	}
	el := ev.Element
	if el == nil {
		return ch, errors.New("element is required for insert and update")
	}
	if el.ID == "" {
		return ch, errors.New("element.id is required")
	}
	props := make(map[string]value.Value, len(el.Properties))
	for k, x := range el.Properties {
		v, err := value.FromGo(x)
		if err != nil {
			return ch, fmt.Errorf("element.properties.%s: %v", k, err)
		}
		props[k] = v
	}
	ch.Element = engine.Element{ID: el.ID, Props: props}
	switch strings.ToLower(el.Type) {
	case "node", "":
		if el.From != "" || el.To != "" || el.StartID != "" || el.EndID != "" {
			return ch, errors.New(`a node has no from/to; set element.type to "relation"`)
		}
		ch.Element.Labels = el.Labels
	case "relation", "relationship", "rel":
		if len(el.Labels) == 0 || el.Labels[0] == "" {
			return ch, errors.New("a relation needs its type as element.labels[0]")
		}
		ch.Element.Type = el.Labels[0]
		ch.Element.From, ch.Element.To = first(el.From, el.StartID), first(el.To, el.EndID)
		if ch.Element.From == "" || ch.Element.To == "" {
			return ch, errors.New("a relation needs element.from and element.to (or startId and endId)")
		}
	default:
		return ch, fmt.Errorf("unknown element.type %q (want node or relation)", el.Type)
	}
	return ch, nil
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// decodeTime reads a timestamp: integer milliseconds, microseconds or
// nanoseconds since the epoch (told apart by magnitude, since in any
// plausible year they differ by orders of magnitude), or an RFC 3339
// string.
func decodeTime(raw json.RawMessage, now time.Time) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return now, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, fmt.Errorf("timestamp: %v", err)
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			// Times are logged as Unix nanoseconds, which cover 1678-2262:
			// a time outside would replay as another one.
			if y := t.Year(); y < 1678 || y > 2261 {
				return time.Time{}, fmt.Errorf("timestamp %s: outside the years 1678-2261 that Vigil can store", s)
			}
			return t, nil
		}
		raw = json.RawMessage(s)
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("timestamp %s: want non-negative integer ms/µs/ns since the epoch or an RFC 3339 string", raw)
	}
	switch {
	case n < 1e14:
		return time.UnixMilli(n).UTC(), nil
	case n < 1e17:
		return time.UnixMicro(n).UTC(), nil
	}
	return time.Unix(0, n).UTC(), nil
}

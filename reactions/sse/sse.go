// Package sse streams result-change events as Server-Sent Events. Stream
// serves both the per-query stream (/v1/queries/{id}/events) and reactions
// of kind `SSE`, which stream several queries on their own path
// (/v1/reactions/{name}/events).
//
// Every event carries its position as the SSE id: the sequence for a
// single-query stream ("42"), the sequence of every query for a multi-query
// stream ("alerts:42,denials:7"). A client that reconnects with
// Last-Event-ID (browsers do it by themselves) gets every event after that
// position with no gap; when the outbox no longer holds them, or the client
// gives no position, it gets a snapshot event (the whole current result and
// the sequence it is consistent with) and the changes after it.
package sse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/resources"
)

// Kind is the reaction kind this package registers.
const Kind = "SSE"

// Factory builds a reaction of this kind (see reactions.Factory).
func Factory(name string, queries map[string]any, props map[string]any) (reactions.Reaction, error) {
	p := resources.NewProps(props)
	r := &Reaction{name: name, queries: reactions.QueryNames(queries), heartbeat: p.Duration("heartbeat", 15*time.Second)}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// Options tune a stream.
type Options struct {
	// Heartbeat is the interval of comment lines that keep proxies from
	// closing an idle stream (default 15s).
	Heartbeat time.Duration
	// CloseWhenGone ends the stream (after a stopped event) when a query
	// does not exist; otherwise the stream waits for it to appear.
	CloseWhenGone bool
	// Clients, when set, is incremented while the stream is open.
	Clients *atomic.Int64
	// Delivered, when set, counts the events the stream writes to its
	// client.
	Delivered *Delivered
}

// Delivered counts the events that streams wrote to their clients, in
// total and per query, for a reaction's status: an SSE reaction has no
// delivery loop of its own, its clients' streams do the delivering. It is
// safe for concurrent use by several streams.
type Delivered struct {
	mu        sync.Mutex
	events    uint64
	last      time.Time
	positions map[string]uint64
}

// add records n events written to one client, whose positions are now
// seqs (per query, the last sequence written).
func (d *Delivered) add(n int, seqs map[string]uint64) {
	if n == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.events += uint64(n)
	d.last = time.Now()
	if d.positions == nil {
		d.positions = map[string]uint64{}
	}
	for q, seq := range seqs {
		// Clients are at different positions; the furthest one says
		// which events no client has received yet (the reaction's lag).
		if p, ok := d.positions[q]; !ok || seq > p {
			d.positions[q] = seq
		}
	}
}

// Fill sets the delivery fields of st: the events delivered, when the last
// one was, and per query the furthest sequence any client has received
// (nil until a client received one, so that no lag is shown for a stream
// nobody has followed yet).
func (d *Delivered) Fill(st *reactions.Status) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st.Delivered, st.LastDelivery = d.events, d.last
	if d.positions != nil {
		st.Positions = make(map[string]uint64, len(d.positions))
		for q, p := range d.positions {
			st.Positions[q] = p
		}
	}
}

// writeError answers a request that gets no stream with the API's error
// shape, {"error": "..."}, so that clients parse one body for all errors.
func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Stream serves an SSE stream of the given queries' events until the client
// goes away.
func Stream(w http.ResponseWriter, r *http.Request, feed reactions.Feed, queries []string, opts Options) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 15 * time.Second
	}
	if opts.Clients != nil {
		opts.Clients.Add(1)
		defer opts.Clients.Add(-1)
	}
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		// For clients that cannot set headers on the first request.
		last = r.URL.Query().Get("lastEventId")
	}
	cursor, known := ParseCursor(last, queries)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// retry: browsers reconnect after 1 s instead of their default 3 s.
	fmt.Fprint(w, "retry: 1000\n: connected\n\n")
	flusher.Flush()

	ctx := r.Context()
	active := append([]string(nil), queries...)
	need := map[string]bool{} // queries that need a snapshot
	for _, q := range queries {
		if !known[q] {
			need[q] = true
		}
	}
	// Events written since the last flush, counted as delivered when the
	// connection took them. They are counted before the flush, so that a
	// client that has read an event never sees a status without it.
	unflushed, sent := 0, map[string]uint64{}
	emit := func(q string, data []byte) {
		if _, err := fmt.Fprintf(w, "id: %s\ndata: %s\n\n", FormatCursor(cursor, queries), data); err == nil {
			unflushed++
			sent[q] = cursor[q]
		}
	}
	write := func(q string, seq uint64, data []byte) {
		cursor[q] = seq
		emit(q, data)
	}
	flush := func() {
		if opts.Delivered != nil {
			opts.Delivered.add(unflushed, sent)
		}
		unflushed = 0
		clear(sent)
		flusher.Flush()
	}
	tick := time.NewTicker(opts.Heartbeat)
	defer tick.Stop()
	for {
		wait := feed.Changed()
		wrote := false
		for i := 0; i < len(active); i++ {
			q := active[i]
			if !need[q] {
				for {
					recs, err := feed.Read(q, cursor[q], 256)
					if errors.Is(err, outbox.ErrCompacted) {
						need[q] = true
						break
					}
					if err != nil || len(recs) == 0 {
						break
					}
					for _, rec := range recs {
						write(q, rec.Seq, rec.Data)
					}
					wrote = true
				}
			}
			if need[q] {
				snap, err := feed.Snapshot(ctx, q)
				switch {
				case err == nil:
					need[q] = false
					write(q, snap.Seq, snap.Data)
					wrote = true
					i-- // read on from the snapshot's sequence
				case errors.Is(err, reactions.ErrNotFound) && opts.CloseWhenGone:
					gone := outbox.Control(q, outbox.SignalStopped, "query deleted", time.Now())
					gone.Sequence = cursor[q]
					emit(q, gone.AppendJSON(nil))
					active = append(active[:i], active[i+1:]...)
					i--
					wrote = true
				case errors.Is(err, reactions.ErrNotFound):
					// Wait for the query to be created.
				default:
					return // the server is stopping or the client left
				}
			}
		}
		if wrote {
			flush()
		}
		if len(active) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-wait:
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
			flusher.Flush()
		}
	}
}

// ParseCursor reads a Last-Event-ID: "N" for a single-query stream, or
// "q1:N,q2:M". known tells which queries had a position.
func ParseCursor(s string, queries []string) (cursor map[string]uint64, known map[string]bool) {
	cursor, known = map[string]uint64{}, map[string]bool{}
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	if !strings.Contains(s, ":") {
		if n, err := strconv.ParseUint(s, 10, 64); err == nil && len(queries) == 1 {
			cursor[queries[0]], known[queries[0]] = n, true
		}
		return
	}
	want := map[string]bool{}
	for _, q := range queries {
		want[q] = true
	}
	for _, part := range strings.Split(s, ",") {
		q, n, ok := strings.Cut(part, ":")
		if !ok || !want[q] {
			continue
		}
		if v, err := strconv.ParseUint(n, 10, 64); err == nil {
			cursor[q], known[q] = v, true
		}
	}
	return
}

// FormatCursor writes the SSE id for the stream's position.
func FormatCursor(cursor map[string]uint64, queries []string) string {
	if len(queries) == 1 {
		return strconv.FormatUint(cursor[queries[0]], 10)
	}
	qs := append([]string(nil), queries...)
	sort.Strings(qs)
	parts := make([]string, 0, len(qs))
	for _, q := range qs {
		if n, ok := cursor[q]; ok {
			parts = append(parts, q+":"+strconv.FormatUint(n, 10))
		}
	}
	return strings.Join(parts, ",")
}

// Reaction is a reaction of kind SSE: a multi-query stream served at
// /v1/reactions/{name}/events.
type Reaction struct {
	name      string
	queries   []string
	heartbeat time.Duration
	clients   atomic.Int64
	delivered Delivered

	mu   sync.Mutex
	feed reactions.Feed
	ctx  context.Context
}

// Name implements reactions.Reaction.
func (r *Reaction) Name() string { return r.name }

// Run implements reactions.Reaction: streams are driven by their clients,
// so Run only makes the feed available and waits.
func (r *Reaction) Run(ctx context.Context, feed reactions.Feed) error {
	r.mu.Lock()
	r.feed, r.ctx = feed, ctx
	r.mu.Unlock()
	<-ctx.Done()
	return nil
}

// Status implements reactions.Reaction.
func (r *Reaction) Status() reactions.Status {
	r.mu.Lock()
	running := r.feed != nil && r.ctx.Err() == nil
	r.mu.Unlock()
	st := reactions.Status{State: "running", Clients: int(r.clients.Load())}
	if !running {
		st.State = "stopped"
	}
	r.delivered.Fill(&st)
	return st
}

// ServeHTTP streams the reaction's queries.
func (r *Reaction) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	feed, rctx := r.feed, r.ctx
	r.mu.Unlock()
	if feed == nil || rctx.Err() != nil {
		writeError(w, http.StatusServiceUnavailable, "reaction is not running")
		return
	}
	// End the stream when the reaction is deleted, not only when the
	// client leaves.
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	stop := context.AfterFunc(rctx, cancel)
	defer stop()
	Stream(w, req.WithContext(ctx), feed, r.queries, Options{Heartbeat: r.heartbeat, Clients: &r.clients, Delivered: &r.delivered})
}

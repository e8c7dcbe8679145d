package mcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
)

// session is one MCP session: its own SDK server (so that a resource
// update reaches this session alone, from this session's goroutine) and
// the positions of its subscriptions.
type session struct {
	r      *Reaction
	server *sdk.Server

	lastSeen atomic.Int64 // unix nanoseconds of the last request
	streams  atomic.Int32 // notification streams (GETs) open now

	mu   sync.Mutex
	ss   *sdk.ServerSession // set at initialize
	id   string
	subs map[string]*subscription // by query id
	// gone marks subscribed queries that do not exist (deleted, or not
	// yet created), told once.
	gone   map[string]bool
	goneAt map[string]time.Time // when a gone query was last looked for
	// reserved: the session was created under a reservation of its
	// reaction's (guarded by the reaction's mu).
	reserved bool
	wake     chan struct{} // a subscription was added
	done     chan struct{} // closed when the session ends
	once     sync.Once
}

func newSession(r *Reaction) *session {
	s := &session{r: r, subs: map[string]*subscription{}, goneAt: map[string]time.Time{}, gone: map[string]bool{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.seen()
	s.server = r.newServer(s)
	return s
}

func (s *session) seen() { s.lastSeen.Store(time.Now().UnixNano()) }

// wakeUp makes the notifier look again (a subscription was added, a
// stream attached).
func (s *session) wakeUp() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// idleSince is how long the session has had no request and no open
// stream.
func (s *session) idleSince(now time.Time) time.Duration {
	if s.streams.Load() > 0 {
		return 0
	}
	return now.Sub(time.Unix(0, s.lastSeen.Load()))
}

func (s *session) initialized() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ss != nil
}

// start runs once the client's initialize succeeded: the session joins
// the reaction and gets its notifier, and leaves when the SDK closes it
// (DELETE, expiry, the reaction stopping).
func (s *session) start(ss *sdk.ServerSession) {
	s.mu.Lock()
	if s.ss != nil {
		s.mu.Unlock()
		return
	}
	s.ss, s.id = ss, ss.ID()
	s.mu.Unlock()
	feed, ctx := s.r.running()
	select {
	case <-s.done:
		// The creating request ended (its client left) before the
		// handshake finished.
		feed = nil
	default:
	}
	if feed == nil {
		go ss.Close()
		return
	}
	s.r.adopt(s, s.id)
	go func() {
		ss.Wait()
		s.r.drop(s.id)
		s.once.Do(func() { close(s.done) })
	}()
	go s.notify(ctx, feed)
}

// close ends the session.
func (s *session) close() {
	s.mu.Lock()
	ss := s.ss
	s.mu.Unlock()
	if ss != nil {
		ss.Close()
		return
	}
	s.once.Do(func() { close(s.done) })
}

func (s *session) subscriptionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs)
}

// subscribe starts notifying the query's changes after the sequence its
// current result reflects (what a read now returns).
func (s *session) subscribe(ctx context.Context, uri string) error {
	q, ok := s.r.subscribable(uri)
	if !ok {
		return s.r.notSubscribable(uri)
	}
	s.mu.Lock()
	_, dup := s.subs[q]
	n := len(s.subs)
	s.mu.Unlock()
	if dup {
		return nil
	}
	if n >= s.r.maxSubs {
		s.r.rejected("subscriptions")
		return fmt.Errorf("this session has its maximum of %d subscriptions (MCP reaction %q, property maxSubscriptions)", s.r.maxSubs, s.r.name)
	}
	feed, _ := s.r.running()
	if feed == nil {
		return fmt.Errorf("MCP reaction %q is stopping", s.r.name)
	}
	var seq uint64
	snap, err := feed.Snapshot(ctx, q)
	switch {
	case err == nil:
		seq = snap.Seq
	case errors.Is(err, reactions.ErrNotFound):
		// Not created yet: notified from its first event.
	default:
		return fmt.Errorf("query %q: %w", q, err)
	}
	s.mu.Lock()
	s.subs[q] = &subscription{pos: seq}
	s.mu.Unlock()
	return nil
}

// subscription is one query a session is subscribed to. A new subscribe
// makes a new one, so that a notifier pass begun before an unsubscribe
// and a subscribe again cannot move the new one's position.
type subscription struct {
	pos    uint64 // the sequence notified up to
	active bool   // the SDK has registered it (notifications reach the client)
}

// activate starts notifying a subscription the SDK has registered: from
// the position taken when it was asked for, so that a change in between is
// told too.
func (s *session) activate(uri string) {
	q, ok := s.r.queryOfURI(uri)
	if !ok {
		return
	}
	s.mu.Lock()
	if sub := s.subs[q]; sub != nil {
		sub.active = true
	}
	s.mu.Unlock()
	s.wakeUp()
}

func (s *session) unsubscribe(uri string) error {
	q, ok := s.r.subscribable(uri)
	if !ok {
		return s.r.notSubscribable(uri)
	}
	s.mu.Lock()
	delete(s.subs, q)
	delete(s.gone, q)
	delete(s.goneAt, q)
	s.mu.Unlock()
	return nil
}

// notify sends notifications/resources/updated for the session's
// subscriptions, after each outbox append, until the session or the
// reaction ends. Events that arrive while a notification is being written
// are told in the next one, with their summaries: a slow client gets fewer,
// larger notifications, never a queue that grows.
func (s *session) notify(ctx context.Context, feed reactions.Feed) {
	for {
		wait := feed.Changed()
		// Without a stream a notification would go nowhere (the client
		// reconnects its stream after a break): the position stays, and
		// the changes are told when a stream attaches.
		if s.streams.Load() > 0 {
			for _, q := range s.subscribed() {
				if ctx.Err() != nil {
					return
				}
				s.pass(ctx, feed, q)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case <-wait:
		case <-s.wake:
		}
	}
}

func (s *session) subscribed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.subs))
	for q, sub := range s.subs {
		if sub.active {
			out = append(out, q)
		}
	}
	sort.Strings(out)
	return out
}

// maxSummaryLines bounds the summary lines of one notification.
const maxSummaryLines = 20

// pass reads what query q appended since the session's position and, if
// anything, sends one notification of it.
func (s *session) pass(ctx context.Context, feed reactions.Feed, q string) {
	s.mu.Lock()
	sub := s.subs[q]
	var from uint64
	if sub != nil {
		from = sub.pos
	}
	goneAt, gone := s.goneAt[q]
	s.mu.Unlock()
	if sub == nil || gone && time.Since(goneAt) < time.Second {
		// A deleted query is looked for again once a second, not at
		// every step of the engine.
		return
	}
	qc := s.r.byID[q]
	var sum summarizer
	seq, events := from, 0
	for {
		recs, err := feed.Read(q, seq, 256)
		if errors.Is(err, outbox.ErrCompacted) {
			snap, serr := feed.Snapshot(ctx, q)
			if errors.Is(serr, reactions.ErrNotFound) {
				s.tellGone(ctx, q, from)
				return
			}
			if serr != nil || snap.Seq == seq {
				break
			}
			sum.add(qc, snap)
			seq, events = snap.Seq, events+1
			continue
		}
		if err != nil || len(recs) == 0 {
			break
		}
		for _, rec := range recs {
			sum.add(qc, rec)
		}
		seq, events = recs[len(recs)-1].Seq, events+len(recs)
	}
	if events == 0 {
		return
	}
	s.mu.Lock()
	if s.subs[q] != sub {
		// Unsubscribed (and perhaps subscribed again) meanwhile.
		s.mu.Unlock()
		return
	}
	sub.pos = seq
	delete(s.gone, q)
	delete(s.goneAt, q)
	s.mu.Unlock()
	s.send(ctx, q, Meta{"queryId": q, "sequence": seq, "previousSequence": from, "events": events, "summary": sum.lines(), "changesUri": changesURI(q, from)})
}

// tellGone notifies, once, that a subscribed query does not exist (it was
// deleted): a read now fails, and the subscription resumes when the query
// is created again.
func (s *session) tellGone(ctx context.Context, q string, from uint64) {
	s.mu.Lock()
	told := s.gone[q]
	s.gone[q] = true
	s.goneAt[q] = time.Now()
	s.mu.Unlock()
	if !told {
		s.send(ctx, q, Meta{"queryId": q, "sequence": from, "previousSequence": from, "events": 0, "summary": []string{"query " + q + " does not exist (deleted)"}})
	}
}

// Meta is the _meta of a notification.
type Meta = sdk.Meta

func (s *session) send(ctx context.Context, q string, meta Meta) {
	err := s.server.ResourceUpdated(ctx, &sdk.ResourceUpdatedNotificationParams{URI: queryURI(q), Meta: meta})
	if err == nil {
		s.r.notifications.Add(1)
	}
}

// summarizer collects the one-line summaries of a notification's events.
type summarizer struct {
	out   []string
	extra int
}

func (m *summarizer) add(qc *queryConf, rec outbox.Record) {
	for _, line := range summarize(qc, rec) {
		if len(m.out) < maxSummaryLines {
			m.out = append(m.out, line)
		} else {
			m.extra++
		}
	}
}

func (m *summarizer) lines() []string {
	out := m.out
	if out == nil {
		out = []string{}
	}
	if m.extra > 0 {
		out = append(out, fmt.Sprintf("… and %d more", m.extra))
	}
	return out
}

// quietLogger keeps the SDK's per-notification info lines out of the
// server's log, passing on its warnings and errors.
func quietLogger(l *slog.Logger) *slog.Logger {
	return slog.New(levelAtLeast{l.Handler(), slog.LevelWarn})
}

type levelAtLeast struct {
	slog.Handler
	min slog.Level
}

func (h levelAtLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelAtLeast) WithAttrs(a []slog.Attr) slog.Handler {
	return levelAtLeast{h.Handler.WithAttrs(a), h.min}
}

func (h levelAtLeast) WithGroup(name string) slog.Handler {
	return levelAtLeast{h.Handler.WithGroup(name), h.min}
}

// URIs of the resources.
const (
	queryURIPrefix  = "vigil://queries/"
	breakerURI      = "vigil://breakers"
	breakerTemplate = "vigil://breakers/{key}"
	changesTemplate = "vigil://queries/{id}/changes{?after}"
)

func queryURI(q string) string { return queryURIPrefix + q }

func changesURI(q string, after uint64) string {
	return fmt.Sprintf("%s%s/changes?after=%d", queryURIPrefix, q, after)
}

// subscribable returns the served query whose result resource uri is: the
// only resources notifications are sent for (the SDK keeps subscriptions
// by exact URI).
func (r *Reaction) subscribable(uri string) (string, bool) {
	q, ok := r.queryOfURI(uri)
	return q, ok && uri == queryURI(q)
}

func (r *Reaction) notSubscribable(uri string) error {
	if q, ok := r.queryOfURI(uri); ok {
		return fmt.Errorf("MCP reaction %q: %s cannot be subscribed to; subscribe to %s, whose notifications name the changes to read", r.name, uri, queryURI(q))
	}
	return sdk.ResourceNotFoundError(uri)
}

// queryOfURI returns the served query a resource URI names (its results,
// or its changes).
func (r *Reaction) queryOfURI(uri string) (string, bool) {
	rest, ok := strings.CutPrefix(uri, queryURIPrefix)
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	_, served := r.byID[rest]
	return rest, served
}

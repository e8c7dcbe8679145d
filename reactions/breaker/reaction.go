// Package breaker is the CircuitBreaker reaction and the Breakers source
// that keeps its state.
//
// A CircuitBreaker keeps one breaker per key (a result column of the
// queries it subscribes to, such as the agent). A key's breaker opens
// when a row with that key arrives in a query's result (added, or updated:
// a row that is still there means its condition still holds); after
// recoveryTimeout it turns HALF_OPEN; probes reported through the API
// close it again (after `probes` successes) or reopen it (one failure);
// with closeOnDelete it also closes when the key's rows leave the result.
// While a breaker is OPEN or HALF_OPEN the API reports the reaction's
// throttle for it.
//
// Durability: the reaction commits every step through a Breakers source,
// as an engine batch that carries the Breaker nodes the step changed and,
// as the source position, the whole state with the last sequence folded
// per query. The server commits the batch and its position in one store
// transaction, so after a crash the source resumes from the state of the
// last committed step, and the reaction reads the query streams on after
// the sequences that state had folded: no transition lost, none repeated.
// The Breaker nodes make the breakers data: a query subscribed to the
// Breakers source can ask, say, for sponsors with three agents whose
// breakers are OPEN.
//
// The reaction and the source find each other through a Hub, one per
// program, which also serves the API (/v1/breakers) and the metrics.
//
// Reaction properties:
//
//	source           the Breakers source that keeps the state (without it the state is in memory only)
//	key              the key column (default: each query's first column)
//	recoveryTimeout  OPEN -> HALF_OPEN after this long (default 30s)
//	probes           successful probes that close a HALF_OPEN breaker (default 3)
//	closeOnDelete    close a breaker when its key's rows leave the results (default false)
//	throttle         the rate the API reports for an OPEN or HALF_OPEN key, such as 1/s
//
// Per query (spec.queries), nothing, a reason template such as
// "{denials} denials", or a map {reason: ..., key: ...}.
package breaker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/resources"
)

// Kind is the reaction kind of a circuit breaker.
const Kind = "CircuitBreaker"

// notDurable is the status error of a reaction without a Breakers source.
const notDurable = "not durable: no Breakers source (set property source); breakers are kept in memory only"

// Breaker is one key's breaker as the API shows it.
type Breaker struct {
	Key      string    `json:"key"`
	State    string    `json:"state"`
	Since    time.Time `json:"since"`
	Reason   string    `json:"reason"`
	Query    string    `json:"query"`
	Throttle string    `json:"throttle,omitempty"` // the throttle in force, while OPEN or HALF_OPEN
	Probes   int       `json:"probes,omitempty"`   // successful probes so far, while HALF_OPEN
	Reaction string    `json:"reaction"`
}

// Reaction is a running CircuitBreaker reaction.
type Reaction struct {
	hub      *Hub
	name     string
	source   string
	rules    rules
	throttle string
	queries  []queryConf
	probes   chan probeReq // served by the session while one runs

	mu     sync.Mutex
	status reactions.Status
	note   string    // the last problem with the events (rows without a key)
	view   []Breaker // the committed breakers, sorted by key
	// restored: view holds the committed state (published at least once).
	// Until then the API answers 503, not "no breaker": after a restart an
	// OPEN breaker must never read as absent to an enforcement point.
	restored bool
	active   bool // a session runs: probes are answered
}

type probeReq struct {
	key   string
	ok    bool
	reply chan probeResult // buffered: the session never blocks on it
}

type probeResult struct {
	b   Breaker
	err error
}

func newReaction(h *Hub, name string, queries map[string]any, props map[string]any) (*Reaction, error) {
	p := resources.NewProps(props)
	r := &Reaction{
		hub:    h,
		name:   name,
		source: p.String("source", ""),
		rules: rules{
			recovery:      p.Duration("recoveryTimeout", 30*time.Second),
			probes:        p.Int("probes", 3),
			closeOnDelete: p.Bool("closeOnDelete", false),
		},
		throttle: p.String("throttle", ""),
		probes:   make(chan probeReq),
		status:   reactions.Status{State: "starting", Positions: map[string]uint64{}},
	}
	key := p.String("key", "")
	if err := p.Err(); err != nil {
		return nil, err
	}
	switch {
	case r.rules.recovery <= 0:
		return nil, errors.New("property recoveryTimeout must be positive")
	case r.rules.probes < 1:
		return nil, errors.New("property probes must be at least 1")
	}
	if r.throttle != "" {
		if err := checkThrottle(r.throttle); err != nil {
			return nil, fmt.Errorf("property throttle: %v", err)
		}
	}
	qs, err := queryConfs(queries, key)
	if err != nil {
		return nil, err
	}
	r.queries = qs
	return r, nil
}

// checkThrottle accepts a rate such as 1/s, 10/m or 5/30s.
func checkThrottle(t string) error {
	n, per, ok := strings.Cut(t, "/")
	if f, err := strconv.ParseFloat(n, 64); !ok || err != nil || f <= 0 {
		return fmt.Errorf("%q: want a rate such as 1/s, 10/m or 5/30s", t)
	}
	if per != "" && (per[0] < '0' || per[0] > '9') {
		per = "1" + per
	}
	if d, err := time.ParseDuration(per); err != nil || d <= 0 {
		return fmt.Errorf("%q: want a rate such as 1/s, 10/m or 5/30s", t)
	}
	return nil
}

// Name implements reactions.Reaction.
func (r *Reaction) Name() string { return r.name }

// Status implements reactions.Reaction. Delivered counts the transitions
// committed over the reaction's life (it is part of the durable state);
// Positions are the last sequences folded per query.
func (r *Reaction) Status() reactions.Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.status
	st.Positions = make(map[string]uint64, len(r.status.Positions))
	for q, p := range r.status.Positions {
		st.Positions[q] = p
	}
	if r.note != "" {
		if st.Error != "" {
			st.Error += "; "
		}
		st.Error += r.note
	}
	return st
}

// Breakers returns the committed breakers, sorted by key; ok is false
// until the reaction has restored its state (after a start or restart).
func (r *Reaction) Breakers() (bs []Breaker, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.view), r.restored
}

func (r *Reaction) setWaiting(why string) {
	r.mu.Lock()
	r.status.State, r.status.Error, r.status.Durable = "starting", why, false
	r.mu.Unlock()
}

// Run implements reactions.Reaction. With a Breakers source it runs one
// session per time the source runs, each starting from the state the
// source last committed; without one, a single session in memory.
func (r *Reaction) Run(ctx context.Context, feed reactions.Feed) error {
	// Its breakers visible to the API; a newer instance of the same
	// reaction (an update) replaces an older one.
	r.hub.reactions.Put(r.name, r)
	defer r.hub.reactions.Remove(r.name, r)
	defer func() {
		r.mu.Lock()
		r.status.State = "stopped"
		r.mu.Unlock()
	}()
	if r.source == "" {
		st := newState()
		for ctx.Err() == nil {
			r.mu.Lock()
			r.status.State, r.status.Error = "running", notDurable
			r.mu.Unlock()
			// In memory the state is current after every step, so a
			// session that failed (a read error) goes on from it.
			if err := r.session(ctx, feed, nil, st); err != nil {
				r.pause(ctx, err)
			}
		}
		return nil
	}
	for {
		l, err := r.hub.claim(ctx, r)
		if err != nil {
			return nil
		}
		st, err := decodeState(l.position())
		if err == nil {
			r.mu.Lock()
			r.status.State, r.status.Error, r.status.Durable = "running", "", true
			r.mu.Unlock()
			err = r.session(ctx, feed, l, st)
		}
		r.hub.release(l, r)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			r.pause(ctx, err)
		}
	}
}

// pause reports a failed session and waits before the next one.
func (r *Reaction) pause(ctx context.Context, err error) {
	r.mu.Lock()
	r.status.State, r.status.Error = "failing", err.Error()
	r.status.Failures++
	r.status.LastError = time.Now()
	r.mu.Unlock()
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// session is one run of the reaction on one state: the state is restored
// from (and committed through) link, or kept in memory when link is nil.
type session struct {
	r       *Reaction
	ctx     context.Context
	feed    reactions.Feed
	link    *link
	st      *state
	columns map[string]string // query -> its first column, learned from a snapshot
	skipped int               // rows without a usable key so far
}

// readBatch is records a reader read from one query's stream.
type readBatch struct {
	q    queryConf
	recs []outbox.Record
}

func (r *Reaction) session(ctx context.Context, feed reactions.Feed, l *link, st *state) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if l != nil {
		// The source stopping (replaced, deleted) ends the session: its
		// emit no longer commits.
		stop := context.AfterFunc(l.ctx, cancel)
		defer stop()
	}
	s := &session{r: r, ctx: ctx, feed: feed, link: l, st: st, columns: map[string]string{}}
	r.publish(st, nil)
	// Fold what the streams already hold before the first tick: a step
	// that changed nothing was not committed, and folding it again must
	// meet the state it met the first time, not one a timeout moved since.
	if err := s.catchUp(); err != nil {
		return err
	}
	if err := s.commit(s.tick(&delta{})); err != nil {
		return err
	}
	reads := make(chan readBatch)
	errs := make(chan error, len(r.queries))
	var wg sync.WaitGroup
	for _, q := range r.queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.read(q, st.cursors[q.id], reads); err != nil {
				errs <- err
			}
		}()
	}
	defer func() { cancel(); wg.Wait() }()
	r.setActive(true)
	defer r.setActive(false)
	var timer <-chan time.Time
	stopTimer := func() bool { return false }
	var armed time.Time
	defer func() { stopTimer() }()
	for {
		// The timer points at the next recovery timeout; re-armed only
		// when that moves.
		if due, ok := st.due(r.rules); !ok {
			stopTimer()
			timer, armed = nil, time.Time{}
		} else if timer == nil || !due.Equal(armed) {
			stopTimer()
			timer, stopTimer = r.hub.clock.Timer(max(due.Sub(r.hub.clock.Now()), 0))
			armed = due
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-errs:
			return err
		case b := <-reads:
			if err := s.step(b.q, b.recs); err != nil {
				return err
			}
		case <-timer:
			timer = nil
			if err := s.commit(s.tick(&delta{})); err != nil {
				return err
			}
		case p := <-r.probes:
			// Timeouts first, so a probe sent just as its breaker fell
			// due is not refused because the timer has not fired yet.
			d := s.tick(&delta{})
			perr := st.probe(r.rules, d, p.key, p.ok, s.now())
			if err := s.commit(d); err != nil {
				p.reply <- probeResult{err: fmt.Errorf("not committed: %w", err)}
				return err
			}
			if perr != nil {
				p.reply <- probeResult{err: perr}
				continue
			}
			p.reply <- probeResult{b: r.breaker(st.breakers[p.key])}
		}
	}
}

func (r *Reaction) setActive(on bool) {
	r.mu.Lock()
	r.active = on
	r.mu.Unlock()
}

// now is the clock's time at the milliseconds a position keeps.
func (s *session) now() time.Time { return s.r.hub.clock.Now().Truncate(time.Millisecond) }

func (s *session) tick(d *delta) *delta {
	s.st.tick(s.r.rules, d, s.now())
	return d
}

// catchUp folds every event the streams hold after the cursors.
func (s *session) catchUp() error {
	for _, q := range s.r.queries {
		for {
			recs, err := s.feed.Read(q.id, s.st.cursors[q.id], 256)
			if errors.Is(err, outbox.ErrCompacted) {
				snap, serr := s.feed.Snapshot(s.ctx, q.id)
				if errors.Is(serr, reactions.ErrNotFound) {
					break // not there (yet): the reader waits for it
				}
				if serr != nil {
					return serr
				}
				recs, err = []outbox.Record{snap}, nil
			}
			if err != nil {
				return err
			}
			if len(recs) == 0 {
				break
			}
			if err := s.step(q, recs); err != nil {
				return err
			}
		}
	}
	return nil
}

// read follows one query's stream from after, handing the records to the
// session; it returns an error only for a failed read.
func (s *session) read(q queryConf, after uint64, out chan<- readBatch) error {
	for {
		recs, err := reactions.Next(s.ctx, s.feed, q.id, after, 64)
		if err != nil {
			if s.ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("reading %s: %w", q.id, err)
		}
		select {
		case out <- readBatch{q: q, recs: recs}:
		case <-s.ctx.Done():
			return nil
		}
		after = recs[len(recs)-1].Seq
	}
}

// step folds records of one query and commits what they changed as one
// batch. A record that cannot be folded yet (the key column is unknown)
// ends the step after what came before it is committed.
func (s *session) step(q queryConf, recs []outbox.Record) error {
	d := &delta{}
	var ferr error
	for _, rec := range recs {
		if rec.Kind != outbox.KindSnapshot && rec.Seq <= s.st.cursors[q.id] {
			continue // already folded (a reader that raced a snapshot)
		}
		if ferr = s.fold(q, rec, d); ferr != nil {
			break
		}
		s.st.cursors[q.id] = rec.Seq
	}
	if err := s.commit(d); err != nil {
		return err
	}
	return ferr
}

// fold applies one record of query q's stream to the state.
func (s *session) fold(q queryConf, rec outbox.Record, d *delta) error {
	ev, err := parseEvent(rec.Data)
	if err != nil {
		s.r.setNote(fmt.Sprintf("%s:%d: undecodable event skipped: %v", q.id, rec.Seq, err))
		return nil
	}
	if rec.Kind == outbox.KindControl {
		if ev.Signal.Kind == outbox.SignalBootstrapStarted {
			delete(s.columns, q.id) // a new definition may have other columns
		}
		return nil
	}
	if rec.Kind == outbox.KindSnapshot && len(ev.Columns) > 0 {
		s.columns[q.id] = ev.Columns[0]
	}
	col, err := s.keyColumn(q)
	if err != nil {
		return err
	}
	skipped := s.skipped
	switch rec.Kind {
	case outbox.KindSnapshot:
		s.st.reconcile(s.r.rules, d, q.id, keyRows(q, col, ev.Results, &s.skipped), ev.at())
	case outbox.KindChange:
		s.st.apply(s.r.rules, d, q.id, changeOf(q, col, ev, &s.skipped))
	}
	if s.skipped > skipped {
		s.r.setNote(fmt.Sprintf("%d result rows without a usable key skipped so far (the last in %s, keyed by column %q)", s.skipped, q.id, col))
	}
	return nil
}

// keyColumn is the column q's rows are keyed by: the key property, or the
// query's first column, which only a snapshot event names (change events
// write rows as objects with sorted keys).
func (s *session) keyColumn(q queryConf) (string, error) {
	if q.key != "" {
		return q.key, nil
	}
	if c, ok := s.columns[q.id]; ok {
		return c, nil
	}
	snap, err := s.feed.Snapshot(s.ctx, q.id)
	if err != nil {
		return "", fmt.Errorf("learning the first column of %s (set property key to skip this): %w", q.id, err)
	}
	ev, err := parseEvent(snap.Data)
	if err != nil || len(ev.Columns) == 0 {
		return "", fmt.Errorf("query %s has no columns to key its breakers by", q.id)
	}
	s.columns[q.id] = ev.Columns[0]
	return ev.Columns[0], nil
}

// commit makes a step durable and visible: through the Breakers source
// (retried until committed, or until the session ends), then in the API,
// the status and the metrics. A step that changed nothing but cursors is
// not committed: folding its events again after a restart changes nothing
// either (see the catch-up in session).
func (s *session) commit(d *delta) error {
	if !d.changed {
		s.r.publishPositions(s.st)
		return nil
	}
	if s.link != nil {
		pos := encodeState(s.st)
		delay := 100 * time.Millisecond
		for {
			// Built per attempt: the engine takes the changes' maps.
			err := s.link.emit(s.ctx, s.batch(d, pos))
			if err == nil {
				break
			}
			if s.ctx.Err() != nil {
				return s.ctx.Err()
			}
			// Emitting the same position again is harmless: the batch
			// sets the nodes to the states they have in it.
			s.r.mu.Lock()
			s.r.status.State, s.r.status.Error = "failing", "committing a transition: "+err.Error()
			s.r.status.Failures++
			s.r.status.LastError = time.Now()
			s.r.mu.Unlock()
			t := time.NewTimer(delay)
			select {
			case <-s.ctx.Done():
				t.Stop()
				return s.ctx.Err()
			case <-t.C:
			}
			delay = min(2*delay, 5*time.Second)
		}
		s.link.committed(pos, len(d.touched), summary(s.st))
	}
	for _, t := range d.transitions {
		s.r.hub.transitions.WithLabelValues(metricState(t.to)).Inc()
	}
	s.r.publish(s.st, d)
	return nil
}

// batch is the engine batch of a step: the Breaker node of every key the
// step changed, and the state as the position.
func (s *session) batch(d *delta, pos []byte) engine.Batch {
	b := engine.Batch{Source: s.link.src.name, Position: pos}
	for _, k := range d.touched {
		e := s.st.breakers[k]
		b.Changes = append(b.Changes, engine.Change{Op: engine.OpUpdate, Time: e.since, Element: engine.Element{
			ID: k, Labels: []string{Label}, Props: map[string]value.Value{
				"key":    value.Str(e.key),
				"state":  value.Str(e.state),
				"since":  value.DateTimeOf(e.since),
				"reason": value.Str(e.reason),
				"query":  value.Str(e.query),
			}}})
		if e.since.After(b.Time) {
			b.Time = e.since
		}
	}
	return b
}

// breaker is an entry as the API shows it.
func (r *Reaction) breaker(e *entry) Breaker {
	b := Breaker{Key: e.key, State: e.state, Since: e.since, Reason: e.reason, Query: e.query, Reaction: r.name}
	if e.state != Closed {
		b.Throttle = r.throttle
	}
	if e.state == HalfOpen {
		b.Probes = e.probes
	}
	return b
}

// publish shows a committed state in the API and the status.
func (r *Reaction) publish(st *state, d *delta) {
	view := make([]Breaker, 0, len(st.breakers))
	for _, e := range st.breakers {
		view = append(view, r.breaker(e))
	}
	slices.SortFunc(view, func(a, b Breaker) int { return strings.Compare(a.Key, b.Key) })
	r.mu.Lock()
	defer r.mu.Unlock()
	r.view, r.restored = view, true
	r.status.Delivered = st.transitions
	if d != nil && len(d.transitions) > 0 {
		r.status.LastDelivery = time.Now()
	}
	if r.status.State == "failing" && d != nil {
		// A commit went through: the failure is over.
		r.status.State, r.status.Error = "running", ""
		if r.source == "" {
			r.status.Error = notDurable
		}
	}
	r.setPositions(st)
}

func (r *Reaction) publishPositions(st *state) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setPositions(st)
}

// setPositions copies the cursors into the status; r.mu held.
func (r *Reaction) setPositions(st *state) {
	r.status.Positions = make(map[string]uint64, len(st.cursors))
	for q, c := range st.cursors {
		r.status.Positions[q] = c
	}
}

func (r *Reaction) setNote(n string) {
	r.mu.Lock()
	r.note = n
	r.mu.Unlock()
}

// Probe reports a probe result for key's HALF_OPEN breaker and returns
// the breaker once the step is committed. It fails with ErrUnknownKey,
// ErrNotHalfOpen, or an error saying the reaction is not running.
func (r *Reaction) Probe(ctx context.Context, key string, ok bool) (Breaker, error) {
	r.mu.Lock()
	active := r.active
	r.mu.Unlock()
	if !active {
		return Breaker{}, fmt.Errorf("reaction %q is not running: %w", r.name, errUnavailable)
	}
	req := probeReq{key: key, ok: ok, reply: make(chan probeResult, 1)}
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case r.probes <- req:
	case <-ctx.Done():
		return Breaker{}, ctx.Err()
	case <-t.C:
		return Breaker{}, fmt.Errorf("reaction %q did not take the probe: %w", r.name, errUnavailable)
	}
	select {
	case res := <-req.reply:
		if res.err != nil && !errors.Is(res.err, ErrUnknownKey) && !errors.Is(res.err, ErrNotHalfOpen) {
			res.err = fmt.Errorf("%w: %v", errUnavailable, res.err)
		}
		return res.b, res.err
	case <-ctx.Done():
		return Breaker{}, ctx.Err()
	}
}

// errUnavailable marks a probe the reaction could not take or commit (HTTP 503).
var errUnavailable = errors.New("unavailable")

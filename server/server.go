// Package server hosts the engine: it loads resources, runs sources and
// reactions, and serves the REST API, the SSE streams, the metrics and the
// console.
//
// The engine is not safe for concurrent use, so one goroutine — the actor —
// owns it. Source batches, resource changes, scheduler wake-ups and reads
// of query results are all closures run by the actor in order; the outbox
// is the only state shared with readers (SSE clients, reactions), and it is
// safe for concurrent use.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilhq/vigil/durable"
	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/resources"
	"github.com/vigilhq/vigil/sources"
	"github.com/vigilhq/vigil/store"
)

// Options configure a Server. The zero value works.
type Options struct {
	// Token, when set, is required as a bearer token by every endpoint but
	// /healthz and /readyz.
	Token string
	// Logger receives the server's log (default: slog.Default()).
	Logger *slog.Logger
	// Retain is how many events per query the outbox keeps beyond what
	// durable reactions still need (default 10000). Clients further behind
	// get a snapshot.
	Retain int
	// Store makes the server durable: every step is committed to it with
	// the events it produced and the source positions it consumed, and a
	// restart replays it (see package durable). Nil keeps state in memory.
	Store *store.Store
	// MaxBatchChanges bounds how many changes the engine loop gathers from
	// the batches waiting for it into one step (one commit); default 1000.
	MaxBatchChanges int
	// BatchWait is how long the engine loop waits for more batches after
	// the first before it applies and commits the step (default 0: it takes
	// only what is already waiting, so under load batches group while the
	// previous commit runs, and an idle server adds no latency).
	BatchWait time.Duration
	// SnapshotEvery is how many logged changes go by between engine
	// snapshots in durable mode (0: durable.DefaultSnapshotEvery; negative:
	// never). A restart restores the last snapshot and replays only the log
	// after it; a clean shutdown takes one more, so the next start replays
	// nothing.
	SnapshotEvery int
	// Start is the engine clock before the first change of a new store
	// (default: now).
	Start time.Time
}

// Server is the engine host.
type Server struct {
	snapFailures int // snapshot failures already logged (engine loop only)
	opts         Options
	log          *slog.Logger
	out          outbox.Outbox
	m            *metrics
	cmds         chan func()
	ctx          context.Context
	cancel       context.CancelFunc
	done         chan struct{}
	ready        atomic.Bool
	started      time.Time // set by Start, before the actor runs; read by the actor

	bmu sync.Mutex
	bch chan struct{} // closed and replaced after every step that appended events

	// handlers maps source names to their HTTP handlers (HTTP sources), for
	// the request goroutines; the actor maintains it.
	hmu      sync.RWMutex
	handlers map[string]sourceRef

	// deleted names queries deleted since start whose streams readers may
	// still follow (see Read); creating the query again clears it.
	deleted sync.Map

	// workers counts the source and reaction goroutines, which Close waits
	// for before it closes the store.
	workers sync.WaitGroup

	fatalMu sync.Mutex
	fatal   error // the storage failure that stopped the server

	sched      schedStats
	sseClients atomic.Int64

	// pending receives source batches; the actor groups those waiting into
	// one step.
	pending chan *pendingBatch

	// Owned by the actor goroutine.
	host      *durable.Host
	eng       *engine.Engine
	sources   map[string]*sourceEntry
	queries   map[string]*queryEntry
	reactions map[string]*reactionEntry
	loadErrs  []loadErr
	// unloaded names the queries whose resources failed to load (and
	// unloadedUnknown that some failure named none): SetReady keeps such
	// restored queries rather than deleting their state.
	unloaded        map[string]bool
	unloadedUnknown bool
	timer           *time.Timer
	armed           bool
	armedDue        time.Time
	armedAt         time.Time
}

// loadErr is a resource error without a resource (e.g. YAML syntax), kept
// for /v1/status until its file is applied again.
type loadErr struct {
	file string
	msg  string
}

type sourceRef struct {
	src  sources.Source // nil when the resource is in error
	kind string
	err  string
}

type sourceEntry struct {
	res      *resources.Resource
	src      sources.Source
	err      string
	runErr   string
	cancel   context.CancelFunc
	position []byte
	created  time.Time
}

type queryEntry struct {
	res     *resources.Resource
	q       *engine.Query
	state   string // running or error
	err     string
	created time.Time
}

type reactionEntry struct {
	res     *resources.Resource
	r       reactions.Reaction
	err     string
	runErr  string
	cancel  context.CancelFunc
	created time.Time
}

// schedStats are the scheduler's numbers, read by the API without the actor.
type schedStats struct {
	fires       atomic.Uint64
	lastLateNs  atomic.Int64
	maxLateNs   atomic.Int64
	totalLateNs atomic.Int64
}

// pendingBatch is a source batch waiting for the engine loop.
type pendingBatch struct {
	e     *sourceEntry
	b     engine.Batch
	reply chan error
}

// New returns a server; Start runs it. With a store it replays the store's
// log first and fires the futures that fell due while the server was down,
// before any source can deliver a change.
func New(opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Retain <= 0 {
		opts.Retain = 10000
	}
	if opts.MaxBatchChanges <= 0 {
		opts.MaxBatchChanges = 1000
	}
	if opts.Start.IsZero() {
		opts.Start = time.Now().Round(0)
	}
	host, err := durable.Open(durable.Options{Store: opts.Store, Start: opts.Start, SnapshotEvery: opts.SnapshotEvery})
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts: opts, log: opts.Logger, out: host.Outbox(), m: newMetrics(),
		cmds: make(chan func(), 64), done: make(chan struct{}), bch: make(chan struct{}),
		pending:  make(chan *pendingBatch, 256),
		handlers: map[string]sourceRef{},
		host:     host, eng: host.Engine(),
		sources: map[string]*sourceEntry{}, queries: map[string]*queryEntry{}, reactions: map[string]*reactionEntry{},
	}
	if opts.Store != nil {
		snapAt, restored := host.RestoredSnapshot()
		s.log.Info("store opened", "path", opts.Store.Path(), "snapshot", restored, "snapshot_log_record", snapAt,
			"replayed", host.Replayed(), "queries", len(s.eng.Queries()))
		for _, w := range host.Warnings() {
			s.log.Warn(w)
		}
		// Futures that fell due while the server was down fire now, in
		// due-time order, before any new change.
		events, err := host.AdvanceTo(time.Now().Round(0))
		if err != nil {
			return nil, err
		}
		s.count(events)
	}
	s.timer = time.NewTimer(time.Hour)
	s.timer.Stop()
	return s, nil
}

// Start runs the actor until ctx is cancelled or Close is called.
func (s *Server) Start(ctx context.Context) {
	s.started = time.Now().Round(0)
	s.ctx, s.cancel = context.WithCancel(ctx)
	go s.loop()
}

// Close stops the sources, reactions and the actor.
func (s *Server) Close() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.done
	// Sources and reactions stop with the context; the store closes only
	// once none of them can read or write it any more.
	stopped := make(chan struct{})
	go func() { s.workers.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		s.log.Warn("a source or reaction did not stop within 10s; closing the store anyway")
	}
	// The engine loop has stopped: a snapshot now makes the next start
	// replay nothing. Not after a storage failure (the engine is ahead of
	// the store then), and a failure here loses nothing: the log stays.
	if s.opts.Store != nil && s.Err() == nil && s.opts.SnapshotEvery >= 0 {
		if err := s.host.Snapshot(); err != nil {
			s.log.Warn("snapshot at shutdown failed; the next start replays the log", "err", err)
		}
	}
	s.out.Close()
}

// SetReady marks the server ready (/readyz): the initial resources are
// loaded. Queries restored from the store that no resource defines any
// more are removed now.
func (s *Server) SetReady() {
	s.do(s.ctx, func() {
		if s.unloadedUnknown {
			// Some file failed to load without naming its resources: any
			// restored query might be defined there, so none is pruned.
			for _, q := range s.eng.Queries() {
				if s.queries[q.ID()] == nil {
					s.log.Warn("query restored from the store is not defined by a loaded resource; kept because a resource file failed to load", "query", q.ID())
				}
			}
			return
		}
		for _, q := range s.eng.Queries() {
			if s.queries[q.ID()] == nil && s.unloaded[q.ID()] {
				s.log.Warn("query restored from the store kept running: its resource failed to load", "query", q.ID())
				continue
			}
			if s.queries[q.ID()] == nil {
				s.log.Info("query restored from the store is no longer defined; removing it", "query", q.ID())
				if err := s.host.RemoveQuery(q.ID()); err != nil {
					s.stopFatal(err)
					return
				}
				s.out.Drop(q.ID())
				s.deleted.Store(q.ID(), true)
			}
		}
	})
	s.ready.Store(true)
}

func (s *Server) loop() {
	defer close(s.done)
	for {
		select {
		case fn := <-s.cmds:
			fn()
		case pb := <-s.pending:
			s.applyPending(pb)
		case <-s.timer.C:
			s.fire()
		case <-s.ctx.Done():
			for _, e := range s.sources {
				if e.cancel != nil {
					e.cancel()
				}
			}
			for _, e := range s.reactions {
				if e.cancel != nil {
					e.cancel()
				}
			}
			return
		}
		s.rearm()
	}
}

// stopFatal stops the server after a storage failure: the engine is ahead
// of what is stored, and serving on would show results that a restart
// (replaying the store) takes back. Done is closed and Err reports err.
func (s *Server) stopFatal(err error) {
	s.log.Error("storage failed; stopping the server so that a restart replays the store", "err", err)
	s.fatalMu.Lock()
	if s.fatal == nil {
		s.fatal = err
	}
	s.fatalMu.Unlock()
	s.cancel()
}

// Done is closed when the server has stopped: after Close, or on its own
// after a storage failure (see Err).
func (s *Server) Done() <-chan struct{} { return s.done }

// Err is the storage failure that stopped the server, if any.
func (s *Server) Err() error {
	s.fatalMu.Lock()
	defer s.fatalMu.Unlock()
	return s.fatal
}

// errStopped is returned to callers once the server is shutting down.
var errStopped = errors.New("server is stopping")

// do runs fn on the actor and waits for it.
func (s *Server) do(ctx context.Context, fn func()) error {
	done := make(chan struct{})
	select {
	case s.cmds <- func() { fn(); close(done) }:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.ctx.Done():
		return errStopped
	}
	select {
	case <-done:
		return nil
	case <-s.ctx.Done():
		return errStopped
	}
}

// rearm points the timer at the engine's next due future: the scheduler
// sleeps exactly until then instead of polling.
func (s *Server) rearm() {
	due, ok := s.eng.NextDue()
	if !ok {
		if s.armed {
			s.timer.Stop()
			s.armed = false
		}
		return
	}
	if s.armed && due.Equal(s.armedDue) {
		return
	}
	s.timer.Reset(time.Until(due))
	s.armed, s.armedDue, s.armedAt = true, due, time.Now()
}

// fire runs due futures at the wall-clock time.
func (s *Server) fire() {
	s.armed = false
	now := time.Now()
	// Lateness counts from when the timer could first have fired: the due
	// time, or the arming moment if the future was already due then (a
	// change whose timestamp lags the wall clock).
	from := s.armedDue
	if s.armedAt.After(from) {
		from = s.armedAt
	}
	late := max(now.Sub(from), 0)
	now = now.Round(0) // as in applyPending: compare as the replay will
	s.sched.fires.Add(1)
	s.sched.lastLateNs.Store(int64(late))
	s.sched.totalLateNs.Add(int64(late))
	if int64(late) > s.sched.maxLateNs.Load() {
		s.sched.maxLateNs.Store(int64(late))
	}
	s.m.schedFires.add(1)
	s.m.schedLateness.observe(late.Seconds())
	events, err := s.host.AdvanceTo(now)
	if err != nil {
		// Only storage fails here: the futures fired in memory but not in
		// the store, so the engine must not go on.
		s.stopFatal(err)
		return
	}
	s.publish(events, time.Since(now))
}

func (s *Server) broadcast() {
	s.bmu.Lock()
	close(s.bch)
	s.bch = make(chan struct{})
	s.bmu.Unlock()
}

// Changed returns a channel closed at the next step that appends events.
func (s *Server) Changed() <-chan struct{} {
	s.bmu.Lock()
	defer s.bmu.Unlock()
	return s.bch
}

func rowMaps(cols []string, rows []engine.Row) []map[string]any {
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		out[i] = durable.RowMap(r, cols)
	}
	return out
}

// append adds an event to a query's stream and counts it.
func (s *Server) append(queryID string, ev *outbox.Event) {
	if ev.SourceTimeMs == 0 {
		ev.SourceTimeMs = s.eng.Now().UnixMilli()
	}
	if _, err := s.out.Append(queryID, ev); err != nil {
		s.log.Error("outbox append failed", "query", queryID, "err", err)
		return
	}
	s.m.events.add(1, queryID, ev.Kind)
}

func (s *Server) control(queryID, signal, reason string) {
	s.append(queryID, &outbox.Event{Kind: outbox.KindControl, Signal: signal, Reason: reason})
}

// count records a step's events in the metrics.
func (s *Server) count(events []*outbox.Event) {
	for _, ev := range events {
		s.m.events.add(1, ev.QueryID, ev.Kind)
		added, updated, deleted := ev.Counts()
		s.m.resultChanges.add(float64(added), ev.QueryID, "added")
		s.m.resultChanges.add(float64(updated), ev.QueryID, "updated")
		s.m.resultChanges.add(float64(deleted), ev.QueryID, "deleted")
	}
}

// publish accounts for a step's events (already stored by the host),
// notices queries that failed during the step, and wakes the readers.
func (s *Server) publish(events []*outbox.Event, took time.Duration) {
	if st := s.host.SnapshotStats(); st.Failures > s.snapFailures {
		// The step itself is committed; only the log stops shrinking.
		s.snapFailures = st.Failures
		s.log.Warn("engine snapshot failed; the log keeps growing until one succeeds", "err", st.LastError, "failures", st.Failures)
	}
	s.count(events)
	seen := map[string]bool{}
	for _, ev := range events {
		if !seen[ev.QueryID] {
			seen[ev.QueryID] = true
			s.m.queryLatency.observe(took.Seconds(), ev.QueryID)
			s.compact(ev.QueryID)
		}
	}
	for id, qe := range s.queries {
		if qe.state == "running" && qe.q != nil && qe.q.Err() != nil {
			qe.state, qe.err = "error", qe.q.Err().Error()
			var ie *engine.InternalError
			if errors.As(qe.q.Err(), &ie) {
				s.log.Error("query stopped by an internal error", "query", id, "err", qe.err, "stack", ie.Stack)
			} else {
				s.log.Error("query failed", "query", id, "err", qe.err)
			}
			s.control(id, outbox.SignalStopped, qe.err)
		}
	}
	s.broadcast()
}

// compact trims a query's stream to Retain events, but never past what a
// durable reaction (a webhook) has not handled yet.
func (s *Server) compact(queryID string) {
	if !s.ready.Load() {
		// Until every resource is loaded, a webhook that will resume from
		// a stored position may not be registered yet.
		return
	}
	first, last := s.out.Bounds(queryID)
	keep := uint64(s.opts.Retain)
	// Amortised: trim only once the stream is a quarter over its limit.
	if first == 0 || last-first+1 <= keep+keep/4 {
		return
	}
	floor := last - keep
	for _, re := range s.reactions {
		if re.r == nil {
			continue
		}
		if _, subscribed := re.res.Reaction.Queries[queryID]; !subscribed {
			continue
		}
		st := re.r.Status()
		if st.Durable {
			if p := st.Positions[queryID]; p < floor {
				floor = p
			}
		}
	}
	if floor >= first {
		s.out.Compact(queryID, floor)
	}
}

// emitFor is the Emit a source gets: batches queue for the actor, which
// commits them (grouped with other waiting batches) before Emit returns.
// Failures that are not the batch's fault come back as
// *sources.UnavailableError, so that a source retries instead of giving up.
func (s *Server) emitFor(e *sourceEntry) sources.Emit {
	return func(ctx context.Context, b engine.Batch) error {
		pb := &pendingBatch{e: e, b: b, reply: make(chan error, 1)}
		select {
		case s.pending <- pb:
		case <-ctx.Done():
			return &sources.UnavailableError{Err: ctx.Err()}
		case <-s.ctx.Done():
			return &sources.UnavailableError{Err: errStopped}
		}
		select {
		case err := <-pb.reply:
			return err
		case <-s.ctx.Done():
			// A reply that is already there says what happened to the
			// batch; otherwise it may or may not have been committed, and
			// the source resumes from the stored checkpoint either way.
			select {
			case err := <-pb.reply:
				return err
			default:
				return &sources.UnavailableError{Err: errStopped}
			}
		}
	}
}

// applyPending applies pb and the batches already waiting behind it, up to
// MaxBatchChanges changes, as one step: one engine pass per batch and one
// commit for all (group commit).
func (s *Server) applyPending(first *pendingBatch) {
	group := []*pendingBatch{first}
	n := len(first.b.Changes)
	var window <-chan time.Time
	if s.opts.BatchWait > 0 {
		t := time.NewTimer(s.opts.BatchWait)
		defer t.Stop()
		window = t.C
	}
gather:
	for n < s.opts.MaxBatchChanges {
		if window == nil {
			select {
			case pb := <-s.pending:
				group = append(group, pb)
				n += len(pb.b.Changes)
			default:
				break gather
			}
			continue
		}
		select {
		case pb := <-s.pending:
			group = append(group, pb)
			n += len(pb.b.Changes)
		case <-window:
			break gather
		}
	}
	// Round(0) drops the monotonic reading: the log keeps wall-clock
	// nanoseconds, and the live run must compare times as the replay will.
	now := time.Now().Round(0)
	var live []*pendingBatch
	batches := make([]engine.Batch, 0, len(group))
	for _, pb := range group {
		name := pb.e.res.Name
		if s.sources[name] != pb.e {
			pb.reply <- &sources.UnavailableError{Err: fmt.Errorf("source %q was replaced or deleted", name)}
			continue
		}
		b := pb.b
		b.Source = name
		for i := range b.Changes {
			ch := &b.Changes[i]
			ch.Source = name
			if ch.Time.IsZero() {
				ch.Time = b.Time
				if ch.Time.IsZero() {
					ch.Time = now
				}
			}
		}
		live = append(live, pb)
		batches = append(batches, b)
	}
	if len(live) == 0 {
		return
	}
	events, errs, err := s.host.Apply(batches)
	if err != nil {
		// Storage failed: the engine is ahead of the store. Stop, so that a
		// restart replays from the store, rather than serve results that
		// a crash would take back.
		for _, pb := range live {
			pb.reply <- &sources.UnavailableError{Err: err}
		}
		s.stopFatal(err)
		return
	}
	for i, pb := range live {
		name := pb.e.res.Name
		s.m.changesIn.add(float64(len(pb.b.Changes)), name)
		s.m.batches.add(1, name)
		var berr error
		if errs != nil {
			berr = errs[i]
		}
		if berr != nil {
			s.m.batchErrors.add(1, name)
		} else if pb.b.Position != nil {
			pb.e.position = append([]byte(nil), pb.b.Position...)
		}
		pb.reply <- berr
	}
	s.publish(events, time.Since(now))
}

// ApplyResult reports what Apply did with one resource.
type ApplyResult struct {
	Kind   string `json:"kind,omitempty"`
	Name   string `json:"name,omitempty"`
	Action string `json:"action"` // created, updated, unchanged, error
	Error  string `json:"error,omitempty"`
}

// Apply creates, updates or leaves unchanged each resource; parse errors
// (from resources.Parse) are reported alongside. Sources go first, then
// queries, then reactions, so that each finds what it refers to. A resource
// that fails is recorded in an error state; the others are unaffected.
func (s *Server) Apply(ctx context.Context, rs []*resources.Resource, parseErrs []error) ([]ApplyResult, error) {
	var out []ApplyResult
	for _, err := range parseErrs {
		r := ApplyResult{Action: "error", Error: err.Error()}
		var re *resources.Error
		if errors.As(err, &re) {
			r.Kind, r.Name = re.Kind, re.Name
		}
		out = append(out, r)
	}
	order := map[string]int{resources.KindSource: 0, resources.KindContinuousQuery: 1, resources.KindReaction: 2}
	sorted := append([]*resources.Resource(nil), rs...)
	sort.SliceStable(sorted, func(i, j int) bool { return order[sorted[i].Kind] < order[sorted[j].Kind] })
	err := s.do(ctx, func() {
		// The files applied now replace their earlier load errors: a fixed
		// file's error goes away, one still broken is reported again below.
		applied := map[string]bool{}
		for _, r := range rs {
			applied[r.File] = true
		}
		for _, err := range parseErrs {
			applied[errFile(err)] = true
		}
		kept := s.loadErrs[:0]
		for _, le := range s.loadErrs {
			if le.file == "" || !applied[le.file] {
				kept = append(kept, le)
			}
		}
		s.loadErrs = kept
		for _, err := range parseErrs {
			s.loadErrs = append(s.loadErrs, loadErr{file: errFile(err), msg: err.Error()})
			s.log.Warn("resource error", "err", err.Error())
			// A restored query must not be pruned because its file has a
			// mistake today: remember which names failed to load.
			var re *resources.Error
			if errors.As(err, &re) && re.Name != "" && (re.Kind == "" || re.Kind == resources.KindContinuousQuery) {
				s.unloaded[re.Name] = true
			} else {
				s.unloadedUnknown = true
			}
		}
		for _, r := range sorted {
			res := ApplyResult{Kind: r.Kind, Name: r.Name}
			var err error
			switch r.Kind {
			case resources.KindSource:
				res.Action, err = s.applySource(r)
			case resources.KindContinuousQuery:
				res.Action, err = s.applyQuery(r)
			case resources.KindReaction:
				res.Action, err = s.applyReaction(r)
			}
			if err != nil {
				res.Action, res.Error = "error", err.Error()
				s.log.Warn("resource error", "kind", r.Kind, "name", r.Name, "err", err.Error())
			} else if res.Action != "unchanged" {
				s.log.Info("resource "+res.Action, "kind", r.Kind, "name", r.Name)
			}
			out = append(out, res)
		}
		s.broadcast()
	})
	return out, err
}

// errFile returns the file a resource error is in ("" when unknown).
func errFile(err error) string {
	var re *resources.Error
	if errors.As(err, &re) {
		return re.File
	}
	return ""
}

// locate places an error at its resource; factories already prefix their
// errors with the resource name, which the location repeats, so that prefix
// is dropped.
func locate(r *resources.Resource, err error) error {
	msg := err.Error()
	for _, p := range []string{"source ", "reaction ", "query "} {
		msg = strings.TrimPrefix(msg, p+strconv.Quote(r.Name)+": ")
	}
	return &resources.Error{File: r.File, Line: r.Line, Kind: r.Kind, Name: r.Name, Reason: msg}
}

func (s *Server) applySource(r *resources.Resource) (string, error) {
	action := "created"
	var prevPos []byte
	if old := s.sources[r.Name]; old != nil {
		if old.res.Raw == r.Raw && old.err == "" {
			return "unchanged", nil
		}
		prevPos = old.position
		s.stopSource(r.Name)
		action = "updated"
	}
	e := &sourceEntry{res: r, created: time.Now()}
	s.sources[r.Name] = e
	src, err := sources.New(r.Source.Kind, r.Name, r.Source.Properties)
	if err != nil {
		e.err = locate(r, err).Error()
		s.setHandler(r.Name, sourceRef{kind: r.Source.Kind, err: e.err})
		return action, errors.New(e.err)
	}
	e.src = src
	ctx, cancel := context.WithCancel(s.ctx)
	e.cancel = cancel
	s.setHandler(r.Name, sourceRef{src: src, kind: r.Source.Kind})
	emit := s.emitFor(e)
	from, err := s.host.Checkpoint(r.Name)
	if err != nil {
		e.err = locate(r, err).Error()
		return action, errors.New(e.err)
	}
	if from == nil {
		// In memory there is no stored checkpoint, but an updated source
		// still resumes where its previous version was, keeping (for the
		// HTTP source) its clients' retries idempotent.
		from = prevPos
	}
	if from != nil {
		e.position = from
		if seeder, ok := src.(sources.IDSeeder); ok {
			seeder.SeedIDs(s.knownIDs(ctx, r.Name))
		}
	}
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		err := src.Run(ctx, from, emit)
		if err != nil && ctx.Err() == nil {
			msg := err.Error()
			s.log.Error("source stopped", "source", r.Name, "err", msg)
			select {
			case s.cmds <- func() { e.runErr = msg }:
			case <-s.ctx.Done():
			}
		}
	}()
	return action, nil
}

// knownIDs lists the ids of the nodes with a label, read on the actor: a
// source resuming after a restart asks it to learn which rows exist.
func (s *Server) knownIDs(ctx context.Context, name string) sources.KnownIDs {
	return func(label string) []string {
		var ids []string
		s.do(ctx, func() {
			// Only this source's nodes, by the ids it gave them.
			s.eng.Index().Nodes(label, func(n *value.Node) bool {
				if value.SourceOfID(n.ID) == name {
					ids = append(ids, value.ExternalID(n.ID))
				}
				return true
			})
		})
		return ids
	}
}

func (s *Server) setHandler(name string, ref sourceRef) {
	s.hmu.Lock()
	s.handlers[name] = ref
	s.hmu.Unlock()
}

func (s *Server) stopSource(name string) {
	if e := s.sources[name]; e != nil && e.cancel != nil {
		e.cancel()
	}
	delete(s.sources, name)
	s.hmu.Lock()
	delete(s.handlers, name)
	s.hmu.Unlock()
}

func (s *Server) querySpec(r *resources.Resource) (engine.QuerySpec, error) {
	spec, err := r.QuerySpec()
	if err != nil {
		return spec, err
	}
	for _, sub := range spec.Subscriptions {
		if s.sources[sub.Source] == nil {
			return spec, fmt.Errorf("spec.sources.subscriptions: source %q does not exist (apply it first, or correct the name)", sub.Source)
		}
	}
	return spec, nil
}

// queryError places an engine error in the resource's file: a parse or
// check error's line inside the query text becomes a line of the file.
func queryError(r *resources.Resource, err error) error {
	var ae *ast.Error
	if errors.As(err, &ae) && ae.Line > 0 {
		if line, col, ok := r.Query.FilePos(ae.Line, ae.Col); ok {
			return &resources.Error{File: r.File, Line: line, Col: col, Kind: r.Kind, Name: r.Name,
				Reason: fmt.Sprintf("query line %d col %d: %s", ae.Line, ae.Col, ae.Msg)}
		}
	}
	return locate(r, err)
}

func (s *Server) applyQuery(r *resources.Resource) (string, error) {
	action := "created"
	var oldRows []map[string]any
	replacing := false
	if old := s.queries[r.Name]; old != nil {
		if old.res.Raw == r.Raw && old.state == "running" {
			return "unchanged", nil
		}
		if old.q != nil {
			oldRows = rowMaps(old.q.Columns(), old.q.Results())
			replacing = true
		}
		action = "updated"
	} else if restored := s.eng.Query(r.Name); restored != nil {
		// Restored from the store but not yet claimed by a resource (a
		// restart). With the same definition AddQuery below keeps it; with
		// another one (the file changed while the server was down) it is
		// replaced like any update, its rows retracted from the stream.
		spec, err := s.querySpec(r)
		if err != nil || !durable.SameSpec(restored.Spec(), spec) {
			oldRows = rowMaps(restored.Columns(), restored.Results())
			replacing = true
			action = "updated"
		}
	} else if cols, rows, ok := s.host.StoredResult(r.Name); ok {
		// In the store but not restorable (its stored state does not fit
		// this build): its stream's readers hold the rows it had, which the
		// new registration retracts as it adds its own.
		oldRows = rowMaps(cols, rows)
		if oldRows == nil {
			oldRows = []map[string]any{}
		}
		action = "updated"
	}
	qe := &queryEntry{res: r, state: "running", created: time.Now()}
	s.queries[r.Name] = qe
	s.deleted.Delete(r.Name)
	s.m.resultChanges.drop(r.Name)
	spec, err := s.querySpec(r)
	var q *engine.Query
	changed := true
	// The registration and the events it produces are one step: the stream
	// starts bootstrapStarted, a change with the initial rows (and the rows
	// of the version it replaces, deleted), then bootstrapCompleted and
	// running, so that folding a query's events from sequence 1 rebuilds
	// its result exactly.
	events := func(q *engine.Query) []*outbox.Event {
		tms := s.eng.Now().UnixMilli()
		evs := []*outbox.Event{{Kind: outbox.KindControl, Signal: outbox.SignalBootstrapStarted, SourceTimeMs: tms}}
		if rows := q.Results(); len(rows) > 0 || oldRows != nil {
			evs = append(evs, &outbox.Event{Kind: outbox.KindChange, SourceTimeMs: tms, Added: rowMaps(q.Columns(), rows), Deleted: oldRows})
		}
		if q.Err() != nil {
			return append(evs, &outbox.Event{Kind: outbox.KindControl, Signal: outbox.SignalStopped, Reason: locate(r, q.Err()).Error(), SourceTimeMs: tms})
		}
		return append(evs,
			&outbox.Event{Kind: outbox.KindControl, Signal: outbox.SignalBootstrapCompleted, SourceTimeMs: tms},
			&outbox.Event{Kind: outbox.KindControl, Signal: outbox.SignalRunning, SourceTimeMs: tms})
	}
	switch {
	case err != nil && replacing:
		if rerr := s.host.RemoveQuery(r.Name); rerr != nil {
			s.stopFatal(rerr)
		}
	case err != nil:
	case replacing:
		// One step: a crash keeps the old definition or the new one.
		q, err = s.host.ReplaceQuery(spec, events)
	default:
		q, changed, err = s.host.AddQuery(spec, events)
	}
	if err != nil {
		qe.state, qe.err = "error", queryError(r, err).Error()
		s.control(r.Name, outbox.SignalBootstrapStarted, "")
		if oldRows != nil {
			s.append(r.Name, &outbox.Event{Kind: outbox.KindChange, Deleted: oldRows})
		}
		s.control(r.Name, outbox.SignalStopped, qe.err)
		return action, errors.New(qe.err)
	}
	qe.q = q
	for _, what := range q.Unsubscribed() {
		s.log.Warn("query reads something no subscription admits; that part of its pattern never matches", "query", r.Name, "reads", what, "where", r.Where())
	}
	if !changed {
		// Restored from the store with the same definition: its stream
		// and state continue where they were.
		action = "unchanged"
	}
	s.broadcast()
	if q.Err() != nil {
		qe.state, qe.err = "error", locate(r, q.Err()).Error()
		return action, errors.New(qe.err)
	}
	return action, nil
}

func (s *Server) applyReaction(r *resources.Resource) (string, error) {
	action := "created"
	if old := s.reactions[r.Name]; old != nil {
		if old.res.Raw == r.Raw && old.err == "" {
			return "unchanged", nil
		}
		if old.cancel != nil {
			old.cancel()
		}
		action = "updated"
	}
	e := &reactionEntry{res: r, created: time.Now()}
	s.reactions[r.Name] = e
	rx, err := reactions.New(r.Reaction.Kind, r.Name, r.Reaction.Queries, r.Reaction.Properties)
	if err != nil {
		e.err = locate(r, err).Error()
		return action, errors.New(e.err)
	}
	e.r = rx
	ctx, cancel := context.WithCancel(s.ctx)
	e.cancel = cancel
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		if err := rx.Run(ctx, s); err != nil && ctx.Err() == nil {
			msg := err.Error()
			s.log.Error("reaction stopped", "reaction", r.Name, "err", msg)
			select {
			case s.cmds <- func() { e.runErr = msg }:
			case <-s.ctx.Done():
			}
		}
	}()
	return action, nil
}

// Delete removes a resource by kind and name; it reports whether it existed.
func (s *Server) Delete(ctx context.Context, kind, name string) (bool, error) {
	found := false
	err := s.do(ctx, func() {
		switch kind {
		case resources.KindSource:
			if _, found = s.sources[name]; found {
				s.stopSource(name)
				s.m.changesIn.drop(name)
			}
		case resources.KindContinuousQuery:
			var qe *queryEntry
			if qe, found = s.queries[name]; found {
				if qe.q != nil {
					if err := s.host.RemoveQuery(name); err != nil {
						s.stopFatal(err)
						return
					}
				}
				delete(s.queries, name)
				// Readers find the stream gone and close with a stopped
				// event of their own.
				s.out.Drop(name)
				s.deleted.Store(name, true)
				for _, m := range []*metricVec{s.m.queryLatency, s.m.resultChanges, s.m.events} {
					m.drop(name)
				}
			}
		case resources.KindReaction:
			var re *reactionEntry
			if re, found = s.reactions[name]; found {
				if re.cancel != nil {
					re.cancel()
				}
				delete(s.reactions, name)
			}
		}
		if found {
			s.log.Info("resource deleted", "kind", kind, "name", name)
			s.broadcast()
		}
	})
	return found, err
}

// LoadCursor implements reactions.Cursors: with a store, reaction positions
// survive restarts.
func (s *Server) LoadCursor(reaction, query string) (uint64, bool) {
	if s.opts.Store == nil {
		return 0, false
	}
	seq, err := s.opts.Store.Cursor(reaction + "\x00" + query)
	if err != nil {
		s.log.Error("reading a reaction's position", "reaction", reaction, "query", query, "err", err)
		return 0, false
	}
	return seq, seq > 0
}

// SaveCursor implements reactions.Cursors.
func (s *Server) SaveCursor(reaction, query string, seq uint64) error {
	if s.opts.Store == nil {
		return nil
	}
	return s.opts.Store.SetCursor(reaction+"\x00"+query, seq)
}

// Read implements reactions.Feed.
func (s *Server) Read(queryID string, after uint64, max int) ([]outbox.Record, error) {
	recs, err := s.out.ReadFrom(queryID, after, max)
	if err != nil || len(recs) > 0 {
		return recs, err
	}
	if _, last := s.out.Bounds(queryID); after > last {
		// A position from another store or a reset one.
		return nil, outbox.ErrCompacted
	}
	if _, deleted := s.deleted.Load(queryID); deleted {
		// The query was deleted: readers learn it from the snapshot they
		// then ask for (not found), and a query created again under the
		// name continues the numbering after its last event.
		return nil, outbox.ErrCompacted
	}
	return nil, nil
}

// Snapshot implements reactions.Feed.
func (s *Server) Snapshot(ctx context.Context, queryID string) (outbox.Record, error) {
	var rec outbox.Record
	var rerr error
	err := s.do(ctx, func() {
		qe := s.queries[queryID]
		if qe == nil {
			rerr = reactions.ErrNotFound
			return
		}
		ev := s.snapshotEvent(qe)
		data, err := ev.MarshalJSON()
		if err != nil {
			rerr = err
			return
		}
		rec = outbox.Record{QueryID: queryID, Seq: ev.Sequence, Kind: outbox.KindSnapshot, Data: data}
	})
	if err != nil {
		return rec, err
	}
	return rec, rerr
}

// snapshotEvent is the query's current result and the sequence it is
// consistent with; actor only.
func (s *Server) snapshotEvent(qe *queryEntry) *outbox.Event {
	_, last := s.out.Bounds(qe.res.Name)
	ev := &outbox.Event{Kind: outbox.KindSnapshot, QueryID: qe.res.Name, Sequence: last, SourceTimeMs: s.eng.Now().UnixMilli()}
	if qe.q != nil {
		ev.Columns = qe.q.Columns()
		ev.Results = rowMaps(ev.Columns, qe.q.Results())
	}
	return ev
}

// Source returns a running source by name (nil if there is none), e.g. for
// the built-in generator to feed the HTTP source in process.
func (s *Server) Source(name string) sources.Source {
	s.hmu.RLock()
	defer s.hmu.RUnlock()
	return s.handlers[name].src
}

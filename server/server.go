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
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/vigilhq/vigil/durable"
	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
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
	// Sources are the source kinds the server can build (nil: none; a
	// source resource then reports its kind unknown). cmd/vigil registers
	// the kinds Vigil ships with.
	Sources *sources.Registry
	// Reactions are the reaction kinds the server can build (nil: none; a
	// reaction resource then reports its kind unknown). cmd/vigil registers
	// the kinds Vigil ships with.
	Reactions *reactions.Registry
	// Routes are extra endpoints the program adds (a plugin's API, such as
	// the circuit breakers' /v1/breakers), served behind the same token,
	// readiness gate and error shape as the server's own.
	Routes []Route
	// Collectors are extra Prometheus collectors served at /metrics with
	// the server's own families (a plugin's metrics).
	Collectors []prometheus.Collector
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
	// QueryWorkers is how many queries one change may run at once when it
	// reaches several (engine.Options.Workers; 0 and 1: one at a time).
	QueryWorkers int
	// StoreAllResults keeps every query's result rows, also those the
	// engine would solve again when read (engine.Options.StoreAllResults).
	StoreAllResults bool
	// Start is the engine clock before the first change of a new store
	// (default: now).
	Start time.Time
}

// Route is an extra endpoint: a net/http ServeMux pattern such as
// "GET /v1/breakers/{key}" and its handler.
type Route struct {
	Pattern string
	Handler http.Handler
	// OwnAuth routes check credentials themselves (the MCP endpoints take
	// the server's token or a reaction's own): the server does not require
	// its token on them, and leaves their answers as they are written
	// (the MCP SDK's error bodies are part of its protocol).
	OwnAuth bool
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
	if opts.Sources == nil {
		opts.Sources = sources.NewRegistry()
	}
	if opts.Reactions == nil {
		opts.Reactions = reactions.NewRegistry()
	}
	if opts.MaxBatchChanges <= 0 {
		opts.MaxBatchChanges = 1000
	}
	if opts.Start.IsZero() {
		opts.Start = time.Now().Round(0)
	}
	var log store.Log // nil: a memory log that keeps no records
	if opts.Store != nil {
		log = opts.Store
	}
	host, err := durable.Open(durable.Options{Log: log, Start: opts.Start, SnapshotEvery: opts.SnapshotEvery, Workers: opts.QueryWorkers, StoreAllResults: opts.StoreAllResults})
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts: opts, log: opts.Logger, out: host.Outbox(), m: newMetrics(opts.Collectors...),
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

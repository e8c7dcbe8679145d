package server

// The resource lifecycle: applying and deleting sources, continuous
// queries and reactions, each entry with its state and last error.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/vigilhq/vigil/durable"
	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/resources"
	"github.com/vigilhq/vigil/sources"
)

// state is where a resource is in its life, as the API shows it. A
// running source or reaction reports finer states of its own (bootstrapping,
// retrying, failing).
type state string

const (
	stateRunning state = "running" // set up and running
	stateError   state = "error"   // could not be set up (configuration, compile), or a query stopped by a runtime error
	stateFailed  state = "failed"  // was running and stopped on its own: its Run returned an error
)

// String returns the state's name.
func (s state) String() string { return string(s) }

// life is what every resource entry keeps: its resource, where it is, and
// why when it is not running.
type life struct {
	res     *resources.Resource
	state   state
	err     error // why the state is error or failed; nil while running
	created time.Time
}

func newLife(r *resources.Resource) life {
	return life{res: r, state: stateRunning, created: time.Now()}
}

// fail moves the entry to st for err, and returns err.
func (l *life) fail(st state, err error) error {
	l.state, l.err = st, err
	return err
}

// running reports whether the entry is set up and has not failed.
func (l *life) running() bool { return l.state == stateRunning }

// errText is the last error's message ("" while running).
func (l *life) errText() string {
	if l.err == nil {
		return ""
	}
	return l.err.Error()
}

// sourceRef is what the HTTP request goroutines see of a source.
type sourceRef struct {
	src  sources.Source // nil when the resource is in error
	kind string
	err  error // why it is in error
}

type sourceEntry struct {
	life
	src      sources.Source
	cancel   context.CancelFunc
	position []byte
}

type queryEntry struct {
	life
	q *engine.Query
}

type reactionEntry struct {
	life
	r      reactions.Reaction
	cancel context.CancelFunc
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

// errFile returns the file a resource error is in ("" when unknown).
func errFile(err error) string {
	var re *resources.Error
	if errors.As(err, &re) {
		return re.File
	}
	return ""
}

// locate places an error at its resource. A factory's error comes wrapped
// in its registry's ConfigError and a query's runtime error in a
// QueryError, each naming the resource that the location names again, so
// the location takes the error they wrap.
func locate(r *resources.Resource, err error) error {
	var rc *reactions.ConfigError
	var sc *sources.ConfigError
	var qe *engine.QueryError
	switch {
	case errors.As(err, &rc):
		err = rc.Err
	case errors.As(err, &sc):
		err = sc.Err
	case errors.As(err, &qe):
		err = qe.Err
	}
	return &resources.Error{File: r.File, Line: r.Line, Kind: r.Kind, Name: r.Name, Reason: err.Error()}
}

func (s *Server) applySource(r *resources.Resource) (string, error) {
	action := "created"
	var prevPos []byte
	if old := s.sources[r.Name]; old != nil {
		// A source that stopped on its own is left alone too: applying
		// the same resource again is not a restart.
		if old.res.Raw == r.Raw && old.state != stateError {
			return "unchanged", nil
		}
		prevPos = old.position
		s.stopSource(r.Name)
		action = "updated"
	}
	e := &sourceEntry{life: newLife(r)}
	s.sources[r.Name] = e
	src, err := s.opts.Sources.New(r.Source.Kind, r.Name, r.Source.Properties)
	if err != nil {
		e.fail(stateError, locate(r, err))
		s.setHandler(r.Name, sourceRef{kind: r.Source.Kind, err: e.err})
		return action, e.err
	}
	e.src = src
	ctx, cancel := context.WithCancel(s.ctx)
	e.cancel = cancel
	s.setHandler(r.Name, sourceRef{src: src, kind: r.Source.Kind})
	emit := s.emitFor(e)
	from, err := s.host.Checkpoint(r.Name)
	if err != nil {
		return action, e.fail(stateError, locate(r, err))
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
			s.log.Error("source stopped", "source", r.Name, "err", err)
			select {
			case s.cmds <- func() { e.fail(stateFailed, err) }:
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
	// old is the result the query's stream readers hold from an earlier
	// definition: the new registration retracts it as it adds its own.
	var old *oldResult
	replacing := false
	if prev := s.queries[r.Name]; prev != nil {
		if prev.res.Raw == r.Raw && prev.running() {
			return "unchanged", nil
		}
		if prev.q != nil {
			old = &oldResult{s.host.Columns(prev.q), prev.q.Results()}
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
			old = &oldResult{s.host.Columns(restored), restored.Results()}
			replacing = true
			action = "updated"
		}
	} else if cols, rows, ok := s.host.StoredResult(r.Name); ok {
		// In the store but not restorable (its stored state does not fit
		// this build): its stream's readers hold the rows it had.
		old = &oldResult{outbox.NewColumns(cols), rows}
		action = "updated"
	}
	qe := &queryEntry{life: newLife(r)}
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
		now := s.eng.Now()
		evs := []*outbox.Event{outbox.Control(r.Name, outbox.SignalBootstrapStarted, "", now)}
		if rows := q.Results(); len(rows) > 0 || old != nil {
			evs = append(evs, old.retract(&outbox.Event{Kind: outbox.KindChange, QueryID: r.Name, SourceTimeMs: now.UnixMilli(),
				Columns: s.host.Columns(q), Added: rows}))
		}
		if q.Err() != nil {
			return append(evs, outbox.Control(r.Name, outbox.SignalStopped, locate(r, q.Err()).Error(), now))
		}
		return append(evs,
			outbox.Control(r.Name, outbox.SignalBootstrapCompleted, "", now),
			outbox.Control(r.Name, outbox.SignalRunning, "", now))
	}
	// A definition that fails (it does not compile, or names a source that
	// does not exist) leaves a stream that says so: bootstrapStarted, the
	// old rows retracted, stopped with the error; committed in the step
	// that removes the old definition, if there is one.
	var published []*outbox.Event
	failed := func(err error) []*outbox.Event {
		now := s.eng.Now()
		evs := []*outbox.Event{outbox.Control(r.Name, outbox.SignalBootstrapStarted, "", now)}
		if old != nil {
			evs = append(evs, old.retract(&outbox.Event{Kind: outbox.KindChange, QueryID: r.Name, SourceTimeMs: now.UnixMilli()}))
		}
		published = append(evs, outbox.Control(r.Name, outbox.SignalStopped, queryError(r, err).Error(), now))
		return published
	}
	switch {
	case err != nil:
	case replacing:
		q, err = s.host.ReplaceQuery(spec, events, failed)
	default:
		q, changed, err = s.host.AddQuery(spec, events)
	}
	if err != nil {
		qe.fail(stateError, queryError(r, err))
		if published == nil {
			if rerr := s.host.RemoveQuery(r.Name, failed(err)...); rerr != nil {
				s.stopFatal(rerr)
			}
		}
		s.count(published)
		s.broadcast()
		return action, qe.err
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
		return action, qe.fail(stateError, locate(r, q.Err()))
	}
	return action, nil
}

// oldResult is a query's result under an earlier definition, which its
// stream's readers still hold.
type oldResult struct {
	columns *outbox.Columns
	rows    []engine.Row
}

// retract makes ev delete the old rows (under their own columns); with no
// old result it returns ev as it is.
func (o *oldResult) retract(ev *outbox.Event) *outbox.Event {
	if o != nil {
		ev.Deleted, ev.DeletedColumns = o.rows, o.columns
	}
	return ev
}

func (s *Server) applyReaction(r *resources.Resource) (string, error) {
	action := "created"
	if old := s.reactions[r.Name]; old != nil {
		if old.res.Raw == r.Raw && old.state != stateError {
			return "unchanged", nil
		}
		if old.cancel != nil {
			old.cancel()
		}
		action = "updated"
	}
	e := &reactionEntry{life: newLife(r)}
	s.reactions[r.Name] = e
	rx, err := s.opts.Reactions.New(r.Reaction.Kind, r.Name, r.Reaction.Queries, r.Reaction.Properties)
	if err != nil {
		return action, e.fail(stateError, locate(r, err))
	}
	e.r = rx
	ctx, cancel := context.WithCancel(s.ctx)
	e.cancel = cancel
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		if err := rx.Run(ctx, s); err != nil && ctx.Err() == nil {
			s.log.Error("reaction stopped", "reaction", r.Name, "err", err)
			select {
			case s.cmds <- func() { e.fail(stateFailed, err) }:
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
				// A reaction whose effects outlive the process on
				// purpose undoes them now that its resource is gone (not
				// when the server merely stops).
				if rm, ok := re.r.(reactions.Remover); ok {
					s.workers.Add(1)
					go func() {
						defer s.workers.Done()
						if err := rm.Remove(); err != nil {
							s.log.Error("removing a deleted reaction's effects", "reaction", name, "err", err)
						}
					}()
				}
			}
		}
		if found {
			s.log.Info("resource deleted", "kind", kind, "name", name)
			s.broadcast()
		}
	})
	return found, err
}

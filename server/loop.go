package server

// The loop: one goroutine, the actor, owns the engine and runs everything
// that touches it in order: closures from the API and the lifecycle (do),
// source batches grouped into one step and one commit (applyPending), and
// the scheduler's wake-ups for futures that fall due (rearm, fire). After
// each step publish accounts for its events and wakes the readers.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/sources"
)

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
	// A query that failed during the step has its stopped event among the
	// step's events (the host committed it with the step).
	for id, qe := range s.queries {
		if qe.running() && qe.q != nil && qe.q.Err() != nil {
			qe.fail(stateError, qe.q.Err())
			var ie *engine.InternalError
			if errors.As(qe.q.Err(), &ie) {
				s.log.Error("query stopped by an internal error", "query", id, "err", qe.err, "stack", ie.Stack)
			} else {
				s.log.Error("query failed", "query", id, "err", qe.err)
			}
		}
	}
	s.broadcast()
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

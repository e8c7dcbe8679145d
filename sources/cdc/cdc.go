// Package cdc holds what the change-data-capture sources (PostgreSQL
// logical replication, the MySQL/MariaDB binlog) share once the protocol is
// read: the Run loop that bootstraps or resumes and retries with backoff,
// the transaction a source assembles from row events, and the set of ids a
// source has committed, which turns a TRUNCATE (naming no rows) into one
// delete per row. Each source keeps its protocol in its own package and
// hands this package rows as engine elements and positions as strings.
package cdc

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/sources"
)

// Core is the state a CDC source keeps beside its configuration: its name,
// the status the API reads, and the ids it has committed. Create it with
// New; a source holds it by pointer because the Tracker must not be copied.
type Core struct {
	// Name is the source's resource name, stamped on every batch and change.
	Name string
	// Tracker holds the Status the API reads while Run updates it.
	Tracker sources.Tracker
	// Seed is the server's view of which ids exist, given (through
	// sources.IDSeeder) before a resumed Run; nil makes SeedKnown read the
	// tables instead.
	Seed sources.KnownIDs
	// Known holds, per table, the ids the server has committed from this
	// source. Only Run's goroutine touches it.
	Known Known
	// unfinished holds every id emitted by bootstraps of this Run that did
	// not complete: the server may hold any of them, so the bootstrap that
	// completes deletes those its snapshot lacks.
	unfinished Known
}

// New returns the core of a source named name, in state "starting" so that
// the API shows the source before Run is called.
func New(name string) *Core {
	c := &Core{Name: name, Known: Known{}}
	c.Tracker.SetState("starting", nil)
	return c
}

// Resume is what survives reconnects within one Run: where the stream
// stands and whether the source still has to bootstrap or load its known
// ids. P is the source's position type.
type Resume[P fmt.Stringer] struct {
	// Pos is the position after the last committed (emitted) transaction.
	Pos P
	// Resumed reports that Pos is valid: stream from it, do not bootstrap.
	Resumed bool
	// NeedSeed reports that Known must be loaded (SeedKnown) before
	// streaming, as after a resume the ids emitted earlier are not in
	// memory.
	NeedSeed bool
}

// Bootstrapped records that a bootstrap reached pos: the stream starts
// there, and Known was filled by the bootstrap itself.
func (r *Resume[P]) Bootstrapped(pos P) {
	r.Pos, r.Resumed, r.NeedSeed = pos, true, false
}

// Run is the body of a CDC source's sources.Source.Run. With from non-nil it
// resumes after the position parse reads from it (a parse error fails the
// source: a stored position that does not parse cannot be retried away).
// It then calls session, one connection's worth of work, until ctx ends or
// session returns a sources.PermanentError. Other errors set the state
// "retrying" with the error and are retried after a backoff that restarts
// whenever a session made progress (emitted something), so a source that
// keeps working after short outages is not kept waiting 30 s.
//
// Run returns nil when ctx ended (state "stopped") and the permanent error
// otherwise (state "failed").
func Run[P fmt.Stringer](ctx context.Context, c *Core, from []byte, parse func([]byte) (P, error), session func(context.Context, *Resume[P]) (progressed bool, err error)) error {
	st := &Resume[P]{}
	if from != nil {
		p, err := parse(from)
		if err != nil {
			c.Tracker.SetState("failed", err)
			return err
		}
		st.Pos, st.Resumed, st.NeedSeed = p, true, true
		c.Tracker.Position(p.String())
	}
	c.Tracker.SetState("starting", nil)
	var bo sources.Backoff
	for {
		progressed, err := session(ctx, st)
		if ctx.Err() != nil {
			c.Tracker.SetState("stopped", nil)
			return nil
		}
		var pe *sources.PermanentError
		if errors.As(err, &pe) {
			c.Tracker.SetState("failed", err)
			return err
		}
		if progressed {
			bo.Reset()
		}
		c.Tracker.SetState("retrying", err)
		if !bo.Wait(ctx) {
			c.Tracker.SetState("stopped", nil)
			return nil
		}
	}
}

// SchemaChanged reports that a followed table's columns changed (diff says
// how). With fail (the source's `schemaChanges: fail`) it returns the
// permanent error that stops the source, prefixed with where (the server,
// as the source names it in errors); otherwise it records a notice and
// returns nil, and the source follows the new schema.
func (c *Core) SchemaChanged(fail bool, where, table, diff string) error {
	if fail {
		return sources.Permanent(fmt.Errorf("%s: table %s changed schema (%s); the source is configured with schemaChanges: fail — reset it to bootstrap with the new schema", where, table, diff))
	}
	c.Tracker.Notice(fmt.Sprintf("table %s changed schema (%s); following it (schemaChanges: fail stops instead)", table, diff))
	return nil
}

package cdc

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/sources"
)

// Snapshot emits a bootstrap: the rows of a consistent snapshot as insert
// batches of at most a configured size, all stamped with the time the
// bootstrap started, the last one Done and carrying the position the
// stream takes over from. Start it with Core.Bootstrap.
type Snapshot struct {
	c     *Core
	ctx   context.Context
	emit  sources.Emit
	size  int
	now   time.Time
	prev  Known
	batch []engine.Change
}

// Bootstrap starts a snapshot that emits through emit in batches of size
// changes. Known starts over: it is filled with the rows the snapshot
// reads, and the ids earlier, interrupted bootstraps of this Run emitted
// (all of them, not only the last one's: a second attempt that failed
// early read fewer rows than the first emitted) are kept aside so that Done
// can delete those gone from the new snapshot.
func (c *Core) Bootstrap(ctx context.Context, emit sources.Emit, size int) *Snapshot {
	prev := c.unfinished
	if prev == nil {
		prev = Known{}
	}
	for table, ids := range c.Known {
		set := prev[table]
		if set == nil {
			set = map[string]struct{}{}
			prev[table] = set
		}
		for id := range ids {
			set[id] = struct{}{}
		}
	}
	c.unfinished = prev
	s := &Snapshot{c: c, ctx: ctx, emit: emit, size: size, now: time.Now(), prev: prev}
	c.Known = Known{}
	return s
}

// Add emits (in its turn) the row el of table as an insert.
func (s *Snapshot) Add(table string, el engine.Element) error {
	set := s.c.Known[table]
	if set == nil {
		set = map[string]struct{}{}
		s.c.Known[table] = set
	}
	set[el.ID] = struct{}{}
	s.batch = append(s.batch, engine.Change{Op: engine.OpInsert, Element: el, Time: s.now, Source: s.c.Name})
	if len(s.batch) >= s.size {
		return s.flush(false, "")
	}
	return nil
}

// Done ends the bootstrap at pos, the position the stream starts from:
// it deletes what an interrupted earlier bootstrap emitted and the new
// snapshot lacks, emits the last batch (Done, with pos) and records pos
// in the status.
func (s *Snapshot) Done(pos string) error {
	// In table and id order, so that a bootstrap's batches are the same
	// for the same tables.
	for _, table := range slices.Sorted(maps.Keys(s.prev)) {
		for _, id := range slices.Sorted(maps.Keys(s.prev[table])) {
			if _, ok := s.c.Known[table][id]; !ok {
				s.batch = append(s.batch, deleteChange(table, id, s.now, s.c.Name))
			}
		}
	}
	if err := s.flush(true, pos); err != nil {
		return err
	}
	s.c.unfinished = nil
	s.c.Tracker.Position(pos)
	return nil
}

// flush emits the pending changes; only the last batch has a position,
// since the server may resume only after a complete snapshot.
func (s *Snapshot) flush(done bool, pos string) error {
	b := engine.Batch{Source: s.c.Name, Changes: s.batch, Time: s.now, Bootstrap: true, Done: done}
	if done {
		b.Position = []byte(pos)
	}
	if err := s.emit(s.ctx, b); err != nil {
		return fmt.Errorf("emit: %w", err)
	}
	s.c.Tracker.Emitted(len(s.batch), "")
	s.batch = nil
	return nil
}

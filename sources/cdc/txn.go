package cdc

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/sources"
)

// Known holds, per table (the element label), the ids of the rows the
// server has committed from a source. A TRUNCATE names no rows, so this is
// how a source turns one into deletes.
type Known map[string]map[string]struct{}

// IDs lists the ids of table as of this point in tx (nil: between
// transactions), sorted so that the deletes a truncate emits are in a
// stable order.
func (k Known) IDs(tx *Txn, table string) []string {
	var out []string
	var ov map[string]bool
	if tx != nil {
		ov = tx.overlay[table]
	}
	for id := range k[table] {
		if present, ok := ov[id]; !ok || present {
			out = append(out, id)
		}
	}
	for id, present := range ov {
		if _, ok := k[table][id]; present && !ok {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// merge applies a committed transaction's effect on the ids.
func (k Known) merge(tx *Txn) {
	for table, m := range tx.overlay {
		set := k[table]
		if set == nil {
			set = map[string]struct{}{}
			k[table] = set
		}
		for id, present := range m {
			if present {
				set[id] = struct{}{}
			} else {
				delete(set, id)
			}
		}
	}
}

// Txn collects one source transaction's changes. It records their effect
// on the known ids in an overlay rather than in Known, because the
// transaction may never be committed (emit fails, the connection drops)
// and Known must then still be what the server holds.
type Txn struct {
	// Time is the transaction's commit time, stamped on its changes.
	Time time.Time
	// Changes are the transaction's changes in log order.
	Changes []engine.Change

	source  string
	overlay map[string]map[string]bool // table → id → present after tx
}

// Begin starts a transaction committed at t.
func (c *Core) Begin(t time.Time) *Txn { return &Txn{Time: t, source: c.Name} }

func (tx *Txn) mark(table, id string, present bool) {
	if tx.overlay == nil {
		tx.overlay = map[string]map[string]bool{}
	}
	m := tx.overlay[table]
	if m == nil {
		m = map[string]bool{}
		tx.overlay[table] = m
	}
	m[id] = present
}

// Insert adds an inserted row of table.
func (tx *Txn) Insert(table string, el engine.Element) {
	tx.Changes = append(tx.Changes, engine.Change{Op: engine.OpInsert, Element: el, Time: tx.Time, Source: tx.source})
	tx.mark(table, el.ID, true)
}

// Update adds an updated row of table; oldID is its id before the update,
// or "" when the log did not carry the old key. A changed key is another
// node to the graph, so it becomes a delete of the old id and an insert.
func (tx *Txn) Update(table, oldID string, el engine.Element) {
	if oldID != "" && oldID != el.ID {
		tx.Changes = append(tx.Changes, deleteChange(table, oldID, tx.Time, tx.source),
			engine.Change{Op: engine.OpInsert, Element: el, Time: tx.Time, Source: tx.source})
		tx.mark(table, oldID, false)
	} else {
		tx.Changes = append(tx.Changes, engine.Change{Op: engine.OpUpdate, Element: el, Time: tx.Time, Source: tx.source})
	}
	tx.mark(table, el.ID, true)
}

// Delete adds the deletion of the row of table with id.
func (tx *Txn) Delete(table, id string) {
	tx.Changes = append(tx.Changes, deleteChange(table, id, tx.Time, tx.source))
	tx.mark(table, id, false)
}

// Truncate adds a delete for every row of table that exists at this point
// of tx: the committed ids, less those tx deleted, plus those it inserted.
func (c *Core) Truncate(tx *Txn, table string) {
	for _, id := range c.Known.IDs(tx, table) {
		tx.Delete(table, id)
	}
}

// Commit emits a finished transaction as one batch with the resume
// position pos and commit time t, then merges its effect into Known and
// counts it in the status. A nil or empty transaction (one that touched no
// followed row) emits nothing and reports false; the caller still advances
// its position.
func (c *Core) Commit(ctx context.Context, emit sources.Emit, tx *Txn, pos string, t time.Time) (bool, error) {
	if tx == nil || len(tx.Changes) == 0 {
		return false, nil
	}
	b := engine.Batch{Source: c.Name, Changes: tx.Changes, Position: []byte(pos), Time: t}
	if err := emit(ctx, b); err != nil {
		return false, fmt.Errorf("emit: %w", err)
	}
	c.Known.merge(tx)
	c.Tracker.Emitted(len(tx.Changes), pos)
	return true, nil
}

// SeedKnown loads the ids a TRUNCATE will need after a resume, for each of
// tables: from Seed (the server's view, exact at the resume position) when
// the server offered it, otherwise through read, which passes add every id
// the table holds now (missing rows truncated since the checkpoint).
func (c *Core) SeedKnown(tables []string, read func(table string, add func(id string)) error) error {
	c.Known = Known{}
	for _, name := range tables {
		set := map[string]struct{}{}
		c.Known[name] = set
		if c.Seed != nil {
			for _, id := range c.Seed(name) {
				set[id] = struct{}{}
			}
			continue
		}
		if err := read(name, func(id string) { set[id] = struct{}{} }); err != nil {
			return err
		}
	}
	return nil
}

// deleteChange is the change that deletes the node id of label table; a
// delete needs only the id and label.
func deleteChange(table, id string, t time.Time, src string) engine.Change {
	return engine.Change{Op: engine.OpDelete, Element: engine.Element{ID: id, Labels: []string{table}}, Time: t, Source: src}
}

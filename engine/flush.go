package engine

import (
	"cmp"
	"slices"

	"github.com/vigilhq/vigil/engine/value"
)

// flush closes a step: every query's pending deltas become its diff.
func (e *Engine) flush() []Diff {
	ds := e.diffs[:0]
	qs := e.touched
	if e.opts.visitAll {
		qs = e.queries
	} else if len(qs) > 1 {
		// In registration order, as the diffs always came.
		slices.SortFunc(qs, func(a, b *Query) int { return cmp.Compare(a.order, b.order) })
	}
	for _, q := range qs {
		q.touched = false
		if d := flushGuarded(q); !d.Empty() {
			ds = append(ds, d)
		}
	}
	clear(e.touched)
	e.touched = e.touched[:0]
	e.diffs = ds
	if len(ds) == 0 {
		return nil
	}
	out := e.ownDiffs(ds)
	// Drop the scratch's references to rows (deleted rows would otherwise
	// stay reachable until overwritten).
	for i := range ds {
		clear(ds[i].Added)
		clear(ds[i].Updated)
		clear(ds[i].Deleted)
	}
	clear(ds)
	for i := range out {
		for _, fn := range e.subs {
			fn(out[i])
		}
	}
	return out
}

// ownDiffs copies the queries' scratch diffs into memory the caller owns
// (callers keep the diffs Apply returns). The common step — one query, one
// row updated, added or deleted — takes its diff from a slab of such
// diffs, allocated diffSlab at a time: never reused, so the caller owns it,
// and one allocation per diffSlab steps instead of one per step. A diff the
// caller keeps holds its slab, and so the rows of up to diffSlab-1 other
// steps' diffs, alive: a few kilobytes.
func (e *Engine) ownDiffs(ds []Diff) []Diff {
	if len(ds) == 1 {
		d := ds[0]
		single := len(d.Updated) == 1 && len(d.Added) == 0 && len(d.Deleted) == 0
		if single || (len(d.Updated) == 0 && len(d.Added)+len(d.Deleted) == 1) {
			if len(e.slab) == 0 {
				e.slab = make([]oneDiff, diffSlab)
			}
			x := &e.slab[0]
			e.slab = e.slab[1:]
			x.d[0].QueryID = d.QueryID
			switch {
			case single:
				x.u[0] = d.Updated[0]
				x.d[0].Updated = x.u[:]
			case len(d.Added) == 1:
				x.r[0] = d.Added[0]
				x.d[0].Added = x.r[:]
			default:
				x.r[0] = d.Deleted[0]
				x.d[0].Deleted = x.r[:]
			}
			return x.d[:]
		}
	}
	out := make([]Diff, len(ds))
	for i, d := range ds {
		out[i] = Diff{QueryID: d.QueryID}
		if len(d.Added) > 0 {
			out[i].Added = append([]Row(nil), d.Added...)
		}
		if len(d.Updated) > 0 {
			out[i].Updated = append([]Update(nil), d.Updated...)
		}
		if len(d.Deleted) > 0 {
			out[i].Deleted = append([]Row(nil), d.Deleted...)
		}
	}
	return out
}

// oneDiff is the memory of a one-row step's diff.
type oneDiff struct {
	d [1]Diff
	u [1]Update
	r [1]Row
}

// diffSlab is how many one-row diffs one allocation makes room for.
const diffSlab = 32

// flushGuarded closes q's step.
func flushGuarded(q *Query) (d Diff) {
	defer contain(q)
	return q.flush()
}

// flush turns the step's pending deltas into the query's net diff: rows of
// one identity removed and added become updates; an OPTIONAL MATCH's null
// row and the match that replaces it (or that it replaces) pair up too.
//
// The returned diff's slices are the query's scratch, valid until the next
// flush: Engine.flush copies them into memory the caller owns.
func (q *Query) flush() Diff {
	d := &q.diff
	*d = Diff{QueryID: q.id, Added: reuse(d.Added), Updated: reuse(d.Updated), Deleted: reuse(d.Deleted)}
	if len(q.pending) == 0 {
		return *d
	}
	if len(q.pending) == 2 && q.flushReplace(d) {
		q.dropPending()
		return *d
	}
	net := consolidate(q.pending)
	// net shares q.pending's array: it is emptied once net is read.
	defer q.dropPending()
	// Rows of one identity removed and added are updates. The net delta of
	// a step is small, so pairing scans instead of hashing.
	var dels, adds []*row
	// Additions before deletions: an updated row's bag slot is reused
	// instead of emptied, deleted from the map and allocated again.
	for _, x := range net {
		if x.w > 0 && !q.derived {
			q.result.add(x.r.id, x.r, x.w)
		}
	}
	for _, x := range net {
		if q.derived {
			q.count += x.w
		} else if x.w < 0 {
			q.result.add(x.r.id, x.r, x.w)
		}
		for k := 0; k < x.w; k++ {
			adds = append(adds, x.r)
		}
		for k := 0; k > x.w; k-- {
			dels = append(dels, x.r)
		}
	}
	if len(dels) > 0 && len(adds) > 0 {
		if len(dels)*len(adds) > 4096 {
			dels, adds = q.pairByMap(d, dels, adds)
		} else {
			paired := make([]bool, len(adds))
			n := 0
			for _, del := range dels {
				matched := false
				for i, add := range adds {
					if !paired[i] && add.id == del.id {
						paired[i], matched = true, true
						d.addUpdate(q.visible(del), q.visible(add))
						break
					}
				}
				if !matched {
					dels[n] = del
					n++
				}
			}
			dels = dels[:n]
			n = 0
			for i, add := range adds {
				if !paired[i] {
					adds[n] = add
					n++
				}
			}
			adds = adds[:n]
		}
	}
	// Pair an OPTIONAL MATCH null row with the match replacing it.
	paired := make([]bool, len(adds))
	for _, del := range dels {
		matched := false
		for i, add := range adds {
			if !paired[i] && add.pair == del.pair && add.nulls != del.nulls {
				paired[i], matched = true, true
				d.addUpdate(q.visible(del), q.visible(add))
				break
			}
		}
		if !matched {
			d.Deleted = append(d.Deleted, q.visible(del))
		}
	}
	for i, add := range adds {
		if !paired[i] {
			d.Added = append(d.Added, q.visible(add))
		}
	}
	return *d
}

// flushReplace closes the common step of a row replaced by another of the
// same identity (an element update seen by a plain projection) with one
// comparison of the two rows instead of three (consolidate's, the result
// bag's and the update pairing's), and the result's entry overwritten in
// place. It reports false, having done nothing, for any other step, which
// the general path handles; for this one it does what that path does:
// identical rows cancel; otherwise the result's entry for the old row now
// holds the new one, and an update is reported unless the visible values
// are the same content.
func (q *Query) flushReplace(d *Diff) bool {
	del, add := q.pending[0], q.pending[1]
	if del.w > 0 {
		del, add = add, del
	}
	if del.w != -1 || add.w != 1 || del.r.id != add.r.id || del.r.nulls > 0 || add.r.nulls > 0 ||
		len(del.r.values()) != len(add.r.values()) {
		return false
	}
	// identical: every value Identical (consolidate's and the bag's test);
	// visible: the returned columns SameContent (addUpdate's). Identical
	// implies SameContent, and on values without elements (numbers,
	// strings, booleans) the two are the same test. The first difference
	// in content answers both.
	a, b := del.r.values(), add.r.values()
	identical, visible := true, true
	for i := range a {
		if a[i].Kind() != b[i].Kind() || !value.SameContent(a[i], b[i]) {
			// Hidden columns (sort keys) follow the returned ones, so
			// every returned column before i is the same content.
			identical, visible = false, i >= len(q.columns)
			break
		}
		if identical && carriesElements(a[i].Kind()) && !value.Identical(a[i], b[i]) {
			identical = false
		}
	}
	if identical {
		return true
	}
	if !q.derived && !q.result.replaceOne(del.r.id, del.r, add.r) {
		// As the general path: additions first.
		q.result.add(add.r.id, add.r, 1)
		q.result.add(del.r.id, del.r, -1)
	}
	if !visible {
		d.Updated = append(d.Updated, Update{Before: q.visible(del.r), After: q.visible(add.r)})
	}
	return true
}

// carriesElements reports whether values of kind k may hold nodes or
// relationships, whose change times Identical compares and SameContent
// does not.
func carriesElements(k value.Kind) bool {
	switch k {
	case value.KindNode, value.KindRel, value.KindList, value.KindMap, value.KindPath:
		return true
	}
	return false
}

// dropPending empties the step's deltas, letting go of their rows: the
// array outlives the step, and a derived query's rows must not stay
// reachable through it (nor, through them, their slab chunks).
func (q *Query) dropPending() {
	clear(q.pending)
	q.pending = reuse(q.pending)
}

// reuse empties a scratch slice for the next step, or lets it go when a
// big step (a bootstrap) grew it: its array is not worth keeping.
func reuse[T any](s []T) []T {
	if cap(s) > 64 {
		return nil
	}
	clear(s) // what the last step held is the caller's now, not ours to pin
	return s[:0]
}

// pairByMap pairs deletions and additions of one identity as updates for
// large steps (a bootstrap, a big batch) and returns the unpaired rest.
func (q *Query) pairByMap(d *Diff, dels, adds []*row) ([]*row, []*row) {
	byID := map[uint64][]*row{}
	for _, r := range adds {
		byID[r.id] = append(byID[r.id], r)
	}
	var restDels []*row
	for _, del := range dels {
		if as := byID[del.id]; len(as) > 0 {
			d.addUpdate(q.visible(del), q.visible(as[0]))
			byID[del.id] = as[1:]
			continue
		}
		restDels = append(restDels, del)
	}
	var restAdds []*row
	for _, r := range adds {
		if as := byID[r.id]; len(as) > 0 && as[0] == r {
			restAdds = append(restAdds, r)
			byID[r.id] = as[1:]
		}
	}
	return restDels, restAdds
}

func (q *Query) visible(r *row) Row {
	if len(r.values()) > len(q.columns) {
		return Row(r.values()[:len(q.columns)])
	}
	return Row(r.values())
}

// addUpdate records an update unless the visible values did not change (a
// change to something the query reads but does not return).
func (d *Diff) addUpdate(before, after Row) {
	if len(before) == len(after) {
		same := true
		for i := range before {
			if before[i].Kind() != after[i].Kind() || !value.SameContent(before[i], after[i]) {
				same = false
				break
			}
		}
		if same {
			return
		}
	}
	d.Updated = append(d.Updated, Update{Before: before, After: after})
}

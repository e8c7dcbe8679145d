package engine

import (
	"fmt"

	"github.com/vigilhq/vigil/engine/value"
)

// Query is a registered continuous query.
type Query struct {
	id   string
	spec QuerySpec
	vis  *visibility // the sources, labels and joins it reads
	// readNodes and readRels are the labels and types its patterns name.
	readNodes, readRels []string
	columns             []string
	branches            []*pipeline
	union               *distinctStage // UNION (not ALL): rows are distinct by value
	watchers            []watcher      // stages that see each element change (matches, re-evaluated stages)
	final               *orderStage    // the RETURN's ORDER BY, for ordered Results
	result              *rowBag        // current result rows by identity
	pending             []delta        // output deltas of the current step
	// diff is the scratch the step's diff is built in (its slices reused
	// from flush to flush); Engine.flush copies it out for the caller.
	diff   Diff
	err    error
	tstate map[futureKey]*tstate // temporal functions' per-row state
	sites  map[int]siteRef       // temporal call site -> the stage that owns it
	// readsGraph: an expression reads the graph beyond its row (pattern
	// predicates); such rows are re-evaluated only when they change.
	readsGraph bool
	// oldFrom is the match stage whose lost solutions' rows are taken from
	// the result instead of being recomputed (see oldRowsFromResult).
	oldFrom *matchStage
}

// ID is the query's id.
func (q *Query) ID() string { return q.id }

// Spec is the specification the query was registered with.
func (q *Query) Spec() QuerySpec { return q.spec }

// Columns are the result column names, in order.
func (q *Query) Columns() []string { return q.columns }

// Err is the query's runtime error state: non-nil when an evaluation failed
// (for instance a type error). A failed query emits nothing further.
func (q *Query) Err() error { return q.err }

func (q *Query) fail(err error) {
	q.err = fmt.Errorf("query %q: %w", q.id, err)
	q.pending = nil
}

// Results returns the current result rows: in ORDER BY order when the query
// has one, otherwise in no particular order.
func (q *Query) Results() []Row {
	if q.err != nil {
		return nil
	}
	var out []Row
	if q.final != nil {
		for _, r := range q.final.rows() {
			out = append(out, Row(r.vals[:len(q.columns)]))
		}
		return out
	}
	q.result.each(func(e bagEntry) {
		for k := 0; k < e.w; k++ {
			out = append(out, Row(e.r.vals[:len(q.columns)]))
		}
	})
	return out
}

// Len is the number of result rows.
func (q *Query) Len() int { return q.result.n }

// run pushes one change (or, with in set, the bootstrap input) through every
// branch and collects the output deltas for the step.
func (q *Query) run(c *evalCtx, in []delta) error {
	if in == nil && q.oldFrom != nil {
		q.retractFromResult(q.oldFrom)
	}
	for bi := range q.branches {
		if err := q.runFrom(c, bi, 0, in); err != nil {
			return err
		}
	}
	return nil
}

// runFrom pushes d through branch bi from stage pos on and collects the
// output for the step.
func (q *Query) runFrom(c *evalCtx, bi, pos int, d []delta) error {
	p := q.branches[bi]
	{
		for _, st := range p.stages[pos:] {
			var err error
			if d, err = st.push(c, consolidate(d)); err != nil {
				return err
			}
		}
		if len(q.branches) > 1 {
			// Rows of different branches are different rows.
			for i := range d {
				r := *d[i].r
				r.id, r.pair = mix(r.id, uint64(bi+1)), mix(r.pair, uint64(bi+1))
				d[i].r = &r
			}
		}
		if q.union != nil {
			var err error
			if d, err = q.union.push(c, consolidate(d)); err != nil {
				return err
			}
		}
		q.pending = append(q.pending, d...)
	}
	return nil
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
		q.pending = q.pending[:0]
		return *d
	}
	net := consolidate(q.pending)
	q.pending = q.pending[:0]
	// Rows of one identity removed and added are updates. The net delta of
	// a step is small, so pairing scans instead of hashing.
	var dels, adds []*row
	// Additions before deletions: an updated row's bag slot is reused
	// instead of emptied, deleted from the map and allocated again.
	for _, x := range net {
		if x.w > 0 {
			q.result.add(x.r.id, x.r, x.w)
		}
	}
	for _, x := range net {
		if x.w < 0 {
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
		len(del.r.vals) != len(add.r.vals) {
		return false
	}
	// identical: every value Identical (consolidate's and the bag's test);
	// visible: the returned columns SameContent (addUpdate's). Identical
	// implies SameContent, and on values without elements (numbers,
	// strings, booleans) the two are the same test. The first difference
	// in content answers both.
	a, b := del.r.vals, add.r.vals
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
	es := q.result.m[del.r.id]
	if len(es) == 1 && es[0].w == 1 && (es[0].r == del.r || identicalRows(es[0].r.vals, del.r.vals)) {
		es[0].r = add.r
	} else {
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

// reuse empties a scratch slice for the next step, or lets it go when a
// big step (a bootstrap) grew it: its array is not worth keeping.
func reuse[T any](s []T) []T {
	if cap(s) > 64 {
		return nil
	}
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
	if len(r.vals) > len(q.columns) {
		return Row(r.vals[:len(q.columns)])
	}
	return Row(r.vals)
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

// siteRef locates the stage that owns a temporal call site, so that a fired
// future re-enters the pipeline there.
type siteRef struct {
	branch, pos int
	st          firer
}

// firer is a stage that re-evaluates a row (or group) when its future fires.
type firer interface {
	fire(c *evalCtx, row uint64) ([]delta, error)
	ownSites() []int
}

// locateSites records which stage owns each temporal call site.
func (q *Query) locateSites() {
	for bi, p := range q.branches {
		for pos, st := range p.stages {
			if f, ok := st.(firer); ok {
				for _, s := range f.ownSites() {
					if q.sites == nil {
						q.sites = map[int]siteRef{}
					}
					q.sites[s] = siteRef{branch: bi, pos: pos, st: f}
				}
			}
		}
	}
}

// fire re-evaluates the row of a due future and pushes what changed through
// the rest of its pipeline.
func (q *Query) fire(c *evalCtx, f *future) error {
	ref, ok := q.sites[f.key.site]
	if !ok {
		return nil
	}
	if st := q.tstate[f.key]; st != nil && st.fut == f {
		st.fut = nil
	}
	// Values computed upstream from the clock (datetime.realtime(),
	// another temporal function) are computed again at the due time first,
	// so that the owner sees the row as it is now.
	if err := q.refreshUpstream(c, ref, f.key.row); err != nil {
		return err
	}
	d, err := ref.st.fire(c, f.key.row)
	if err != nil {
		return err
	}
	return q.runFrom(c, ref.branch, ref.pos+1, d)
}

// refreshUpstream re-evaluates, at the current time, the rows that the
// clock-reading stages before the owner of a due future hold for its row,
// and pushes what changed down the pipeline. Where a stage between them
// gives rows a new identity (UNWIND, DISTINCT, aggregation) the row cannot
// be traced back, and every row of the clock-reading stage is re-evaluated.
func (q *Query) refreshUpstream(c *evalCtx, ref siteRef, row uint64) error {
	stages := q.branches[ref.branch].stages
	for u := 0; u < ref.pos; u++ {
		rs, ok := stages[u].(*reevalStage)
		if !ok || !rs.clock {
			continue
		}
		traced := true
		for _, st := range stages[u+1 : ref.pos] {
			traced = traced && keepsRowIdentity(st)
		}
		var d []delta
		var err error
		if traced {
			d, err = rs.fire(c, row)
		} else {
			d, err = rs.fireAll(c)
		}
		if err != nil {
			return err
		}
		if len(d) > 0 {
			if err := q.runFrom(c, ref.branch, u+1, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// keepsRowIdentity reports whether a stage passes each row on under the
// identity it came in with.
func keepsRowIdentity(st stage) bool {
	switch st := st.(type) {
	case *projectStage, *filterStage, *orderStage, *trimStage:
		return true
	case *reevalStage:
		return keepsRowIdentity(st.inner)
	}
	return false
}

package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/engine/value"
)

// snapshotFormat names the layout Snapshot writes; Restore refuses others.
//
// Format 2 keys elements by source and id (value.QualifyID); a format-1
// snapshot keyed them by bare id and cannot be mapped onto sources.
const snapshotFormat = "vigil-engine-state-2"

// Snapshot encodes the engine's whole state: the clock, the element index
// with its history and join postings, every query (its specification and
// the state of each pipeline stage: stored rows, accumulators, sliding
// windows, temporal state) and the future queue. Restore rebuilds from it an
// engine that behaves exactly as this one from here on: the same changes
// give the same diffs, row for row and in the same order.
//
// Call it between steps (not from a Subscribe callback). A query registered
// from an AST without text cannot be snapshotted (its text is what Restore
// compiles).
func (e *Engine) Snapshot() ([]byte, error) {
	s := newStateWriter()
	w := &s.w
	w.Grow(e.snapSize)
	w.String(snapshotFormat)
	w.Uint64(uint64(e.seed))
	w.Time(e.now)
	w.Uvarint(e.seq)
	e.index.save(s)
	w.Uvarint(uint64(len(e.queries)))
	pos := map[*Query]int{}
	for i, q := range e.queries {
		if q.spec.AST != nil && q.spec.Text == "" {
			return nil, fmt.Errorf("query %q: built from an AST without text, it cannot be snapshotted", q.id)
		}
		pos[q] = i
		saveSpec(w, q.spec)
		// A section with its length, so that a restore can skip a query
		// that no longer compiles and still read the others.
		mark := w.Reserve()
		s.resetRows()
		q.save(s)
		w.Fill(mark)
	}
	// Futures of removed queries stay in the queue until due (firing them
	// only moves the clock), so they are kept, as ghosts, to move the
	// clock in the restored engine exactly as here.
	w.Uvarint(uint64(len(e.futures.h)))
	for _, f := range e.futures.h {
		i, live := pos[f.query]
		if !live || e.byID[f.query.id] != f.query {
			i = -1
		}
		w.Int(i)
		w.Int(f.key.site)
		w.Uint64(f.key.row)
		w.Time(f.due)
		w.Uvarint(f.seq)
		linked := false
		if live {
			if st := f.query.tstate[f.key]; st != nil && st.fut == f {
				linked = true
			}
		}
		w.Bool(linked)
	}
	b, err := w.Bytes()
	e.snapSize = len(b) + len(b)/8
	return b, err
}

// Restore builds an engine from a Snapshot. The engine hashes with the seed
// the snapshot was written with, since its state is keyed by those hashes;
// other engines in the process keep their own. A query that no longer compiles (a stricter parser after
// an upgrade), or whose stored state does not fit the plan this build
// compiles, is left out and reported in skipped, with its result as the
// snapshot held it (so that whoever registers it again can retract those
// rows from its stream); the others are restored. A snapshot that is
// truncated, corrupted or of another format is an error.
// opts.Start is ignored (the clock is the snapshot's); Subscribe callbacks
// are not state and must be registered again.
func Restore(b []byte, opts Options) (e *Engine, skipped []SkippedQuery, err error) {
	defer func() {
		// Decoding is bounds-checked, but a snapshot that decodes into
		// inconsistent structures must still not take the process down.
		if p := recover(); p != nil {
			e, skipped, err = nil, nil, fmt.Errorf("engine snapshot: corrupted state (%v)", p)
		}
	}()
	s := newStateReader(b)
	r := s.r
	if f := r.String(); f != snapshotFormat {
		if r.Err() != nil {
			return nil, nil, fmt.Errorf("engine snapshot: %w", r.Err())
		}
		if f == "vigil-engine-state-1" {
			return nil, nil, fmt.Errorf("engine snapshot: format %q keys elements by bare id, and this build keys them by source and id; an earlier Vigil wrote it: move the data directory away and start afresh (the sources replay their data)", f)
		}
		return nil, nil, fmt.Errorf("engine snapshot: format %q, this build reads %q", f, snapshotFormat)
	}
	e = newEngine(opts, value.Seed(r.Uint64()))
	e.now = r.Time()
	e.seq = r.Uvarint()
	e.index.load(s)
	n := r.Count()
	queries := make([]*Query, n) // nil where skipped
	for i := 0; i < n && r.Err() == nil; i++ {
		spec := loadSpec(r)
		size := r.Uint64()
		if r.Err() != nil {
			break
		}
		sec := r.Section(int(size))
		sk := SkippedQuery{Spec: spec}
		sk.Columns, sk.Rows = readStoredResult(&stateReader{r: sec.Clone(), rows: []*row{unitRow}})
		q, cerr := e.compile(spec)
		if cerr != nil {
			sk.Err = fmt.Errorf("query %q: %w", spec.ID, cerr)
			skipped = append(skipped, sk)
			continue
		}
		// A query's state is read from its own section: one whose stored
		// stages do not match what this build compiles (a different plan
		// after an upgrade) is left out, and the others still restore.
		qs := &stateReader{r: sec, rows: []*row{unitRow}}
		q.load(qs)
		if sec.Err() == nil && sec.Rest() != 0 {
			sec.Failf("%d bytes of state left unread", sec.Rest())
		}
		if sec.Err() != nil {
			sk.Err = fmt.Errorf("query %q: its stored state does not match this build's plan (%v)", spec.ID, sec.Err())
			skipped = append(skipped, sk)
			continue
		}
		queries[i] = q
		e.enlist(q)
	}
	ghost := &Query{} // owner of futures whose query is gone: they only move the clock
	nf := r.Count()
	for i := 0; i < nf && r.Err() == nil; i++ {
		qi := r.Int()
		f := &future{key: futureKey{site: r.Int(), row: r.Uint64()}}
		f.due = r.Time()
		f.seq = r.Uvarint()
		linked := r.Bool()
		switch {
		case qi < -1 || qi >= len(queries):
			r.Failf("future of query %d out of range", qi)
			continue
		case qi == -1 || queries[qi] == nil:
			f.query = ghost
		default:
			f.query = queries[qi]
		}
		if linked && f.query != ghost {
			f.query.state(f.key.site, f.key.row).fut = f
		}
		e.futures.push(f)
	}
	if r.Err() != nil {
		return nil, nil, fmt.Errorf("engine snapshot: %w", r.Err())
	}
	if r.Rest() != 0 {
		return nil, nil, fmt.Errorf("engine snapshot: %d bytes after the end of the state", r.Rest())
	}
	return e, skipped, nil
}

// SkippedQuery is a stored query Restore left out.
type SkippedQuery struct {
	Spec QuerySpec
	Err  error // why it was left out
	// Columns and Rows are its result when the snapshot was taken; Columns
	// is nil when even that could not be read.
	Columns []string
	Rows    []Row
}

// readStoredResult reads the columns and result rows at the front of a
// query's section, which need no compiled plan.
func readStoredResult(s *stateReader) ([]string, []Row) {
	r := s.r
	n := r.Count()
	cols := make([]string, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		cols = append(cols, r.String())
	}
	if r.Bool() { // failed: no rows
		_ = r.String() // its error message
		return cols, nil
	}
	b := newRowBag()
	s.bag(b)
	if r.Err() != nil {
		return nil, nil
	}
	var rows []Row
	b.each(func(e bagEntry) {
		vals := e.r.values()
		if len(vals) > len(cols) {
			vals = vals[:len(cols)]
		}
		for k := 0; k < e.w; k++ {
			rows = append(rows, Row(vals))
		}
	})
	return cols, rows
}

// stateWriter adds to value.StateWriter a table of rows, so that a row held
// by several stages (a group's output and the result, a memo's outputs and
// the next stage's store) is written once and shared again after a restore.
type stateWriter struct {
	w    value.StateWriter
	rows map[*row]uint64
	n    uint64
}

func newStateWriter() *stateWriter {
	return &stateWriter{rows: map[*row]uint64{unitRow: 1}, n: 1}
}

// resetRows starts a query's section: rows are numbered per query, so that
// a restore can skip a query's section and still read the next.
func (s *stateWriter) resetRows() {
	clear(s.rows)
	s.rows[unitRow] = 1
	s.n = 1
}

// row writes a reference: 0 for nil, a known row's number, or the next
// number followed by the row.
func (s *stateWriter) row(r *row) {
	if r == nil {
		s.w.Uvarint(0)
		return
	}
	if ref, ok := s.rows[r]; ok {
		s.w.Uvarint(ref)
		return
	}
	s.n++
	s.rows[r] = s.n
	s.w.Uvarint(s.n)
	s.w.Uint64(r.id)
	s.w.Uint64(r.pair)
	s.w.Uvarint(uint64(r.nulls))
	s.w.Values(r.values())
}

func (s *stateWriter) deltas(ds []delta) {
	s.w.Uvarint(uint64(len(ds)))
	for _, d := range ds {
		s.row(d.r)
		s.w.Int(d.w)
	}
}

func (s *stateWriter) bag(b *rowBag) {
	s.w.Int(b.n)
	s.w.Uvarint(uint64(b.keys()))
	b.eachKey(func(k uint64, es []bagEntry) {
		s.w.Uint64(k)
		s.w.Uvarint(uint64(len(es)))
		for _, x := range es {
			s.row(x.r)
			s.w.Int(x.w)
		}
	})
}

type stateReader struct {
	r    *value.StateReader
	rows []*row // by number - 1
}

func newStateReader(b []byte) *stateReader {
	return &stateReader{r: value.NewStateReader(b), rows: []*row{unitRow}}
}

func (s *stateReader) row() *row {
	ref := s.r.Uvarint()
	switch {
	case ref == 0 || s.r.Err() != nil:
		return nil
	case ref <= uint64(len(s.rows)):
		return s.rows[ref-1]
	case ref != uint64(len(s.rows))+1:
		s.r.Failf("row %d out of order", ref)
		return nil
	}
	id, pair := s.r.Uint64(), s.r.Uint64()
	nulls := uint8(s.r.Uvarint())
	r := newRowOf(id, pair, nulls, s.r.Values())
	s.rows = append(s.rows, r)
	return r
}

// liveRow is row for places that cannot hold nil.
func (s *stateReader) liveRow() *row {
	r := s.row()
	if r == nil && s.r.Err() == nil {
		s.r.Failf("missing row")
	}
	if r == nil {
		return unitRow
	}
	return r
}

func (s *stateReader) deltas() []delta {
	n := s.r.Count()
	if n == 0 {
		return nil
	}
	ds := make([]delta, 0, n)
	for i := 0; i < n && s.r.Err() == nil; i++ {
		ds = append(ds, delta{r: s.liveRow(), w: s.r.Int()})
	}
	return ds
}

func (s *stateReader) bag(b *rowBag) {
	b.reset()
	b.n = s.r.Int()
	n := s.r.Count()
	for i := 0; i < n && s.r.Err() == nil; i++ {
		k := s.r.Uint64()
		m := s.r.Count()
		es := make([]bagEntry, 0, m)
		for j := 0; j < m && s.r.Err() == nil; j++ {
			es = append(es, bagEntry{r: s.liveRow(), w: s.r.Int()})
		}
		b.set(k, es)
	}
}

// ---- specifications --------------------------------------------------------

func saveSpec(w *value.StateWriter, spec QuerySpec) {
	w.String(spec.ID)
	w.String(spec.Text)
	w.String(spec.Language)
	w.Uvarint(uint64(len(spec.Params)))
	for k, v := range spec.Params {
		w.String(k)
		w.Value(v)
	}
	w.Uvarint(uint64(len(spec.Joins)))
	for _, j := range spec.Joins {
		saveJoin(w, j)
	}
	w.Uvarint(uint64(len(spec.Subscriptions)))
	for _, sub := range spec.Subscriptions {
		w.String(sub.Source)
		saveStrings(w, sub.Nodes)
		saveStrings(w, sub.Relations)
	}
}

func saveJoin(w *value.StateWriter, j Join) {
	w.String(j.ID)
	w.Uvarint(uint64(len(j.Keys)))
	for _, k := range j.Keys {
		w.String(k.Label)
		w.String(k.Property)
	}
}

func loadJoin(r *value.StateReader) Join {
	j := Join{ID: r.String()}
	n := r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		j.Keys = append(j.Keys, JoinKey{Label: r.String(), Property: r.String()})
	}
	return j
}

func saveStrings(w *value.StateWriter, ss []string) {
	w.Uvarint(uint64(len(ss)))
	for _, s := range ss {
		w.String(s)
	}
}

func loadStrings(r *value.StateReader) []string {
	n := r.Count()
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		out = append(out, r.String())
	}
	return out
}

func loadSpec(r *value.StateReader) QuerySpec {
	spec := QuerySpec{ID: r.String(), Text: r.String(), Language: r.String()}
	if n := r.Count(); n > 0 {
		spec.Params = make(map[string]value.Value, n)
		for i := 0; i < n && r.Err() == nil; i++ {
			k := r.String()
			spec.Params[k] = r.Value()
		}
	}
	n := r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		spec.Joins = append(spec.Joins, loadJoin(r))
	}
	n = r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		spec.Subscriptions = append(spec.Subscriptions, Subscription{Source: r.String(), Nodes: loadStrings(r), Relations: loadStrings(r)})
	}
	return spec
}

// ---- queries ---------------------------------------------------------------

func (q *Query) save(s *stateWriter) {
	w := &s.w
	w.Uvarint(uint64(len(q.columns)))
	for _, c := range q.columns {
		w.String(c)
	}
	w.Bool(q.err != nil)
	if q.err != nil {
		w.String(q.err.Error())
		return
	}
	if q.derived {
		// Written as a stored result is, so that a snapshot reads the
		// same whichever way the query keeps its rows.
		b := newIDBag()
		q.eachResult(func(e bagEntry) { b.add(e.r.id, e.r, e.w) })
		s.bag(b)
	} else {
		s.bag(q.result)
	}
	w.Bool(q.union != nil)
	if q.union != nil {
		q.union.save(s)
	}
	for _, p := range q.branches {
		w.Uvarint(uint64(len(p.stages)))
		for _, st := range p.stages {
			saveStage(s, st)
		}
	}
	// Futures are written by the engine and linked back on restore.
	w.Uvarint(uint64(len(q.tstate)))
	for k, st := range q.tstate {
		w.Int(k.site)
		w.Uint64(k.row)
		w.Time(st.since)
		w.Value(st.cur)
		w.Value(st.prev)
		w.Bool(st.hasCur)
		w.Value(st.distinct)
		w.Bool(st.hasDist)
	}
}

func (q *Query) load(s *stateReader) {
	r := s.r
	n := r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		if c := r.String(); i >= len(q.columns) || c != q.columns[i] {
			r.Failf("stored column %d is %q, the compiled query's columns are %v", i, c, q.columns)
			return
		}
	}
	if n != len(q.columns) {
		r.Failf("%d columns stored, the compiled query has %d", n, len(q.columns))
		return
	}
	if r.Bool() {
		// A failed query emits nothing further; its stages are not kept.
		// The stored message is the error's text, which names the query.
		msg := strings.TrimPrefix(r.String(), fmt.Sprintf("query %q: ", q.id))
		q.err = &QueryError{ID: q.id, Err: errors.New(msg)}
		return
	}
	s.bag(q.result)
	if q.derived {
		// Only the count is kept; the rows are solved when read.
		q.count, q.result = q.result.n, newIDBag()
	}
	if r.Bool() != (q.union != nil) {
		r.Failf("query %q: UNION state does not match the compiled query", q.id)
		return
	}
	if q.union != nil {
		q.union.load(s)
	}
	for _, p := range q.branches {
		if n := r.Count(); n != len(p.stages) {
			r.Failf("query %q: %d stages stored, the compiled query has %d", q.id, n, len(p.stages))
			return
		}
		for _, st := range p.stages {
			loadStage(s, st)
		}
	}
	n = r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		st := q.state(r.Int(), r.Uint64())
		st.since = r.Time()
		st.cur = r.Value()
		st.prev = r.Value()
		st.hasCur = r.Bool()
		st.distinct = r.Value()
		st.hasDist = r.Bool()
	}
}

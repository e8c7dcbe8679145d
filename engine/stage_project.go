package engine

import (
	"github.com/vigilhq/vigil/engine/value"
)

// projectStage computes a non-aggregating projection, followed by hidden
// sort-key columns for a later orderStage.
type projectStage struct {
	items []evalFn // over the input row
	sort  []evalFn // over the input row extended by the item values
	ext   int      // width of the input scope the sort keys see
	carry int      // hidden sort keys of the input (after its scope) copied after the items
	// inPipeline is set for a stage of a pipeline's own list (not one
	// wrapped by a reevalStage, whose memo keeps the output slice): its
	// output slice is reused from push to push, since every consumer reads
	// it within the step. transient additionally makes its output rows
	// scratch, when no later stage keeps them (keepsRows).
	inPipeline bool
	transient  bool
	rows       rowPool
	outBuf     []delta
	// memo remembers costly item values per input row for its retraction
	// (stage_project_memo.go); nil when not applicable.
	memo *projMemo
	// slab, when set, supplies the output rows: the stage ends a query
	// whose result is derived, so no engine state keeps them past the step
	// and the caller owns them through the diff.
	slab *rowSlab
}

func (p *projectStage) push(c *evalCtx, in []delta) ([]delta, error) {
	var out []delta
	if p.inPipeline {
		out = p.outBuf[:0]
	} else {
		out = make([]delta, 0, len(in))
	}
	if p.transient {
		p.rows.reset()
	}
	width := len(p.items) + len(p.sort) + p.carry
	for _, d := range in {
		var nr *row
		if p.transient {
			nr = p.rows.get(width)
		}
		if nr == nil {
			if p.slab != nil {
				nr = p.slab.get(width)
			} else {
				nr = newRow(width)
			}
		}
		nr.id, nr.pair, nr.nulls = d.r.id, d.r.pair, d.r.nulls
		vals := nr.values()
		recalled := p.memo != nil && d.w < 0 && p.memo.recall(d.r, vals)
		for i, f := range p.items {
			if recalled && p.memo.is[i] {
				continue
			}
			v, err := f(c, d.r.values())
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		if p.memo != nil && d.w > 0 {
			p.memo.remember(d.r, vals)
		}
		if p.carry > 0 {
			copy(vals[len(p.items):], d.r.values()[p.ext:])
		}
		if len(p.sort) > 0 {
			ext := make([]value.Value, p.ext+len(p.items))
			copy(ext, d.r.values())
			copy(ext[p.ext:], vals[:len(p.items)])
			for i, f := range p.sort {
				v, err := f(c, ext)
				if err != nil {
					return nil, err
				}
				vals[len(p.items)+i] = v
			}
		}
		out = append(out, delta{r: nr, w: d.w})
	}
	if p.memo != nil {
		p.memo.sweep()
	}
	if p.inPipeline && cap(out) <= maxPooled {
		p.outBuf = out[:0]
	}
	return out, nil
}

// trimStage drops hidden columns (sort keys) so that the next clause sees
// exactly its scope.
type trimStage struct {
	width int
}

func (t *trimStage) push(c *evalCtx, in []delta) ([]delta, error) {
	out := make([]delta, len(in))
	for i, d := range in {
		if len(d.r.values()) == t.width {
			out[i] = d
			continue
		}
		out[i] = delta{r: newRowOf(d.r.id, d.r.pair, d.r.nulls, d.r.values()[:t.width]), w: d.w}
	}
	return out, nil
}

// save implements stageState: the memo, if the projection keeps one.
func (p *projectStage) save(s *stateWriter) {
	s.w.Bool(p.memo != nil)
	if p.memo != nil {
		p.memo.save(s)
	}
}

// load implements stageState.
func (p *projectStage) load(s *stateReader) {
	if s.r.Bool() != (p.memo != nil) {
		s.r.Failf("projection memo does not match the compiled query")
		return
	}
	if p.memo != nil {
		p.memo.load(s)
	}
}

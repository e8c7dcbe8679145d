package engine

import (
	"sort"

	"github.com/vigilhq/vigil/engine/value"
)

// orderStage keeps its input sorted by the hidden sort-key columns and
// emits the changes of the window [skip, skip+limit). Rows that tie (or
// all rows, without ORDER BY) keep their arrival order, so that LIMIT
// without ORDER BY takes the first rows that came. Without skip and limit
// it passes deltas through and only keeps the order for Results.
type orderStage struct {
	width   int    // visible columns; sort keys follow them
	desc    []bool // per sort key
	skip    int
	limit   int // < 0: none
	entries []orderEntry
	seq     uint64 // arrivals so far
}

type orderEntry struct {
	r   *row
	seq uint64 // arrival order, the tie-break
}

func (o *orderStage) less(a, b orderEntry) bool {
	for i, d := range o.desc {
		c := value.Compare(a.r.values()[o.width+i], b.r.values()[o.width+i])
		if c != 0 {
			if d {
				return c > 0
			}
			return c < 0
		}
	}
	return a.seq < b.seq
}

func (o *orderStage) windowed() bool { return o.skip > 0 || o.limit >= 0 }

func (o *orderStage) window() []orderEntry {
	lo := o.skip
	if lo > len(o.entries) {
		lo = len(o.entries)
	}
	hi := len(o.entries)
	if o.limit >= 0 && lo+o.limit < hi {
		hi = lo + o.limit
	}
	return o.entries[lo:hi]
}

// rows lists the rows of the window (or all, unwindowed) in order.
func (o *orderStage) rows() []*row {
	es := o.entries
	if o.windowed() {
		es = o.window()
	}
	out := make([]*row, len(es))
	for i, e := range es {
		out[i] = e.r
	}
	return out
}

func (o *orderStage) insert(e orderEntry) {
	i := sort.Search(len(o.entries), func(i int) bool { return o.less(e, o.entries[i]) })
	o.entries = append(o.entries, orderEntry{})
	copy(o.entries[i+1:], o.entries[i:])
	o.entries[i] = e
}

// remove drops the entry of row r: found by its sort keys, then by identity
// and values among the rows that tie with it.
func (o *orderStage) remove(r *row) {
	probe := orderEntry{r: r}
	i := sort.Search(len(o.entries), func(i int) bool { return !o.less(o.entries[i], probe) })
	for j := i; j < len(o.entries); j++ {
		e := o.entries[j]
		if e.r.id == r.id && identicalRows(e.r.values(), r.values()) {
			o.entries = append(o.entries[:j], o.entries[j+1:]...)
			return
		}
		if o.cmpKeys(r, e.r) != 0 {
			break
		}
	}
	// Not where expected (a sort key that does not compare stably): search.
	for j, e := range o.entries {
		if e.r.id == r.id && identicalRows(e.r.values(), r.values()) {
			o.entries = append(o.entries[:j], o.entries[j+1:]...)
			return
		}
	}
}

func (o *orderStage) cmpKeys(a, b *row) int {
	for i, d := range o.desc {
		if c := value.Compare(a.values()[o.width+i], b.values()[o.width+i]); c != 0 {
			if d {
				return -c
			}
			return c
		}
	}
	return 0
}

func (o *orderStage) push(c *evalCtx, in []delta) ([]delta, error) {
	if len(in) == 0 {
		return nil, nil
	}
	var old map[*row]int
	if o.windowed() {
		old = map[*row]int{}
		for _, e := range o.window() {
			old[e.r]++
		}
	}
	var adds []orderEntry
	for _, d := range in {
		for k := 0; k < d.w; k++ {
			o.seq++
			adds = append(adds, orderEntry{r: d.r, seq: o.seq})
		}
		for k := 0; k > d.w; k-- {
			o.remove(d.r)
		}
	}
	if len(adds) < 32 {
		for _, e := range adds {
			o.insert(e)
		}
	} else {
		// Many rows at once (a bootstrap): sort them and merge, instead of
		// shifting the slice once per row.
		sort.SliceStable(adds, func(i, j int) bool { return o.less(adds[i], adds[j]) })
		merged := make([]orderEntry, 0, len(o.entries)+len(adds))
		i, j := 0, 0
		for i < len(o.entries) && j < len(adds) {
			if o.less(adds[j], o.entries[i]) {
				merged = append(merged, adds[j])
				j++
			} else {
				merged = append(merged, o.entries[i])
				i++
			}
		}
		merged = append(merged, o.entries[i:]...)
		o.entries = append(merged, adds[j:]...)
	}
	if !o.windowed() {
		return in, nil
	}
	var out []delta
	for _, e := range o.window() {
		if old[e.r] > 0 {
			old[e.r]--
			continue
		}
		out = append(out, delta{r: e.r, w: 1})
	}
	for r, n := range old {
		for ; n > 0; n-- {
			out = append(out, delta{r: r, w: -1})
		}
	}
	return out, nil
}

// save implements stageState: the window and the sorted entries.
func (o *orderStage) save(s *stateWriter) {
	// SKIP and LIMIT were evaluated once, at registration, and may
	// have read rand(): the stored window is the one the state fits.
	s.w.Int(o.skip)
	s.w.Int(o.limit)
	s.w.Uvarint(o.seq)
	s.w.Uvarint(uint64(len(o.entries)))
	for _, e := range o.entries {
		s.row(e.r)
		s.w.Uvarint(e.seq)
	}
}

// load implements stageState.
func (o *orderStage) load(s *stateReader) {
	r := s.r
	o.skip, o.limit = r.Int(), r.Int()
	o.seq = r.Uvarint()
	n := r.Count()
	o.entries = make([]orderEntry, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		o.entries = append(o.entries, orderEntry{r: s.liveRow(), seq: r.Uvarint()})
	}
}

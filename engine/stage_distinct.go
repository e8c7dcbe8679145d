package engine

import (
	"github.com/vigilhq/vigil/engine/value"
)

// distinctStage passes a row on when its values first appear and retracts
// it when the last copy goes; its identity is its values.
type distinctStage struct {
	width  int // visible columns compared
	counts map[uint64][]*distinctEntry
	seed   value.Seed // the engine's: keys counts
}

type distinctEntry struct {
	r *row
	n int
}

func (s *distinctStage) push(c *evalCtx, in []delta) ([]delta, error) {
	var out []delta
	for _, d := range in {
		vis := d.r.values()[:s.width]
		h := hashValues(s.seed, vis)
		var e *distinctEntry
		for _, x := range s.counts[h] {
			if equivalentRows(x.r.values()[:s.width], vis) {
				e = x
				break
			}
		}
		if e == nil {
			e = &distinctEntry{r: newRowOf(h, h, 0, d.r.values())}
			s.counts[h] = append(s.counts[h], e)
		}
		before := e.n
		e.n += d.w
		switch {
		case before <= 0 && e.n > 0:
			out = append(out, delta{r: e.r, w: 1})
		case before > 0 && e.n <= 0:
			out = append(out, delta{r: e.r, w: -1})
		}
		if e.n == 0 {
			list := s.counts[h]
			for i, x := range list {
				if x == e {
					list[i] = list[len(list)-1]
					list = list[:len(list)-1]
					break
				}
			}
			if len(list) == 0 {
				delete(s.counts, h)
			} else {
				s.counts[h] = list
			}
		}
	}
	return out, nil
}

func (d *distinctStage) save(s *stateWriter) {
	s.w.Uvarint(uint64(len(d.counts)))
	for h, es := range d.counts {
		s.w.Uint64(h)
		s.w.Uvarint(uint64(len(es)))
		for _, e := range es {
			s.row(e.r)
			s.w.Int(e.n)
		}
	}
}

func (d *distinctStage) load(s *stateReader) {
	r := s.r
	n := r.Count()
	clear(d.counts)
	for i := 0; i < n && r.Err() == nil; i++ {
		h := r.Uint64()
		m := r.Count()
		es := make([]*distinctEntry, 0, m)
		for j := 0; j < m && r.Err() == nil; j++ {
			es = append(es, &distinctEntry{r: s.liveRow(), n: r.Int()})
		}
		d.counts[h] = es
	}
}

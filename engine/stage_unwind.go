package engine

import (
	"github.com/vigilhq/vigil/engine/value"
)

// unwindStage emits one row per element of a list.
type unwindStage struct {
	list evalFn
}

func (u *unwindStage) push(c *evalCtx, in []delta) ([]delta, error) {
	var out []delta
	for _, d := range in {
		lv, err := u.list(c, d.r.vals)
		if err != nil {
			return nil, err
		}
		var items []value.Value
		switch lv.Kind() {
		case value.KindNull:
			continue
		case value.KindList:
			items = lv.AsList()
		default:
			items = []value.Value{lv}
		}
		for i, x := range items {
			vals := make([]value.Value, len(d.r.vals)+1)
			copy(vals, d.r.vals)
			vals[len(d.r.vals)] = x
			k := uint64(i + 1)
			out = append(out, delta{r: &row{id: mix(d.r.id, k), pair: mix(d.r.pair, k), nulls: d.r.nulls, vals: vals}, w: d.w})
		}
	}
	return out, nil
}

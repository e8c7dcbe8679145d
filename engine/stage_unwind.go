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
		lv, err := u.list(c, d.r.values())
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
			vals := make([]value.Value, len(d.r.values())+1)
			copy(vals, d.r.values())
			vals[len(d.r.values())] = x
			k := uint64(i + 1)
			out = append(out, delta{r: newRowOf(mix(d.r.id, k), mix(d.r.pair, k), d.r.nulls, vals), w: d.w})
		}
	}
	return out, nil
}

package engine

// filterStage keeps the rows for which cond is true.
type filterStage struct {
	cond evalFn
}

func (f *filterStage) push(c *evalCtx, in []delta) ([]delta, error) {
	out := in[:0:0]
	for _, d := range in {
		v, err := f.cond(c, d.r.values())
		if err != nil {
			return nil, err
		}
		if v.AsBool() {
			out = append(out, d)
		}
	}
	return out, nil
}

package engine

import (
	"sort"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
)

// orderedCollect is collect() over rows that a preceding WITH ... ORDER BY
// sorted: it keeps its items sorted by those keys (passed after the value),
// so the list follows the ORDER BY however the rows arrived.
type orderedCollect struct {
	desc  []bool
	items []collectItem
}

type collectItem struct {
	keys []value.Value
	x    value.Value
}

func (c *orderedCollect) less(a, b []value.Value) bool {
	for i, d := range c.desc {
		if k := value.Compare(a[i], b[i]); k != 0 {
			return (k < 0) != d
		}
	}
	return false
}

// Apply implements functions.Accumulator.
func (c *orderedCollect) Apply(args []value.Value) error {
	if args[0].IsNull() {
		return nil
	}
	keys := append([]value.Value(nil), args[1:]...)
	i := sort.Search(len(c.items), func(i int) bool { return c.less(keys, c.items[i].keys) })
	c.items = append(c.items, collectItem{})
	copy(c.items[i+1:], c.items[i:])
	c.items[i] = collectItem{keys: keys, x: args[0]}
	return nil
}

// Revert implements functions.Accumulator.
func (c *orderedCollect) Revert(args []value.Value) error {
	if args[0].IsNull() {
		return nil
	}
	for i, it := range c.items {
		if identicalRows(it.keys, args[1:]) && value.Identical(it.x, args[0]) {
			c.items = append(c.items[:i], c.items[i+1:]...)
			return nil
		}
	}
	return &functions.Error{Kind: "InternalError", Code: "RevertWithoutApply", Msg: "collect: reverting a value never collected"}
}

// Result implements functions.Accumulator.
func (c *orderedCollect) Result() value.Value {
	out := make([]value.Value, len(c.items))
	for i, it := range c.items {
		out[i] = it.x
	}
	return value.List(out)
}

// SaveState implements functions.StatefulAccumulator.
func (c *orderedCollect) SaveState(w *value.StateWriter) {
	w.Uvarint(uint64(len(c.items)))
	for _, it := range c.items {
		w.Values(it.keys)
		w.Value(it.x)
	}
}

// LoadState implements functions.StatefulAccumulator.
func (c *orderedCollect) LoadState(r *value.StateReader) {
	n := r.Count()
	c.items = make([]collectItem, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		c.items = append(c.items, collectItem{keys: r.Values(), x: r.Value()})
	}
}

package oracle

import (
	"fmt"
	"sort"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
)

// projected is one output row of a projection, with what ORDER BY and WITH's
// WHERE may still see: the input row it came from (for a group, its first
// row) and the group's aggregate values.
type projected struct {
	out  row
	src  row
	aggs map[*ast.Call]value.Value
}

// context is the frame seen by ORDER BY and WITH ... WHERE: the projected
// aliases over the source row's variables.
func (p projected) context() *frame {
	return &frame{vars: p.src.overlay(p.out), aggs: p.aggs}
}

// group is the rows sharing one grouping key.
type group struct {
	key  []value.Value
	rows []row
}

// project evaluates the projection of a WITH (where is its WHERE) or RETURN:
// projection or grouping and aggregation, DISTINCT, ORDER BY, SKIP, LIMIT,
// then WHERE. It returns the new scope (the column names) and rows.
func (ev *evaluator) project(p *ast.Projection, where ast.Expr, rows []row, scope []string) ([]string, []row, error) {
	items := p.Items
	if p.Star {
		var star []*ast.ProjectionItem
		for _, name := range starColumns(scope) {
			star = append(star, &ast.ProjectionItem{Expr: &ast.Var{Name: name}, Alias: name})
		}
		items = append(star, items...)
	}
	cols := make([]string, len(items))
	for i, it := range items {
		cols[i] = it.Alias
	}

	var aggCalls []*ast.Call
	aggregating := make([]bool, len(items))
	for i, it := range items {
		n := len(aggCalls)
		aggCalls = ev.aggregateCalls(it.Expr, aggCalls)
		aggregating[i] = len(aggCalls) > n
	}
	for _, s := range p.OrderBy {
		aggCalls = ev.aggregateCalls(s.Expr, aggCalls)
	}

	var out []projected
	if len(aggCalls) == 0 && p.GroupBy == nil {
		for _, r := range rows {
			o, err := ev.projectRow(items, cols, &frame{vars: r})
			if err != nil {
				return nil, nil, err
			}
			out = append(out, projected{out: o, src: r})
		}
	} else {
		keys := p.GroupBy
		if keys == nil {
			for i, it := range items {
				if !aggregating[i] {
					keys = append(keys, it.Expr)
				}
			}
		}
		groups, err := ev.group(keys, rows)
		if err != nil {
			return nil, nil, err
		}
		for _, g := range groups {
			aggs, err := ev.aggregate(aggCalls, g.rows)
			if err != nil {
				return nil, nil, err
			}
			src := row{}
			if len(g.rows) > 0 {
				src = g.rows[0]
			}
			o, err := ev.projectRow(items, cols, &frame{vars: src, aggs: aggs})
			if err != nil {
				return nil, nil, err
			}
			out = append(out, projected{out: o, src: src, aggs: aggs})
		}
	}

	if p.Distinct {
		var kept []projected
		for _, o := range out {
			dup := false
			for _, k := range kept {
				if sameColumns(o.out, k.out, cols) {
					dup = true
					break
				}
			}
			if !dup {
				kept = append(kept, o)
			}
		}
		out = kept
	}

	if len(p.OrderBy) > 0 {
		sortKeys := make([][]value.Value, len(out))
		for i, o := range out {
			f := o.context()
			for _, s := range p.OrderBy {
				v, err := ev.eval(s.Expr, f)
				if err != nil {
					return nil, nil, err
				}
				sortKeys[i] = append(sortKeys[i], v)
			}
		}
		idx := make([]int, len(out))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool {
			ka, kb := sortKeys[idx[a]], sortKeys[idx[b]]
			for k, s := range p.OrderBy {
				c := value.Compare(ka[k], kb[k])
				if s.Descending {
					c = -c
				}
				if c != 0 {
					return c < 0
				}
			}
			return false
		})
		sorted := make([]projected, len(out))
		for i, j := range idx {
			sorted[i] = out[j]
		}
		out = sorted
	}

	if p.Skip != nil {
		n, err := ev.count(p.Skip, "SKIP")
		if err != nil {
			return nil, nil, err
		}
		if n >= len(out) {
			out = nil
		} else {
			out = out[n:]
		}
	}
	if p.Limit != nil {
		n, err := ev.count(p.Limit, "LIMIT")
		if err != nil {
			return nil, nil, err
		}
		if n < len(out) {
			out = out[:n]
		}
	}

	var result []row
	for _, o := range out {
		if where != nil {
			ok, err := ev.truth(where, o.context())
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				continue
			}
		}
		result = append(result, o.out)
	}
	return cols, result, nil
}

// projectRow evaluates the items into a row keyed by column name.
func (ev *evaluator) projectRow(items []*ast.ProjectionItem, cols []string, f *frame) (row, error) {
	o := make(row, len(items))
	for i, it := range items {
		v, err := ev.eval(it.Expr, f)
		if err != nil {
			return nil, err
		}
		o[cols[i]] = v
	}
	return o, nil
}

func sameColumns(a, b row, cols []string) bool {
	for _, c := range cols {
		if !value.Equivalent(a[c], b[c]) {
			return false
		}
	}
	return true
}

// group partitions rows by the values of keys (compared with
// value.Equivalent), in order of first appearance. With no keys every row is
// in one group, which exists even when there are no rows (global
// aggregation over nothing still yields one row).
func (ev *evaluator) group(keys []ast.Expr, rows []row) ([]*group, error) {
	if len(keys) == 0 {
		return []*group{{rows: rows}}, nil
	}
	var groups []*group
	for _, r := range rows {
		key := make([]value.Value, len(keys))
		for i, k := range keys {
			v, err := ev.eval(k, &frame{vars: r})
			if err != nil {
				return nil, err
			}
			key[i] = v
		}
		var g *group
		for _, x := range groups {
			if equivalentTuples(x.key, key) {
				g = x
				break
			}
		}
		if g == nil {
			g = &group{key: key}
			groups = append(groups, g)
		}
		g.rows = append(g.rows, r)
	}
	return groups, nil
}

// aggregate computes every aggregate call over the rows of one group: each
// row's arguments are applied to a fresh accumulator (rows whose first
// argument is null are skipped; count(*) is applied with no arguments; with
// DISTINCT, only the first of equivalent argument lists is applied), then
// the accumulator's Result is the call's value.
func (ev *evaluator) aggregate(calls []*ast.Call, rows []row) (map[*ast.Call]value.Value, error) {
	out := make(map[*ast.Call]value.Value, len(calls))
	for _, c := range calls {
		if ev.isSlidingWindow(c) {
			v, err := ev.slidingWindow(c, rows)
			if err != nil {
				return nil, err
			}
			out[c] = v
			continue
		}
		agg, ok := ev.funcs.Aggregate(c.Name)
		if !ok {
			return nil, fmt.Errorf("oracle: unknown aggregate %s", c.Name)
		}
		if !c.Star && (len(c.Args) < agg.MinArgs || (agg.MaxArgs >= 0 && len(c.Args) > agg.MaxArgs)) {
			return nil, fmt.Errorf("oracle: wrong number of arguments to %s: %d", c.Name, len(c.Args))
		}
		acc := agg.New()
		var seen [][]value.Value
		for _, r := range rows {
			if c.Star {
				if err := acc.Apply(nil); err != nil {
					return nil, err
				}
				continue
			}
			args := make([]value.Value, len(c.Args))
			for i, a := range c.Args {
				v, err := ev.eval(a, &frame{vars: r})
				if err != nil {
					return nil, err
				}
				args[i] = v
			}
			if len(args) > 0 && args[0].IsNull() {
				continue
			}
			if c.Distinct {
				dup := false
				for _, s := range seen {
					if equivalentTuples(s, args) {
						dup = true
						break
					}
				}
				if dup {
					continue
				}
				seen = append(seen, args)
			}
			if err := acc.Apply(args); err != nil {
				return nil, err
			}
		}
		out[c] = acc.Result()
	}
	return out, nil
}

// count evaluates a SKIP or LIMIT expression: a non-negative integer.
func (ev *evaluator) count(e ast.Expr, what string) (int, error) {
	v, err := ev.eval(e, &frame{vars: row{}})
	if err != nil {
		return 0, err
	}
	if v.Kind() != value.KindInt {
		return 0, functions.ArgErr(functions.CodeInvalidArgumentType, "%s expects an integer, got %s %s", what, v.Kind(), v)
	}
	if v.AsInt() < 0 {
		return 0, functions.ArgErr(functions.CodeNegativeIntegerArgument, "%s expects a non-negative integer, got %d", what, v.AsInt())
	}
	return int(v.AsInt()), nil
}

package bench

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/oracle"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
)

// Verify compares q's current result on e with the oracle's from-scratch
// evaluation of the scenario's re-run query over e's element index. For a
// re-run query that counts (governance), engine rows whose last column is 0
// — an emptied window, which a from-scratch count has no group for — are
// left out.
func Verify(s Scenario, e *engine.Engine, q *engine.Query) error {
	tree, err := rerunTree(s)
	if err != nil {
		return err
	}
	var params map[string]value.Value
	if s.RerunParams != nil {
		params = s.RerunParams(e.Now())
	}
	want, err := oracle.Evaluate(tree, Snapshot(e.Index()), params, functions.Cypher(), e.Now())
	if err != nil {
		return fmt.Errorf("oracle: %w", err)
	}
	var got [][]value.Value
	for _, r := range q.Results() {
		if s.RerunQuery != "" && len(r) > 0 && r[len(r)-1].Kind() == value.KindInt && r[len(r)-1].AsInt() == 0 {
			continue
		}
		got = append(got, r)
	}
	w, g := canonRows(want.Rows), canonRows(got)
	if len(w) != len(g) {
		return fmt.Errorf("result has %d rows, the oracle %d", len(g), len(w))
	}
	for i := range w {
		if w[i] != g[i] {
			return fmt.Errorf("result row %q, the oracle has %q", g[i], w[i])
		}
	}
	return nil
}

// canonRows renders rows for comparison, floats to 9 significant digits,
// sorted.
func canonRows(rows [][]value.Value) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(r))
		for j, v := range r {
			if v.Kind() == value.KindFloat && !math.IsNaN(v.AsFloat()) {
				parts[j] = "f" + strconv.FormatFloat(v.AsFloat(), 'g', 9, 64)
			} else {
				parts[j] = v.String()
			}
		}
		out[i] = strings.Join(parts, " | ")
	}
	sort.Strings(out)
	return out
}

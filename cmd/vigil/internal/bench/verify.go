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
//
// Reading the index makes the check blind to a bug in the index itself (a
// delete that leaves relationships behind, a stale endpoint): VerifyReplay
// builds the oracle's graph from the change stream instead, and is the
// check to prefer wherever the seed and the number of changes are known.
func Verify(s Scenario, e *engine.Engine, q *engine.Query) error {
	return verifyOver(s, Snapshot(e.Index()), e, q)
}

// VerifyReplay is Verify over a graph built independently of the engine:
// the oracle's own model replays the scenario's workload for seed — its
// bootstrap and its first changes steps, from Source, clock moves
// included, as Run drives e — and the re-run query is evaluated over what
// the query's subscription shows of it, at e's clock (which must not run
// ahead of the stream's).
func VerifyReplay(s Scenario, seed int64, changes int, e *engine.Engine, q *engine.Query) error {
	w := s.NewWorkload(seed)
	m := oracle.NewModel(w.Start())
	for i, ch := range w.Bootstrap() {
		if err := m.Apply(modelChange(ch)); err != nil {
			return fmt.Errorf("replay: bootstrap change %d: %w", i, err)
		}
	}
	for i := 0; i < changes; i++ {
		st := w.Next()
		if err := m.Apply(modelChange(st.Change)); err != nil {
			return fmt.Errorf("replay: change %d: %w", i, err)
		}
		if !st.Tick.IsZero() {
			m.AdvanceTo(st.Tick)
		}
	}
	// A durable host moves the engine's clock only when a future falls
	// due (the next logged step carries its own time), so its clock may
	// trail the stream's last tick; it never runs ahead.
	if e.Now().After(m.Now()) {
		return fmt.Errorf("replay: the engine's clock reads %v, after the replayed stream's %v", e.Now(), m.Now())
	}
	return verifyOver(s, m.Graph([]oracle.Subscription{{Source: Source}}, nil), e, q)
}

// modelChange is the oracle model's form of a workload change, from
// Source as target.apply sends it.
func modelChange(ch engine.Change) oracle.Change {
	el := ch.Element
	return oracle.Change{Op: oracle.Op(ch.Op), Source: Source, ID: el.ID, Labels: el.Labels, Type: el.Type,
		From: el.From, To: el.To, Props: el.Props, Time: ch.Time}
}

// verifyOver compares q's result on e with the oracle's evaluation over g.
func verifyOver(s Scenario, g *oracle.Graph, e *engine.Engine, q *engine.Query) error {
	tree, err := rerunTree(s)
	if err != nil {
		return err
	}
	var params map[string]value.Value
	if s.RerunParams != nil {
		params = s.RerunParams(e.Now())
	}
	want, err := oracle.Evaluate(tree, g, params, functions.Cypher(), e.Now())
	if err != nil {
		return fmt.Errorf("oracle: %w", err)
	}
	all := q.Results()
	if q.Len() != len(all) {
		// A derived result is solved afresh when read: its kept count is
		// what the incremental steps maintained.
		return fmt.Errorf("the query counts %d rows, its result has %d", q.Len(), len(all))
	}
	var got [][]value.Value
	for _, r := range all {
		if s.RerunQuery != "" && len(r) > 0 && r[len(r)-1].Kind() == value.KindInt && r[len(r)-1].AsInt() == 0 {
			continue
		}
		got = append(got, r)
	}
	w, gr := canonRows(want.Rows), canonRows(got)
	if len(w) != len(gr) {
		return fmt.Errorf("result has %d rows, the oracle %d", len(gr), len(w))
	}
	for i := range w {
		if w[i] != gr[i] {
			return fmt.Errorf("result row %q, the oracle has %q", gr[i], w[i])
		}
	}
	return nil
}

// resultKey is a query's result as one comparable string (canonRows).
func resultKey(rows []engine.Row) string {
	vs := make([][]value.Value, len(rows))
	for i, r := range rows {
		vs[i] = r
	}
	return strings.Join(canonRows(vs), "\n")
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

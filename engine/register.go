package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/grammar/cypher"
	"github.com/vigilhq/vigil/grammar/gql"
)

// QuerySpec is everything needed to register a continuous query.
type QuerySpec struct {
	ID       string // unique query id
	Text     string // query text; ignored when AST is set
	Language string // "cypher" (default) or "gql", in any case: see ParseLanguage
	// AST is an already-built query (used by test runners that construct
	// queries); when set, Text and Language are not parsed.
	AST    *ast.Query
	Params map[string]value.Value // $parameters
	Joins  []Join                 // synthetic relations across labels
	// Subscriptions restrict the query to the elements of some sources
	// (and labels); none: every element.
	Subscriptions []Subscription
}

// Join declares a synthetic relation: a relation of type ID exists, in both
// directions, between two nodes whenever their key properties are equal.
type Join struct {
	ID   string    // relation type
	Keys []JoinKey // usually two: one per side
}

// JoinKey is one side of a join: nodes with Label, keyed by Property.
type JoinKey struct {
	Label    string
	Property string
}

// AddQuery compiles a query and bootstraps its result from the current
// element index. A query that does not compile returns an *ast.Error naming
// line, column and reason; a runtime error during bootstrap leaves the query
// registered in an error state (see Query.Err).
func (e *Engine) AddQuery(spec QuerySpec) (*Query, error) {
	if _, dup := e.byID[spec.ID]; dup {
		return nil, fmt.Errorf("query %q already exists", spec.ID)
	}
	q, err := e.compile(spec)
	if err != nil {
		return nil, err
	}
	for _, j := range spec.Joins {
		if err := e.declareJoin(j); err != nil {
			return nil, fmt.Errorf("query %q: %w", spec.ID, err)
		}
	}
	c := &evalCtx{index: graph{e.index, q.vis}, params: spec.Params, now: e.now, eng: e, q: q}
	bootstrapGuarded(q, c)
	flushGuarded(q)
	// The bootstrap's diff is not returned: its scratch would keep the
	// whole first result reachable until the query next flushes.
	q.diff = Diff{}
	e.enlist(q)
	return q, nil
}

// bootstrapGuarded runs q over the unit row: its result over the index.
func bootstrapGuarded(q *Query, c *evalCtx) {
	defer contain(q)
	if err := q.run(c, []delta{{r: unitRow, w: 1}}); err != nil {
		q.err = err
	}
}

// The query languages, as ParseLanguage names them.
const (
	LanguageCypher = "cypher" // openCypher, the default
	LanguageGQL    = "gql"    // ISO GQL
)

// ParseLanguage returns the canonical name of a query language name, as
// QuerySpec.Language takes it: LanguageCypher for "", "cypher" and
// "opencypher", LanguageGQL for "gql", in any letter case. Any other name
// is an error.
func ParseLanguage(name string) (string, error) {
	switch strings.ToLower(name) {
	case "", "cypher", "opencypher":
		return LanguageCypher, nil
	case "gql":
		return LanguageGQL, nil
	}
	return "", fmt.Errorf("unsupported query language %q", name)
}

// compile builds a query's pipelines with empty state; it neither touches
// the index nor registers the query.
func (e *Engine) compile(spec QuerySpec) (*Query, error) {
	if spec.ID == "" {
		return nil, fmt.Errorf("query has no id")
	}
	tree := spec.AST
	funcs := funcSet{e.funcs}
	if tree == nil {
		lang, err := ParseLanguage(spec.Language)
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", spec.ID, err)
		}
		switch lang {
		case LanguageCypher:
			tree, err = cypher.Parse(spec.Text)
		case LanguageGQL:
			// The GQL registration set replaces the Cypher one for this query
			// only; a caller-supplied registry (Options.Functions) is a Cypher
			// override and does not apply.
			tree, err = gql.Parse(spec.Text)
			funcs = funcSet{functions.GQL()}
		}
		if err != nil {
			return nil, err
		}
	}
	if err := ast.Check(tree, funcs); err != nil {
		return nil, err
	}
	pl := &planner{funcs: funcs, params: spec.Params, index: e.index, seed: e.seed}
	branches, err := pl.compileQuery(tree)
	if err != nil {
		return nil, err
	}
	q := &Query{
		id: spec.ID, spec: spec, eng: e, vis: newVisibility(spec.Subscriptions, spec.Joins), branches: branches, watchers: pl.watchers,
		columns: branches[0].columns, result: newIDBag(), readsGraph: pl.readsGraph,
	}
	q.readNodes, q.readRels = sortedKeys(pl.readNodes), sortedKeys(pl.readRels)
	if len(branches) == 1 {
		q.final = branches[0].final
	}
	if oldRowsFromResult(tree, branches, funcs) {
		if derivedResult(tree) && !e.opts.StoreAllResults {
			q.derived = true
			branches[0].stages[1].(*projectStage).slab = &rowSlab{}
		} else {
			q.oldFrom = branches[0].stages[0].(*matchStage)
		}
	}
	setupProjMemo(tree, branches, funcs)
	if len(branches) > 1 && !tree.All {
		q.union = &distinctStage{width: len(q.columns), counts: map[uint64][]*distinctEntry{}, seed: e.seed}
	}
	q.locateSites()
	return q, nil
}

// RemoveQuery unregisters a query; it reports whether it existed.
func (e *Engine) RemoveQuery(id string) bool {
	q := e.byID[id]
	if q == nil {
		return false
	}
	delete(e.byID, id)
	for i, x := range e.queries {
		if x == q {
			e.queries = append(e.queries[:i], e.queries[i+1:]...)
			break
		}
	}
	e.route.remove(q)
	if q.touched {
		q.touched = false
		e.touched = slices.DeleteFunc(e.touched, func(x *Query) bool { return x == q })
	}
	return true
}

// enlist registers a compiled query: in registration order, by id, and
// with the router.
func (e *Engine) enlist(q *Query) {
	e.registered++
	q.order = e.registered
	e.queries = append(e.queries, q)
	e.byID[q.id] = q
	e.route.add(q)
}

// declareJoin registers a synthetic relation and creates its relations
// between the nodes already in the index, as ordinary changes.
func (e *Engine) declareJoin(j Join) error {
	s, err := e.index.addJoin(j)
	if err != nil || s.refs > 1 {
		return err
	}
	for _, k := range j.Keys {
		e.index.Nodes(k.Label, func(n *value.Node) bool {
			e.index.postJoinKeys(n, true)
			return true
		})
	}
	seen := map[string]bool{}
	for _, k := range j.Keys {
		var nodes []*value.Node
		e.index.Nodes(k.Label, func(n *value.Node) bool {
			nodes = append(nodes, n)
			return true
		})
		for _, n := range nodes {
			for _, r := range e.index.joinEdges(n) {
				if r.Type != j.ID || seen[r.ID] {
					continue
				}
				seen[r.ID] = true
				e.putRel(r)
			}
		}
	}
	return nil
}

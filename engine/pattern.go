package engine

import (
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/grammar/ast"
)

// labelMatch is a compiled label (or relationship type) expression.
type labelMatch struct {
	expr ast.LabelExpr
	// scan is a label every matching node must carry, used to start a scan
	// from the label index; "" when there is none (alternations, negations).
	scan string
	// names lists every label or type the expression mentions, for routing
	// changes to the queries they can affect.
	names []string
	// open is set when an element carrying none of names can match (`!A`,
	// `%`): routing by names would miss it, so the pattern must be treated
	// as matching any label.
	open bool
}

func compileLabels(e ast.LabelExpr) *labelMatch {
	if e == nil {
		return nil
	}
	lm := &labelMatch{expr: e, scan: requiredLabel(e)}
	collectLabelNames(e, &lm.names)
	none := func(string) bool { return false }
	lm.open = evalLabels(e, none, true) || evalLabels(e, none, false)
	return lm
}

func requiredLabel(e ast.LabelExpr) string {
	switch e := e.(type) {
	case *ast.LabelName:
		return e.Name
	case *ast.LabelAnd:
		for _, it := range e.Items {
			if l := requiredLabel(it); l != "" {
				return l
			}
		}
	}
	return ""
}

func collectLabelNames(e ast.LabelExpr, out *[]string) {
	switch e := e.(type) {
	case *ast.LabelName:
		*out = append(*out, e.Name)
	case *ast.LabelAnd:
		for _, it := range e.Items {
			collectLabelNames(it, out)
		}
	case *ast.LabelOr:
		for _, it := range e.Items {
			collectLabelNames(it, out)
		}
	case *ast.LabelNot:
		collectLabelNames(e.Item, out)
	}
}

func (lm *labelMatch) matchNode(n *value.Node) bool {
	if lm == nil {
		return true
	}
	return evalLabels(lm.expr, func(l string) bool { return n.HasLabel(l) }, len(n.Labels) > 0)
}

func (lm *labelMatch) matchType(t string) bool {
	if lm == nil {
		return true
	}
	return evalLabels(lm.expr, func(l string) bool { return l == t }, true)
}

func evalLabels(e ast.LabelExpr, has func(string) bool, any bool) bool {
	switch e := e.(type) {
	case *ast.LabelName:
		return has(e.Name)
	case *ast.LabelAnd:
		for _, it := range e.Items {
			if !evalLabels(it, has, any) {
				return false
			}
		}
		return true
	case *ast.LabelOr:
		for _, it := range e.Items {
			if evalLabels(it, has, any) {
				return true
			}
		}
		return false
	case *ast.LabelNot:
		return !evalLabels(e.Item, has, any)
	case *ast.LabelAny:
		return any
	}
	return false
}

// propConst is a property constraint with a value known at compile time.
type propConst struct {
	key string
	val value.Value
}

func propsMatch(props value.Props, cs []propConst) bool {
	for _, c := range cs {
		eq, known := value.Equal(props.Get(c.key), c.val)
		if !known || !eq {
			return false
		}
	}
	return true
}

// nodeSlot is one node variable of a pattern (named or anonymous).
type nodeSlot struct {
	name   string
	labels *labelMatch
	props  []propConst
}

func (s *nodeSlot) fits(n *value.Node) bool {
	return s.labels.matchNode(n) && propsMatch(n.Props, s.props)
}

// relSlot is one relationship of a pattern, between node slots left and
// right (in the order written).
type relSlot struct {
	name        string
	types       *labelMatch
	props       []propConst
	dir         ast.Direction
	left, right int
	varLen      bool
	min, max    int // for varLen; max < 0: unbounded
}

func (s *relSlot) fits(r *value.Rel) bool {
	return s.types.matchType(r.Type) && propsMatch(r.Props, s.props)
}

// pathSlot binds a path variable to the nodes and relationships of one path
// pattern.
type pathSlot struct {
	name  string
	nodes []int // node slots in order
	rels  []int // rel slots in order
}

// pattern is a compiled MATCH pattern: slots plus the residual predicate
// (everything not checkable on one element alone) kept by the caller.
type pattern struct {
	nodes []nodeSlot
	rels  []relSlot
	paths []pathSlot
	// anchor and filter are what solveAnchored reuses: a query's stages run
	// on one goroutine and solveAnchored is never re-entered for one pattern.
	anchor *binding
	filter anchorFilter
	seed   value.Seed // the engine's: keys solution identities
}

// binding is a partial assignment of a pattern's slots while solving.
type binding struct {
	nodes []*value.Node
	rels  []*value.Rel   // single-hop slots
	lists [][]*value.Rel // variable-length slots
	bound []bool         // per rel slot
	fixed []*value.Rel   // per rel slot: the relationship it must be (bound by an earlier clause)
	used  []*value.Rel   // relationships bound so far (uniqueness)
}

func (p *pattern) newBinding() *binding {
	return &binding{
		nodes: make([]*value.Node, len(p.nodes)),
		rels:  make([]*value.Rel, len(p.rels)),
		lists: make([][]*value.Rel, len(p.rels)),
		bound: make([]bool, len(p.rels)),
		fixed: make([]*value.Rel, len(p.rels)),
	}
}

func (b *binding) reset() {
	clear(b.nodes)
	clear(b.rels)
	clear(b.lists)
	clear(b.bound)
	clear(b.fixed)
	b.used = b.used[:0]
}

func (b *binding) isUsed(r *value.Rel) bool {
	for _, u := range b.used {
		if u == r || u.ID == r.ID {
			return true
		}
	}
	return false
}

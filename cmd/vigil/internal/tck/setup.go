package tck

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/grammar/cypher"
)

// SkipError marks a scenario as out of scope; its text is the reason.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

func skipf(format string, args ...any) error {
	return &SkipError{Reason: fmt.Sprintf(format, args...)}
}

var writeWord = regexp.MustCompile(`(?i)\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|CALL|FOREACH|LOAD)\b`)

// WriteKeywords lists, upper-cased and in order of appearance, the updating
// or procedure keywords (CREATE, MERGE, SET, DELETE, DETACH, REMOVE, CALL,
// FOREACH, LOAD) used as clauses in a query text. String literals, quoted
// names, comments, property keys (n.set) and labels (:Create) do not count.
func WriteKeywords(text string) []string {
	s := stripLiterals(text)
	var out []string
	for _, m := range writeWord.FindAllStringIndex(s, -1) {
		before := strings.TrimRight(s[:m[0]], " \t\r\n")
		after := strings.TrimLeft(s[m[1]:], " \t\r\n")
		if strings.HasSuffix(before, ".") || strings.HasSuffix(before, ":") || strings.HasPrefix(after, ":") {
			continue
		}
		out = append(out, strings.ToUpper(s[m[0]:m[1]]))
	}
	return out
}

// stripLiterals blanks out string literals, backquoted names and comments,
// keeping offsets.
func stripLiterals(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\'' || c == '"' || c == '`':
			for i++; i < len(b) && b[i] != c; i++ {
				if b[i] == '\\' && c != '`' && i+1 < len(b) {
					b[i] = ' '
					i++
				}
				b[i] = ' '
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			for ; i < len(b) && !(b[i] == '*' && i+1 < len(b) && b[i+1] == '/'); i++ {
				b[i] = ' '
			}
		}
	}
	return string(b)
}

// setup turns setup queries into engine inserts. Element ids come from
// counters shared by every setup query of a scenario.
type setup struct {
	e     *engine.Engine
	nodes int
	rels  int
	tmp   int
}

// binding is one row of the setup pipeline: variable -> value.
type binding map[string]value.Value

// run executes one setup query: each stretch of read clauses (MATCH, UNWIND,
// WITH) runs through the engine as a temporary query; each CREATE clause
// then creates its pattern once per row, as one batch of inserts.
func (s *setup) run(text string) error {
	for _, kw := range WriteKeywords(text) {
		if kw != "CREATE" {
			return skipf("setup query uses %s", kw)
		}
	}
	q, err := cypher.Parse(text)
	if err != nil {
		return fmt.Errorf("setup query does not parse: %w", err)
	}
	if len(q.Parts) != 1 {
		return skipf("setup query is a UNION")
	}
	rows := []binding{{}}
	var rowScope, scope []string // variables of rows; variables after pending
	var pending []ast.Clause
	// CREATE a, b is CREATE a CREATE b; splitting lets b's properties
	// refer to variables that a introduces.
	var clauses []ast.Clause
	for _, c := range q.Parts[0].Clauses {
		if cr, ok := c.(*ast.Create); ok && len(cr.Pattern) > 1 {
			for _, pp := range cr.Pattern {
				clauses = append(clauses, &ast.Create{Pos: cr.Pos, Pattern: ast.Pattern{pp}})
			}
			continue
		}
		clauses = append(clauses, c)
	}
	for _, c := range clauses {
		cr, ok := c.(*ast.Create)
		if !ok {
			pending = append(pending, c)
			scope = scopeAfter(scope, c)
			continue
		}
		exprs := propExprs(cr.Pattern)
		var props [][]value.Value
		if len(pending) > 0 || len(exprs) > 0 {
			rows, props, err = s.evalReads(pending, rows, rowScope, scope, exprs)
			if err != nil {
				return err
			}
		}
		pending = nil
		if err := s.create(cr.Pattern, rows, props); err != nil {
			return err
		}
		scope = scopeAfter(scope, c)
		rowScope = append([]string(nil), scope...)
	}
	return nil
}

// evalReads runs the read clauses over the incoming rows and evaluates the
// property maps of the next CREATE for every resulting row, through a
// temporary engine query. Incoming rows enter the query as the parameter
// $__rows.
func (s *setup) evalReads(reads []ast.Clause, rows []binding, rowScope, scope []string, exprs []ast.Expr) ([]binding, [][]value.Value, error) {
	var clauses []ast.Clause
	params := map[string]value.Value{}
	if !(len(rows) == 1 && len(rowScope) == 0) {
		list := make([]value.Value, len(rows))
		for i, r := range rows {
			list[i] = value.Map(r)
		}
		params["__rows"] = value.List(list)
		clauses = append(clauses, &ast.Unwind{Expr: &ast.Param{Name: "__rows"}, Var: "__r"})
		w := &ast.With{}
		for _, v := range rowScope {
			w.Items = append(w.Items, &ast.ProjectionItem{
				Expr: &ast.Prop{Subject: &ast.Var{Name: "__r"}, Key: v}, Alias: v, Explicit: true})
		}
		if len(w.Items) == 0 {
			w.Items = append(w.Items, &ast.ProjectionItem{Expr: &ast.Literal{Kind: ast.LitInt, Int: 1}, Alias: "__one", Explicit: true})
		}
		clauses = append(clauses, w)
	}
	clauses = append(clauses, reads...)
	ret := &ast.Return{}
	for _, v := range scope {
		ret.Items = append(ret.Items, &ast.ProjectionItem{Expr: &ast.Var{Name: v}, Alias: v, Explicit: true})
	}
	for i, x := range exprs {
		ret.Items = append(ret.Items, &ast.ProjectionItem{Expr: x, Alias: fmt.Sprintf("__p%d", i), Explicit: true})
	}
	if len(ret.Items) == 0 {
		ret.Items = append(ret.Items, &ast.ProjectionItem{Expr: &ast.Literal{Kind: ast.LitInt, Int: 1}, Alias: "__one", Explicit: true})
	}
	clauses = append(clauses, ret)
	s.tmp++
	id := fmt.Sprintf("__setup%d", s.tmp)
	q, err := s.e.AddQuery(engine.QuerySpec{ID: id, AST: &ast.Query{Parts: []*ast.SingleQuery{{Clauses: clauses}}}, Params: params})
	if err != nil {
		return nil, nil, fmt.Errorf("setup read query: %w", err)
	}
	defer s.e.RemoveQuery(id)
	if err := q.Err(); err != nil {
		return nil, nil, fmt.Errorf("setup read query: %w", err)
	}
	cols := q.Columns()
	index := map[string]int{}
	for i, c := range cols {
		index[c] = i
	}
	var out []binding
	var props [][]value.Value
	for _, r := range q.Results() {
		b := binding{}
		for _, v := range scope {
			if i, ok := index[v]; ok && i < len(r) {
				b[v] = r[i]
			}
		}
		p := make([]value.Value, len(exprs))
		for i := range exprs {
			if j, ok := index[fmt.Sprintf("__p%d", i)]; ok && j < len(r) {
				p[i] = r[j]
			}
		}
		out = append(out, b)
		props = append(props, p)
	}
	return out, props, nil
}

// create instantiates the pattern once per row, binding new variables in
// the rows, and applies the inserts as one batch.
func (s *setup) create(pat ast.Pattern, rows []binding, props [][]value.Value) error {
	var changes []engine.Change
	for ri, b := range rows {
		pi := 0
		nextProps := func(x ast.Expr) (map[string]value.Value, error) {
			if x == nil {
				return map[string]value.Value{}, nil
			}
			var v value.Value
			if props != nil {
				v = props[ri][pi]
			}
			pi++
			if v.Kind() != value.KindMap {
				return nil, fmt.Errorf("setup: property map evaluated to %s", v)
			}
			m := map[string]value.Value{}
			for k, x := range v.AsMap() {
				if !x.IsNull() {
					m[k] = x
				}
			}
			return m, nil
		}
		for _, pp := range pat {
			var nodes []*value.Node
			for _, np := range pp.Nodes {
				pm, err := nextProps(np.Props)
				if err != nil {
					return err
				}
				if np.Var != "" {
					if v, ok := b[np.Var]; ok && v.Kind() == value.KindNode {
						nodes = append(nodes, v.AsNode())
						continue
					} else if ok && !v.IsNull() {
						return fmt.Errorf("setup: variable %s is bound to %s, not a node", np.Var, v)
					}
				}
				s.nodes++
				n := &value.Node{ID: fmt.Sprintf("n%d", s.nodes), Labels: labelNames(np.Labels), Props: value.PropsOf(pm)}
				changes = append(changes, engine.Change{Op: engine.OpInsert, Element: engine.Element{ID: n.ID, Labels: n.Labels, Props: pm}})
				if np.Var != "" {
					b[np.Var] = value.NodeOf(n)
				}
				nodes = append(nodes, n)
			}
			// Property maps were collected node by node, then relationship
			// by relationship (see propExprs).
			var rels []*value.Rel
			for i, rp := range pp.Rels {
				pm, err := nextProps(rp.Props)
				if err != nil {
					return err
				}
				types := labelNames(rp.Types)
				if len(types) != 1 {
					return fmt.Errorf("setup: a created relationship needs exactly one type")
				}
				from, to := nodes[i], nodes[i+1]
				if rp.Direction == ast.DirLeft {
					from, to = to, from
				}
				s.rels++
				r := &value.Rel{ID: fmt.Sprintf("r%d", s.rels), Type: types[0], From: from.ID, To: to.ID, Props: value.PropsOf(pm)}
				changes = append(changes, engine.Change{Op: engine.OpInsert, Element: engine.Element{ID: r.ID, Type: r.Type, From: r.From, To: r.To, Props: pm}})
				if rp.Var != "" {
					b[rp.Var] = value.RelOf(r)
				}
				rels = append(rels, r)
			}
			if pp.Var != "" {
				b[pp.Var] = value.PathOf(&value.Path{Nodes: nodes, Rels: rels})
			}
		}
	}
	if len(changes) == 0 {
		return nil
	}
	if _, err := s.e.Apply(changes); err != nil {
		return fmt.Errorf("setup: applying inserts: %w", err)
	}
	return nil
}

// propExprs lists the property-map expressions of a pattern: for each path,
// those of its nodes, then those of its relationships.
func propExprs(pat ast.Pattern) []ast.Expr {
	var out []ast.Expr
	for _, pp := range pat {
		for _, n := range pp.Nodes {
			if n.Props != nil {
				out = append(out, n.Props)
			}
		}
		for _, r := range pp.Rels {
			if r.Props != nil {
				out = append(out, r.Props)
			}
		}
	}
	return out
}

// labelNames flattens a conjunction of label names.
func labelNames(l ast.LabelExpr) []string {
	switch x := l.(type) {
	case *ast.LabelName:
		return []string{x.Name}
	case *ast.LabelAnd:
		var out []string
		for _, it := range x.Items {
			out = append(out, labelNames(it)...)
		}
		return out
	case *ast.LabelOr:
		var out []string
		for _, it := range x.Items {
			out = append(out, labelNames(it)...)
		}
		return out
	}
	return nil
}

// scopeAfter returns the variables in scope after clause c.
func scopeAfter(scope []string, c ast.Clause) []string {
	add := func(s []string, v string) []string {
		if v == "" {
			return s
		}
		for _, x := range s {
			if x == v {
				return s
			}
		}
		return append(s, v)
	}
	addPattern := func(s []string, pat ast.Pattern) []string {
		for _, pp := range pat {
			s = add(s, pp.Var)
			for _, n := range pp.Nodes {
				s = add(s, n.Var)
			}
			for _, r := range pp.Rels {
				s = add(s, r.Var)
			}
		}
		return s
	}
	out := append([]string(nil), scope...)
	switch x := c.(type) {
	case *ast.Match:
		return addPattern(out, x.Pattern)
	case *ast.Create:
		return addPattern(out, x.Pattern)
	case *ast.Unwind:
		return add(out, x.Var)
	case *ast.With:
		if !x.Star {
			out = nil
		}
		for _, it := range x.Items {
			out = add(out, it.Alias)
		}
		return out
	case *ast.Return:
		return nil
	}
	return out
}

// isSkip reports whether err marks the scenario as skipped.
func isSkip(err error) (string, bool) {
	var s *SkipError
	if errors.As(err, &s) {
		return s.Reason, true
	}
	return "", false
}

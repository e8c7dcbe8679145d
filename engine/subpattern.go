package engine

import (
	"errors"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/grammar/ast"
)

// errStop ends a solution enumeration early once the answer is known.
var errStop = errors.New("stop")

// subPattern is a pattern evaluated inside an expression (a pattern
// predicate, an EXISTS subquery or a pattern comprehension) for each row.
type subPattern struct {
	pp    *patternPlan
	where evalFn // over the row extended by the pattern's new slots; nil = true
}

func (pl *planner) subPattern(ec *exprCompiler, pat ast.Pattern, where ast.Expr, sc *scope) (sp *subPattern, err error) {
	pl.readsGraph = true
	pp, err := pl.compilePattern(pat, sc, ec)
	if err != nil {
		return nil, err
	}
	defer func() {
		if sp != nil {
			pl.subs = append(pl.subs, sp)
		}
	}()
	conds := append([]ast.Expr(nil), pp.residual...)
	if where != nil {
		conds = append(conds, where)
	}
	sp = &subPattern{pp: pp}
	if len(conds) > 0 {
		if sp.where, err = ec.compile(conjunction(conds), pp.out); err != nil {
			return nil, err
		}
	}
	return sp, nil
}

// each calls fn with every extended row that satisfies the pattern and its
// condition, against the graph as it is now.
func (sp *subPattern) each(c *evalCtx, r []value.Value, fn func(ext []value.Value) error) error {
	pp := sp.pp
	b := pp.p.newBinding()
	in := r
	if len(in) > pp.inWidth {
		in = in[:pp.inWidth]
	}
	if !pp.bindFrom(c.index, in, b) {
		return nil
	}
	err := pp.p.solveAll(c.index, b, sinkFunc(func(b *binding) error {
		ext := make([]value.Value, len(pp.out.names))
		copy(ext, in)
		pp.fill(c.index, b, ext[pp.inWidth:], pp.inWidth)
		if sp.where != nil {
			v, err := sp.where(c, ext)
			if err != nil {
				return err
			}
			if !v.AsBool() {
				return nil
			}
		}
		return fn(ext)
	}))
	if err == errStop {
		return nil
	}
	return err
}

// existsExpr compiles a pattern predicate or an EXISTS subquery.
func (pl *planner) existsExpr(ec *exprCompiler, e *ast.Exists, sc *scope) (evalFn, error) {
	pat, where := e.Pattern, e.Where
	if e.Query != nil {
		if len(e.Query.Parts) != 1 {
			return nil, ast.Errorf(e.Pos, "UnsupportedExpression", "UNION inside EXISTS is not supported")
		}
		var conds []ast.Expr
		pat = nil
		for _, cl := range e.Query.Parts[0].Clauses {
			switch cl := cl.(type) {
			case *ast.Match:
				if cl.Optional {
					continue // an OPTIONAL MATCH never removes rows: it cannot decide existence
				}
				pat = append(pat, cl.Pattern...)
				if cl.Where != nil {
					conds = append(conds, cl.Where)
				}
			case *ast.Return:
				// The projection of an existential subquery does not matter.
			default:
				return nil, ast.Errorf(cl.Position(), "UnsupportedExpression", "only MATCH ... WHERE ... is supported inside EXISTS { }")
			}
		}
		if len(conds) > 0 {
			where = conjunction(conds)
		}
	}
	if len(pat) == 0 {
		return nil, ast.Errorf(e.Pos, "UnsupportedExpression", "EXISTS without a pattern")
	}
	sp, err := pl.subPattern(ec, pat, where, sc)
	if err != nil {
		return nil, err
	}
	return func(c *evalCtx, r []value.Value) (value.Value, error) {
		found := false
		err := sp.each(c, r, func([]value.Value) error {
			found = true
			return errStop
		})
		if err != nil {
			return value.Null, err
		}
		return value.Bool(found), nil
	}, nil
}

// patternComp compiles `[p = (a)-->(b) WHERE cond | expr]`.
func (pl *planner) patternComp(ec *exprCompiler, e *ast.PatternComp, sc *scope) (evalFn, error) {
	sp, err := pl.subPattern(ec, ast.Pattern{e.Pattern}, e.Where, sc)
	if err != nil {
		return nil, err
	}
	var mapping evalFn
	if e.Map != nil {
		if mapping, err = ec.compile(e.Map, sp.pp.out); err != nil {
			return nil, err
		}
	}
	return func(c *evalCtx, r []value.Value) (value.Value, error) {
		out := []value.Value{}
		err := sp.each(c, r, func(ext []value.Value) error {
			if mapping == nil {
				out = append(out, value.Null)
				return nil
			}
			v, err := mapping(c, ext)
			if err != nil {
				return err
			}
			out = append(out, v)
			return nil
		})
		if err != nil {
			return value.Null, err
		}
		return value.List(out), nil
	}, nil
}

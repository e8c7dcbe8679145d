// Package ast is the language-neutral syntax tree that every front-end
// (openCypher, GQL) builds and that the engine compiles. Nothing in this
// package knows which language a query was written in: GQL's LET, FILTER,
// YIELD and NEXT, for instance, are lowered by their builder onto With.
//
// A query is a union of single queries; a single query is a pipeline of
// clauses (Match, Unwind, With, Return). Expressions are a closed set of node
// types implementing Expr.
package ast

import "fmt"

// Pos is a source position: 1-based line and 1-based column.
type Pos struct {
	Line int // 1-based line
	Col  int // 1-based column (in runes)
}

// String renders the position as "line L col C".
func (p Pos) String() string { return fmt.Sprintf("line %d col %d", p.Line, p.Col) }

// Position returns the position itself, so that embedding Pos gives every node
// a Position method.
func (p Pos) Position() Pos { return p }

// Node is any syntax-tree node.
type Node interface{ Position() Pos }

// Query is the root: one single query, or several joined by UNION / UNION ALL.
type Query struct {
	Pos
	Parts []*SingleQuery // at least one; more than one means a union
	All   bool           // UNION ALL (keep duplicates) rather than UNION
}

// SingleQuery is a pipeline of clauses, read left to right.
type SingleQuery struct {
	Pos
	Clauses []Clause
}

// Clause is one stage of a pipeline: *Match, *Unwind, *With, *Return or *Create.
type Clause interface {
	Node
	clause()
}

// Match solves a graph pattern against the current graph for each incoming row.
type Match struct {
	Pos
	Optional bool    // OPTIONAL MATCH: a row with nulls when nothing matches
	Pattern  Pattern // comma-separated path patterns, solved together
	Where    Expr    // nil when absent
}

// Unwind turns each element of a list into a row binding Var.
type Unwind struct {
	Pos
	Expr Expr
	Var  string
}

// With projects (and possibly aggregates) the rows and filters them.
type With struct {
	Pos
	Projection
	Where Expr // filter applied after the projection; nil when absent
}

// Return ends a single query with its projection.
type Return struct {
	Pos
	Projection
}

// Create is parsed only so that test runners can build setup graphs; the
// engine never executes it as a query.
type Create struct {
	Pos
	Pattern Pattern
}

func (*Match) clause()  {}
func (*Unwind) clause() {}
func (*With) clause()   {}
func (*Return) clause() {}
func (*Create) clause() {}

// Projection is the shared body of With and Return.
type Projection struct {
	Distinct bool
	Star     bool              // `*`: every variable in scope, before Items
	Items    []*ProjectionItem // the projected expressions
	// GroupBy holds explicit grouping keys (GQL GROUP BY). Nil means implicit
	// grouping (the non-aggregating items); a non-nil empty slice is GQL's
	// `GROUP BY ()`: one global group.
	GroupBy []Expr
	OrderBy []*SortItem
	Skip    Expr // nil when absent
	Limit   Expr // nil when absent
}

// ProjectionItem is `expr AS alias` or a bare expression.
type ProjectionItem struct {
	Pos
	Expr  Expr
	Alias string // the column name: the explicit alias, or the expression's source text
	// Explicit reports whether Alias was written with AS.
	Explicit bool
}

// SortItem is one ORDER BY key.
type SortItem struct {
	Pos
	Expr       Expr
	Descending bool
}

// Pattern is a list of path patterns matched together (sharing variables).
type Pattern []*PathPattern

// PathPattern is an alternating chain node (rel node)*, optionally bound to a
// path variable: `p = (a)-[r]->(b)`.
type PathPattern struct {
	Pos
	Var   string         // path variable, "" when absent
	Nodes []*NodePattern // len(Nodes) == len(Rels)+1
	Rels  []*RelPattern
}

// NodePattern is `(var:Labels {props} WHERE cond)`.
type NodePattern struct {
	Pos
	Var    string    // "" for an anonymous node
	Labels LabelExpr // nil: any node
	Props  Expr      // *MapLit or *Param; nil when absent
	Where  Expr      // inline WHERE; nil when absent
}

// Direction of a relationship pattern, read left to right.
type Direction uint8

// Relationship directions.
const (
	DirBoth  Direction = iota // -[]- : either direction
	DirRight                  // -[]->
	DirLeft                   // <-[]-
)

// RelPattern is `-[var:TYPES*min..max {props} WHERE cond]->`.
type RelPattern struct {
	Pos
	Var       string
	Direction Direction
	Types     LabelExpr // nil: any type
	Props     Expr      // *MapLit or *Param; nil when absent
	Where     Expr      // inline WHERE; nil when absent
	Length    *Range    // nil: exactly one hop; otherwise a variable-length relationship
}

// Range is the length bound of a variable-length relationship. A nil Min
// means 1; a nil Max means unbounded.
type Range struct {
	Min *int
	Max *int
}

// LabelExpr is a label (or relationship type) expression: *LabelName,
// *LabelAnd, *LabelOr, *LabelNot or *LabelAny.
type LabelExpr interface {
	Node
	labelExpr()
}

// LabelName matches elements carrying the label (or of the relationship type).
type LabelName struct {
	Pos
	Name string
}

// LabelAnd matches elements matched by every operand (`:A:B`, GQL `A & B`).
type LabelAnd struct {
	Pos
	Items []LabelExpr
}

// LabelOr matches elements matched by any operand (`:A|B`).
type LabelOr struct {
	Pos
	Items []LabelExpr
}

// LabelNot matches elements not matched by its operand (GQL `!A`).
type LabelNot struct {
	Pos
	Item LabelExpr
}

// LabelAny matches any element with at least one label (GQL `%`).
type LabelAny struct{ Pos }

func (*LabelName) labelExpr() {}
func (*LabelAnd) labelExpr()  {}
func (*LabelOr) labelExpr()   {}
func (*LabelNot) labelExpr()  {}
func (*LabelAny) labelExpr()  {}

// Expr is any value expression.
type Expr interface {
	Node
	expr()
}

// LitKind is the type of a literal.
type LitKind uint8

// Literal kinds.
const (
	LitNull LitKind = iota
	LitBool
	LitInt
	LitFloat
	LitString
)

// Literal is a scalar literal. Exactly the field for Kind is meaningful.
type Literal struct {
	Pos
	Kind  LitKind
	Bool  bool
	Int   int64
	Float float64
	Str   string
}

// ListLit is `[a, b, c]`.
type ListLit struct {
	Pos
	Items []Expr
}

// MapLit is `{k: v, ...}`; Keys and Values are parallel, in source order.
type MapLit struct {
	Pos
	Keys   []string
	Values []Expr
}

// Param is `$name`.
type Param struct {
	Pos
	Name string
}

// Var references a variable in scope.
type Var struct {
	Pos
	Name string
}

// Prop is `subject.key`.
type Prop struct {
	Pos
	Subject Expr
	Key     string
}

// Index is `subject[index]`: list element or dynamic map/property access.
type Index struct {
	Pos
	Subject Expr
	Index   Expr
}

// Slice is `subject[from..to]`; From or To may be nil.
type Slice struct {
	Pos
	Subject Expr
	From    Expr
	To      Expr
}

// UnaryOp is a prefix operator.
type UnaryOp uint8

// Unary operators.
const (
	OpNot UnaryOp = iota
	OpNeg
	OpPlus
)

// Unary is a prefix operation.
type Unary struct {
	Pos
	Op UnaryOp
	X  Expr
}

// BinaryOp is an infix operator.
type BinaryOp uint8

// Binary operators.
const (
	OpOr BinaryOp = iota
	OpXor
	OpAnd
	OpEq
	OpNe
	OpLt
	OpGt
	OpLe
	OpGe
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMod
	OpPow
	OpIn
	OpStartsWith
	OpEndsWith
	OpContains
	OpRegex  // =~
	OpConcat // GQL ||
)

var binaryOpNames = [...]string{
	OpOr: "OR", OpXor: "XOR", OpAnd: "AND", OpEq: "=", OpNe: "<>", OpLt: "<", OpGt: ">",
	OpLe: "<=", OpGe: ">=", OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpMod: "%",
	OpPow: "^", OpIn: "IN", OpStartsWith: "STARTS WITH", OpEndsWith: "ENDS WITH",
	OpContains: "CONTAINS", OpRegex: "=~", OpConcat: "||",
}

// String returns the operator as written in Cypher.
func (o BinaryOp) String() string {
	if int(o) < len(binaryOpNames) {
		return binaryOpNames[o]
	}
	return fmt.Sprintf("BinaryOp(%d)", o)
}

// Binary is an infix operation. Chained comparisons (a < b < c) are lowered by
// the builder to an AND of pairwise comparisons.
type Binary struct {
	Pos
	Op   BinaryOp
	L, R Expr
}

// IsNull is `x IS NULL` or, with Not, `x IS NOT NULL`.
type IsNull struct {
	Pos
	X   Expr
	Not bool
}

// HasLabels is the predicate `x:Label:Other` (or a GQL `x IS LABELED expr`).
type HasLabels struct {
	Pos
	X      Expr
	Labels LabelExpr
}

// Call is a function call, aggregating or not. Name keeps its namespace
// (`drasi.trueFor`) and its source case; lookup is case-insensitive.
type Call struct {
	Pos
	Name     string
	Distinct bool // count(DISTINCT x)
	Star     bool // count(*)
	Args     []Expr
}

// CaseWhen is one WHEN ... THEN ... arm.
type CaseWhen struct {
	When Expr
	Then Expr
}

// Case is a simple (Subject != nil) or generic CASE expression.
type Case struct {
	Pos
	Subject Expr
	Whens   []CaseWhen
	Else    Expr // nil: null
}

// ListComp is `[var IN list WHERE pred | mapping]`; Where and Map may be nil.
type ListComp struct {
	Pos
	Var   string
	In    Expr
	Where Expr
	Map   Expr
}

// PatternComp is `[p = (a)-->(b) WHERE pred | mapping]`.
type PatternComp struct {
	Pos
	Pattern *PathPattern // its Var, if set, binds the path
	Where   Expr
	Map     Expr
}

// QuantKind is the quantifier of a Quantifier expression.
type QuantKind uint8

// Quantifier kinds.
const (
	QuantAll QuantKind = iota
	QuantAny
	QuantNone
	QuantSingle
)

// Quantifier is `all(x IN list WHERE pred)` and its any/none/single siblings.
type Quantifier struct {
	Pos
	Kind  QuantKind
	Var   string
	In    Expr
	Where Expr
}

// Reduce is `reduce(acc = init, x IN list | expr)`.
type Reduce struct {
	Pos
	Acc  string
	Init Expr
	Var  string
	In   Expr
	Expr Expr
}

// Exists is a pattern predicate (`(a)-->()` in an expression) or an EXISTS
// subquery (`EXISTS { MATCH ... WHERE ... }` or `EXISTS { (a)-->() }`). It is
// true when the pattern has at least one match given the outer row.
type Exists struct {
	Pos
	Pattern Pattern
	Where   Expr   // nil when absent
	Query   *Query // a full subquery body; nil when the pattern form is used
}

// IsPatternPredicate reports whether e is a bare pattern predicate,
// `WHERE (a)-->()`, rather than an EXISTS { ... } subquery: the two share
// this node but not their rules (a pattern predicate introduces no
// variables and is only a condition). The front-ends mark the difference
// only by position: a pattern predicate starts where its pattern starts,
// while EXISTS { (a)-->() } starts at its keyword, before the pattern. A
// tree built without positions reads as EXISTS, which is the lenient
// answer.
func (e *Exists) IsPatternPredicate() bool {
	return e.Query == nil && e.Where == nil && len(e.Pattern) == 1 &&
		e.Pos != (Pos{}) && e.Pos == e.Pattern[0].Pos
}

func (*Literal) expr()     {}
func (*ListLit) expr()     {}
func (*MapLit) expr()      {}
func (*Param) expr()       {}
func (*Var) expr()         {}
func (*Prop) expr()        {}
func (*Index) expr()       {}
func (*Slice) expr()       {}
func (*Unary) expr()       {}
func (*Binary) expr()      {}
func (*IsNull) expr()      {}
func (*HasLabels) expr()   {}
func (*Call) expr()        {}
func (*Case) expr()        {}
func (*ListComp) expr()    {}
func (*PatternComp) expr() {}
func (*Quantifier) expr()  {}
func (*Reduce) expr()      {}
func (*Exists) expr()      {}

// Error is a positioned front-end error (syntax or semantic). Code is the
// openCypher TCK error detail (UndefinedVariable, InvalidAggregation,
// UnexpectedSyntax, ...) so that tests and tools can tell kinds apart without
// parsing messages.
type Error struct {
	Pos
	Code string
	Msg  string
}

// Error formats as "line L col C: msg (Code)".
func (e *Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("line %d col %d: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("line %d col %d: %s (%s)", e.Line, e.Col, e.Msg, e.Code)
}

// Errorf builds a positioned *Error with a TCK error code.
func Errorf(p Pos, code, format string, args ...any) *Error {
	return &Error{Pos: p, Code: code, Msg: fmt.Sprintf(format, args...)}
}

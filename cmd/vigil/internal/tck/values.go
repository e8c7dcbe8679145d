package tck

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigilhq/vigil/engine/value"
)

// ParseValue parses one value written in the TCK's result notation:
// integers, floats (1.5, 1e10, .5, NaN, Inf, -Inf), single-quoted strings
// with backslash escapes, true, false, null, lists [a, b], maps {k: v},
// nodes (:L1:L2 {p: v}), relationships [:T {p: v}] and paths
// <(:A)-[:T]->(:B)<-[:U]-()>. Nodes and relationships get no identity: the
// nodes of a path are numbered "p0", "p1", ... so that each relationship's
// From and To record its direction.
func ParseValue(s string) (value.Value, error) {
	p := &valueParser{s: s}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return value.Null, err
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return value.Null, p.errorf("unexpected trailing text %q", p.s[p.pos:])
	}
	return v, nil
}

type valueParser struct {
	s   string
	pos int
}

func (p *valueParser) errorf(format string, args ...any) error {
	return fmt.Errorf("value %q at offset %d: %s", p.s, p.pos, fmt.Sprintf(format, args...))
}

func (p *valueParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

func (p *valueParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *valueParser) hasPrefix(pre string) bool { return strings.HasPrefix(p.s[p.pos:], pre) }

func (p *valueParser) expect(c byte) error {
	p.skipSpace()
	if p.peek() != c {
		return p.errorf("expected %q", c)
	}
	p.pos++
	return nil
}

func (p *valueParser) value() (value.Value, error) {
	p.skipSpace()
	switch c := p.peek(); {
	case c == '\'' || c == '"':
		s, err := p.str()
		return value.Str(s), err
	case c == '[':
		save := p.pos
		p.pos++
		p.skipSpace()
		if p.peek() == ':' {
			p.pos = save
			r, err := p.rel()
			if err != nil {
				return value.Null, err
			}
			return value.RelOf(r), nil
		}
		p.pos = save
		return p.list()
	case c == '{':
		m, err := p.mapLit()
		return value.Map(m), err
	case c == '(':
		n, err := p.node()
		if err != nil {
			return value.Null, err
		}
		return value.NodeOf(n), nil
	case c == '<':
		return p.path()
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		w := p.word()
		switch w {
		case "null":
			return value.Null, nil
		case "true":
			return value.True, nil
		case "false":
			return value.False, nil
		case "NaN":
			return value.Float(math.NaN()), nil
		case "Inf", "Infinity":
			return value.Float(math.Inf(1)), nil
		case "":
			return value.Null, p.errorf("expected a value")
		}
		return value.Null, p.errorf("unknown literal %q", w)
	}
}

// word reads an identifier-like word (letters, digits, underscore).
func (p *valueParser) word() string {
	start := p.pos
	for p.pos < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.pos:])
		if !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			break
		}
		p.pos += n
	}
	return p.s[start:p.pos]
}

// name reads a label, type or key: a word or a `backquoted` name.
func (p *valueParser) name() (string, error) {
	p.skipSpace()
	if p.peek() == '`' {
		end := strings.IndexByte(p.s[p.pos+1:], '`')
		if end < 0 {
			return "", p.errorf("unterminated backquoted name")
		}
		n := p.s[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		return n, nil
	}
	w := p.word()
	if w == "" {
		return "", p.errorf("expected a name")
	}
	return w, nil
}

func (p *valueParser) number() (value.Value, error) {
	start := p.pos
	if c := p.peek(); c == '-' || c == '+' {
		p.pos++
	}
	if p.hasPrefix("Inf") {
		p.word()
		if p.s[start] == '-' {
			return value.Float(math.Inf(-1)), nil
		}
		return value.Float(math.Inf(1)), nil
	}
	if p.hasPrefix("NaN") {
		p.word()
		return value.Float(math.NaN()), nil
	}
	isFloat := false
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' || c == 'e' || c == 'E':
			isFloat = true
		case (c == '-' || c == '+') && (p.s[p.pos-1] == 'e' || p.s[p.pos-1] == 'E'):
		default:
			goto done
		}
		p.pos++
	}
done:
	text := p.s[start:p.pos]
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return value.Null, p.errorf("bad float %q", text)
		}
		return value.Float(f), nil
	}
	i, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return value.Null, p.errorf("bad integer %q", text)
	}
	return value.Int(i), nil
}

// str reads a quoted string, resolving backslash escapes.
func (p *valueParser) str() (string, error) {
	q := p.s[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == q:
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.s):
			e := p.s[p.pos+1]
			p.pos += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'u':
				if p.pos+4 <= len(p.s) {
					if r, err := strconv.ParseUint(p.s[p.pos:p.pos+4], 16, 32); err == nil {
						b.WriteRune(rune(r))
						p.pos += 4
						continue
					}
				}
				b.WriteString(`\u`)
			default: // \\, \', \" and anything else: the character itself
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *valueParser) list() (value.Value, error) {
	p.pos++ // [
	items := []value.Value{}
	p.skipSpace()
	if p.peek() == ']' {
		p.pos++
		return value.List(items), nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return value.Null, err
		}
		items = append(items, v)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return value.List(items), nil
		default:
			return value.Null, p.errorf("expected , or ] in list")
		}
	}
}

func (p *valueParser) mapLit() (map[string]value.Value, error) {
	p.pos++ // {
	m := map[string]value.Value{}
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
		return m, nil
	}
	for {
		k, err := p.name()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		m[k] = v
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return m, nil
		default:
			return nil, p.errorf("expected , or } in map")
		}
	}
}

// props reads an optional property map of a node or relationship.
func (p *valueParser) props() (map[string]value.Value, error) {
	p.skipSpace()
	if p.peek() != '{' {
		return map[string]value.Value{}, nil
	}
	return p.mapLit()
}

func (p *valueParser) node() (*value.Node, error) {
	p.pos++ // (
	n := &value.Node{}
	for {
		p.skipSpace()
		if p.peek() != ':' {
			break
		}
		p.pos++
		l, err := p.name()
		if err != nil {
			return nil, err
		}
		n.Labels = append(n.Labels, l)
	}
	props, err := p.props()
	if err != nil {
		return nil, err
	}
	n.Props = value.PropsOf(props)
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *valueParser) rel() (*value.Rel, error) {
	p.pos++ // [
	if err := p.expect(':'); err != nil {
		return nil, err
	}
	t, err := p.name()
	if err != nil {
		return nil, err
	}
	props, err := p.props()
	if err != nil {
		return nil, err
	}
	if err := p.expect(']'); err != nil {
		return nil, err
	}
	return &value.Rel{Type: t, Props: value.PropsOf(props)}, nil
}

func (p *valueParser) path() (value.Value, error) {
	p.pos++ // <
	path := &value.Path{}
	p.skipSpace()
	if p.peek() != '(' {
		return value.Null, p.errorf("expected a node in path")
	}
	n, err := p.node()
	if err != nil {
		return value.Null, err
	}
	n.ID = "p0"
	path.Nodes = append(path.Nodes, n)
	for {
		p.skipSpace()
		if p.peek() == '>' {
			p.pos++
			return value.PathOf(path), nil
		}
		left := false
		switch {
		case p.hasPrefix("<-"):
			left = true
			p.pos += 2
		case p.hasPrefix("-"):
			p.pos++
		default:
			return value.Null, p.errorf("expected a relationship or > in path")
		}
		p.skipSpace()
		r, err := p.rel()
		if err != nil {
			return value.Null, err
		}
		p.skipSpace()
		right := false
		switch {
		case p.hasPrefix("->"):
			right = true
			p.pos += 2
		case p.hasPrefix("-"):
			p.pos++
		default:
			return value.Null, p.errorf("expected - or -> after relationship")
		}
		if left == right {
			return value.Null, p.errorf("a path relationship needs exactly one direction")
		}
		p.skipSpace()
		if p.peek() != '(' {
			return value.Null, p.errorf("expected a node in path")
		}
		m, err := p.node()
		if err != nil {
			return value.Null, err
		}
		m.ID = fmt.Sprintf("p%d", len(path.Nodes))
		prev := path.Nodes[len(path.Nodes)-1]
		if right {
			r.From, r.To = prev.ID, m.ID
		} else {
			r.From, r.To = m.ID, prev.ID
		}
		path.Nodes = append(path.Nodes, m)
		path.Rels = append(path.Rels, r)
	}
}

// floatTolerance is the relative tolerance for comparing floats.
const floatTolerance = 1e-9

// Match reports whether the actual value matches the expected one (parsed
// with ParseValue). Nodes and relationships match by labels (as a set) or
// type and properties, never by identity; paths also by the direction of
// each relationship. A float matches within a small relative tolerance and
// never matches an integer. A string matches a temporal value written the
// same way. With unorderedLists, lists compare as bags.
func Match(expected, actual value.Value, unorderedLists bool) bool {
	ek, ak := expected.Kind(), actual.Kind()
	if ek == value.KindString && ak >= value.KindDate {
		s := actual.String()
		return s == "'"+expected.AsString()+"'" || s == expected.AsString()
	}
	if ek != ak {
		return false
	}
	switch ek {
	case value.KindNull:
		return true
	case value.KindBool:
		return expected.AsBool() == actual.AsBool()
	case value.KindInt:
		return expected.AsInt() == actual.AsInt()
	case value.KindFloat:
		return floatsMatch(expected.AsFloat(), actual.AsFloat())
	case value.KindString:
		return expected.AsString() == actual.AsString()
	case value.KindList:
		return listsMatch(expected.AsList(), actual.AsList(), unorderedLists)
	case value.KindMap:
		return propsMatch(expected.AsMap(), actual.AsMap(), unorderedLists)
	case value.KindNode:
		return nodesMatch(expected.AsNode(), actual.AsNode(), unorderedLists)
	case value.KindRel:
		return relsMatch(expected.AsRel(), actual.AsRel(), unorderedLists)
	case value.KindPath:
		e, a := expected.AsPath(), actual.AsPath()
		if e == nil || a == nil || len(e.Nodes) != len(a.Nodes) || len(e.Rels) != len(a.Rels) {
			return false
		}
		for i := range e.Nodes {
			if !nodesMatch(e.Nodes[i], a.Nodes[i], unorderedLists) {
				return false
			}
		}
		for i := range e.Rels {
			if !relsMatch(e.Rels[i], a.Rels[i], unorderedLists) {
				return false
			}
			eFwd := e.Rels[i].From == e.Nodes[i].ID
			aFwd := a.Rels[i].From == a.Nodes[i].ID && a.Rels[i].To == a.Nodes[i+1].ID
			aBwd := a.Rels[i].To == a.Nodes[i].ID && a.Rels[i].From == a.Nodes[i+1].ID
			if (eFwd && !aFwd) || (!eFwd && !aBwd) {
				return false
			}
		}
		return true
	}
	return actual.String() == expected.String()
}

func floatsMatch(e, a float64) bool {
	switch {
	case math.IsNaN(e) || math.IsNaN(a):
		return math.IsNaN(e) && math.IsNaN(a)
	case math.IsInf(e, 0) || math.IsInf(a, 0):
		return e == a
	case e == a:
		return true
	}
	return math.Abs(e-a) <= floatTolerance*math.Max(math.Abs(e), math.Abs(a))
}

func listsMatch(e, a []value.Value, unordered bool) bool {
	if len(e) != len(a) {
		return false
	}
	if !unordered {
		for i := range e {
			if !Match(e[i], a[i], unordered) {
				return false
			}
		}
		return true
	}
	return bagMatch(e, a, func(x, y value.Value) bool { return Match(x, y, unordered) })
}

// bagMatch reports whether every expected item pairs with a distinct actual
// item (greedily).
func bagMatch[T any](e, a []T, eq func(T, T) bool) bool {
	if len(e) != len(a) {
		return false
	}
	used := make([]bool, len(a))
outer:
	for _, x := range e {
		for j, y := range a {
			if !used[j] && eq(x, y) {
				used[j] = true
				continue outer
			}
		}
		return false
	}
	return true
}

func propsMatch(e, a map[string]value.Value, unordered bool) bool {
	if len(e) != len(a) {
		return false
	}
	for k, ev := range e {
		av, ok := a[k]
		if !ok || !Match(ev, av, unordered) {
			return false
		}
	}
	return true
}

func nodesMatch(e, a *value.Node, unordered bool) bool {
	if e == nil || a == nil {
		return e == a
	}
	el, al := append([]string(nil), e.Labels...), append([]string(nil), a.Labels...)
	sort.Strings(el)
	sort.Strings(al)
	if strings.Join(el, ":") != strings.Join(al, ":") {
		return false
	}
	return elementPropsMatch(e.Props, a.Props, unordered)
}

func relsMatch(e, a *value.Rel, unordered bool) bool {
	if e == nil || a == nil {
		return e == a
	}
	return e.Type == a.Type && elementPropsMatch(e.Props, a.Props, unordered)
}

// elementPropsMatch compares element properties, where a null property is
// the same as a missing one.
func elementPropsMatch(e, a value.Props, unordered bool) bool {
	if e.Len() != a.Len() {
		return false
	}
	for k, v := range e.All() {
		if !Match(v, a.Get(k), unordered) {
			return false
		}
	}
	return true
}

// RowsMatch compares result rows with expected rows: as sequences when
// ordered, as bags otherwise.
func RowsMatch(expected, actual [][]value.Value, ordered, unorderedLists bool) bool {
	eq := func(e, a []value.Value) bool {
		if len(e) != len(a) {
			return false
		}
		for i := range e {
			if !Match(e[i], a[i], unorderedLists) {
				return false
			}
		}
		return true
	}
	if len(expected) != len(actual) {
		return false
	}
	if ordered {
		for i := range expected {
			if !eq(expected[i], actual[i]) {
				return false
			}
		}
		return true
	}
	return bagMatch(expected, actual, eq)
}

package value

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// String renders v in openCypher TCK notation: 'text', 1, 1.5, true, null,
// [1, 2], {k: 1}, (:Label {p: 1}), [:TYPE {p: 1}], <(:A)-[:T]->(:B)>.
func (v Value) String() string {
	var b strings.Builder
	format(&b, v)
	return b.String()
}

func format(b *strings.Builder, v Value) {
	switch v.Kind() {
	case KindNull:
		b.WriteString("null")
	case KindBool:
		if v.AsBool() {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case KindInt:
		b.WriteString(strconv.FormatInt(v.AsInt(), 10))
	case KindFloat:
		b.WriteString(FormatFloat(v.AsFloat()))
	case KindString:
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(v.AsString(), `\`, `\\`), `'`, `\'`))
		b.WriteByte('\'')
	case KindList:
		b.WriteByte('[')
		for i, x := range v.AsList() {
			if i > 0 {
				b.WriteString(", ")
			}
			format(b, x)
		}
		b.WriteByte(']')
	case KindMap:
		formatProps(b, v.AsMap())
	case KindNode:
		formatNode(b, v.AsNode())
	case KindRel:
		r := v.AsRel()
		b.WriteString("[:")
		b.WriteString(r.Type)
		formatElementProps(b, r.Props)
		b.WriteByte(']')
	case KindPath:
		p := v.AsPath()
		b.WriteByte('<')
		for i, n := range p.Nodes {
			formatNode(b, n)
			if i < len(p.Rels) {
				r := p.Rels[i]
				forward := r.From == n.ID
				if !forward {
					b.WriteByte('<')
				}
				b.WriteString("-[:")
				b.WriteString(r.Type)
				formatElementProps(b, r.Props)
				b.WriteString("]-")
				if forward {
					b.WriteByte('>')
				}
			}
		}
		b.WriteByte('>')
	default:
		if e, ok := v.payload().(Ext); ok {
			b.WriteByte('\'')
			b.WriteString(e.String())
			b.WriteByte('\'')
		} else {
			fmt.Fprintf(b, "<%s>", v.Kind())
		}
	}
}

func formatNode(b *strings.Builder, n *Node) {
	b.WriteByte('(')
	for _, l := range n.Labels {
		b.WriteByte(':')
		b.WriteString(l)
	}
	formatNodeProps(b, n)
	b.WriteByte(')')
}

// formatProps writes {k: v, ...} with keys sorted.
func formatProps(b *strings.Builder, m map[string]Value) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteString(": ")
		format(b, m[k])
	}
	b.WriteByte('}')
}

// formatNodeProps writes a node's properties: after a space, and nothing
// when it has none, if the node has labels; else as a bare map.
func formatNodeProps(b *strings.Builder, n *Node) {
	if len(n.Labels) > 0 {
		formatElementProps(b, n.Props)
		return
	}
	writeProps(b, n.Props)
}

// formatElementProps writes an element's properties after a space, or
// nothing when it has none.
func formatElementProps(b *strings.Builder, p Props) {
	if p.Len() == 0 {
		return
	}
	b.WriteByte(' ')
	writeProps(b, p)
}

// writeProps writes {k: v, ...} in name order.
func writeProps(b *strings.Builder, p Props) {
	b.WriteByte('{')
	for i, k := range p.Names() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteString(": ")
		format(b, p.values()[i])
	}
	b.WriteByte('}')
}

// FormatFloat renders a float the way Cypher prints it: always with a
// decimal point or exponent (1.0, 1.5e-7), NaN, Infinity, -Infinity.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 && !strings.Contains(s[:i], ".") {
		s = s[:i] + ".0" + s[i:]
	}
	return s
}

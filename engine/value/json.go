package value

import (
	"math"
	"slices"
	"strconv"

	"github.com/vigilhq/vigil/internal/jsonenc"
)

// AppendJSON appends v as JSON: the bytes json.Marshal(ToGo(v)) gives,
// without building the Go value first (result events encode every row this
// way).
func AppendJSON(b []byte, v Value) []byte {
	switch v.Kind() {
	case KindNull:
		return append(b, "null"...)
	case KindBool:
		return strconv.AppendBool(b, v.AsBool())
	case KindInt:
		return strconv.AppendInt(b, v.AsInt(), 10)
	case KindFloat:
		f := v.AsFloat()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return jsonenc.AppendString(b, FormatFloat(f)) // as ToGo: JSON has no NaN
		}
		b, _ = jsonenc.AppendFloat(b, f)
		return b
	case KindString:
		return jsonenc.AppendString(b, v.AsString())
	case KindList:
		b = append(b, '[')
		for i, x := range v.AsList() {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSON(b, x)
		}
		return append(b, ']')
	case KindMap:
		return appendPropsJSON(b, v.AsMap())
	case KindNode:
		return appendElementJSON(b, v.AsNode().Props)
	case KindRel:
		return appendElementJSON(b, v.AsRel().Props)
	case KindPath:
		p := v.AsPath()
		b = append(b, '[')
		for i, n := range p.Nodes {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendElementJSON(b, n.Props)
			if i < len(p.Rels) {
				b = append(b, ',')
				b = appendElementJSON(b, p.Rels[i].Props)
			}
		}
		return append(b, ']')
	}
	if e, ok := v.payload().(Ext); ok {
		return jsonenc.AppendString(b, e.String())
	}
	return append(b, "null"...)
}

// appendElementJSON writes an element's properties as a JSON object, names
// in order.
func appendElementJSON(b []byte, p Props) []byte {
	b = append(b, '{')
	for i, k := range p.Names() {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, k)
		b = append(b, ':')
		b = AppendJSON(b, p.values()[i])
	}
	return append(b, '}')
}

// appendPropsJSON writes a property map as a JSON object with sorted keys,
// as encoding/json does; ToGo turns a nil map into an empty object.
func appendPropsJSON(b []byte, m map[string]Value) []byte {
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, k)
		b = append(b, ':')
		b = AppendJSON(b, m[k])
	}
	return append(b, '}')
}

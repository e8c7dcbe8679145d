package value

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// FromGo converts a decoded JSON or YAML value (nil, bool, numbers, string,
// []any, map[string]any, and already-built Values) into a Value.
func FromGo(x any) (Value, error) {
	switch t := x.(type) {
	case nil:
		return Null, nil
	case Value:
		return t, nil
	case bool:
		return Bool(t), nil
	case int:
		return Int(int64(t)), nil
	case int8:
		return Int(int64(t)), nil
	case int16:
		return Int(int64(t)), nil
	case int32:
		return Int(int64(t)), nil
	case int64:
		return Int(t), nil
	case uint:
		return Int(int64(t)), nil
	case uint8:
		return Int(int64(t)), nil
	case uint16:
		return Int(int64(t)), nil
	case uint32:
		return Int(int64(t)), nil
	case uint64:
		if t > math.MaxInt64 {
			return Float(float64(t)), nil
		}
		return Int(int64(t)), nil
	case float32:
		return Float(float64(t)), nil
	case float64:
		return Float(t), nil
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return Int(i), nil
		}
		f, err := t.Float64()
		if err != nil {
			return Null, fmt.Errorf("invalid number %q", t)
		}
		return Float(f), nil
	case string:
		return Str(t), nil
	case []any:
		l := make([]Value, len(t))
		for i, e := range t {
			v, err := FromGo(e)
			if err != nil {
				return Null, err
			}
			l[i] = v
		}
		return List(l), nil
	case map[string]any:
		m := make(map[string]Value, len(t))
		for k, e := range t {
			v, err := FromGo(e)
			if err != nil {
				return Null, fmt.Errorf("%s: %w", k, err)
			}
			m[k] = v
		}
		return Map(m), nil
	case map[any]any:
		m := make(map[string]Value, len(t))
		for k, e := range t {
			ks, ok := k.(string)
			if !ok {
				ks = fmt.Sprint(k)
			}
			v, err := FromGo(e)
			if err != nil {
				return Null, fmt.Errorf("%s: %w", ks, err)
			}
			m[ks] = v
		}
		return Map(m), nil
	}
	return Null, fmt.Errorf("unsupported value of Go type %T", x)
}

// ToGo converts v to plain Go data suitable for encoding/json: nodes and
// relationships become maps of their properties, paths lists of elements,
// temporal values their ISO 8601 strings.
func ToGo(v Value) any {
	switch v.Kind() {
	case KindNull:
		return nil
	case KindBool:
		return v.AsBool()
	case KindInt:
		return v.AsInt()
	case KindFloat:
		f := v.AsFloat()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return FormatFloat(f) // JSON has no NaN or Infinity
		}
		return f
	case KindString:
		return v.AsString()
	case KindList:
		l := v.AsList()
		out := make([]any, len(l))
		for i, x := range l {
			out[i] = ToGo(x)
		}
		return out
	case KindMap:
		return propsToGo(v.AsMap())
	case KindNode:
		return elementPropsToGo(v.AsNode().Props)
	case KindRel:
		return elementPropsToGo(v.AsRel().Props)
	case KindPath:
		p := v.AsPath()
		out := make([]any, 0, len(p.Nodes)+len(p.Rels))
		for i, n := range p.Nodes {
			out = append(out, elementPropsToGo(n.Props))
			if i < len(p.Rels) {
				out = append(out, elementPropsToGo(p.Rels[i].Props))
			}
		}
		return out
	}
	if e, ok := v.payload().(Ext); ok {
		return e.String()
	}
	return nil
}

func propsToGo(m map[string]Value) map[string]any {
	out := make(map[string]any, len(m))
	for k, x := range m {
		out[k] = ToGo(x)
	}
	return out
}

func elementPropsToGo(p Props) map[string]any {
	out := make(map[string]any, p.Len())
	for k, x := range p.All() {
		out[k] = ToGo(x)
	}
	return out
}

// MarshalJSON encodes v as ToGo does (AppendJSON writes those bytes
// directly).
func (v Value) MarshalJSON() ([]byte, error) { return AppendJSON(nil, v), nil }

// Keys returns the keys of a map value, sorted.
func (v Value) Keys() []string {
	m := v.AsMap()
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

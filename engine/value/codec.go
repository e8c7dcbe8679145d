package value

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/vigilhq/vigil/internal/binenc"
	"math"
	"sort"
)

// AppendBinary appends the binary encoding of a property value to buf: the
// form in which durable storage keeps element properties and result rows.
// It covers every kind a property can hold (null, booleans, numbers,
// strings, lists, maps, temporal values); nodes, relationships and paths
// are not property values and return an error. Map keys are written sorted
// so that equal values encode to equal bytes.
func AppendBinary(buf []byte, v Value) ([]byte, error) {
	k := v.Kind()
	buf = append(buf, byte(k))
	switch k {
	case KindNull:
	case KindBool:
		buf = append(buf, byte(v.bits()))
	case KindInt:
		buf = binary.AppendVarint(buf, int64(v.bits()))
	case KindFloat:
		buf = binary.LittleEndian.AppendUint64(buf, v.bits())
	case KindString:
		buf = binenc.AppendString(buf, v.AsString())
	case KindList:
		items := v.AsList()
		buf = binary.AppendUvarint(buf, uint64(len(items)))
		for _, it := range items {
			var err error
			if buf, err = AppendBinary(buf, it); err != nil {
				return buf, err
			}
		}
	case KindMap:
		m := v.AsMap()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf = binary.AppendUvarint(buf, uint64(len(keys)))
		for _, k := range keys {
			buf = binenc.AppendString(buf, k)
			var err error
			if buf, err = AppendBinary(buf, m[k]); err != nil {
				return buf, err
			}
		}
	case KindDate, KindLocalTime, KindTime, KindLocalDateTime, KindDateTime:
		t, ok := v.payload().(Temporal)
		if !ok {
			return buf, fmt.Errorf("value: %s without a temporal payload", k)
		}
		buf = binary.AppendVarint(buf, t.days)
		buf = binary.AppendVarint(buf, t.nanos)
		buf = binary.AppendVarint(buf, int64(t.offset))
		buf = binenc.AppendString(buf, t.zone)
	case KindDuration:
		d, ok := v.payload().(Duration)
		if !ok {
			return buf, fmt.Errorf("value: duration without a payload")
		}
		buf = binary.AppendVarint(buf, d.Months)
		buf = binary.AppendVarint(buf, d.Days)
		buf = binary.AppendVarint(buf, d.Seconds)
		buf = binary.AppendVarint(buf, d.Nanos)
	default:
		return buf, fmt.Errorf("value: a %s is not a property value and has no binary encoding", k)
	}
	return buf, nil
}

// errTruncated reports an encoding cut short: a torn or corrupted record.
var errTruncated = errors.New("value: truncated binary encoding")

// DecodeBinary decodes one value written by AppendBinary from the front of
// b and returns it with the bytes that follow it.
func DecodeBinary(b []byte) (Value, []byte, error) {
	d := decoder{binenc.Reader{B: b, Torn: errTruncated}}
	v := d.value(0)
	if d.Err != nil {
		return Null, nil, d.Err
	}
	return v, d.B, nil
}

// decoder reads values; binenc.Reader does the bounds-checked reading.
type decoder struct{ binenc.Reader }

// maxDepth bounds nesting so that a corrupted record cannot exhaust the stack.
const maxDepth = 512

func (d *decoder) value(depth int) Value {
	if depth > maxDepth {
		d.Fail(errors.New("value: binary encoding nested too deeply"))
		return Null
	}
	k := Kind(d.Byte())
	if d.Err != nil {
		return Null
	}
	switch k {
	case KindNull:
		return Null
	case KindBool:
		return Bool(d.Byte() != 0)
	case KindInt:
		return Int(d.Varint())
	case KindFloat:
		if len(d.B) < 8 {
			d.Fail(errTruncated)
			return Null
		}
		bits := binary.LittleEndian.Uint64(d.B)
		d.B = d.B[8:]
		return Float(math.Float64frombits(bits))
	case KindString:
		return Str(d.String())
	case KindList:
		n := d.Count()
		items := make([]Value, 0, n)
		for i := 0; i < n && d.Err == nil; i++ {
			items = append(items, d.value(depth+1))
		}
		return List(items)
	case KindMap:
		n := d.Count()
		m := make(map[string]Value, n)
		for i := 0; i < n && d.Err == nil; i++ {
			key := d.String()
			m[key] = d.value(depth + 1)
		}
		return Map(m)
	case KindDate, KindLocalTime, KindTime, KindLocalDateTime, KindDateTime:
		t := Temporal{kind: k, days: d.Varint(), nanos: d.Varint()}
		off := d.Varint()
		t.zone = d.String()
		if off < math.MinInt32 || off > math.MaxInt32 || t.nanos < 0 || t.nanos >= 86400e9 {
			d.Fail(fmt.Errorf("value: corrupted %s encoding", k))
			return Null
		}
		t.offset = int32(off)
		return t.value()
	case KindDuration:
		du := Duration{Months: d.Varint(), Days: d.Varint(), Seconds: d.Varint(), Nanos: d.Varint()}
		return du.value()
	default:
		d.Fail(fmt.Errorf("value: unknown kind %d in binary encoding", k))
		return Null
	}
}

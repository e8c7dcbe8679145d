package value

import (
	"encoding/binary"
	"errors"
	"fmt"
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
	buf = append(buf, byte(v.kind))
	switch v.kind {
	case KindNull:
	case KindBool:
		buf = append(buf, byte(v.num))
	case KindInt:
		buf = binary.AppendVarint(buf, int64(v.num))
	case KindFloat:
		buf = binary.LittleEndian.AppendUint64(buf, v.num)
	case KindString:
		buf = appendString(buf, v.str)
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
			buf = appendString(buf, k)
			var err error
			if buf, err = AppendBinary(buf, m[k]); err != nil {
				return buf, err
			}
		}
	case KindDate, KindLocalTime, KindTime, KindLocalDateTime, KindDateTime:
		t, ok := v.ref.(Temporal)
		if !ok {
			return buf, fmt.Errorf("value: %s without a temporal payload", v.kind)
		}
		buf = binary.AppendVarint(buf, t.days)
		buf = binary.AppendVarint(buf, t.nanos)
		buf = binary.AppendVarint(buf, int64(t.offset))
		buf = appendString(buf, t.zone)
	case KindDuration:
		d, ok := v.ref.(Duration)
		if !ok {
			return buf, fmt.Errorf("value: duration without a payload")
		}
		buf = binary.AppendVarint(buf, d.Months)
		buf = binary.AppendVarint(buf, d.Days)
		buf = binary.AppendVarint(buf, d.Seconds)
		buf = binary.AppendVarint(buf, d.Nanos)
	default:
		return buf, fmt.Errorf("value: a %s is not a property value and has no binary encoding", v.kind)
	}
	return buf, nil
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// errTruncated reports an encoding cut short: a torn or corrupted record.
var errTruncated = errors.New("value: truncated binary encoding")

// DecodeBinary decodes one value written by AppendBinary from the front of
// b and returns it with the bytes that follow it.
func DecodeBinary(b []byte) (Value, []byte, error) {
	d := decoder{b: b}
	v := d.value(0)
	if d.err != nil {
		return Null, nil, d.err
	}
	return v, d.b, nil
}

type decoder struct {
	b   []byte
	err error
}

// maxDepth bounds nesting so that a corrupted record cannot exhaust the stack.
const maxDepth = 512

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail(errTruncated)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) varint() int64 {
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errTruncated)
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *decoder) uvarint() uint64 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errTruncated)
		return 0
	}
	d.b = d.b[n:]
	return x
}

// count reads a length and checks it against the bytes left, each element
// taking at least one byte, so that a corrupted length cannot allocate.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errTruncated)
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errTruncated)
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) value(depth int) Value {
	if depth > maxDepth {
		d.fail(errors.New("value: binary encoding nested too deeply"))
		return Null
	}
	k := Kind(d.byte())
	if d.err != nil {
		return Null
	}
	switch k {
	case KindNull:
		return Null
	case KindBool:
		return Bool(d.byte() != 0)
	case KindInt:
		return Int(d.varint())
	case KindFloat:
		if len(d.b) < 8 {
			d.fail(errTruncated)
			return Null
		}
		bits := binary.LittleEndian.Uint64(d.b)
		d.b = d.b[8:]
		return Float(math.Float64frombits(bits))
	case KindString:
		return Str(d.string())
	case KindList:
		n := d.count()
		items := make([]Value, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			items = append(items, d.value(depth+1))
		}
		return List(items)
	case KindMap:
		n := d.count()
		m := make(map[string]Value, n)
		for i := 0; i < n && d.err == nil; i++ {
			key := d.string()
			m[key] = d.value(depth + 1)
		}
		return Map(m)
	case KindDate, KindLocalTime, KindTime, KindLocalDateTime, KindDateTime:
		t := Temporal{kind: k, days: d.varint(), nanos: d.varint()}
		off := d.varint()
		t.zone = d.string()
		if off < math.MinInt32 || off > math.MaxInt32 || t.nanos < 0 || t.nanos >= 86400e9 {
			d.fail(fmt.Errorf("value: corrupted %s encoding", k))
			return Null
		}
		t.offset = int32(off)
		return t.value()
	case KindDuration:
		du := Duration{Months: d.varint(), Days: d.varint(), Seconds: d.varint(), Nanos: d.varint()}
		return du.value()
	default:
		d.fail(fmt.Errorf("value: unknown kind %d in binary encoding", k))
		return Null
	}
}

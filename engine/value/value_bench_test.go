package value

import (
	"strconv"
	"testing"
)

var (
	sinkV    Value
	sinkB    bool
	sinkU    uint64
	sinkS    string
	sinkVals []Value
)

// BenchmarkPropsMap builds property maps of eight values, the shape of a
// graph element's properties: the map's slots hold Values, so their size
// sets the bytes per element.
func BenchmarkPropsMap(b *testing.B) {
	keys := [8]string{"id", "name", "temp", "floor", "room", "active", "ratio", "tag"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := make(map[string]Value, 8)
		m[keys[0]] = Int(int64(i))
		m[keys[1]] = Str("room")
		m[keys[2]] = Float(21.5)
		m[keys[3]] = Int(3)
		m[keys[4]] = Int(12)
		m[keys[5]] = True
		m[keys[6]] = Float(0.25)
		m[keys[7]] = Str("t")
		sinkV = Map(m)
	}
}

// BenchmarkRow builds a result row of five values.
func BenchmarkRow(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		row := make([]Value, 5)
		row[0] = Int(int64(i))
		row[1] = Str("building-1")
		row[2] = Float(20.5)
		row[3] = True
		row[4] = Null
		sinkVals = row
	}
}

func BenchmarkPropRead(b *testing.B) {
	n := &Node{ID: "n", Props: PropsOf(map[string]Value{"a": Int(1), "b": Str("x"), "c": Float(2)})}
	v := NodeOf(n)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sinkV = v.Prop("b")
	}
}

func BenchmarkEqualStrings(b *testing.B) {
	x, y := Str("building-"+strconv.Itoa(7)), Str("building-"+strconv.Itoa(7))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e, _ := Equal(x, y)
		sinkB = e
	}
}

func BenchmarkCompareMixed(b *testing.B) {
	vals := []Value{Int(3), Float(2.5), Str("a"), Str("b"), Null, True, Int(-1), Str("abc")}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c := 0
		for j := range vals {
			c += Compare(vals[j], vals[(j+1)%len(vals)])
		}
		sinkU = uint64(c)
	}
}

func BenchmarkHashRow(b *testing.B) {
	row := []Value{Int(42), Str("building-1"), Float(20.5), True, List([]Value{Int(1), Str("x")})}
	seed := NewSeed()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h := NewHasher(seed)
		for _, v := range row {
			HashInto(&h, v)
		}
		sinkU = h.Sum64()
	}
}

func BenchmarkAsString(b *testing.B) {
	v := Str("building-1")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sinkS = v.AsString()
	}
}

func BenchmarkListAccess(b *testing.B) {
	v := List([]Value{Int(1), Int(2), Int(3), Int(4)})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s := int64(0)
		for _, x := range v.AsList() {
			s += x.AsInt()
		}
		sinkU = uint64(s)
	}
}

func BenchmarkDurationAdd(b *testing.B) {
	d := NewDuration(0, 1, 30, 0)
	dt, _ := ParseRFC3339DateTime("2026-01-01T01:00:00+01:00")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		v, _, _ := d.Ref().(Duration).Arith("+", dt, d)
		sinkV = v
	}
}

func BenchmarkCodecRoundTrip(b *testing.B) {
	v := Map(map[string]Value{"a": Int(1), "b": Str("hello"), "c": List([]Value{Float(1.5), True})})
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf, _ = AppendBinary(buf[:0], v)
		sinkV, _, _ = DecodeBinary(buf)
	}
}

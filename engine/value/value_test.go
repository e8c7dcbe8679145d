package value

import (
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// testSeed keys the hashes the tests compare.
var testSeed = NewSeed()

func TestValueSize(t *testing.T) {
	if got := unsafe.Sizeof(Value{}); got != 16 {
		t.Fatalf("unsafe.Sizeof(Value{}) = %d, want 16", got)
	}
}

func TestZeroIsNull(t *testing.T) {
	var v Value
	if !v.IsNull() || v.Kind() != KindNull || !Identical(v, Null) || Null.Ref() != nil {
		t.Fatalf("zero Value is not null: %v", v)
	}
	if !True.AsBool() || False.AsBool() || Bool(true).Kind() != KindBool {
		t.Fatal("booleans")
	}
}

func TestStringPayload(t *testing.T) {
	long := strings.Repeat("ab", 100)
	for _, s := range []string{"", "a", "héllo", long, long[3:3], long[7:19]} {
		v := Str(s)
		if v.Kind() != KindString || v.AsString() != s || v.Ref() != nil {
			t.Errorf("Str(%q) reads back %q (ref %v)", s, v.AsString(), v.Ref())
		}
		if num, str := v.Raw(); num != 0 || str != s {
			t.Errorf("Str(%q).Raw() = %d, %q", s, num, str)
		}
	}
	if Str(long[5:5]).p != nil {
		t.Error("an empty string keeps a pointer")
	}
	// Equal strings from different backing arrays are equal values.
	a, b := Str(strings.Repeat("x", 3)), Str(strings.Repeat("x", 3))
	if e, ok := Equal(a, b); !e || !ok || !Equivalent(a, b) || !Identical(a, b) || testSeed.Hash(a) != testSeed.Hash(b) || Compare(a, b) != 0 {
		t.Error("equal strings from different arrays differ")
	}
	if Int(1).AsString() != "" || List([]Value{Str("a")}).AsString() != "" {
		t.Error("AsString of a non-string")
	}
}

func TestListPayload(t *testing.T) {
	if l := List(nil).AsList(); l != nil {
		t.Errorf("List(nil).AsList() = %#v, want nil", l)
	}
	if l := List([]Value{}).AsList(); l == nil || len(l) != 0 {
		t.Errorf("List([]Value{}).AsList() = %#v, want empty non-nil", l)
	}
	if l := List(make([]Value, 0, 8)).AsList(); l == nil || len(l) != 0 || cap(l) != 0 {
		t.Errorf("empty list with capacity reads back %#v", l)
	}
	items := []Value{Int(1), Str("two"), Null}
	l := List(items).AsList()
	if len(l) != 3 || &l[0] != &items[0] || !Identical(l[1], Str("two")) {
		t.Errorf("AsList does not share items: %v", l)
	}
	if r, ok := List(items).Ref().([]Value); !ok || len(r) != 3 {
		t.Errorf("Ref of a list = %#v", List(items).Ref())
	}
	if r, ok := List(nil).Ref().([]Value); !ok || r != nil {
		t.Errorf("Ref of a nil list = %#v", List(nil).Ref())
	}
	if Str("x").AsList() != nil || Map(map[string]Value{}).AsList() != nil {
		t.Error("AsList of a non-list")
	}
}

func TestMapAndElementPayloads(t *testing.T) {
	m := map[string]Value{"a": Int(1)}
	v := Map(m)
	if got := v.AsMap(); reflect.ValueOf(got).UnsafePointer() != reflect.ValueOf(m).UnsafePointer() || got["a"].AsInt() != 1 {
		t.Error("AsMap does not share the map")
	}
	if v.Prop("a").AsInt() != 1 || !v.Prop("b").IsNull() {
		t.Error("Prop of a map")
	}
	if Map(nil).AsMap() != nil || Map(nil).Kind() != KindMap {
		t.Error("Map(nil)")
	}
	if r, ok := Map(nil).Ref().(map[string]Value); !ok || r != nil {
		t.Errorf("Ref of a nil map = %#v", Map(nil).Ref())
	}
	n := &Node{ID: "n", Props: PropsOf(m)}
	r := &Rel{ID: "r", Props: PropsOf(m)}
	p := &Path{Nodes: []*Node{n}}
	if NodeOf(n).AsNode() != n || NodeOf(n).Ref() != any(n) || NodeOf(n).Prop("a").AsInt() != 1 {
		t.Error("node payload")
	}
	if RelOf(r).AsRel() != r || RelOf(r).Ref() != any(r) || RelOf(r).Prop("a").AsInt() != 1 {
		t.Error("relationship payload")
	}
	if PathOf(p).AsPath() != p || PathOf(p).Ref() != any(p) {
		t.Error("path payload")
	}
	if NodeOf(n).AsRel() != nil || RelOf(r).AsNode() != nil || NodeOf(n).AsPath() != nil || v.AsNode() != nil {
		t.Error("element accessors of other kinds")
	}
	if x, ok := NodeOf(nil).Ref().(*Node); !ok || x != nil {
		t.Error("Ref of a nil node")
	}
}

type fakeExt struct{ s string }

func TestMakeRawRef(t *testing.T) {
	items := []Value{Int(1)}
	m := map[string]Value{"k": True}
	n := &Node{ID: "n"}
	cases := []struct {
		k   Kind
		num uint64
		str string
		ref any
	}{
		{KindNull, 0, "", nil},
		{KindBool, 1, "", nil},
		{KindInt, 42, "", nil},
		{KindFloat, 7, "", nil},
		{KindString, 0, "abc", nil},
		{KindString, 0, "", nil},
		{KindString, 3, "abc", nil},
		{KindString, 0, "abc", fakeExt{"x"}},
		{KindList, 0, "", items},
		{KindList, 0, "", []Value(nil)},
		{KindList, 0, "", nil},
		{KindList, 2, "", items},
		{KindList, 0, "s", items},
		{KindMap, 0, "", m},
		{KindMap, 0, "", "not a map"},
		{KindNode, 0, "", n},
		{KindNode, 0, "", (*Node)(nil)},
		{KindInt, 5, "five", nil},
		{KindInt, 5, "", fakeExt{"y"}},
		{KindDuration, 0, "", fakeExt{"PT1S"}},
		{KindDuration, 9, "", fakeExt{"PT1S"}},
		{KindDateTime, 0, "zone", fakeExt{"t"}},
		{KindDuration + 10, 3, "ext", fakeExt{"z"}},
		{KindDate, 0, "", nil},
	}
	for _, c := range cases {
		v := Make(c.k, c.num, c.str, c.ref)
		num, str := v.Raw()
		if v.Kind() != c.k || num != c.num || str != c.str || v.AsString() != c.str || !reflect.DeepEqual(v.Ref(), c.ref) {
			t.Errorf("Make(%v, %d, %q, %#v): kind %v, Raw %d %q, AsString %q, Ref %#v", c.k, c.num, c.str, c.ref, v.Kind(), num, str, v.AsString(), v.Ref())
		}
		if (v.Ref() == nil) != (c.ref == nil) {
			t.Errorf("Make(%v, %d, %q, %#v): Ref nil-ness differs: %#v", c.k, c.num, c.str, c.ref, v.Ref())
		}
		l, _ := c.ref.([]Value)
		if got := v.AsList(); len(got) != len(l) || (got == nil) != (l == nil) {
			t.Errorf("Make(%v, %d, %q, %#v).AsList() = %#v", c.k, c.num, c.str, c.ref, got)
		}
		mm, _ := c.ref.(map[string]Value)
		if got := v.AsMap(); len(got) != len(mm) || (got == nil) != (mm == nil) {
			t.Errorf("Make(%v, %d, %q, %#v).AsMap() = %#v", c.k, c.num, c.str, c.ref, got)
		}
		nn, _ := c.ref.(*Node)
		if v.AsNode() != nn {
			t.Errorf("Make(%v, %d, %q, %#v).AsNode() = %v", c.k, c.num, c.str, c.ref, v.AsNode())
		}
		if c.k == KindInt && v.AsInt() != int64(c.num) {
			t.Errorf("Make(KindInt, %d, ...).AsInt() = %d", c.num, v.AsInt())
		}
	}
}

func TestTemporalPayloadsSurvive(t *testing.T) {
	d := NewDuration(1, 2, 3, 4)
	if _, ok := d.Ref().(Duration); !ok {
		t.Fatalf("duration Ref = %#v", d.Ref())
	}
	if _, ok := DurationOf(d); !ok {
		t.Fatal("DurationOf")
	}
	dt, ok := ParseRFC3339DateTime("2026-01-01T01:00:00+01:00")
	if !ok {
		t.Fatal("parse")
	}
	if _, ok := dt.Ref().(Temporal); !ok {
		t.Fatalf("datetime Ref = %#v", dt.Ref())
	}
	dt2, _ := ParseRFC3339DateTime("2026-01-01T00:00:00Z")
	if e, ok := Equal(dt, dt2); !e || !ok || testSeed.Hash(dt) != testSeed.Hash(dt2) || Compare(dt, dt2) != 0 {
		t.Error("equal instants differ")
	}
	if num, str := dt.Raw(); num != 0 || str != "" || dt.AsString() != "" {
		t.Error("Raw of a temporal value")
	}
}

func TestTemporalBoxing(t *testing.T) {
	dt, _ := ParseRFC3339DateTime("2026-03-01T01:01:00+01:00")
	tp, ok := TemporalOf(dt)
	if !ok {
		t.Fatal("TemporalOf")
	}
	if r, ok := dt.Ref().(Temporal); !ok || r != tp {
		t.Fatalf("Ref of a datetime = %#v", dt.Ref())
	}
	// Make with the same payload builds an equal value, boxed the general way.
	made := Make(KindDateTime, 0, "", tp)
	if !Identical(made, dt) || testSeed.Hash(made) != testSeed.Hash(dt) || Compare(made, dt) != 0 || made.String() != dt.String() {
		t.Errorf("Make of a temporal payload: %v, want %v", made, dt)
	}
	d := NewDuration(14, -3, 7200, 5)
	dp, _ := DurationOf(d)
	madeD := Make(KindDuration, 0, "", dp)
	if !Identical(madeD, d) || madeD.String() != d.String() {
		t.Errorf("Make of a duration payload: %v, want %v", madeD, d)
	}
	if _, ok := d.Ref().(Ext); !ok {
		t.Error("a duration's Ref is not an Ext")
	}
	if _, ok := InstantOf(dt); !ok {
		t.Error("InstantOf a datetime")
	}
	if _, ok := SpanOf(NewDuration(0, 0, 5, 0)); !ok {
		t.Error("SpanOf a duration")
	}
	if _, ok := TemporalOf(d); ok {
		t.Error("TemporalOf a duration")
	}
	if _, ok := DurationOf(dt); ok {
		t.Error("DurationOf a datetime")
	}
}

// TestPayloadsSurviveGC builds values whose payloads only the Value points
// to and checks them after collections.
func TestPayloadsSurviveGC(t *testing.T) {
	const n = 2000
	vals := make([]Value, 0, 6*n)
	for i := range n {
		s := strings.Repeat(string(rune('a'+i%26)), 1+i%40)
		vals = append(vals,
			Str(s),
			List([]Value{Int(int64(i)), Str(s)}),
			Map(map[string]Value{"k": Str(s)}),
			NewDuration(int64(i), 0, 0, 0),
			Make(KindDuration+1, uint64(i), s, []Value{Str(s)}),
			NodeOf(&Node{ID: s, Props: PropsOf(map[string]Value{"i": Int(int64(i))})}),
		)
	}
	for range 3 {
		runtime.GC()
		_ = make([]byte, 1<<20) // reuse freed memory, if any was freed wrongly
	}
	for i := range n {
		s := strings.Repeat(string(rune('a'+i%26)), 1+i%40)
		v := vals[6*i : 6*i+6]
		if v[0].AsString() != s || v[1].AsList()[1].AsString() != s || v[1].AsList()[0].AsInt() != int64(i) ||
			v[2].Prop("k").AsString() != s || v[3].String() != NewDuration(int64(i), 0, 0, 0).String() ||
			v[4].AsString() != s || v[4].AsList()[0].AsString() != s || v[5].AsNode().ID != s || v[5].Prop("i").AsInt() != int64(i) {
			t.Fatalf("value %d damaged after GC: %v", i, v)
		}
	}
}

package value

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRoundTrip builds a value of every kind and form, and checks that the
// kind and every accessor read back what went in. The parts are those of
// Make: the kind, the num (a scalar's payload), the str and the ref.
//
// Payloads whose bits look like the encoding's own (lengths, kinds, box
// tags in a scalar's num) are there on purpose: a scalar's num may hold
// anything.
func TestRoundTrip(t *testing.T) {
	long := strings.Repeat("0123456789", 1000)
	items := []Value{Int(1), Str("two"), Null, List([]Value{True})}
	longList := make([]Value, 1000)
	for i := range longList {
		longList[i] = Int(int64(i))
	}
	m := map[string]Value{"a": Int(1), "b": Str("x")}
	n := &Node{ID: "n", Labels: []string{"L"}, Props: PropsOf(m)}
	r := &Rel{ID: "r", Type: "T", From: "n", To: "n"}
	p := &Path{Nodes: []*Node{n, n}, Rels: []*Rel{r}}
	berlin := time.FixedZone("", 2*3600)
	day := int64(19_000)
	nanos := int64(12*3600+34*60+56)*1e9 + 789
	// Tag-like payloads: the nums of boxed scalars, of strings, lists and
	// elements, and values with the top bits set.
	tricky := []uint64{boxedBool, boxedInt, boxedFloat, tagBoxed, tagBoxed | boxHasNum, boxHasNum,
		uint64(KindString), 5<<kindBits | uint64(KindString), uint64(KindList), uint64(KindMap),
		uint64(KindNode), uint64(KindRel), uint64(KindPath), tagBoxed | uint64(KindDate)}

	type want struct {
		k   Kind
		num uint64
		str string
		ref any
	}
	type rtCase struct {
		name string
		v    Value
		want want
	}
	empty := map[string]Value{}
	cases := []rtCase{
		{"zero", Value{}, want{KindNull, 0, "", nil}},
		{"Null", Null, want{KindNull, 0, "", nil}},
		{"Make null", Make(KindNull, 0, "", nil), want{KindNull, 0, "", nil}},
		{"true", True, want{KindBool, 1, "", nil}},
		{"false", Bool(false), want{KindBool, 0, "", nil}},
		{"int 0", Int(0), want{KindInt, 0, "", nil}},
		{"int -1", Int(-1), want{KindInt, math.MaxUint64, "", nil}},
		{"int min", Int(math.MinInt64), want{KindInt, 1 << 63, "", nil}},
		{"int max", Int(math.MaxInt64), want{KindInt, math.MaxInt64, "", nil}},
		{"float 0", Float(0), want{KindFloat, 0, "", nil}},
		{"float -0", Float(math.Copysign(0, -1)), want{KindFloat, 1 << 63, "", nil}},
		{"float 1.5", Float(1.5), want{KindFloat, math.Float64bits(1.5), "", nil}},
		{"float -2", Float(-2), want{KindFloat, math.Float64bits(-2), "", nil}},
		{"float NaN", Float(math.NaN()), want{KindFloat, math.Float64bits(math.NaN()), "", nil}},
		{"float +Inf", Float(math.Inf(1)), want{KindFloat, math.Float64bits(math.Inf(1)), "", nil}},
		{"float -Inf", Float(math.Inf(-1)), want{KindFloat, math.Float64bits(math.Inf(-1)), "", nil}},
		{"float max", Float(math.MaxFloat64), want{KindFloat, math.Float64bits(math.MaxFloat64), "", nil}},
		{"float tiny", Float(math.SmallestNonzeroFloat64), want{KindFloat, 1, "", nil}},
		{"string empty", Str(""), want{KindString, 0, "", nil}},
		{"string empty slice", Str(long[7:7]), want{KindString, 0, "", nil}},
		{"string a", Str("a"), want{KindString, 0, "a", nil}},
		{"string utf-8", Str("héllo\x00"), want{KindString, 0, "héllo\x00", nil}},
		{"string long", Str(long), want{KindString, 0, long, nil}},
		{"string slice", Str(long[3:258]), want{KindString, 0, long[3:258], nil}},
		{"list nil", List(nil), want{KindList, 0, "", []Value(nil)}},
		{"list empty", List([]Value{}), want{KindList, 0, "", []Value{}}},
		{"list", List(items), want{KindList, 0, "", items}},
		{"list long", List(longList), want{KindList, 0, "", longList}},
		{"list slice", List(longList[256:512]), want{KindList, 0, "", longList[256:512]}},
		{"map nil", Map(nil), want{KindMap, 0, "", map[string]Value(nil)}},
		{"map empty", Map(empty), want{KindMap, 0, "", empty}},
		{"map", Map(m), want{KindMap, 0, "", m}},
		{"node", NodeOf(n), want{KindNode, 0, "", n}},
		{"node nil", NodeOf(nil), want{KindNode, 0, "", (*Node)(nil)}},
		{"rel", RelOf(r), want{KindRel, 0, "", r}},
		{"rel nil", RelOf(nil), want{KindRel, 0, "", (*Rel)(nil)}},
		{"path", PathOf(p), want{KindPath, 0, "", p}},
		{"path nil", PathOf(nil), want{KindPath, 0, "", (*Path)(nil)}},
		{"date", NewDate(2022, 1, 8), want{KindDate, 0, "", Temporal{kind: KindDate, days: day}}},
		{"local time", NewLocalTime(nanos), want{KindLocalTime, 0, "", Temporal{kind: KindLocalTime, nanos: nanos}}},
		{"time", NewTime(nanos, 7200), want{KindTime, 0, "", Temporal{kind: KindTime, nanos: nanos, offset: 7200}}},
		{"local datetime", NewLocalDateTime(day, nanos), want{KindLocalDateTime, 0, "", Temporal{kind: KindLocalDateTime, days: day, nanos: nanos}}},
		{"datetime", NewDateTime(time.Unix(day*86400+nanos/1e9-7200, 789).In(berlin), ""),
			want{KindDateTime, 0, "", Temporal{kind: KindDateTime, days: day, nanos: nanos, offset: 7200}}},
		{"duration", NewDuration(14, -3, 7200, 5), want{KindDuration, 0, "", Duration{Months: 14, Days: -3, Seconds: 7200, Nanos: 5}}},
		{"boxed null num", Make(KindNull, 7, "", nil), want{KindNull, 7, "", nil}},
		{"boxed null str", Make(KindNull, 0, "s", nil), want{KindNull, 0, "s", nil}},
		{"boxed bool", Make(KindBool, 1, "yes", nil), want{KindBool, 1, "yes", nil}},
		{"boxed bool 0", Make(KindBool, 0, "", fakeExt{"b"}), want{KindBool, 0, "", fakeExt{"b"}}},
		{"boxed int", Make(KindInt, 5, "five", nil), want{KindInt, 5, "five", nil}},
		{"boxed int ref", Make(KindInt, 1<<63, "", fakeExt{"y"}), want{KindInt, 1 << 63, "", fakeExt{"y"}}},
		{"boxed float", Make(KindFloat, math.Float64bits(-2.5), "f", nil), want{KindFloat, math.Float64bits(-2.5), "f", nil}},
		{"boxed string num", Make(KindString, 3, "abc", nil), want{KindString, 3, "abc", nil}},
		{"boxed string ref", Make(KindString, 0, "abc", fakeExt{"x"}), want{KindString, 0, "abc", fakeExt{"x"}}},
		{"boxed string no parts", Make(KindString, 9, "", nil), want{KindString, 9, "", nil}},
		{"boxed list num", Make(KindList, 2, "", items), want{KindList, 2, "", items}},
		{"boxed list str", Make(KindList, 0, "s", items), want{KindList, 0, "s", items}},
		{"boxed list no ref", Make(KindList, 0, "", nil), want{KindList, 0, "", nil}},
		{"boxed map other", Make(KindMap, 0, "", "not a map"), want{KindMap, 0, "", "not a map"}},
		{"boxed map num", Make(KindMap, 4, "", m), want{KindMap, 4, "", m}},
		{"boxed node str", Make(KindNode, 0, "s", n), want{KindNode, 0, "s", n}},
		{"boxed rel num", Make(KindRel, 1, "", r), want{KindRel, 1, "", r}},
		{"boxed path str", Make(KindPath, 0, "s", p), want{KindPath, 0, "s", p}},
		{"boxed date no ref", Make(KindDate, 0, "", nil), want{KindDate, 0, "", nil}},
		{"boxed duration num", Make(KindDuration, 9, "", fakeExt{"PT1S"}), want{KindDuration, 9, "", fakeExt{"PT1S"}}},
		{"boxed ext kind", Make(KindDuration+10, 3, "ext", fakeExt{"z"}), want{KindDuration + 10, 3, "ext", fakeExt{"z"}}},
		{"boxed kind 255", Make(Kind(255), 0, "", fakeExt{"w"}), want{Kind(255), 0, "", fakeExt{"w"}}},
	}
	for _, x := range tricky {
		cases = append(cases,
			rtCase{"tricky int", Int(int64(x)), want{KindInt, x, "", nil}},
			rtCase{"tricky float", Float(math.Float64frombits(x)), want{KindFloat, x, "", nil}},
			rtCase{"tricky bool", Make(KindBool, x, "", nil), want{KindBool, x, "", nil}},
			rtCase{"tricky boxed int", Make(KindInt, x, "s", nil), want{KindInt, x, "s", nil}})
	}

	for _, c := range cases {
		v, w := c.v, c.want
		if got := v.Kind(); got != w.k {
			t.Errorf("%s: Kind() = %v, want %v", c.name, got, w.k)
		}
		if got := v.IsNull(); got != (w.k == KindNull) {
			t.Errorf("%s: IsNull() = %v", c.name, got)
		}
		if got := v.IsNumber(); got != (w.k == KindInt || w.k == KindFloat) {
			t.Errorf("%s: IsNumber() = %v", c.name, got)
		}
		if got := v.AsBool(); got != (w.k == KindBool && w.num != 0) {
			t.Errorf("%s: AsBool() = %v", c.name, got)
		}
		wantInt := int64(0)
		if w.k == KindInt {
			wantInt = int64(w.num)
		}
		if got := v.AsInt(); got != wantInt {
			t.Errorf("%s: AsInt() = %d, want %d", c.name, got, wantInt)
		}
		wantFloat := 0.0
		switch w.k {
		case KindFloat:
			wantFloat = math.Float64frombits(w.num)
		case KindInt:
			wantFloat = float64(int64(w.num))
		}
		if got := v.AsFloat(); math.Float64bits(got) != math.Float64bits(wantFloat) {
			t.Errorf("%s: AsFloat() = %v, want %v", c.name, got, wantFloat)
		}
		if got := v.AsString(); got != w.str {
			t.Errorf("%s: AsString() = %q, want %q", c.name, got, w.str)
		}
		if num, str := v.Raw(); num != w.num || str != w.str {
			t.Errorf("%s: Raw() = %d, %q; want %d, %q", c.name, num, str, w.num, w.str)
		}
		ref := v.Ref()
		if !reflect.DeepEqual(ref, w.ref) || (ref == nil) != (w.ref == nil) {
			t.Errorf("%s: Ref() = %#v, want %#v", c.name, ref, w.ref)
		}
		wl, _ := w.ref.([]Value)
		if got := v.AsList(); len(got) != len(wl) || cap(got) != len(wl) || (got == nil) != (wl == nil) ||
			(len(wl) > 0 && &got[0] != &wl[0]) {
			t.Errorf("%s: AsList() = %v (cap %d), want %v", c.name, got, cap(got), wl)
		}
		wm, _ := w.ref.(map[string]Value)
		if got := v.AsMap(); reflect.ValueOf(got).UnsafePointer() != reflect.ValueOf(wm).UnsafePointer() {
			t.Errorf("%s: AsMap() = %v, want %v", c.name, got, wm)
		}
		wn, _ := w.ref.(*Node)
		if got := v.AsNode(); got != wn {
			t.Errorf("%s: AsNode() = %v, want %v", c.name, got, wn)
		}
		wr, _ := w.ref.(*Rel)
		if got := v.AsRel(); got != wr {
			t.Errorf("%s: AsRel() = %v, want %v", c.name, got, wr)
		}
		wp, _ := w.ref.(*Path)
		if got := v.AsPath(); got != wp {
			t.Errorf("%s: AsPath() = %v, want %v", c.name, got, wp)
		}
	}
}

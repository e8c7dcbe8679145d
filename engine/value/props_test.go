package value

import (
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"testing"
)

func TestPropsOf(t *testing.T) {
	cases := []struct {
		name  string
		in    map[string]Value
		names []string
	}{
		{"nil", nil, nil},
		{"empty", map[string]Value{}, nil},
		{"only nulls", map[string]Value{"a": Null}, nil},
		{"sorted, nulls out", map[string]Value{"b": Int(2), "a": Str("x"), "c": Null}, []string{"a", "b"}},
		{"long", longMap(12), sortedNames(12)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := PropsOf(c.in)
			if !slices.Equal(p.Names(), c.names) || p.Len() != len(c.names) {
				t.Fatalf("names %v (len %d), want %v", p.Names(), p.Len(), c.names)
			}
			for k, v := range c.in {
				got, ok := p.Lookup(k)
				if v.IsNull() {
					if ok || !got.IsNull() || p.Has(k) {
						t.Fatalf("%s: null kept as %v", k, got)
					}
					continue
				}
				if !ok || !p.Has(k) || !Identical(got, v) || !Identical(p.Get(k), v) {
					t.Fatalf("%s: got %v %v, want %v", k, got, ok, v)
				}
			}
			if p.Has("missing") || !p.Get("missing").IsNull() {
				t.Fatal("a missing name reads as present")
			}
			var seen []string
			for k, v := range p.All() {
				seen = append(seen, k)
				if !Identical(v, c.in[k]) {
					t.Fatalf("All: %s = %v", k, v)
				}
			}
			if !slices.Equal(seen, c.names) {
				t.Fatalf("All yielded %v", seen)
			}
			want := maps.Clone(c.in)
			maps.DeleteFunc(want, func(_ string, v Value) bool { return v.IsNull() })
			if got := p.Map(); !maps.EqualFunc(got, want, Identical) {
				t.Fatalf("Map %v, want %v", got, want)
			}
		})
	}
}

func longMap(n int) map[string]Value {
	m := map[string]Value{}
	for i := range n {
		m[fmt.Sprintf("k%02d", i)] = Int(int64(i))
	}
	return m
}

func sortedNames(n int) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = fmt.Sprintf("k%02d", i)
	}
	return out
}

// TestKeyTableShares: records of one shape share their names, whatever
// the order the shapes come in; other shapes get their own.
func TestKeyTableShares(t *testing.T) {
	var kt KeyTable
	a1 := tableProps(&kt, map[string]Value{"x": Int(1), "y": Int(2)})
	b := tableProps(&kt, map[string]Value{"x": Int(1), "z": Int(2)})
	a2 := tableProps(&kt, map[string]Value{"y": Int(3), "x": Int(4), "n": Null})
	c := tableProps(&kt, map[string]Value{"x": Int(1)})
	if a1.Keys() != a2.Keys() {
		t.Fatal("one shape, two name lists")
	}
	if a1.Keys() == b.Keys() || b.Keys() == c.Keys() {
		t.Fatal("two shapes share a name list")
	}
	if got := a2.Get("x").AsInt(); got != 4 {
		t.Fatalf("x = %d", got)
	}
	if kt.Shapes() != 3 {
		t.Fatalf("%d shapes, want 3", kt.Shapes())
	}
	if p := tableProps(&kt, map[string]Value{"x": Null}); p.Len() != 0 || p.Keys() != nil {
		t.Fatalf("all-null record: %v", p.Names())
	}
	// Names that would run together if joined by a separator byte stay
	// distinct shapes.
	j1 := tableProps(&kt, map[string]Value{"a\x00b": Int(1)})
	j2 := tableProps(&kt, map[string]Value{"a": Int(1), "b": Int(2)})
	if j1.Keys() == j2.Keys() || j1.Len() != 1 || j2.Len() != 2 {
		t.Fatal("names run together")
	}
	// Interning a record built elsewhere moves it onto the shared list.
	if in := kt.Intern(PropsOf(map[string]Value{"x": Int(9), "y": Int(8)})); in.Keys() != a1.Keys() || in.Get("y").AsInt() != 8 {
		t.Fatal("Intern did not share the names")
	}
}

// TestKeyTableBounded: past maxKeySets shapes the table stops growing and
// records stay correct.
func TestKeyTableBounded(t *testing.T) {
	var kt KeyTable
	for i := range maxKeySets + 50 {
		k := fmt.Sprintf("p%d", i)
		p := tableProps(&kt, map[string]Value{k: Int(int64(i))})
		if p.Get(k).AsInt() != int64(i) || p.Len() != 1 {
			t.Fatalf("record %d wrong", i)
		}
	}
	if kt.Shapes() != maxKeySets {
		t.Fatalf("%d shapes kept, want the bound %d", kt.Shapes(), maxKeySets)
	}
}

// TestKeyTablePropsFrom: decoded names may come unsorted (snapshots written
// from Go maps) and repeated; the later value wins, a later null removes.
func TestKeyTablePropsFrom(t *testing.T) {
	var kt KeyTable
	cases := []struct {
		names []string
		vals  []Value
		want  map[string]Value
	}{
		{nil, nil, map[string]Value{}},
		{[]string{"a", "b"}, []Value{Int(1), Int(2)}, map[string]Value{"a": Int(1), "b": Int(2)}},
		{[]string{"b", "a"}, []Value{Int(2), Int(1)}, map[string]Value{"a": Int(1), "b": Int(2)}},
		{[]string{"b", "a", "b"}, []Value{Int(2), Int(1), Int(3)}, map[string]Value{"a": Int(1), "b": Int(3)}},
		{[]string{"b", "a", "b"}, []Value{Int(2), Int(1), Null}, map[string]Value{"a": Int(1)}},
		{[]string{"c", "a"}, []Value{Null, Null}, map[string]Value{}},
	}
	for i, c := range cases {
		p := kt.PropsFrom(slices.Clone(c.names), slices.Clone(c.vals))
		if got := p.Map(); !maps.EqualFunc(got, c.want, Identical) || !slices.IsSorted(p.Names()) {
			t.Errorf("case %d: %v (names %v), want %v", i, got, p.Names(), c.want)
		}
	}
}

// TestPropsLookupMatchesMap: for random records of up to 20 names (the
// scan and the binary search), Get agrees with the map it was built from.
func TestPropsLookupMatchesMap(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	var kt KeyTable
	for range 2000 {
		m := map[string]Value{}
		for range rng.Intn(21) {
			m[fmt.Sprintf("n%d", rng.Intn(30))] = Int(rng.Int63n(5))
		}
		p := tableProps(&kt, m)
		for i := range 30 {
			k := fmt.Sprintf("n%d", i)
			want, ok := m[k]
			got, gok := p.Lookup(k)
			if ok != gok || !Identical(got, want) {
				t.Fatalf("%s: got %v %v, want %v %v (names %v)", k, got, gok, want, ok, p.Names())
			}
		}
	}
}

func BenchmarkKeyTableNewNode(b *testing.B) {
	var kt KeyTable
	m := map[string]Value{"name": Str("r1"), "temperature": Float(70), "humidity": Float(40), "co2": Float(400)}
	b.ReportAllocs()
	for b.Loop() {
		_ = tableProps(&kt, m)
	}
}

func BenchmarkPropsGet(b *testing.B) {
	var kt KeyTable
	p := tableProps(&kt, map[string]Value{"name": Str("r1"), "temperature": Float(70), "humidity": Float(40), "co2": Float(400)})
	for b.Loop() {
		_ = p.Get("temperature")
	}
}

// TestKeyTableNewElements: nodes and relationships of every record size
// carry their properties, and those of up to four (relationships) or six
// (nodes) properties take one allocation.
func TestKeyTableNewElements(t *testing.T) {
	var kt KeyTable
	for size := range 10 {
		m := longMap(size)
		m["null"] = Null
		n := kt.NewNode("n", []string{"L"}, m, 7)
		r := kt.NewRel("r", "T", "a", "b", m, 8)
		for _, p := range []Props{n.Props, r.Props} {
			if p.Len() != size || !maps.EqualFunc(p.Map(), longMap(size), Identical) {
				t.Fatalf("size %d: %v", size, p.Map())
			}
		}
		if n.ID != "n" || n.Labels[0] != "L" || n.ChangedAt != 7 || r.ID != "r" || r.Type != "T" || r.From != "a" || r.To != "b" || r.ChangedAt != 8 {
			t.Fatalf("size %d: fields %+v %+v", size, n, r)
		}
		delete(m, "null")
		kt.NewNode("n", nil, m, 0) // the shape is the last one now
		if a := testing.AllocsPerRun(20, func() { kt.NewNode("n", nil, m, 0) }); size <= 6 && a != 1 {
			t.Errorf("size %d: NewNode took %v allocations", size, a)
		}
		kt.NewRel("r", "T", "a", "b", m, 0)
		if a := testing.AllocsPerRun(20, func() { kt.NewRel("r", "T", "a", "b", m, 0) }); size <= 4 && a != 1 {
			t.Errorf("size %d: NewRel took %v allocations", size, a)
		}
	}
}

// tableProps is the record a KeyTable builds for m, as the index stores it.
func tableProps(kt *KeyTable, m map[string]Value) Props {
	return kt.NewNode("", nil, m, 0).Props
}

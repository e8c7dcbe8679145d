package functions

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

// stateCase is one aggregate as the engine may run it: a registry entry,
// called with nargs arguments, possibly under DISTINCT.
type stateCase struct {
	name     string
	ag       *Aggregate
	nargs    int
	distinct bool
}

func (c stateCase) new() Accumulator {
	a := c.ag.New()
	if c.distinct {
		a = Distinct(a)
	}
	return a
}

// stateCases lists every registered aggregate of both languages, at every
// arity it accepts, plain and under DISTINCT. It walks the registries rather
// than naming the aggregates, so that one added later is covered too.
func stateCases() []stateCase {
	var out []stateCase
	for _, reg := range []*Registry{Cypher(), GQL()} {
		names := reg.Names()
		slices.Sort(names)
		for _, name := range names {
			ag, ok := reg.Aggregate(name)
			if !ok {
				continue
			}
			hi := ag.MaxArgs
			if hi < 0 {
				hi = ag.MinArgs + 2
			}
			for n := ag.MinArgs; n <= hi; n++ {
				for _, d := range []bool{false, true} {
					label := fmt.Sprintf("%s/%s/%d", reg.Lang(), name, n)
					if d {
						label += "/distinct"
					}
					out = append(out, stateCase{name: label, ag: ag, nargs: n, distinct: d})
				}
			}
		}
	}
	return out
}

// stateGen generates rows for the state tests: a domain for the first
// argument, and for each further argument either a constant (as a
// percentile is) or numbers.
type stateGen struct {
	r     *rand.Rand
	nodes []*value.Node
	rels  []*value.Rel
}

func newStateGen(r *rand.Rand) *stateGen {
	g := &stateGen{r: r}
	// Several versions of a few nodes: equal under Compare, not Identical,
	// and some shared between rows by pointer (the writer's table).
	for id := range 4 {
		for v := range 3 {
			g.nodes = append(g.nodes, &value.Node{
				ID:        fmt.Sprintf("n%d", id),
				Labels:    []string{"L", fmt.Sprintf("V%d", v)},
				Props:     value.PropsOf(map[string]value.Value{"v": value.Int(int64(v)), "f": value.Float(float64(v) / 3)}),
				ChangedAt: int64(v),
			})
		}
	}
	for id := range 2 {
		g.rels = append(g.rels, &value.Rel{
			ID: fmt.Sprintf("r%d", id), Type: "T", From: "n0", To: fmt.Sprintf("n%d", id+1),
			Props: value.PropsOf(map[string]value.Value{"w": value.Int(int64(id))}), ChangedAt: 7,
		})
	}
	return g
}

const (
	domNumbers = iota
	domAny
	domNodes
	domDurations
	numDomains
)

func (g *stateGen) number() value.Value {
	r := g.r
	switch r.IntN(20) {
	case 0:
		return value.Null
	case 1:
		return value.Int(r.Int64N(1<<62) - 1<<61) // sums may overflow int64
	case 2:
		return value.Float(math.NaN())
	case 3:
		return value.Float([]float64{math.Inf(1), math.Inf(-1)}[r.IntN(2)])
	case 4:
		return value.Float(math.Copysign(0, -1))
	case 5:
		return value.Float(math.Ldexp(r.Float64(), r.IntN(2000)-1000))
	case 6, 7, 8:
		return value.Float(float64(r.IntN(20) - 10)) // integral floats
	case 9, 10, 11:
		return value.Float(r.NormFloat64() * 10)
	case 12:
		return value.Float(r.Float64()) // also a valid percentile
	}
	return value.Int(int64(r.IntN(20) - 10))
}

func (g *stateGen) node() value.Value { return value.NodeOf(g.nodes[g.r.IntN(len(g.nodes))]) }

func (g *stateGen) any(depth int) value.Value {
	r := g.r
	switch r.IntN(14) {
	case 0:
		return value.Null
	case 1, 2:
		return g.number()
	case 3:
		return value.Str([]string{"a", "b", "B", "", "abc"}[r.IntN(5)])
	case 4:
		return value.Bool(r.IntN(2) == 0)
	case 5, 6:
		return g.node()
	case 7:
		return value.RelOf(g.rels[r.IntN(len(g.rels))])
	case 8:
		rl := g.rels[r.IntN(len(g.rels))]
		return value.PathOf(&value.Path{Nodes: []*value.Node{g.nodes[0], g.nodes[3*(r.IntN(2)+1)]}, Rels: []*value.Rel{rl}})
	case 9:
		if depth < 2 {
			items := make([]value.Value, r.IntN(3))
			for j := range items {
				items[j] = g.any(depth + 1)
			}
			return value.List(items)
		}
	case 10:
		if depth < 2 {
			return value.Map(map[string]value.Value{"k": g.any(depth + 1), "x": value.Int(int64(r.IntN(3)))})
		}
	case 11:
		return g.duration()
	case 12:
		return value.NewDate(2024, int64(1+r.IntN(12)), int64(1+r.IntN(28)))
	}
	return value.Int(int64(r.IntN(10)))
}

func (g *stateGen) duration() value.Value {
	r := g.r
	return value.NewDuration(int64(r.IntN(3)), int64(r.IntN(40)-20), r.Int64N(100000)-50000, r.Int64N(2e9)-1e9)
}

func (g *stateGen) first(dom int) value.Value {
	switch dom {
	case domNumbers:
		return g.number()
	case domNodes:
		if g.r.IntN(10) == 0 {
			return value.Null
		}
		return g.node()
	case domDurations:
		if g.r.IntN(10) == 0 {
			return value.Null
		}
		return g.duration()
	}
	return g.any(0)
}

// sameResult is bit-for-bit equality of results: a restored accumulator
// must compute the very same value, not merely an equivalent one (so 0.0 is
// not -0.0, and node versions must be identical), with NaN equal to NaN.
func sameResult(a, b value.Value) bool { return sameValues(a, b, true) }

// saveState snapshots acc as the engine would.
func saveState(t *testing.T, acc Accumulator) []byte {
	t.Helper()
	sa, ok := acc.(StatefulAccumulator)
	if !ok {
		t.Fatalf("%T is not a StatefulAccumulator", acc)
	}
	var w value.StateWriter
	sa.SaveState(&w)
	b, err := w.Bytes()
	if err != nil {
		t.Fatalf("SaveState: %v", err)
	}
	return b
}

// restore loads b into a fresh accumulator of case c, requiring that
// LoadState reads exactly what SaveState wrote (the engine writes many
// states in a row).
func restore(t *testing.T, c stateCase, b []byte) Accumulator {
	t.Helper()
	acc := c.new()
	r := value.NewStateReader(b)
	acc.(StatefulAccumulator).LoadState(r)
	if err := r.Err(); err != nil {
		t.Fatalf("LoadState: %v", err)
	}
	if r.Rest() != 0 {
		t.Fatalf("LoadState left %d of %d bytes unread", r.Rest(), len(b))
	}
	return acc
}

// TestEveryAccumulatorIsStateful fails when an aggregate is added without
// snapshot state: the engine could not snapshot a query using it.
func TestEveryAccumulatorIsStateful(t *testing.T) {
	for _, c := range stateCases() {
		if _, ok := c.new().(StatefulAccumulator); !ok {
			t.Errorf("%s: %T does not implement StatefulAccumulator", c.name, c.ag.New())
		}
	}
}

// TestAccumulatorStateRoundTrip runs random applies and reverts on an
// accumulator and, at random points, restores a copy from a snapshot of it
// or of an earlier copy; every copy then gets the same operations and must
// give the same errors and bit-identical results after every step.
func TestAccumulatorStateRoundTrip(t *testing.T) {
	seed := testSeed(t)
	runs, steps := 2*numDomains, 150
	if testing.Short() {
		runs, steps = numDomains, 60
	}
	for ci, c := range stateCases() {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(ci)))
			g := newStateGen(rng)
			applied, restored := 0, 0
			for run := range runs {
				dom := run % numDomains
				// Further arguments: a constant percentile in half the
				// runs, numbers (percentiles out of range included) in the
				// other half.
				consts := make([]value.Value, c.nargs)
				if run/numDomains%2 == 0 {
					for j := range consts {
						consts[j] = value.Float([]float64{0, 0.25, 0.5, 0.9, 1, rng.Float64()}[rng.IntN(6)])
					}
				}
				row := func() []value.Value {
					args := make([]value.Value, c.nargs)
					for j := range args {
						switch {
						case j == 0:
							args[j] = g.first(dom)
						case !consts[j].IsNull():
							args[j] = consts[j]
						default:
							args[j] = g.number()
						}
					}
					return args
				}
				a, n := stateRun(t, c, rng, row, steps, fmt.Sprintf("seed %d run %d", seed, run))
				applied += a
				restored += n
			}
			// Guards the generators: a case whose every row is refused
			// would pass without testing anything.
			if applied == 0 || restored == 0 {
				t.Errorf("%d rows applied, %d restores: the generators do not exercise this aggregate", applied, restored)
			}
		})
	}
}

// stateRun is one random run; it returns how many rows were applied and
// how many copies were restored.
func stateRun(t *testing.T, c stateCase, rng *rand.Rand, row func() []value.Value, steps int, where string) (applied, restored int) {
	t.Helper()
	orig := c.new()
	// twins[0] is the original; the others were restored from snapshots of
	// any earlier twin, so state loaded is itself saved and loaded again.
	twins := []Accumulator{orig}
	var live [][]value.Value
	check := func(step int, op string) {
		t.Helper()
		want := orig.Result()
		for k, tw := range twins[1:] {
			if got := tw.Result(); !sameResult(got, want) {
				t.Fatalf("%s step %d (%s): restored copy %d gives %s, original %s", where, step, op, k+1, got, want)
			}
		}
	}
	for step := range steps + 1 {
		if step == steps {
			// Drain, so that every run also reverts to empty, and check
			// that the empty state survives a snapshot.
			for len(live) > 0 {
				j := rng.IntN(len(live))
				args := live[j]
				live = slices.Delete(live, j, j+1)
				op := fmt.Sprintf("revert %v", args)
				revertAll(t, twins, args, where, step, op)
				check(step, op)
			}
			twins = append(twins, restore(t, c, saveState(t, twins[len(twins)-1])))
			restored++
			check(step, "restore of the drained state")
			return applied, restored
		}
		if step == 0 || rng.IntN(100) < 10 {
			src := twins[rng.IntN(len(twins))]
			before := src.Result()
			b := saveState(t, src)
			if !sameResult(src.Result(), before) {
				t.Fatalf("%s step %d: SaveState changed the result", where, step)
			}
			twins = append(twins, restore(t, c, b))
			restored++
			if len(twins) > 4 {
				twins = slices.Delete(twins, 1, 2)
			}
			check(step, "restore")
		}
		var op string
		if len(live) == 0 || rng.IntN(100) < 60 {
			args := row()
			op = fmt.Sprintf("apply %v", args)
			err := orig.Apply(args)
			for k, tw := range twins[1:] {
				if e := tw.Apply(args); !sameErr(e, err) {
					t.Fatalf("%s step %d (%s): original error %v, restored copy %d error %v", where, step, op, err, k+1, e)
				}
			}
			// A refused row leaves the state as it was; it is not live.
			if err == nil {
				live = append(live, args)
				applied++
			}
		} else {
			j := rng.IntN(len(live))
			args := live[j]
			live = slices.Delete(live, j, j+1)
			op = fmt.Sprintf("revert %v", args)
			revertAll(t, twins, args, where, step, op)
		}
		check(step, op)
	}
	return applied, restored
}

func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error() == b.Error()
}

// revertAll reverts a live row on every twin. A revert may fail (sum and
// avg refuse some reverts after mixing durations and dates); what matters
// here is that every twin fails alike, which leaves them alike.
func revertAll(t *testing.T, twins []Accumulator, args []value.Value, where string, step int, op string) {
	t.Helper()
	err := twins[0].Revert(args)
	for k, tw := range twins[1:] {
		if e := tw.Revert(args); !sameErr(e, err) {
			t.Fatalf("%s step %d (%s): original error %v, restored copy %d error %v", where, step, op, err, k+1, e)
		}
	}
}

// filledState returns the snapshot of an accumulator of case c holding some
// rows, choosing the domain in which the aggregate accepts the most rows.
func filledState(t *testing.T, c stateCase, rng *rand.Rand) []byte {
	t.Helper()
	g := newStateGen(rng)
	var best Accumulator
	bestN := -1
	for dom := range numDomains {
		acc := c.new()
		n := 0
		var live [][]value.Value
		for range 40 {
			args := make([]value.Value, c.nargs)
			for j := range args {
				if j == 0 {
					args[j] = g.first(dom)
				} else {
					args[j] = value.Float(0.5)
				}
			}
			if acc.Apply(args) == nil {
				n++
				live = append(live, args)
			}
		}
		// Some reverts, so that counters and trees are not just fresh.
		// (A refused revert leaves a state just as good to cut.)
		for _, args := range live[:len(live)/4] {
			_ = acc.Revert(args)
		}
		if n > bestN {
			best, bestN = acc, n
		}
	}
	return saveState(t, best)
}

// TestAccumulatorStateTruncated cuts a snapshot at every length: LoadState
// must report an error, never panic and never accept a prefix.
func TestAccumulatorStateTruncated(t *testing.T) {
	seed := testSeed(t)
	for ci, c := range stateCases() {
		t.Run(c.name, func(t *testing.T) {
			b := filledState(t, c, rand.New(rand.NewPCG(uint64(seed), uint64(ci))))
			for k := range len(b) {
				r := value.NewStateReader(b[:k:k])
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("seed %d: state cut at %d of %d bytes: LoadState panics: %v", seed, k, len(b), p)
						}
					}()
					c.new().(StatefulAccumulator).LoadState(r)
				}()
				if r.Err() == nil {
					t.Fatalf("seed %d: state cut at %d of %d bytes loads without error", seed, k, len(b))
				}
			}
		})
	}
}

// TestAccumulatorStateCorrupted flips random bytes of snapshots: LoadState
// may accept the result (a changed number is still a number) but must not
// panic, and an accumulator it accepts must survive Result and further
// rows without panicking either.
func TestAccumulatorStateCorrupted(t *testing.T) {
	seed := testSeed(t)
	tries := 300
	if testing.Short() {
		tries = 50
	}
	for ci, c := range stateCases() {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(ci)))
			b := filledState(t, c, rng)
			g := newStateGen(rng)
			for try := range tries {
				bad := slices.Clone(b)
				for range 1 + rng.IntN(3) {
					if len(bad) > 0 {
						bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
					}
				}
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("seed %d try %d: corrupted state %x panics: %v", seed, try, bad, p)
						}
					}()
					acc := c.new()
					r := value.NewStateReader(bad)
					acc.(StatefulAccumulator).LoadState(r)
					if r.Err() != nil {
						return
					}
					_ = acc.Result()
					for range 10 {
						args := make([]value.Value, c.nargs)
						for j := range args {
							args[j] = g.any(0)
						}
						if rng.IntN(2) == 0 {
							_ = acc.Apply(args)
						} else {
							_ = acc.Revert(args)
						}
						_ = acc.Result()
					}
				}()
			}
		})
	}
}

// TestAccumulatorStateShared writes several accumulators into one snapshot,
// as the engine does: each reads back exactly its own state, and a node
// held by several is restored as one shared snapshot.
func TestAccumulatorStateShared(t *testing.T) {
	n := &value.Node{ID: "n1", Labels: []string{"L"}, Props: value.PropsOf(map[string]value.Value{"x": value.Int(1)}), ChangedAt: 3}
	names := []string{"collect", "max", "drasi.last"}
	var w value.StateWriter
	for _, name := range names {
		acc := newAcc(t, name)
		if err := acc.Apply([]value.Value{value.NodeOf(n)}); err != nil {
			t.Fatal(err)
		}
		acc.(StatefulAccumulator).SaveState(&w)
	}
	w.Int(42) // whatever the engine writes next
	b, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	r := value.NewStateReader(b)
	var got []*value.Node
	for _, name := range names {
		acc := newAcc(t, name)
		acc.(StatefulAccumulator).LoadState(r)
		v := acc.Result()
		if v.Kind() == value.KindList {
			v = v.AsList()[0]
		}
		if !value.Identical(v, value.NodeOf(n)) {
			t.Fatalf("%s restored as %s", name, v)
		}
		got = append(got, v.AsNode())
	}
	if x := r.Int(); r.Err() != nil || x != 42 || r.Rest() != 0 {
		t.Fatalf("after the states: %d, %v, %d bytes left", x, r.Err(), r.Rest())
	}
	if got[0] != got[1] || got[1] != got[2] {
		t.Error("one node held by three accumulators is restored as several snapshots")
	}
}

// TestDistinctStateNeedsStatefulInner checks that DISTINCT over an
// accumulator that cannot be saved fails the snapshot rather than writing
// half a state.
func TestDistinctStateNeedsStatefulInner(t *testing.T) {
	// The embedding hides countAcc's state methods.
	acc := Distinct(&struct{ Accumulator }{&countAcc{}})
	if err := acc.Apply([]value.Value{value.Int(1)}); err != nil {
		t.Fatal(err)
	}
	var w value.StateWriter
	acc.(StatefulAccumulator).SaveState(&w)
	if _, err := w.Bytes(); err == nil {
		t.Fatal("DISTINCT over a stateless accumulator saved without error")
	}
	r := value.NewStateReader(saveState(t, Distinct(&countAcc{})))
	Distinct(&struct{ Accumulator }{&countAcc{}}).(StatefulAccumulator).LoadState(r)
	if r.Err() == nil {
		t.Fatal("DISTINCT over a stateless accumulator loaded without error")
	}
}

// TestMultisetStateExact checks that a restored multiset is the same treap:
// same shape, multiplicities, priorities and representatives, and the same
// generator state, so that later insertions build the same trees.
func TestMultisetStateExact(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	g := newStateGen(rng)
	var ms Multiset
	var live []value.Value
	for range 500 {
		if len(live) == 0 || rng.IntN(100) < 60 {
			v := g.any(0)
			ms.Add(v)
			live = append(live, v)
		} else {
			j := rng.IntN(len(live))
			if !ms.Remove(live[j]) {
				t.Fatalf("seed %d: Remove(%s) found nothing", seed, live[j])
			}
			live = slices.Delete(live, j, j+1)
		}
	}
	var w value.StateWriter
	ms.SaveState(&w)
	b, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var got Multiset
	r := value.NewStateReader(b)
	got.LoadState(r)
	if r.Err() != nil || r.Rest() != 0 {
		t.Fatalf("LoadState: %v, %d bytes left", r.Err(), r.Rest())
	}
	var same func(a, b *msNode) bool
	same = func(a, b *msNode) bool {
		if a == nil || b == nil {
			return a == b
		}
		return a.count == b.count && a.size == b.size && a.prio == b.prio &&
			sameResult(a.val, b.val) && same(a.left, b.left) && same(a.right, b.right)
	}
	if !same(ms.root, got.root) || ms.rng != got.rng {
		t.Fatalf("seed %d: restored multiset differs from the saved one", seed)
	}
	for range 100 {
		v := g.any(0)
		ms.Add(v)
		got.Add(v)
	}
	if !same(ms.root, got.root) {
		t.Fatalf("seed %d: restored multiset grows differently", seed)
	}
}

// TestMultisetStateInvalid checks the invariants LoadState enforces.
func TestMultisetStateInvalid(t *testing.T) {
	node := func(w *value.StateWriter, shape uint64, count int, prio uint64, v value.Value) {
		w.Uvarint(shape)
		w.Int(count)
		w.Uint64(prio)
		w.Value(v)
	}
	cases := map[string]func(w *value.StateWriter){
		"zero multiplicity": func(w *value.StateWriter) {
			w.Uvarint(1)
			node(w, 0, 0, 1, value.Int(1))
			w.Uint64(1)
		},
		"keys out of order": func(w *value.StateWriter) {
			w.Uvarint(2)
			node(w, 1, 1, 9, value.Int(1)) // left child greater than its parent
			node(w, 0, 1, 5, value.Int(2))
			w.Uint64(1)
		},
		"equal keys apart": func(w *value.StateWriter) {
			w.Uvarint(2)
			node(w, 2, 1, 9, value.Int(1))
			node(w, 0, 1, 5, value.Int(1))
			w.Uint64(1)
		},
		"not a heap": func(w *value.StateWriter) {
			w.Uvarint(2)
			node(w, 2, 1, 5, value.Int(1))
			node(w, 0, 1, 9, value.Int(2))
			w.Uint64(1)
		},
		"tree ends early": func(w *value.StateWriter) {
			w.Uvarint(1)
			node(w, 2, 1, 5, value.Int(1))
			w.Uint64(1)
		},
		"too many nodes": func(w *value.StateWriter) {
			w.Uvarint(2)
			node(w, 0, 1, 9, value.Int(1))
			node(w, 0, 1, 5, value.Int(2))
			w.Uint64(1)
		},
		"bad shape": func(w *value.StateWriter) {
			w.Uvarint(1)
			node(w, 4, 1, 5, value.Int(1))
			w.Uint64(1)
		},
		"multiplicity overflow": func(w *value.StateWriter) {
			w.Uvarint(2)
			node(w, 2, math.MaxInt, 9, value.Int(1))
			node(w, 0, math.MaxInt, 5, value.Int(2))
			w.Uint64(1)
		},
	}
	for name, write := range cases {
		var w value.StateWriter
		write(&w)
		b, err := w.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		var ms Multiset
		r := value.NewStateReader(b)
		ms.LoadState(r)
		if r.Err() == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
}

// TestAccumulatorStateInvalid checks that states no sequence of rows can
// produce are refused.
func TestAccumulatorStateInvalid(t *testing.T) {
	cases := []struct {
		fn    string
		write func(w *value.StateWriter)
	}{
		{"count", func(w *value.StateWriter) { w.Varint(-1) }},
		{"sum", func(w *value.StateWriter) { // an integer and a duration
			w.Int(1)
			w.Int(0)
			w.Int(1)
			int128{}.save(w)
			int128{}.save(w)
			(&exactSum{}).save(w)
			w.Value(value.NewDuration(0, 1, 0, 0))
		}},
		{"avg", func(w *value.StateWriter) { // no floats, yet a float sum
			w.Int(0)
			w.Int(0)
			w.Int(0)
			int128{}.save(w)
			int128{lo: 3}.save(w)
			(&exactSum{}).save(w)
			w.Value(value.Null)
		}},
		{"sum", func(w *value.StateWriter) { // a duration sum that is a string
			w.Int(0)
			w.Int(0)
			w.Int(1)
			int128{}.save(w)
			int128{}.save(w)
			(&exactSum{}).save(w)
			w.Value(value.Str("x"))
		}},
		{"stDev", func(w *value.StateWriter) { // a sum of no finite values
			s := exactSum{squares: true}
			s.s1.SetInt64(5)
			s.s2.SetInt64(25)
			s.save(w)
		}},
		{"stDev", func(w *value.StateWriter) { // an over-long sum
			s := exactSum{squares: true, finiteCount: 1}
			s.s1.Lsh(big.NewInt(1), maxBits1+8)
			s.save(w)
		}},
		{"percentileCont", func(w *value.StateWriter) {
			w.Float64(math.NaN())
			(&Multiset{}).SaveState(w)
		}},
		{"percentileDisc", func(w *value.StateWriter) {
			w.Float64(0.5)
			var ms Multiset
			ms.Add(value.Str("x"))
			ms.SaveState(w)
		}},
		{"min", func(w *value.StateWriter) {
			var ms Multiset
			ms.Add(value.Int(1))
			ms.Add(value.Null)
			ms.SaveState(w)
		}},
		{"collect", func(w *value.StateWriter) { w.Values([]value.Value{value.Int(1), value.Null}) }},
		{"drasi.last", func(w *value.StateWriter) { w.Values([]value.Value{value.Null}) }},
		{"drasi.linearGradient", func(w *value.StateWriter) {
			w.Int(-2)
			for range 4 {
				w.Float64(0)
			}
			w.Bool(false)
			w.Bool(false)
		}},
		{"collect", func(w *value.StateWriter) { // a path with a missing node
			w.Uvarint(1)
			w.Value(value.PathOf(&value.Path{Nodes: []*value.Node{nil}}))
		}},
		{"collect", func(w *value.StateWriter) { // a path without its relationship
			n := &value.Node{ID: "a"}
			w.Uvarint(1)
			w.Value(value.PathOf(&value.Path{Nodes: []*value.Node{n, n}}))
		}},
	}
	for j, c := range cases {
		var w value.StateWriter
		c.write(&w)
		b, err := w.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		r := value.NewStateReader(b)
		newAcc(t, c.fn).(StatefulAccumulator).LoadState(r)
		if r.Err() == nil {
			t.Errorf("case %d (%s): loaded without error", j, c.fn)
		}
	}
	// DISTINCT: a tuple twice, a tuple led by null, a zero count.
	for j, entries := range [][]struct {
		args  []value.Value
		count int
	}{
		{{[]value.Value{value.Int(1)}, 1}, {[]value.Value{value.Float(1)}, 1}},
		{{[]value.Value{value.Null}, 1}},
		{{[]value.Value{value.Int(1)}, 0}},
		{{nil, 1}},
	} {
		var w value.StateWriter
		w.Uvarint(uint64(len(entries)))
		for _, e := range entries {
			w.Values(e.args)
			w.Int(e.count)
		}
		w.Varint(1)
		b, _ := w.Bytes()
		r := value.NewStateReader(b)
		Distinct(newAcc(t, "count")).(StatefulAccumulator).LoadState(r)
		if r.Err() == nil {
			t.Errorf("DISTINCT case %d: loaded without error", j)
		}
	}
}

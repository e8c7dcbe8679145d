package openset

import (
	"math/rand"
	"testing"
	"time"
)

// entry is a test entry: its key is its value, and keys collide on
// purpose through a hash with few distinct values.
type entry uint32

// TestTableMatchesMap drives a table and a Go map with the same random
// puts and deletes, over hashes that collide and probe runs that wrap
// around, and checks every key after each operation.
func TestTableMatchesMap(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	for _, c := range []struct {
		name    string
		keys    int
		hashMod uint64 // hash = key % hashMod (small: long collision runs)
	}{
		{"spread", 500, 1 << 40},
		{"colliding", 200, 7},
		{"one home", 40, 1},
		{"wrapping", 300, 13},
	} {
		t.Run(c.name, func(t *testing.T) {
			hash := func(e entry) uint64 {
				h := uint64(e) % c.hashMod
				if c.name == "wrapping" {
					h = ^h // homes at the top of the table: runs wrap past the end
				}
				return h
			}
			var tb Table[entry]
			ref := map[entry]bool{}
			for op := 0; op < 20000; op++ {
				k := entry(1 + rng.Intn(c.keys))
				same := func(e entry) bool { return e == k }
				if rng.Intn(3) == 0 {
					got := tb.Delete(hash(k), same, hash)
					if got != ref[k] {
						t.Fatalf("op %d: Delete(%d) = %v, want %v", op, k, got, ref[k])
					}
					delete(ref, k)
				} else {
					tb.Put(hash(k), k, same, hash)
					ref[k] = true
				}
				if tb.Len() != len(ref) {
					t.Fatalf("op %d: Len %d, want %d", op, tb.Len(), len(ref))
				}
				if op%97 == 0 {
					for q := entry(1); q <= entry(c.keys); q++ {
						_, ok := tb.Find(hash(q), func(e entry) bool { return e == q })
						if ok != ref[q] {
							t.Fatalf("op %d: Find(%d) = %v, want %v", op, q, ok, ref[q])
						}
					}
					n := 0
					tb.Each(func(e entry) bool {
						if !ref[e] {
							t.Fatalf("op %d: Each gave %d, not stored", op, e)
						}
						n++
						return true
					})
					if n != len(ref) {
						t.Fatalf("op %d: Each gave %d entries, want %d", op, n, len(ref))
					}
				}
			}
		})
	}
}

func TestTableEdges(t *testing.T) {
	var tb Table[entry]
	hash := func(e entry) uint64 { return uint64(e) }
	same := func(k entry) func(entry) bool { return func(e entry) bool { return e == k } }
	if _, ok := tb.Find(1, same(1)); ok {
		t.Error("Find in an empty table found something")
	}
	if tb.Delete(1, same(1), hash) {
		t.Error("Delete in an empty table deleted something")
	}
	tb.Put(1, 1, same(1), hash)
	tb.Put(1, 1, same(1), hash)
	if tb.Len() != 1 {
		t.Errorf("putting an entry twice: Len %d, want 1", tb.Len())
	}
	stopped := 0
	for k := entry(2); k < 10; k++ {
		tb.Put(hash(k), k, same(k), hash)
	}
	tb.Each(func(entry) bool { stopped++; return stopped < 3 })
	if stopped != 3 {
		t.Errorf("Each went on after false: %d calls", stopped)
	}
	defer func() {
		if recover() == nil {
			t.Error("storing the zero entry did not panic")
		}
	}()
	tb.Put(0, 0, same(0), hash)
}

// TestTableShrinksWhenEmptied: a large table emptied gives its slots back;
// a small one keeps them.
func TestTableShrinksWhenEmptied(t *testing.T) {
	hash := func(e entry) uint64 { return uint64(e) * 0x9e3779b97f4a7c15 }
	for _, n := range []int{5, 1000} {
		var tb Table[entry]
		for k := entry(1); k <= entry(n); k++ {
			tb.Put(hash(k), k, func(e entry) bool { return e == k }, hash)
		}
		for k := entry(1); k <= entry(n); k++ {
			tb.Delete(hash(k), func(e entry) bool { return e == k }, hash)
		}
		if kept := len(tb.slots) > 0; kept != (n < 64) {
			t.Errorf("%d entries put and deleted: %d slots kept", n, len(tb.slots))
		}
	}
}

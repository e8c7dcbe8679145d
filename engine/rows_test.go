package engine

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

// TestRowBagMatchesMultiset drives both forms of rowBag (keys chosen by the
// caller, and keys that are the rows' ids) with random weighted additions
// and checks every entry, key and count against a plain multiset. Ids are
// drawn from few values with low bits in common, so the id table's probe
// runs collide, wrap and shift back on deletion.
func TestRowBagMatchesMultiset(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	for _, byID := range []bool{false, true} {
		t.Run(fmt.Sprintf("byID=%v", byID), func(t *testing.T) {
			b := newRowBag()
			if byID {
				b = newIDBag()
			}
			type entry struct {
				key uint64
				id  uint64
				v   int64
			}
			ref := map[entry]int{}
			// Rows are built anew each time: the bag tells equal rows
			// apart by identity and values, not by pointer.
			mk := func(id uint64, v int64) *row {
				r := newRow(1)
				r.id = id
				r.values()[0] = value.Int(v)
				return r
			}
			for step := range 20000 {
				id := uint64(rng.Intn(40)) << 3 // shared low bits: long probe runs
				if rng.Intn(5) == 0 {
					id |= 1 << 40 // equal low bits, distinct ids
				}
				v := int64(rng.Intn(2))
				key := id
				if !byID && rng.Intn(3) == 0 {
					key = uint64(rng.Intn(8))
				}
				w := []int{1, 1, 1, -1, -1, 2, -2}[rng.Intn(7)]
				b.add(key, mk(id, v), w)
				e := entry{key, id, v}
				ref[e] += w
				if ref[e] == 0 {
					delete(ref, e)
				}
				if step%97 != 0 {
					continue
				}
				got := map[entry]int{}
				n, keys := 0, map[uint64]bool{}
				b.eachKey(func(k uint64, es []bagEntry) {
					keys[k] = true
					for _, x := range es {
						got[entry{k, x.r.id, x.r.values()[0].AsInt()}] += x.w
						n += x.w
					}
				})
				if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(ref)) {
					t.Fatalf("step %d: bag %v\nwant %v", step, sorted(got), sorted(ref))
				}
				if n != b.n || len(keys) != b.keys() {
					t.Fatalf("step %d: count %d (bag says %d), keys %d (bag says %d)", step, n, b.n, len(keys), b.keys())
				}
				for k := range keys {
					sum := 0
					for _, x := range b.get(k) {
						sum += x.w
					}
					want := 0
					for e, w := range ref {
						if e.key == k {
							want += w
						}
					}
					if sum != want {
						t.Fatalf("step %d: get(%d) weighs %d, want %d", step, k, sum, want)
					}
				}
			}
		})
	}
}

func sorted[K comparable](m map[K]int) []string {
	out := make([]string, 0, len(m))
	for k, w := range m {
		out = append(out, fmt.Sprintf("%v:%d", k, w))
	}
	sort.Strings(out)
	return out
}

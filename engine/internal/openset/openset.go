// Package openset is an open-addressed hash table for entries that carry
// their own key: small handles or pointers whose key is read from the thing
// they name. A slot is the size of an entry, against the key, value and
// control bytes of a Go map, which is what makes an index of millions of
// elements cheap.
//
// The caller supplies the hash of the key it looks for and a match function
// (and, for Put and Delete, the hash of a stored entry): the table never
// sees keys. Probing is linear, the load at most three quarters, and
// deletion shifts the run after the hole back, so there are no tombstones.
//
// The zero value is an empty table. The zero entry marks an empty slot and
// may not be stored.
package openset

// Table is an open-addressed hash set of entries of type T.
type Table[T comparable] struct {
	slots []T
	n     int
}

// Len is the number of entries.
func (t *Table[T]) Len() int { return t.n }

// Find returns the entry for which match holds, looking from the home of
// hash h, and whether there was one.
func (t *Table[T]) Find(h uint64, match func(T) bool) (T, bool) {
	var zero T
	if t.n == 0 {
		return zero, false
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		e := t.slots[i]
		if e == zero {
			return zero, false
		}
		if match(e) {
			return e, true
		}
	}
}

// Put stores e under hash h, replacing the entry for which match holds if
// there is one. hash gives the hash of a stored entry (to move entries when
// the table grows).
func (t *Table[T]) Put(h uint64, e T, match func(T) bool, hash func(T) uint64) {
	var zero T
	if e == zero {
		panic("openset: the zero entry cannot be stored")
	}
	if (t.n+1)*4 > len(t.slots)*3 {
		t.grow(hash)
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		x := t.slots[i]
		if x == zero {
			t.slots[i] = e
			t.n++
			return
		}
		if match(x) {
			t.slots[i] = e
			return
		}
	}
}

func (t *Table[T]) grow(hash func(T) uint64) {
	var zero T
	old := t.slots
	t.slots = make([]T, max(8, 2*len(old)))
	mask := uint64(len(t.slots) - 1)
	for _, e := range old {
		if e == zero {
			continue
		}
		i := hash(e) & mask
		for t.slots[i] != zero {
			i = (i + 1) & mask
		}
		t.slots[i] = e
	}
}

// Delete removes the entry for which match holds, looking from the home of
// hash h, and reports whether there was one. hash gives the hash of a
// stored entry.
func (t *Table[T]) Delete(h uint64, match func(T) bool, hash func(T) uint64) bool {
	var zero T
	if t.n == 0 {
		return false
	}
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for {
		e := t.slots[i]
		if e == zero {
			return false
		}
		if match(e) {
			break
		}
		i = (i + 1) & mask
	}
	t.n--
	for j := (i + 1) & mask; ; j = (j + 1) & mask {
		e := t.slots[j]
		if e == zero {
			break
		}
		// e may fill the hole at i if its home is not in (i, j].
		if home := hash(e) & mask; (j-home)&mask >= (j-i)&mask {
			t.slots[i] = e
			i = j
		}
	}
	t.slots[i] = zero
	if t.n == 0 && len(t.slots) > 64 {
		// An emptied table gives its slots back: a label or a burst of
		// elements that is gone should not keep its peak size. Small
		// ones stay, so one entry coming and going does not allocate.
		t.slots = nil
	}
	return true
}

// Each calls fn for every entry, in slot order, until fn returns false.
// The table must not change while Each runs.
func (t *Table[T]) Each(fn func(T) bool) {
	var zero T
	for _, e := range t.slots {
		if e != zero && !fn(e) {
			return
		}
	}
}

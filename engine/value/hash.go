package value

import (
	crand "crypto/rand"
	"encoding/binary"

	"github.com/cespare/xxhash/v2"
)

// Seed keys the hashes an engine keeps in its state (row identities,
// grouping keys, DISTINCT buckets, join postings). Each engine draws its own
// at random (NewSeed), so that crafted property values cannot aim at
// collisions; an engine restored from a snapshot takes the seed the
// snapshot was written with, since its state is keyed by those hashes.
// Nothing in this package holds a seed: whoever hashes state passes the
// seed of the engine that owns the state, and engines with different seeds
// live side by side in one process.
type Seed uint64

// NewSeed returns a random seed.
func NewSeed() Seed {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		panic("value: no randomness for a hash seed: " + err.Error())
	}
	return Seed(binary.LittleEndian.Uint64(b[:]))
}

// Hash is a 64-bit hash of v under the seed, consistent with Equivalent.
func (s Seed) Hash(v Value) uint64 {
	h := NewHasher(s)
	writeHash(&h, v)
	return h.Sum64()
}

// Hasher builds a hash of several parts (a tuple of values, a list of
// element ids) under a seed. Start one with NewHasher.
type Hasher struct {
	d xxhash.Digest
}

// NewHasher returns a hasher keyed with seed.
func NewHasher(seed Seed) Hasher {
	var h Hasher
	h.d.ResetWithSeed(uint64(seed))
	return h
}

// Write adds bytes.
func (h *Hasher) Write(b []byte) { h.d.Write(b) }

// WriteString adds a string.
func (h *Hasher) WriteString(s string) { h.d.WriteString(s) }

// Byte adds one byte.
func (h *Hasher) Byte(c byte) {
	b := [1]byte{c}
	h.d.Write(b[:])
}

// Sum64 is the hash of everything written.
func (h *Hasher) Sum64() uint64 { return h.d.Sum64() }

package value

import (
	crand "crypto/rand"
	"encoding/binary"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
)

// hashSeed keys every hash the engine keeps in its state (row identities,
// grouping keys, DISTINCT buckets). It is random per process, so that
// crafted property values cannot aim at collisions, and it can be set to a
// stored seed (SetHashSeed): an engine restored from a snapshot must hash as
// the engine that wrote the snapshot did, since its state is keyed by those
// hashes.
var hashSeed atomic.Uint64

func init() {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		panic("value: no randomness for the hash seed: " + err.Error())
	}
	hashSeed.Store(binary.LittleEndian.Uint64(b[:]))
}

// HashSeed is the seed the process hashes with.
func HashSeed() uint64 { return hashSeed.Load() }

// SetHashSeed makes the process hash with seed. It must be called before any
// engine state exists in the process (a durable host calls it when it
// restores a snapshot, before it builds the engine): state built under one
// seed is not found under another.
func SetHashSeed(seed uint64) {
	if hashSeed.Load() != seed {
		hashSeed.Store(seed)
	}
}

// Hasher builds a hash of several parts (a tuple of values, a list of
// element ids) under the process seed. Start one with NewHasher.
type Hasher struct {
	d xxhash.Digest
}

// NewHasher returns a hasher keyed with the process seed.
func NewHasher() Hasher {
	var h Hasher
	h.d.ResetWithSeed(hashSeed.Load())
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

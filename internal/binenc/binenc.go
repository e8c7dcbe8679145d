// Package binenc reads the varint-based binary encodings Vigil stores (the
// property values of engine/value and the log records of durable) without
// ever panicking or over-allocating on a torn or corrupted record: the first
// problem is kept in Err, and every later read returns a zero value.
package binenc

import "encoding/binary"

// Reader consumes B from the front. The zero value reads nothing.
type Reader struct {
	B   []byte
	Err error
	// Torn is the error a record cut short gives.
	Torn error
}

// Fail records err (the first one wins) and stops reading.
func (r *Reader) Fail(err error) {
	if r.Err == nil {
		r.Err = err
	}
	r.B = nil
}

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if len(r.B) == 0 {
		r.Fail(r.Torn)
		return 0
	}
	c := r.B[0]
	r.B = r.B[1:]
	return c
}

// Varint reads a signed varint.
func (r *Reader) Varint() int64 {
	x, n := binary.Varint(r.B)
	if n <= 0 {
		r.Fail(r.Torn)
		return 0
	}
	r.B = r.B[n:]
	return x
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 {
	x, n := binary.Uvarint(r.B)
	if n <= 0 {
		r.Fail(r.Torn)
		return 0
	}
	r.B = r.B[n:]
	return x
}

// Count reads a length that must fit in the bytes left (every element takes
// a byte at least), so that a corrupted length cannot allocate much.
func (r *Reader) Count() int {
	n := r.Uvarint()
	if n > uint64(len(r.B)) {
		r.Fail(r.Torn)
		return 0
	}
	return int(n)
}

// String reads a length-prefixed string.
func (r *Reader) String() string {
	n := r.Count()
	if r.Err != nil {
		return ""
	}
	s := string(r.B[:n])
	r.B = r.B[n:]
	return s
}

// Bytes reads a length-prefixed byte string (a copy).
func (r *Reader) Bytes() []byte {
	n := r.Count()
	if r.Err != nil {
		return nil
	}
	out := append([]byte(nil), r.B[:n]...)
	r.B = r.B[n:]
	return out
}

// AppendString appends a length-prefixed string.
func AppendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

package value

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/vigilhq/vigil/internal/binenc"
)

// StateWriter encodes the engine's state for a snapshot: numbers, strings,
// times and values, where nodes and relationships are written by reference
// into one table of element snapshots. A snapshot held by the element index,
// by a result row and by an accumulator is thus written once and, after a
// restore, shared again as it was (both for memory and because the engine
// compares snapshots by pointer on its fast paths).
//
// The zero value is ready to use. Bytes returns the table followed by
// everything written.
type StateWriter struct {
	body  []byte
	nodes map[*Node]uint64
	rels  map[*Rel]uint64
	table []any // *Node or *Rel, in reference order (reference i+1)
	err   error
}

// Grow makes room for n more bytes (a size hint: the previous snapshot's),
// sparing the repeated copies of a buffer grown by appends.
func (w *StateWriter) Grow(n int) { w.body = slices.Grow(w.body, n) }

// Fail records the first error that makes the state unwritable.
func (w *StateWriter) Fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// Err is the first error recorded.
func (w *StateWriter) Err() error { return w.err }

// Uvarint writes an unsigned integer.
func (w *StateWriter) Uvarint(x uint64) { w.body = binary.AppendUvarint(w.body, x) }

// Varint writes a signed integer.
func (w *StateWriter) Varint(x int64) { w.body = binary.AppendVarint(w.body, x) }

// Int writes an int.
func (w *StateWriter) Int(x int) { w.Varint(int64(x)) }

// Uint64 writes a fixed-width 64-bit number (hashes, which varints would
// lengthen).
func (w *StateWriter) Uint64(x uint64) { w.body = binary.LittleEndian.AppendUint64(w.body, x) }

// Bool writes a boolean.
func (w *StateWriter) Bool(b bool) {
	if b {
		w.body = append(w.body, 1)
	} else {
		w.body = append(w.body, 0)
	}
}

// Float64 writes a float bit for bit.
func (w *StateWriter) Float64(f float64) { w.Uint64(math.Float64bits(f)) }

// String writes a string.
func (w *StateWriter) String(s string) { w.body = binenc.AppendString(w.body, s) }

// Time writes an instant (nanosecond precision, location dropped: the
// engine keeps UTC). The zero time round-trips as the zero time.
func (w *StateWriter) Time(t time.Time) {
	if t.IsZero() {
		w.Bool(false)
		return
	}
	w.Bool(true)
	w.Varint(t.Unix())
	w.Varint(int64(t.Nanosecond()))
}

// Node writes a reference to a node snapshot (nil allowed).
func (w *StateWriter) Node(n *Node) {
	if n == nil {
		w.Uvarint(0)
		return
	}
	ref, ok := w.nodes[n]
	if !ok {
		if w.nodes == nil {
			w.nodes = map[*Node]uint64{}
		}
		w.table = append(w.table, n)
		ref = uint64(len(w.table))
		w.nodes[n] = ref
	}
	w.Uvarint(ref)
}

// Rel writes a reference to a relationship snapshot (nil allowed).
func (w *StateWriter) Rel(r *Rel) {
	if r == nil {
		w.Uvarint(0)
		return
	}
	ref, ok := w.rels[r]
	if !ok {
		if w.rels == nil {
			w.rels = map[*Rel]uint64{}
		}
		w.table = append(w.table, r)
		ref = uint64(len(w.table))
		w.rels[r] = ref
	}
	w.Uvarint(ref)
}

// Value writes any value, elements and paths included.
func (w *StateWriter) Value(v Value) {
	switch v.Kind() {
	case KindNode:
		w.body = append(w.body, byte(KindNode))
		w.Node(v.AsNode())
	case KindRel:
		w.body = append(w.body, byte(KindRel))
		w.Rel(v.AsRel())
	case KindPath:
		p := v.AsPath()
		w.body = append(w.body, byte(KindPath))
		w.Uvarint(uint64(len(p.Nodes)))
		for _, n := range p.Nodes {
			w.Node(n)
		}
		w.Uvarint(uint64(len(p.Rels)))
		for _, r := range p.Rels {
			w.Rel(r)
		}
	case KindList:
		items := v.AsList()
		w.body = append(w.body, byte(KindList))
		w.Uvarint(uint64(len(items)))
		for _, it := range items {
			w.Value(it)
		}
	case KindMap:
		// Unsorted: a snapshot needs equal state, not canonical bytes.
		m := v.AsMap()
		w.body = append(w.body, byte(KindMap))
		w.Uvarint(uint64(len(m)))
		for k, x := range m {
			w.String(k)
			w.Value(x)
		}
	default:
		var err error
		if w.body, err = AppendBinary(w.body, v); err != nil {
			w.Fail(err)
		}
	}
}

// Values writes a tuple of values with its length; nil and empty both read
// back as nil.
func (w *StateWriter) Values(vs []Value) {
	w.Uvarint(uint64(len(vs)))
	for _, v := range vs {
		w.Value(v)
	}
}

// Reserve writes a placeholder for the length of the section that follows
// and returns its mark for Fill.
func (w *StateWriter) Reserve() int {
	w.body = append(w.body, make([]byte, 8)...)
	return len(w.body)
}

// Fill writes, at a mark from Reserve, the number of bytes written since:
// a reader can then take the section apart (StateReader.Section).
func (w *StateWriter) Fill(mark int) {
	binary.LittleEndian.PutUint64(w.body[mark-8:mark], uint64(len(w.body)-mark))
}

// Bytes returns the encoded state: the element table, then the body.
func (w *StateWriter) Bytes() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	// Elements take some 40-100 bytes each; one allocation mostly.
	out := make([]byte, 0, len(w.body)+64*len(w.table)+16)
	out = binary.AppendUvarint(out, uint64(len(w.table)))
	for _, e := range w.table {
		switch e := e.(type) {
		case *Node:
			out = append(out, byte(KindNode))
			out = binenc.AppendString(out, e.ID)
			out = binary.AppendUvarint(out, uint64(len(e.Labels)))
			for _, l := range e.Labels {
				out = binenc.AppendString(out, l)
			}
			var err error
			if out, err = appendProps(out, e.Props); err != nil {
				return nil, fmt.Errorf("node %q: %w", e.ID, err)
			}
			out = binary.AppendVarint(out, e.ChangedAt)
		case *Rel:
			out = append(out, byte(KindRel))
			out = binenc.AppendString(out, e.ID)
			out = binenc.AppendString(out, e.Type)
			out = binenc.AppendString(out, e.From)
			out = binenc.AppendString(out, e.To)
			var err error
			if out, err = appendProps(out, e.Props); err != nil {
				return nil, fmt.Errorf("relationship %q: %w", e.ID, err)
			}
			out = binary.AppendVarint(out, e.ChangedAt)
		}
	}
	return append(out, w.body...), nil
}

func appendProps(buf []byte, props Props) ([]byte, error) {
	buf = binary.AppendUvarint(buf, uint64(props.Len()))
	for k, v := range props.All() {
		buf = binenc.AppendString(buf, k)
		var err error
		if buf, err = AppendBinary(buf, v); err != nil {
			return buf, fmt.Errorf("property %q: %w", k, err)
		}
	}
	return buf, nil
}

// errStateTorn reports a snapshot cut short or corrupted.
var errStateTorn = errors.New("state: truncated or corrupted snapshot")

// StateReader decodes what a StateWriter wrote, in the same order. The first
// problem is kept (Err) and every later read returns a zero value, so that
// callers check once at the end; a corrupted snapshot never panics.
type StateReader struct {
	d     decoder
	table []any
	keys  KeyTable // the element table's property names, shared
	names []string // scratch
	vals  []Value  // scratch
}

// NewStateReader reads the element table at the front of b.
func NewStateReader(b []byte) *StateReader {
	r := &StateReader{d: decoder{binenc.Reader{B: b, Torn: errStateTorn}}}
	n := r.d.Count()
	r.table = make([]any, 0, n)
	for i := 0; i < n && r.d.Err == nil; i++ {
		switch Kind(r.d.Byte()) {
		case KindNode:
			nd := &Node{ID: r.d.String()}
			nl := r.d.Count()
			for j := 0; j < nl && r.d.Err == nil; j++ {
				nd.Labels = append(nd.Labels, r.d.String())
			}
			nd.Props = r.props()
			nd.ChangedAt = r.d.Varint()
			r.table = append(r.table, nd)
		case KindRel:
			rl := &Rel{ID: r.d.String(), Type: r.d.String(), From: r.d.String(), To: r.d.String()}
			rl.Props = r.props()
			rl.ChangedAt = r.d.Varint()
			r.table = append(r.table, rl)
		default:
			r.d.Fail(errStateTorn)
		}
	}
	return r
}

func (r *StateReader) props() Props {
	n := r.d.Count()
	names, vals := r.names[:0], r.vals[:0]
	for i := 0; i < n && r.d.Err == nil; i++ {
		names = append(names, r.d.String())
		vals = append(vals, r.d.value(0))
	}
	r.names, r.vals = names, vals
	p := r.keys.PropsFrom(names, vals)
	clear(vals) // the scratch must not keep values alive
	return p
}

// Err is the first problem met.
func (r *StateReader) Err() error { return r.d.Err }

// Fail records err (the first one wins) and stops reading.
func (r *StateReader) Fail(err error) { r.d.Fail(err) }

// Failf records a formatted error.
func (r *StateReader) Failf(format string, args ...any) { r.d.Fail(fmt.Errorf(format, args...)) }

// Rest is the number of bytes not read yet.
func (r *StateReader) Rest() int { return len(r.d.B) }

// Section returns a reader of the next n bytes (a section whose length Fill
// wrote) sharing this reader's element table, and passes over them here: a
// section that fails to read leaves this reader able to go on.
func (r *StateReader) Section(n int) *StateReader {
	if n < 0 || n > len(r.d.B) {
		r.d.Fail(errStateTorn)
		return &StateReader{d: decoder{binenc.Reader{Err: errStateTorn, Torn: errStateTorn}}, table: r.table}
	}
	sec := &StateReader{d: decoder{binenc.Reader{B: r.d.B[:n:n], Torn: errStateTorn}}, table: r.table}
	r.d.B = r.d.B[n:]
	return sec
}

// Clone returns a reader at the same position, sharing the element table,
// so that the same bytes can be read twice.
func (r *StateReader) Clone() *StateReader {
	c := *r
	return &c
}

// Uvarint reads an unsigned integer.
func (r *StateReader) Uvarint() uint64 { return r.d.Uvarint() }

// Varint reads a signed integer.
func (r *StateReader) Varint() int64 { return r.d.Varint() }

// Int reads an int.
func (r *StateReader) Int() int { return int(r.d.Varint()) }

// Count reads a length written with Uvarint that must fit in the bytes left
// (every item takes a byte at least): a corrupted length cannot allocate
// much.
func (r *StateReader) Count() int { return r.d.Count() }

// Uint64 reads a fixed-width 64-bit number.
func (r *StateReader) Uint64() uint64 {
	if len(r.d.B) < 8 {
		r.d.Fail(errStateTorn)
		return 0
	}
	x := binary.LittleEndian.Uint64(r.d.B)
	r.d.B = r.d.B[8:]
	return x
}

// Bool reads a boolean.
func (r *StateReader) Bool() bool { return r.d.Byte() != 0 }

// Float64 reads a float.
func (r *StateReader) Float64() float64 { return math.Float64frombits(r.Uint64()) }

// String reads a string.
func (r *StateReader) String() string { return r.d.String() }

// Time reads an instant written by StateWriter.Time, in UTC.
func (r *StateReader) Time() time.Time {
	if !r.Bool() {
		return time.Time{}
	}
	s := r.d.Varint()
	ns := r.d.Varint()
	return time.Unix(s, ns).UTC()
}

// Node reads a node reference.
func (r *StateReader) Node() *Node {
	e := r.element()
	if e == nil {
		return nil
	}
	n, ok := e.(*Node)
	if !ok {
		r.d.Fail(errStateTorn)
	}
	return n
}

// Rel reads a relationship reference.
func (r *StateReader) Rel() *Rel {
	e := r.element()
	if e == nil {
		return nil
	}
	rl, ok := e.(*Rel)
	if !ok {
		r.d.Fail(errStateTorn)
	}
	return rl
}

func (r *StateReader) element() any {
	ref := r.d.Uvarint()
	if ref == 0 || r.d.Err != nil {
		return nil
	}
	if ref > uint64(len(r.table)) {
		r.d.Fail(errStateTorn)
		return nil
	}
	return r.table[ref-1]
}

// Value reads a value.
func (r *StateReader) Value() Value { return r.value(0) }

func (r *StateReader) value(depth int) Value {
	if depth > maxDepth || len(r.d.B) == 0 {
		r.d.Fail(errStateTorn)
		return Null
	}
	switch k := Kind(r.d.B[0]); k {
	case KindNode:
		r.d.B = r.d.B[1:]
		if n := r.Node(); n != nil {
			return NodeOf(n)
		}
		r.d.Fail(errStateTorn)
		return Null
	case KindRel:
		r.d.B = r.d.B[1:]
		if rl := r.Rel(); rl != nil {
			return RelOf(rl)
		}
		r.d.Fail(errStateTorn)
		return Null
	case KindPath:
		r.d.B = r.d.B[1:]
		p := &Path{}
		nn := r.d.Count()
		for i := 0; i < nn && r.d.Err == nil; i++ {
			p.Nodes = append(p.Nodes, r.Node())
		}
		nr := r.d.Count()
		for i := 0; i < nr && r.d.Err == nil; i++ {
			p.Rels = append(p.Rels, r.Rel())
		}
		// A path alternates nodes and relationships, none missing; the
		// comparison and hashing code relies on it.
		bad := nn == 0 || nr != nn-1
		for _, n := range p.Nodes {
			bad = bad || n == nil
		}
		for _, rl := range p.Rels {
			bad = bad || rl == nil
		}
		if bad {
			r.d.Fail(errStateTorn)
			return Null
		}
		return PathOf(p)
	case KindList:
		r.d.B = r.d.B[1:]
		n := r.d.Count()
		items := make([]Value, 0, n)
		for i := 0; i < n && r.d.Err == nil; i++ {
			items = append(items, r.value(depth+1))
		}
		return List(items)
	case KindMap:
		r.d.B = r.d.B[1:]
		n := r.d.Count()
		m := make(map[string]Value, n)
		for i := 0; i < n && r.d.Err == nil; i++ {
			key := r.d.String()
			m[key] = r.value(depth + 1)
		}
		return Map(m)
	default:
		return r.d.value(depth)
	}
}

// Values reads a tuple written by StateWriter.Values.
func (r *StateReader) Values() []Value {
	n := r.d.Count()
	if n == 0 {
		return nil
	}
	vs := make([]Value, 0, n)
	for i := 0; i < n && r.d.Err == nil; i++ {
		vs = append(vs, r.value(0))
	}
	return vs
}

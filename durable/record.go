package durable

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

// Log record kinds. A record is everything the engine needs to repeat a
// step exactly: the engine is deterministic given its inputs, so replaying
// the records rebuilds its state (index, accumulators, results, futures,
// history) as it was.
const (
	recStart  = 's' // the engine's start time
	recBatch  = 'b' // changes and the source positions they came from
	recClock  = 't' // a clock move (futures firing)
	recAdd    = 'a' // a query registered
	recRemove = 'r' // a query removed
	// recReplace is a query removed and registered again under its id
	// with another definition, in one step (encoded as recAdd).
	recReplace = 'p'
)

// record is a decoded log record.
type record struct {
	kind        byte
	time        time.Time
	batches     [][]engine.Change
	checkpoints map[string][]byte
	spec        engine.QuerySpec
	queryID     string
}

type encoder struct {
	b   []byte
	err error
}

func (e *encoder) byte(c byte)      { e.b = append(e.b, c) }
func (e *encoder) int(x int64)      { e.b = binary.AppendVarint(e.b, x) }
func (e *encoder) uint(x uint64)    { e.b = binary.AppendUvarint(e.b, x) }
func (e *encoder) bytes(s []byte)   { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) string(s string)  { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) time(t time.Time) { e.int(t.UnixNano()) }
func (e *encoder) strings(s []string) {
	e.uint(uint64(len(s)))
	for _, x := range s {
		e.string(x)
	}
}

func (e *encoder) value(v value.Value) {
	if e.err != nil {
		return
	}
	e.b, e.err = value.AppendBinary(e.b, v)
}

// props writes a property map with sorted keys, so that a record's bytes
// depend only on its content.
func (e *encoder) props(m map[string]value.Value) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	e.uint(uint64(len(keys)))
	for _, k := range keys {
		e.string(k)
		e.value(m[k])
	}
}

func encodeStart(t time.Time) []byte {
	e := encoder{}
	e.byte(recStart)
	e.time(t)
	return e.b
}

func encodeClock(t time.Time) []byte {
	e := encoder{}
	e.byte(recClock)
	e.time(t)
	return e.b
}

// encodeBatch encodes a step of source batches. Batch boundaries are kept:
// each batch is applied on its own, so that a malformed change stops only
// the rest of its own batch, in the live run and in the replay alike.
func encodeBatch(batches [][]engine.Change, checkpoints map[string][]byte) ([]byte, error) {
	e := encoder{b: make([]byte, 0, 256)}
	e.byte(recBatch)
	srcs := make([]string, 0, len(checkpoints))
	for s := range checkpoints {
		srcs = append(srcs, s)
	}
	sort.Strings(srcs)
	e.uint(uint64(len(srcs)))
	for _, s := range srcs {
		e.string(s)
		e.bytes(checkpoints[s])
	}
	e.uint(uint64(len(batches)))
	for _, changes := range batches {
		e.changes(changes)
	}
	return e.b, e.err
}

func (e *encoder) changes(changes []engine.Change) {
	e.uint(uint64(len(changes)))
	for i := range changes {
		ch := &changes[i]
		e.byte(byte(ch.Op))
		e.string(ch.Source)
		e.time(ch.Time)
		el := &ch.Element
		e.string(el.ID)
		e.strings(el.Labels)
		e.string(el.Type)
		e.string(el.From)
		e.string(el.To)
		e.props(el.Props)
	}
}

func encodeAdd(spec engine.QuerySpec) ([]byte, error) {
	e := encoder{}
	e.byte(recAdd)
	e.string(spec.ID)
	e.string(spec.Text)
	e.string(spec.Language)
	e.uint(uint64(len(spec.Joins)))
	for _, j := range spec.Joins {
		e.string(j.ID)
		e.uint(uint64(len(j.Keys)))
		for _, k := range j.Keys {
			e.string(k.Label)
			e.string(k.Property)
		}
	}
	e.props(spec.Params)
	return e.b, e.err
}

func encodeRemove(id string) []byte {
	e := encoder{}
	e.byte(recRemove)
	e.string(id)
	return e.b
}

var errTorn = errors.New("truncated log record")

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail(errTorn)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) int() int64 {
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errTorn)
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *decoder) uint() uint64 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errTorn)
		return 0
	}
	d.b = d.b[n:]
	return x
}

// count reads a length that must fit in the bytes left (one byte per
// element at least), so a corrupted length cannot allocate much.
func (d *decoder) count() int {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail(errTorn)
		return 0
	}
	return int(n)
}

func (d *decoder) bytes() []byte {
	n := d.count()
	if d.err != nil {
		return nil
	}
	out := append([]byte(nil), d.b[:n]...)
	d.b = d.b[n:]
	return out
}

func (d *decoder) string() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) time() time.Time { return time.Unix(0, d.int()).UTC() }

func (d *decoder) strings() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.string()
	}
	return out
}

func (d *decoder) value() value.Value {
	if d.err != nil {
		return value.Null
	}
	v, rest, err := value.DecodeBinary(d.b)
	if err != nil {
		d.fail(err)
		return value.Null
	}
	d.b = rest
	return v
}

func (d *decoder) props() map[string]value.Value {
	n := d.count()
	if n == 0 {
		return nil
	}
	m := make(map[string]value.Value, n)
	for i := 0; i < n && d.err == nil; i++ {
		k := d.string()
		m[k] = d.value()
	}
	return m
}

func decodeRecord(b []byte) (*record, error) {
	d := &decoder{b: b}
	r := &record{kind: d.byte()}
	switch r.kind {
	case recStart, recClock:
		r.time = d.time()
	case recBatch:
		n := d.count()
		if n > 0 {
			r.checkpoints = make(map[string][]byte, n)
		}
		for i := 0; i < n && d.err == nil; i++ {
			s := d.string()
			r.checkpoints[s] = d.bytes()
		}
		n = d.count()
		r.batches = make([][]engine.Change, n)
		for i := 0; i < n && d.err == nil; i++ {
			r.batches[i] = d.changes()
		}
	case recAdd, recReplace:
		s := &r.spec
		s.ID = d.string()
		s.Text = d.string()
		s.Language = d.string()
		n := d.count()
		for i := 0; i < n && d.err == nil; i++ {
			j := engine.Join{ID: d.string()}
			k := d.count()
			for x := 0; x < k && d.err == nil; x++ {
				j.Keys = append(j.Keys, engine.JoinKey{Label: d.string(), Property: d.string()})
			}
			s.Joins = append(s.Joins, j)
		}
		s.Params = d.props()
	case recRemove:
		r.queryID = d.string()
	default:
		if d.err == nil {
			return nil, fmt.Errorf("unknown log record kind %q", r.kind)
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%d stray bytes after a log record", len(d.b))
	}
	return r, nil
}

func (d *decoder) changes() []engine.Change {
	n := d.count()
	out := make([]engine.Change, n)
	for i := 0; i < n && d.err == nil; i++ {
		ch := &out[i]
		ch.Op = engine.Op(d.byte())
		ch.Source = d.string()
		ch.Time = d.time()
		el := &ch.Element
		el.ID = d.string()
		el.Labels = d.strings()
		el.Type = d.string()
		el.From = d.string()
		el.To = d.string()
		el.Props = d.props()
	}
	return out
}

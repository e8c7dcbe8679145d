package durable

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/vigilhq/vigil/internal/binenc"
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
	// recAddSubs and recReplaceSubs are recAdd and recReplace of a query
	// with source subscriptions, which follow the params. A kind of their
	// own keeps a torn record detectable: a record that may or may not end
	// after the params could be cut there unnoticed.
	recAddSubs     = 'A'
	recReplaceSubs = 'P'
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
	if len(spec.Subscriptions) == 0 {
		return e.b, e.err
	}
	e.b[0] = recAddSubs
	e.uint(uint64(len(spec.Subscriptions)))
	for _, sub := range spec.Subscriptions {
		e.string(sub.Source)
		e.strings(sub.Nodes)
		e.strings(sub.Relations)
	}
	return e.b, e.err
}

func encodeRemove(id string) []byte {
	e := encoder{}
	e.byte(recRemove)
	e.string(id)
	return e.b
}

var errTorn = errors.New("truncated log record")

// decoder reads log records; binenc.Reader does the bounds-checked reading.
type decoder struct{ binenc.Reader }

func (d *decoder) time() time.Time { return time.Unix(0, d.Varint()).UTC() }

func (d *decoder) strings() []string {
	n := d.Count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.String()
	}
	return out
}

func (d *decoder) value() value.Value {
	if d.Err != nil {
		return value.Null
	}
	v, rest, err := value.DecodeBinary(d.B)
	if err != nil {
		d.Fail(err)
		return value.Null
	}
	d.B = rest
	return v
}

func (d *decoder) props() map[string]value.Value {
	n := d.Count()
	if n == 0 {
		return nil
	}
	m := make(map[string]value.Value, n)
	for i := 0; i < n && d.Err == nil; i++ {
		k := d.String()
		m[k] = d.value()
	}
	return m
}

func decodeRecord(b []byte) (*record, error) {
	d := &decoder{binenc.Reader{B: b, Torn: errTorn}}
	r := &record{kind: d.Byte()}
	switch r.kind {
	case recStart, recClock:
		r.time = d.time()
	case recBatch:
		n := d.Count()
		if n > 0 {
			r.checkpoints = make(map[string][]byte, n)
		}
		for i := 0; i < n && d.Err == nil; i++ {
			s := d.String()
			r.checkpoints[s] = d.Bytes()
		}
		n = d.Count()
		r.batches = make([][]engine.Change, n)
		for i := 0; i < n && d.Err == nil; i++ {
			r.batches[i] = d.changes()
		}
	case recAdd, recReplace, recAddSubs, recReplaceSubs:
		s := &r.spec
		s.ID = d.String()
		s.Text = d.String()
		s.Language = d.String()
		n := d.Count()
		for i := 0; i < n && d.Err == nil; i++ {
			j := engine.Join{ID: d.String()}
			k := d.Count()
			for x := 0; x < k && d.Err == nil; x++ {
				j.Keys = append(j.Keys, engine.JoinKey{Label: d.String(), Property: d.String()})
			}
			s.Joins = append(s.Joins, j)
		}
		s.Params = d.props()
		if r.kind == recAddSubs || r.kind == recReplaceSubs {
			n := d.Count()
			if n == 0 && d.Err == nil {
				d.Fail(errors.New("query record with an empty subscription list"))
			}
			for i := 0; i < n && d.Err == nil; i++ {
				s.Subscriptions = append(s.Subscriptions, engine.Subscription{Source: d.String(), Nodes: d.strings(), Relations: d.strings()})
			}
			r.kind = map[byte]byte{recAddSubs: recAdd, recReplaceSubs: recReplace}[r.kind]
		}
	case recRemove:
		r.queryID = d.String()
	default:
		if d.Err == nil {
			return nil, fmt.Errorf("unknown log record kind %q", r.kind)
		}
	}
	if d.Err != nil {
		return nil, d.Err
	}
	if len(d.B) != 0 {
		return nil, fmt.Errorf("%d stray bytes after a log record", len(d.B))
	}
	return r, nil
}

func (d *decoder) changes() []engine.Change {
	n := d.Count()
	out := make([]engine.Change, n)
	for i := 0; i < n && d.Err == nil; i++ {
		ch := &out[i]
		ch.Op = engine.Op(d.Byte())
		ch.Source = d.String()
		ch.Time = d.time()
		el := &ch.Element
		el.ID = d.String()
		el.Labels = d.strings()
		el.Type = d.String()
		el.From = d.String()
		el.To = d.String()
		el.Props = d.props()
	}
	return out
}

// changes is the weight of a record toward the next snapshot: its changes,
// or one for a clock move or a query registration.
func (r *record) changes() int {
	if r.kind != recBatch {
		return 1
	}
	n := 0
	for _, b := range r.batches {
		n += len(b)
	}
	return n
}

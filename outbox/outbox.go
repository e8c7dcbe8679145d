// Package outbox holds each continuous query's result-change events with a
// per-query sequence number (gap-free, starting at 1). Reactions and SSE
// clients read it from their own position, which is what lets a client that
// reconnects with Last-Event-ID, or a webhook that was down, catch up with no
// gap and no repeat.
//
// Events are built from engine rows (Change, Control, Snapshot) and encoded
// once, by Event.AppendJSON, when they are stored: the stored bytes are what
// every reaction sends. The Outbox interface is storage-neutral: events go in
// as values and come out as their encoded JSON, so a durable implementation
// (Badger, in package store) keeps the bytes as they are. Memory is the
// in-memory implementation.
package outbox

import (
	"errors"
	"sync"
)

// Record is a stored event: its query, sequence and JSON encoding.
type Record struct {
	QueryID string
	Seq     uint64
	Kind    string // change or control, so readers can filter without decoding
	Data    []byte
}

// ErrCompacted is returned by ReadFrom when events after the requested
// position have been compacted away; the reader needs a snapshot instead.
var ErrCompacted = errors.New("outbox: requested events were compacted")

// Outbox stores result-change events per query.
type Outbox interface {
	// Append stores ev as the next event of queryID, setting ev.Sequence,
	// and returns the sequence: one more than the query's last, starting at 1.
	Append(queryID string, ev *Event) (uint64, error)
	// ReadFrom returns up to max events of queryID with a sequence above
	// after, in order (none when after is the last). It returns ErrCompacted
	// when the event after `after` is no longer stored.
	ReadFrom(queryID string, after uint64, max int) ([]Record, error)
	// Bounds returns the first stored sequence (0 when none is stored) and
	// the last appended one (0 before the first Append).
	Bounds(queryID string) (first, last uint64)
	// Compact forgets the events of queryID up to and including through.
	Compact(queryID string, through uint64) error
	// Drop forgets a query's events (the query was deleted). Its numbering
	// continues: a query created again under the name goes on from the last
	// sequence, so a reader's old position reads as compacted (it gets a
	// snapshot) instead of pointing into the new stream.
	Drop(queryID string) error
	// Close releases the storage.
	Close() error
}

// Memory is the in-memory Outbox. It is safe for concurrent use: the engine
// host appends while SSE clients and reactions read.
type Memory struct {
	mu      sync.RWMutex
	streams map[string]*stream
}

type stream struct {
	recs []Record // consecutive sequences, recs[0].Seq is the first stored
	last uint64
}

// NewMemory returns an empty in-memory outbox.
func NewMemory() *Memory { return &Memory{streams: map[string]*stream{}} }

// Append implements Outbox.
func (m *Memory) Append(queryID string, ev *Event) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.streams[queryID]
	if s == nil {
		s = &stream{}
		m.streams[queryID] = s
	}
	ev.Sequence = s.last + 1
	ev.QueryID = queryID
	data, err := ev.MarshalJSON()
	if err != nil {
		return 0, err
	}
	s.last++
	s.recs = append(s.recs, Record{QueryID: queryID, Seq: s.last, Kind: ev.Kind, Data: data})
	return s.last, nil
}

// ReadFrom implements Outbox.
func (m *Memory) ReadFrom(queryID string, after uint64, max int) ([]Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s := m.streams[queryID]
	if s == nil || after >= s.last {
		return nil, nil
	}
	if len(s.recs) == 0 || after+1 < s.recs[0].Seq {
		return nil, ErrCompacted
	}
	i := int(after + 1 - s.recs[0].Seq)
	j := len(s.recs)
	if max > 0 && j-i > max {
		j = i + max
	}
	// Records are immutable once stored, so sharing them is safe.
	return s.recs[i:j:j], nil
}

// Bounds implements Outbox.
func (m *Memory) Bounds(queryID string) (first, last uint64) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s := m.streams[queryID]
	if s == nil {
		return 0, 0
	}
	if len(s.recs) > 0 {
		first = s.recs[0].Seq
	}
	return first, s.last
}

// Compact implements Outbox.
func (m *Memory) Compact(queryID string, through uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.streams[queryID]
	if s == nil || len(s.recs) == 0 || through < s.recs[0].Seq {
		return nil
	}
	n := int(through - s.recs[0].Seq + 1)
	if n > len(s.recs) {
		n = len(s.recs)
	}
	// Copy the rest so the dropped records' memory can be reclaimed.
	s.recs = append([]Record(nil), s.recs[n:]...)
	return nil
}

// Drop implements Outbox.
func (m *Memory) Drop(queryID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.streams[queryID]; s != nil {
		s.recs = nil
	}
	return nil
}

// Close implements Outbox.
func (m *Memory) Close() error { return nil }

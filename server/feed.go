package server

// The feed: how readers (reactions, SSE clients, the API) read the result
// streams the loop commits: reads at a position, snapshots consistent with
// a sequence, reaction cursors, and compaction behind the slowest durable
// reader.

import (
	"context"

	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/sources"
)

// Read implements reactions.Feed.
func (s *Server) Read(queryID string, after uint64, max int) ([]outbox.Record, error) {
	recs, err := s.out.ReadFrom(queryID, after, max)
	if err != nil || len(recs) > 0 {
		return recs, err
	}
	if _, last := s.out.Bounds(queryID); after > last {
		// A position from another store or a reset one.
		return nil, outbox.ErrCompacted
	}
	if _, deleted := s.deleted.Load(queryID); deleted {
		// The query was deleted: readers learn it from the snapshot they
		// then ask for (not found), and a query created again under the
		// name continues the numbering after its last event.
		return nil, outbox.ErrCompacted
	}
	return nil, nil
}

// Snapshot implements reactions.Feed.
func (s *Server) Snapshot(ctx context.Context, queryID string) (outbox.Record, error) {
	var rec outbox.Record
	var rerr error
	err := s.do(ctx, func() {
		qe := s.queries[queryID]
		if qe == nil {
			rerr = reactions.ErrNotFound
			return
		}
		ev := s.snapshotEvent(qe)
		data, err := ev.MarshalJSON()
		if err != nil {
			rerr = err
			return
		}
		rec = outbox.Record{QueryID: queryID, Seq: ev.Sequence, Kind: outbox.KindSnapshot, Data: data}
	})
	if err != nil {
		return rec, err
	}
	return rec, rerr
}

// snapshotEvent is the query's current result and the sequence it is
// consistent with; actor only.
func (s *Server) snapshotEvent(qe *queryEntry) *outbox.Event {
	_, last := s.out.Bounds(qe.res.Name)
	if qe.q == nil {
		return outbox.Snapshot(qe.res.Name, last, nil, nil, s.eng.Now())
	}
	return outbox.Snapshot(qe.res.Name, last, s.host.Columns(qe.q), qe.q.Results(), s.eng.Now())
}

// compact trims a query's stream to Retain events, but never past what a
// durable reaction (a webhook) has not handled yet.
func (s *Server) compact(queryID string) {
	if !s.ready.Load() {
		// Until every resource is loaded, a webhook that will resume from
		// a stored position may not be registered yet.
		return
	}
	first, last := s.out.Bounds(queryID)
	keep := uint64(s.opts.Retain)
	// Amortised: trim only once the stream is a quarter over its limit.
	if first == 0 || last-first+1 <= keep+keep/4 {
		return
	}
	floor := last - keep
	for _, re := range s.reactions {
		if re.r == nil {
			continue
		}
		if _, subscribed := re.res.Reaction.Queries[queryID]; !subscribed {
			continue
		}
		st := re.r.Status()
		if st.Durable {
			if p := st.Positions[queryID]; p < floor {
				floor = p
			}
		}
	}
	if floor >= first {
		s.out.Compact(queryID, floor)
	}
}

// LoadCursor implements reactions.Cursors: reaction positions are kept in
// the host's log, so with a store they survive restarts.
func (s *Server) LoadCursor(reaction, query string) (uint64, bool) {
	seq, err := s.host.Cursor(reaction, query)
	if err != nil {
		s.log.Error("reading a reaction's position", "reaction", reaction, "query", query, "err", err)
		return 0, false
	}
	return seq, seq > 0
}

// SaveCursor implements reactions.Cursors.
func (s *Server) SaveCursor(reaction, query string, seq uint64) error {
	return s.host.SetCursor(reaction, query, seq)
}

// Source returns a running source by name (nil if there is none), e.g. for
// the built-in generator to feed the HTTP source in process.
func (s *Server) Source(name string) sources.Source {
	s.hmu.RLock()
	defer s.hmu.RUnlock()
	return s.handlers[name].src
}

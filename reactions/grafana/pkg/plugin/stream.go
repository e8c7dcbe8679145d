package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// resultSet is a query's current result, kept from its snapshot and
// changes in the order rows arrived.
type resultSet struct {
	rows []row
	keys []string
}

// key identifies a row by its values: the server writes a row's object
// with sorted keys, so equal rows have equal bytes once re-encoded.
func key(r row) string {
	b, _ := json.Marshal(r)
	return string(b)
}

func (s *resultSet) reset(rows []row) {
	s.rows, s.keys = s.rows[:0], s.keys[:0]
	for _, r := range rows {
		s.add(r)
	}
}

func (s *resultSet) add(r row) {
	s.rows = append(s.rows, r)
	s.keys = append(s.keys, key(r))
}

func (s *resultSet) remove(r row) {
	k := key(r)
	for i := range s.keys {
		if s.keys[i] == k {
			s.rows = append(s.rows[:i], s.rows[i+1:]...)
			s.keys = append(s.keys[:i], s.keys[i+1:]...)
			return
		}
	}
}

// RunStream follows the query's event stream on the Vigil server and sends
// a frame per event: in table mode the whole current result, in changes
// mode the event's rows. When the connection breaks it reconnects with the
// id of the last event it handled, which a durable server resumes after; a
// server that restarted without keeping its streams (memory), or a query
// deleted, re-created or replaced, starts the stream over from a snapshot.
// In changes mode the first snapshot is not sent: QueryData answered the
// panel with it.
func (d *Datasource) RunStream(ctx context.Context, req *backend.RunStreamRequest, sender *backend.StreamSender) error {
	mode, queryID, err := parsePath(req.Path)
	if err != nil {
		return err
	}
	var (
		last    string
		columns []string
		kinds   []columnKind
		set     resultSet
		wait    = d.retry
		first   = true // the first snapshot of the stream's life
		started time.Time
	)
	if st, err := d.c.status(ctx); err == nil {
		started = st.Started
	}
	send := func(f *data.Frame, seq uint64) error {
		f.SetMeta(&data.FrameMeta{Custom: map[string]any{"sequence": seq}})
		return sender.SendFrame(f, data.IncludeAll)
	}
	handle := func(id string, ev *event) error {
		at := time.UnixMilli(ev.SourceTimeMs).UTC()
		switch ev.Kind {
		case "snapshot":
			if !slices.Equal(columns, ev.Columns) {
				columns, kinds = ev.Columns, make([]columnKind, len(ev.Columns))
			}
			kinds = widenKinds(columns, kinds, ev.Results)
			set.reset(ev.Results)
			last, wait = id, d.retry
			if mode == ModeChanges {
				if first {
					first = false
					return nil
				}
				rows := make([]changeRow, len(ev.Results))
				for i, r := range ev.Results {
					rows[i] = changeRow{opSnapshot, r}
				}
				return send(changesFrameKinds(queryID, columns, kinds, ev.Sequence, at, rows), ev.Sequence)
			}
			first = false
			return send(tableFrameKinds(queryID, columns, kinds, set.rows, at), ev.Sequence)
		case "change":
			var rows []changeRow
			var vals []row
			for _, r := range ev.Deleted {
				set.remove(r)
				rows = append(rows, changeRow{opDeleted, r})
			}
			for _, u := range ev.Updated {
				set.remove(u.Before)
				set.add(u.After)
				rows = append(rows, changeRow{opUpdated, u.After})
			}
			for _, r := range ev.Added {
				set.add(r)
				rows = append(rows, changeRow{opAdded, r})
			}
			for _, r := range rows {
				vals = append(vals, r.vals)
			}
			kinds = widenKinds(columns, kinds, vals)
			last, wait = id, d.retry
			if mode == ModeChanges {
				return send(changesFrameKinds(queryID, columns, kinds, ev.Sequence, at, rows), ev.Sequence)
			}
			return send(tableFrameKinds(queryID, columns, kinds, set.rows, at), ev.Sequence)
		}
		// Control events. A query (re)created or replaced starts over: its
		// rows and columns come with a snapshot, which a connection
		// without a position gets first. A query deleted empties the
		// panel until it is created again.
		if ev.Signal != nil {
			switch ev.Signal.Kind {
			case "bootstrapStarted":
				last = ""
				return errRestart
			case "stopped":
				last = ""
				set.reset(nil)
				if mode == ModeTable {
					if err := send(tableFrameKinds(queryID, columns, kinds, nil, at), ev.Sequence); err != nil {
						return err
					}
				}
				return errRestart
			}
		}
		last = id
		return nil
	}
	for {
		err := d.c.stream(ctx, queryID, last, handle)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errRestart) {
			continue // at once, from a snapshot
		}
		pause := wait
		var ae *apiError
		if errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden) {
			// A wrong token will not change in a second: ask again every
			// half minute. (A query that does not exist may be created
			// again any moment: the usual backoff, up to 5 s.)
			pause = refusedRetry
		}
		// Jitter: the panels of a dashboard do not all come back at once
		// after a server restart.
		pause += time.Duration(rand.Int64N(int64(pause)/4 + 1))
		d.log.Warn("Vigil stream broken; reconnecting", "query", queryID, "after", last, "in", pause, "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		wait = min(2*wait, d.maxRetry)
		if st, err := d.c.status(ctx); err == nil {
			if !started.IsZero() && !st.Started.Equal(started) && !st.Durable {
				// A memory server restarted: its numbering began again, and
				// the last id names nothing it sent.
				last = ""
			}
			started = st.Started
		}
	}
}

// refusedRetry is how long a stream waits before asking again after the
// server refused its token.
const refusedRetry = 30 * time.Second

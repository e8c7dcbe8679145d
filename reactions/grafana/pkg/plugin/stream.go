package plugin

import (
	"context"
	"encoding/json"
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
// mode the event's rows. When the connection breaks (the server
// restarted), it reconnects with the id of the last event it handled: a
// durable server resumes after it, and one that cannot sends a snapshot
// (a table frame of the whole result; op "snapshot" rows).
func (d *Datasource) RunStream(ctx context.Context, req *backend.RunStreamRequest, sender *backend.StreamSender) error {
	mode, queryID, err := parsePath(req.Path)
	if err != nil {
		return err
	}
	var (
		last    string
		columns []string
		set     resultSet
		wait    = d.retry
	)
	handle := func(id string, ev *event) error {
		at := time.UnixMilli(ev.SourceTimeMs).UTC()
		var f *data.Frame
		switch ev.Kind {
		case "snapshot":
			columns = ev.Columns
			set.reset(ev.Results)
			if mode == ModeChanges {
				rows := make([]changeRow, len(ev.Results))
				for i, r := range ev.Results {
					rows[i] = changeRow{opSnapshot, r}
				}
				f = changesFrame(queryID, columns, ev.Sequence, at, rows)
			}
		case "change":
			var rows []changeRow
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
			if mode == ModeChanges {
				f = changesFrame(queryID, columns, ev.Sequence, at, rows)
			}
		default:
			// Control events (the query started, stopped) change no row.
			last = id
			return nil
		}
		if f == nil {
			f = tableFrame(queryID, columns, set.rows, at)
		}
		f.SetMeta(&data.FrameMeta{Custom: map[string]any{"sequence": ev.Sequence}})
		if err := sender.SendFrame(f, data.IncludeAll); err != nil {
			return err
		}
		last, wait = id, d.retry
		return nil
	}
	for {
		err := d.c.stream(ctx, queryID, last, handle)
		if ctx.Err() != nil {
			return nil
		}
		d.log.Warn("Vigil stream broken; reconnecting", "query", queryID, "after", last, "in", wait, "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, d.maxRetry)
	}
}

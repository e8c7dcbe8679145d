package outbox

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/jsonenc"
)

// Event kinds.
const (
	KindChange   = "change"
	KindControl  = "control"
	KindSnapshot = "snapshot" // built on demand, never stored
)

// Control signal kinds, in Drasi's spelling.
const (
	SignalBootstrapStarted   = "bootstrapStarted"
	SignalBootstrapCompleted = "bootstrapCompleted"
	SignalRunning            = "running"
	SignalStopped            = "stopped"
)

// Columns are a query's result columns with the order their names sort in:
// a row is written as a JSON object with sorted keys, the way encoding/json
// writes a map, so that a client comparing events byte for byte (or a test)
// sees one form. Build it once per query; it is immutable.
type Columns struct {
	names []string
	order []int
}

// NewColumns returns the columns of a query whose result columns are names.
func NewColumns(names []string) *Columns {
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(names[a], names[b]) })
	return &Columns{names: names, order: order}
}

// Names are the column names in the query's order.
func (c *Columns) Names() []string {
	if c == nil {
		return nil
	}
	return c.names
}

// AppendRow writes row as a JSON object; a column the row lacks is null.
func (c *Columns) AppendRow(b []byte, row engine.Row) []byte {
	b = append(b, '{')
	for k, i := range c.order {
		if k > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, c.names[i])
		b = append(b, ':')
		if i < len(row) {
			b = value.AppendJSON(b, row[i])
		} else {
			b = append(b, "null"...)
		}
	}
	return append(b, '}')
}

// AppendRows writes rows as a JSON array of objects.
func (c *Columns) AppendRows(b []byte, rows []engine.Row) []byte {
	b = append(b, '[')
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = c.AppendRow(b, r)
	}
	return append(b, ']')
}

// RowMap is a result row as column -> plain JSON value (value.ToGo), for
// API documents that embed rows in a Go struct.
func RowMap(r engine.Row, columns []string) map[string]any {
	m := make(map[string]any, len(columns))
	for i, c := range columns {
		if i < len(r) {
			m[c] = value.ToGo(r[i])
		} else {
			m[c] = nil
		}
	}
	return m
}

// Event is one entry of a query's stream, in Drasi's result-event shape.
// Rows stay in the engine's form until the event is encoded, so producing
// an event builds no map per row.
type Event struct {
	Kind         string
	QueryID      string
	Sequence     uint64
	SourceTimeMs int64
	// Columns name the values of the rows (change and snapshot events).
	Columns *Columns
	// Added, Updated and Deleted are a change event's rows; Added holds a
	// snapshot event's whole result.
	Added   []engine.Row
	Updated []engine.Update
	Deleted []engine.Row
	// DeletedColumns, when set, name the values of Deleted instead of
	// Columns: the rows of a replaced query's previous definition.
	DeletedColumns *Columns
	Signal         string // control events: the signal kind
	Reason         string // control events: why (e.g. the error that stopped a query)
}

// Change is the change event of one engine diff at time at.
func Change(d *engine.Diff, cols *Columns, at time.Time) *Event {
	return &Event{Kind: KindChange, QueryID: d.QueryID, SourceTimeMs: at.UnixMilli(), Columns: cols,
		Added: d.Added, Updated: d.Updated, Deleted: d.Deleted}
}

// Control is a control event (a signal such as stopped, with its reason).
func Control(queryID, signal, reason string, at time.Time) *Event {
	return &Event{Kind: KindControl, QueryID: queryID, SourceTimeMs: at.UnixMilli(), Signal: signal, Reason: reason}
}

// Snapshot is a query's whole current result, consistent with the stream up
// to sequence seq. Snapshot events are built on demand and never stored.
func Snapshot(queryID string, seq uint64, cols *Columns, rows []engine.Row, at time.Time) *Event {
	return &Event{Kind: KindSnapshot, QueryID: queryID, Sequence: seq, SourceTimeMs: at.UnixMilli(), Columns: cols, Added: rows}
}

// Counts returns how many rows the event adds, updates and deletes.
func (e *Event) Counts() (added, updated, deleted int) {
	return len(e.Added), len(e.Updated), len(e.Deleted)
}

// MarshalJSON encodes the event; see AppendJSON.
func (e *Event) MarshalJSON() ([]byte, error) {
	return e.AppendJSON(make([]byte, 0, 256)), nil
}

// AppendJSON writes the event in the shape of its kind: a change carries
// all three result lists (empty, never null, so clients need no null
// checks), a control event its controlSignal, a snapshot its columns and
// the whole result. It is the one encoder of result events: the outbox
// stores its bytes and every reaction sends them as they are.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"kind":`...)
	b = jsonenc.AppendString(b, e.Kind)
	b = append(b, `,"queryId":`...)
	b = jsonenc.AppendString(b, e.QueryID)
	b = append(b, `,"sequence":`...)
	b = strconv.AppendUint(b, e.Sequence, 10)
	b = append(b, `,"sourceTimeMs":`...)
	b = strconv.AppendInt(b, e.SourceTimeMs, 10)
	switch e.Kind {
	case KindControl:
		b = append(b, `,"controlSignal":{"kind":`...)
		b = jsonenc.AppendString(b, e.Signal)
		if e.Reason != "" {
			b = append(b, `,"reason":`...)
			b = jsonenc.AppendString(b, e.Reason)
		}
		return append(b, "}}"...)
	case KindSnapshot:
		b = append(b, `,"columns":[`...)
		for i, n := range e.Columns.Names() {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendString(b, n)
		}
		b = append(b, `],"results":`...)
		b = e.appendRows(b, e.Columns, e.Added)
		return append(b, '}')
	}
	b = append(b, `,"addedResults":`...)
	b = e.appendRows(b, e.Columns, e.Added)
	b = append(b, `,"updatedResults":[`...)
	for i, u := range e.Updated {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"before":`...)
		b = e.appendRow(b, e.Columns, u.Before)
		b = append(b, `,"after":`...)
		b = e.appendRow(b, e.Columns, u.After)
		b = append(b, '}')
	}
	b = append(b, `],"deletedResults":`...)
	cols := e.Columns
	if e.DeletedColumns != nil {
		cols = e.DeletedColumns
	}
	b = e.appendRows(b, cols, e.Deleted)
	return append(b, '}')
}

func (e *Event) appendRows(b []byte, cols *Columns, rows []engine.Row) []byte {
	if cols == nil {
		cols = noColumns
	}
	return cols.AppendRows(b, rows)
}

// appendRow writes a row, or null for a missing one (an update's before
// row that a producer did not have), as encoding/json writes a nil map.
func (e *Event) appendRow(b []byte, cols *Columns, row engine.Row) []byte {
	if row == nil {
		return append(b, "null"...)
	}
	if cols == nil {
		cols = noColumns
	}
	return cols.AppendRow(b, row)
}

// noColumns writes the rows of an event made without columns as {}: such
// an event is a programming error, and an empty object keeps the stream
// readable.
var noColumns = &Columns{}

// JSONRow is a result row as an event carries it: column -> JSON value.
type JSONRow = map[string]json.RawMessage

// Decoded is a stored event read back, for the reactions that act on its
// rows (webhook actions, the eBPF and MCP reactions); AppendJSON wrote it.
type Decoded struct {
	Kind         string    `json:"kind"`
	QueryID      string    `json:"queryId"`
	Sequence     uint64    `json:"sequence"`
	SourceTimeMs int64     `json:"sourceTimeMs"`
	Columns      []string  `json:"columns"`        // a snapshot's
	Results      []JSONRow `json:"results"`        // a snapshot's whole result
	Added        []JSONRow `json:"addedResults"`   // a change's
	Deleted      []JSONRow `json:"deletedResults"` // a change's
	Updated      []struct {
		Before JSONRow `json:"before"`
		After  JSONRow `json:"after"`
	} `json:"updatedResults"`
	Signal *struct {
		Kind   string `json:"kind"`
		Reason string `json:"reason"`
	} `json:"controlSignal"` // a control event's
}

// Decode reads an event's JSON.
func Decode(data []byte) (Decoded, error) {
	var d Decoded
	err := json.Unmarshal(data, &d)
	return d, err
}

// Package reactions defines what a reaction is to the server: something
// that consumes the result-change events of one or more continuous queries
// from the outbox, at its own position, and acts on them (streams them,
// POSTs them, prints them). Implementations live in subpackages (sse,
// webhook, debug), each with a Factory that the program registers.
package reactions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"time"

	"github.com/vigilhq/vigil/internal/kinds"

	"github.com/vigilhq/vigil/outbox"
)

// ErrNotFound is returned by Feed.Snapshot for a query that does not exist
// (not yet created, or deleted).
var ErrNotFound = errors.New("query not found")

// Feed is a reaction's read access to the outbox. It is safe for concurrent
// use.
type Feed interface {
	// Read returns up to max events of queryID after the sequence `after`
	// without waiting (none when there are no newer ones). It returns
	// outbox.ErrCompacted when the events after `after` are gone (compacted,
	// or the query was re-created): the reader should take a Snapshot.
	Read(queryID string, after uint64, max int) ([]outbox.Record, error)
	// Snapshot returns the query's current result as a snapshot event whose
	// sequence is the last event it reflects; reading on from that sequence
	// continues with no gap. It returns ErrNotFound for an unknown query.
	Snapshot(ctx context.Context, queryID string) (outbox.Record, error)
	// Changed returns a channel that is closed at the next event appended to
	// any query (take it before reading, so no append is missed).
	Changed() <-chan struct{}
}

// Cursors is implemented by feeds that keep reactions' positions across
// restarts (a durable server). A reaction that delivers at least once (a
// webhook) saves the sequence it has handled for each query and resumes
// after it, instead of starting over.
type Cursors interface {
	// LoadCursor returns the saved position of reaction on query, if any.
	LoadCursor(reaction, query string) (seq uint64, ok bool)
	// SaveCursor records that reaction has handled query's events up to seq.
	SaveCursor(reaction, query string, seq uint64) error
}

// Explainer is implemented by feeds that can say which graph elements
// produced a result row (the server's): the MCP reaction's explain_row.
type Explainer interface {
	// Explain returns, as a JSON object, the first current result row of
	// queryID whose columns named in where hold those values (compared as
	// JSON), how many pattern matches produced it and the elements they
	// bound (at most limit). It returns ErrNotFound for an unknown query
	// and ErrNoRow when no row matches.
	Explain(ctx context.Context, queryID string, where map[string]any, limit int) ([]byte, error)
}

// ErrNoRow is returned by Explainer.Explain when no current result row has
// the values asked for.
var ErrNoRow = errors.New("no result row has those values")

// Reaction is a running reaction.
type Reaction interface {
	// Name is the resource name.
	Name() string
	// Run consumes the feed until ctx is cancelled. Delivery failures are
	// retried or dead-lettered inside Run and reported through Status.
	Run(ctx context.Context, feed Feed) error
	// Status reports the reaction's state for the API and metrics.
	Status() Status
}

// Status is a reaction's state as the API shows it.
type Status struct {
	State        string            `json:"state"` // running, failing, stopped
	Error        string            `json:"error,omitempty"`
	LastDelivery time.Time         `json:"lastDelivery,omitzero"`
	LastError    time.Time         `json:"lastErrorAt,omitzero"`
	Delivered    uint64            `json:"delivered"`   // events delivered
	Failures     uint64            `json:"failures"`    // failed delivery attempts
	DeadLetters  uint64            `json:"deadLetters"` // events given up on
	Positions    map[string]uint64 `json:"positions"`   // per query: last sequence handled (delivered or dead-lettered)
	Clients      int               `json:"clients,omitempty"`
	// Durable reactions hold back outbox compaction at their positions;
	// stream reactions (SSE) do not, since their clients can resnapshot.
	Durable bool `json:"-"`
}

// Remover is a reaction whose effects outlive the process on purpose (the
// eBPF reaction's pinned kernel maps keep agents cut off while Vigil
// restarts) and must be undone when its resource is deleted, which a
// stopping server must not do. The server calls Remove after cancelling
// the reaction's Run, in the background; Remove waits for Run to return.
type Remover interface {
	Remove() error
}

// DeadLetterer is a reaction that keeps the events it gave up on (a webhook
// after its last attempt); the API lists them with the reaction.
type DeadLetterer interface {
	// DeadLetters returns the events given up on, oldest first.
	DeadLetters() []DeadLetter
}

// DeadLetter is an event a reaction gave up on.
type DeadLetter struct {
	QueryID  string    `json:"queryId"`
	Sequence uint64    `json:"sequence"`
	Attempts int       `json:"attempts"`
	Error    string    `json:"error"`
	At       time.Time `json:"at"`
}

// Factory builds a reaction from its resource name, the per-query config
// of `spec.queries` (query name -> nil, a string or a map) and
// `spec.properties`. Errors name the offending property, not the resource
// (Registry.New places them).
type Factory func(name string, queries map[string]any, properties map[string]any) (Reaction, error)

// Registry holds the reaction kinds a server can build: the program that
// runs the server (cmd/vigil) registers the kinds it ships with.
type Registry struct {
	kinds *kinds.Registry[Factory]
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{kinds: kinds.New[Factory]("reactions")} }

// Register makes a reaction kind (as written in `spec.kind`) available.
// Kinds are matched case-insensitively. It panics on a duplicate, a
// programming error.
func (r *Registry) Register(kind string, f Factory) { r.kinds.Register(kind, f) }

// New builds a reaction of a registered kind. Its errors are *ConfigError.
func (r *Registry) New(kind, name string, queries map[string]any, properties map[string]any) (Reaction, error) {
	f, ok := r.kinds.Lookup(kind)
	if !ok {
		return nil, &ConfigError{Name: name, Err: fmt.Errorf("unknown kind %q (known: %v)", kind, r.Kinds())}
	}
	rx, err := f(name, queries, properties)
	if err != nil {
		return nil, &ConfigError{Name: name, Err: err}
	}
	return rx, nil
}

// Kinds lists the registered kinds, sorted.
func (r *Registry) Kinds() []string { return r.kinds.Kinds() }

// ConfigError is a reaction that cannot be built from its resource: an
// unknown kind, or a property its factory rejected (Err names it).
type ConfigError struct {
	Name string // the reaction's resource name
	Err  error
}

func (e *ConfigError) Error() string { return fmt.Sprintf("reaction %q: %v", e.Name, e.Err) }

// Unwrap returns the factory's error.
func (e *ConfigError) Unwrap() error { return e.Err }

// QueryNames returns the sorted keys of a spec.queries map.
func QueryNames(queries map[string]any) []string {
	out := make([]string, 0, len(queries))
	for q := range queries {
		out = append(out, q)
	}
	sort.Strings(out)
	return out
}

// Next returns the next events of queryID after the sequence `after`,
// waiting until there is at least one. When the outbox no longer holds
// them it returns a snapshot event instead, and when the query does not
// exist it waits for it to appear. The caller moves its position to the
// last returned record's Seq once it has handled them.
func Next(ctx context.Context, feed Feed, queryID string, after uint64, max int) ([]outbox.Record, error) {
	for {
		// Taken before reading, so an append between the read and the
		// wait still wakes us.
		wait := feed.Changed()
		recs, err := feed.Read(queryID, after, max)
		if err == nil && len(recs) > 0 {
			return recs, nil
		}
		if err != nil && !errors.Is(err, outbox.ErrCompacted) {
			return nil, err
		}
		if err != nil {
			snap, serr := feed.Snapshot(ctx, queryID)
			if serr == nil {
				return []outbox.Record{snap}, nil
			}
			if !errors.Is(serr, ErrNotFound) {
				return nil, serr
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wait:
		}
	}
}

// RowHas reports whether a result row (a JSON object, as events carry it)
// holds, for every column named in where, that value. Values compare as
// JSON: 3 and 3.0 are one number, and a column the row lacks matches
// nothing.
func RowHas(row map[string]json.RawMessage, where map[string]any) bool {
	for col, want := range where {
		raw, ok := row[col]
		if !ok {
			return false
		}
		var got any
		if json.Unmarshal(raw, &got) != nil {
			return false
		}
		if !reflect.DeepEqual(got, normalJSON(want)) {
			return false
		}
	}
	return true
}

// normalJSON is v as encoding/json decodes it into an any (numbers as
// float64, objects as map[string]any), so that values from a caller and
// from an event compare alike.
func normalJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

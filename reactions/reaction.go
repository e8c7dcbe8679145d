// Package reactions defines what a reaction is to the server: something
// that consumes the result-change events of one or more continuous queries
// from the outbox, at its own position, and acts on them (streams them,
// POSTs them, prints them). Implementations live in subpackages (sse,
// webhook, debug) and register their kind here.
package reactions

import (
	"context"
	"errors"
	"fmt"
	"github.com/vigilhq/vigil/internal/kinds"
	"sort"
	"time"

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

// Factory builds a reaction from its resource name, the per-query config
// of `spec.queries` (query name -> nil, a string or a map) and
// `spec.properties`. Errors name the offending property.
type Factory func(name string, queries map[string]any, properties map[string]any) (Reaction, error)

var registry = kinds.New[Factory]("reactions")

// Register makes a reaction kind available. Kinds are matched
// case-insensitively. It panics on a duplicate, a programming error.
func Register(kind string, f Factory) {
	registry.Register(kind, f)
}

// New builds a reaction of a registered kind.
func New(kind, name string, queries map[string]any, properties map[string]any) (Reaction, error) {
	f, ok := registry.Lookup(kind)
	if !ok {
		return nil, fmt.Errorf("reaction %q: unknown kind %q (known: %v)", name, kind, Kinds())
	}
	return f(name, queries, properties)
}

// Kinds lists the registered kinds, sorted.
func Kinds() []string {
	return registry.Kinds()
}

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

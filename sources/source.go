// Package sources defines what a change source is to the server: something
// that bootstraps a consistent snapshot and then streams committed
// transactions as batches of engine changes, each carrying the position to
// resume from. Implementations live in subpackages (http, postgres, mysql),
// each with a factory that the program registers.
package sources

import (
	"context"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/kinds"

	"github.com/vigilhq/vigil/engine"
)

// Emit hands a batch to the server. It returns only after the batch is
// applied and committed (or fails); a source must not confirm Batch.Position
// upstream before Emit returned nil.
type Emit func(ctx context.Context, b engine.Batch) error

// Source is a running change source.
type Source interface {
	// Name is the resource name.
	Name() string
	// Run bootstraps when from is nil, or resumes strictly after the
	// position from (a Position it emitted earlier); it then streams until
	// ctx is cancelled. Transient failures (connection loss) are retried
	// with backoff inside Run and reported through Status; Run returns an
	// error only for a failure it cannot recover from (bad configuration,
	// a dropped slot).
	Run(ctx context.Context, from []byte, emit Emit) error
	// Status reports the source's state for the API.
	Status() Status
}

// Status is a source's state as the API shows it.
type Status struct {
	State string `json:"state"` // starting, bootstrapping, running, retrying, failed, stopped
	Error string `json:"error,omitempty"`
	// Notice is the last event worth an operator's attention that did not
	// stop the source, such as a schema change it followed.
	Notice    string    `json:"notice,omitempty"`
	Position  string    `json:"position,omitempty"` // human-readable last committed position
	Changes   uint64    `json:"changes"`            // changes emitted since start
	LastEvent time.Time `json:"lastEvent,omitempty"`
}

// Factory builds a source from its resource name and the `spec.properties`
// map of its YAML (values as decoded by a YAML decoder). Errors name the
// offending property, not the resource (Registry.New places them).
type Factory func(name string, properties map[string]any) (Source, error)

// Registry holds the source kinds a server can build: the program that
// runs the server (cmd/vigil) registers the kinds it ships with.
type Registry struct {
	kinds *kinds.Registry[Factory]
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{kinds: kinds.New[Factory]("sources")} }

// Register makes a source kind (as written in `spec.kind`, e.g.
// "PostgreSQL") available. Kinds are matched case-insensitively. It panics
// on a duplicate, which is a programming error.
func (r *Registry) Register(kind string, f Factory) { r.kinds.Register(kind, f) }

// New builds a source of a registered kind. Its errors are *ConfigError.
func (r *Registry) New(kind, name string, properties map[string]any) (Source, error) {
	f, ok := r.kinds.Lookup(kind)
	if !ok {
		return nil, &ConfigError{Name: name, Err: fmt.Errorf("unknown kind %q (known: %v)", kind, r.Kinds())}
	}
	src, err := f(name, properties)
	if err != nil {
		return nil, &ConfigError{Name: name, Err: err}
	}
	return src, nil
}

// Kinds lists the registered kinds, sorted.
func (r *Registry) Kinds() []string { return r.kinds.Kinds() }

// ConfigError is a source that cannot be built from its resource: an
// unknown kind, or a property its factory rejected (Err names it).
type ConfigError struct {
	Name string // the source's resource name
	Err  error
}

func (e *ConfigError) Error() string { return fmt.Sprintf("source %q: %v", e.Name, e.Err) }

// Unwrap returns the factory's error.
func (e *ConfigError) Unwrap() error { return e.Err }

// UnavailableError wraps an Emit failure that is not the batch's fault: the
// server is stopping, the source was replaced, or storage failed. The batch
// may or may not have been committed; a source retries it (with its
// position, so that a committed one is recognised) rather than giving up.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string { return "server unavailable: " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UnavailableError) Unwrap() error { return e.Err }

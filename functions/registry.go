// Package functions is the function registry: name -> implementation, with
// one registration set per query language (toUpper in Cypher, upper in GQL,
// the same code). Scalar functions are pure functions of their arguments and
// an Env; aggregating functions are accumulators that can both apply and
// revert a row, so that a continuous query updates an aggregate in O(1) (or
// O(log n) for min/max) per change instead of recomputing it.
package functions

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// Env is what a scalar function may ask of the engine evaluating it.
type Env interface {
	// Now is the engine's current time: the time of the change being
	// processed, or the due time of a fired future; never the wall clock.
	Now() time.Time
	// Node returns the current version of the node with the given id, or nil.
	Node(id string) *value.Node
}

// ScalarFunc computes a function's result from its evaluated arguments.
// Arguments are never retained by the function.
type ScalarFunc func(env Env, args []value.Value) (value.Value, error)

// Scalar describes a scalar (row-at-a-time) function.
type Scalar struct {
	Name    string // canonical name, as documented
	MinArgs int    // fewest arguments accepted
	MaxArgs int    // most arguments accepted; -1 for variadic
	Fn      ScalarFunc
	// Args is the signature: the kinds accepted at each argument position
	// (the last entry repeats for a variadic function). Fn must raise
	// ArgTypeErr for any other kind; the semantic checker rejects such an
	// argument at compile time when its type is certain from the query
	// text (AcceptsArg). Nil declares nothing: no compile-time check.
	Args []ArgKinds
	// Volatile marks functions whose result is not determined by their
	// arguments (rand, randomUUID); the engine never caches them.
	Volatile bool
}

// Accumulator is the incremental state of one aggregate over one group.
// Apply adds a row's arguments; Revert removes a row previously applied with
// the same arguments. Result is the aggregate over the rows applied and not
// reverted. Null arguments are ignored by every aggregate except count(*),
// which the engine feeds with no arguments.
type Accumulator interface {
	Apply(args []value.Value) error
	Revert(args []value.Value) error
	Result() value.Value
}

// StatefulAccumulator is an Accumulator whose state a snapshot can hold:
// SaveState writes it, and LoadState, called on a fresh accumulator from the
// same Aggregate.New, reads it back so that the accumulator then behaves
// exactly as the saved one under any further Apply and Revert.
//
// A corrupted or truncated state sets the reader's error instead of
// panicking; the accumulator is then in no defined state and must be
// discarded. The encoding carries no type tag: the snapshot's owner knows
// which aggregate each state belongs to.
type StatefulAccumulator interface {
	Accumulator
	SaveState(w *value.StateWriter)
	LoadState(r *value.StateReader)
}

// Seeded is an Accumulator that keeps its values in hash buckets (collect,
// DISTINCT). The engine holding it gives it the hash seed of its state
// (SeedAccumulator) right after New, before any Apply or LoadState; one
// never given a seed hashes with the zero seed.
type Seeded interface {
	Accumulator
	SetSeed(seed value.Seed)
}

// SeedAccumulator gives acc the hash seed of the engine that holds it, when
// acc hashes (Seeded); other accumulators are left as they are.
func SeedAccumulator(acc Accumulator, seed value.Seed) {
	if s, ok := acc.(Seeded); ok {
		s.SetSeed(seed)
	}
}

// Aggregate describes an aggregating function.
type Aggregate struct {
	Name    string // canonical name
	MinArgs int
	MaxArgs int
	// Args is the signature, as for Scalar.Args; Apply must raise
	// ArgTypeErr for any kind it does not declare.
	Args []ArgKinds
	// New returns an empty accumulator for one group.
	New func() Accumulator
}

// Registry maps function names (case-insensitive) to implementations for one
// language. The zero value is not usable; build one with NewRegistry or use
// Cypher and GQL.
type Registry struct {
	lang       string
	scalars    map[string]*Scalar
	aggregates map[string]*Aggregate
}

// NewRegistry returns an empty registry for the named language.
func NewRegistry(lang string) *Registry {
	return &Registry{lang: lang, scalars: map[string]*Scalar{}, aggregates: map[string]*Aggregate{}}
}

// Lang is the language this registry serves.
func (r *Registry) Lang() string { return r.lang }

// AddScalar registers f under name (and its Name if different).
func (r *Registry) AddScalar(name string, f *Scalar) {
	r.scalars[strings.ToLower(name)] = f
}

// AddAggregate registers a under name.
func (r *Registry) AddAggregate(name string, a *Aggregate) {
	r.aggregates[strings.ToLower(name)] = a
}

// Scalar looks up a scalar function, case-insensitively.
func (r *Registry) Scalar(name string) (*Scalar, bool) {
	f, ok := r.scalars[strings.ToLower(name)]
	return f, ok
}

// Aggregate looks up an aggregating function, case-insensitively.
func (r *Registry) Aggregate(name string) (*Aggregate, bool) {
	a, ok := r.aggregates[strings.ToLower(name)]
	return a, ok
}

// IsAggregate reports whether name is an aggregating function here.
func (r *Registry) IsAggregate(name string) bool {
	_, ok := r.aggregates[strings.ToLower(name)]
	return ok
}

// Names lists every registered name, for documentation and errors.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.scalars)+len(r.aggregates))
	for k := range r.scalars {
		out = append(out, k)
	}
	for k := range r.aggregates {
		out = append(out, k)
	}
	return out
}

// Error is a runtime error raised by a function or operator. Kind and Code
// follow the openCypher TCK: Kind is TypeError, ArgumentError,
// ArithmeticError...; Code the detail (InvalidArgumentType, NumberOutOfRange...).
type Error struct {
	Kind string
	Code string
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s (%s)", e.Kind, e.Msg, e.Code) }

// TypeErr builds a TypeError InvalidArgumentType.
func TypeErr(format string, args ...any) *Error {
	return &Error{Kind: "TypeError", Code: "InvalidArgumentType", Msg: fmt.Sprintf(format, args...)}
}

// ArgErr builds an ArgumentError with the given code.
func ArgErr(code, format string, args ...any) *Error {
	return &Error{Kind: "ArgumentError", Code: code, Msg: fmt.Sprintf(format, args...)}
}

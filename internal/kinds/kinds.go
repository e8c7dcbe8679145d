// Package kinds is the registry behind `spec.kind`: sources and reactions
// register a factory per kind name, matched case-insensitively.
package kinds

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Registry maps kind names to factories of type F. The zero value is ready.
type Registry[F any] struct {
	what string // "sources", "reactions": for the duplicate panic
	mu   sync.RWMutex
	m    map[string]F
}

// New returns a registry; what names it in the panic for a duplicate kind.
func New[F any](what string) *Registry[F] { return &Registry[F]{what: what, m: map[string]F{}} }

// Register adds a kind. A duplicate is a programming error and panics.
func (r *Registry[F]) Register(kind string, f F) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := strings.ToLower(kind)
	if _, dup := r.m[k]; dup {
		panic(fmt.Sprintf("%s: kind %q registered twice", r.what, kind))
	}
	r.m[k] = f
}

// Lookup returns the factory of a kind.
func (r *Registry[F]) Lookup(kind string) (F, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.m[strings.ToLower(kind)]
	return f, ok
}

// Kinds lists the registered kinds (lower case), sorted.
func (r *Registry[F]) Kinds() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.m))
	for k := range r.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

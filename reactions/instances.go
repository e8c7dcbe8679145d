package reactions

import (
	"sort"
	"sync"
)

// Instances holds the running instances of a reaction kind by resource
// name, for what the kind serves beside the reactions themselves (the
// breakers' API, the eBPF listing, the MCP endpoint, their metrics). A name
// holds one instance, the last put: an updated reaction's successor puts
// itself in, and its predecessor, stopping, takes out only itself. The
// zero value is empty and ready; it is safe for concurrent use.
type Instances[R comparable] struct {
	mu sync.Mutex
	m  map[string]R
}

// Put makes r the instance of name.
func (s *Instances[R]) Put(name string, r R) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]R{}
	}
	s.m[name] = r
}

// Remove takes r out, if it is still the instance of name.
func (s *Instances[R]) Remove(name string, r R) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[name] == r {
		delete(s.m, name)
	}
}

// Get returns the instance of name.
func (s *Instances[R]) Get(name string) (R, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[name]
	return r, ok
}

// All returns the instances sorted by name.
func (s *Instances[R]) All() []R {
	s.mu.Lock()
	names := make([]string, 0, len(s.m))
	for n := range s.m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]R, len(names))
	for i, n := range names {
		out[i] = s.m[n]
	}
	s.mu.Unlock()
	return out
}

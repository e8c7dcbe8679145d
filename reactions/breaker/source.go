package breaker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/vigilhq/vigil/resources"
	"github.com/vigilhq/vigil/sources"
)

// SourceKind is the kind of the source that keeps a CircuitBreaker
// reaction's state and publishes its breakers as Breaker nodes.
const SourceKind = "Breakers"

// Label is the label of the nodes a Breakers source publishes, one per
// key: {key, state, since, reason, query}.
const Label = "Breaker"

// Source is a running Breakers source. It produces nothing on its own: it
// lends its position and its emit to the reaction it names, whose
// transitions it thereby commits, each with the state it leads to.
type Source struct {
	hub      *Hub
	name     string
	reaction string

	mu     sync.Mutex
	status sources.Status
}

func newSource(h *Hub, name string, props map[string]any) (*Source, error) {
	p := resources.NewProps(props)
	s := &Source{hub: h, name: name, reaction: p.String("reaction", ""), status: sources.Status{State: "starting"}}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if s.reaction == "" {
		return nil, errors.New("property reaction is required: the name of the CircuitBreaker reaction whose state this source keeps")
	}
	return s, nil
}

// Name implements sources.Source.
func (s *Source) Name() string { return s.name }

// Run implements sources.Source: it checks that from is a breaker
// position (a corrupt one stops the source, rather than let the reaction
// start over and repeat its transitions) and offers it, with emit, to the
// reaction until ctx ends.
func (s *Source) Run(ctx context.Context, from []byte, emit sources.Emit) error {
	st, err := decodeState(from)
	if err != nil {
		return fmt.Errorf("resume position: %w", err)
	}
	l := &link{src: s, ctx: ctx, emit: emit, pos: from}
	if err := s.hub.attach(l); err != nil {
		return err
	}
	defer s.hub.detach(l)
	s.mu.Lock()
	s.status.State = "running"
	s.status.Position = summary(st)
	s.status.Notice = fmt.Sprintf("waiting for CircuitBreaker reaction %q", s.reaction)
	s.mu.Unlock()
	<-ctx.Done()
	s.mu.Lock()
	s.status.State = "stopped"
	s.mu.Unlock()
	return nil
}

// Status implements sources.Source.
func (s *Source) Status() sources.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func (s *Source) setLinked(linked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if linked {
		s.status.Notice = ""
	} else if s.status.State == "running" {
		s.status.Notice = fmt.Sprintf("waiting for CircuitBreaker reaction %q", s.reaction)
	}
}

func (s *Source) committed(changes int, pos string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status.Changes += uint64(changes)
	s.status.Position = pos
	if changes > 0 {
		s.status.LastEvent = time.Now()
	}
}

// summary is a position as the source's status shows it.
func summary(st *state) string {
	n := map[string]int{}
	for _, e := range st.breakers {
		n[e.state]++
	}
	return fmt.Sprintf("%d open, %d half-open, %d closed; %d transitions; cursors %v",
		n[Open], n[HalfOpen], n[Closed], st.transitions, st.cursors)
}

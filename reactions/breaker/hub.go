package breaker

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/sources"
)

// Clock is the time the breakers read: the recovery timeouts and the
// times of probes. Tests inject a manual one so that no test sleeps
// through a timeout.
type Clock interface {
	Now() time.Time
	// Timer returns a channel that receives once d has passed, and a
	// function that stops it.
	Timer(d time.Duration) (<-chan time.Time, func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Timer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// Hub links the CircuitBreaker reactions and the Breakers sources of one
// program (one server): a source hands the hub the position it resumes
// from and the emit that commits, and the reaction it names takes them.
// The hub also serves the breakers' API and metrics. Make one per server;
// it is safe for concurrent use.
type Hub struct {
	clock Clock

	mu        sync.Mutex
	reactions reactions.Instances[*Reaction] // running reactions by name, for the API
	links     map[string]*link               // by the name of the reaction they serve
	changed   chan struct{}                  // closed and replaced when links change

	transitions *prometheus.CounterVec
	gauge       *prometheus.Desc
}

// Option configures a Hub.
type Option func(*Hub)

// WithClock makes the hub's breakers read c instead of the wall clock.
func WithClock(c Clock) Option { return func(h *Hub) { h.clock = c } }

// NewHub returns a hub with no reactions or sources yet.
func NewHub(opts ...Option) *Hub {
	h := &Hub{
		clock:   realClock{},
		links:   map[string]*link{},
		changed: make(chan struct{}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_breaker_transitions_total",
			Help: "Circuit breaker transitions committed since start, by the state entered."}, []string{"to"}),
		gauge: prometheus.NewDesc("vigil_breakers", "Circuit breakers by state.", []string{"state"}, nil),
	}
	for _, st := range []string{Open, HalfOpen, Closed} {
		h.transitions.WithLabelValues(metricState(st)) // present at 0 from the start
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// metricState is a state as a metric label: open, half_open, closed.
func metricState(st string) string { return strings.ToLower(st) }

// SourceFactory builds Breakers sources (a sources.Factory). Property:
// reaction, the name of the CircuitBreaker reaction whose state it keeps.
func (h *Hub) SourceFactory(name string, props map[string]any) (sources.Source, error) {
	return newSource(h, name, props)
}

// ReactionFactory builds CircuitBreaker reactions (a reactions.Factory).
func (h *Hub) ReactionFactory(name string, queries map[string]any, props map[string]any) (reactions.Reaction, error) {
	return newReaction(h, name, queries, props)
}

// Collector returns the breakers' metrics: vigil_breakers{state} and
// vigil_breaker_transitions_total{to}.
func (h *Hub) Collector() prometheus.Collector { return collector{h} }

type collector struct{ h *Hub }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.h.gauge
	c.h.transitions.Describe(ch)
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	counts := map[string]int{}
	bs, _ := c.h.breakers() // while a reaction restores, its breakers are not counted yet
	for _, b := range bs {
		counts[b.State]++
	}
	for _, st := range []string{Open, HalfOpen, Closed} {
		ch <- prometheus.MustNewConstMetric(c.h.gauge, prometheus.GaugeValue, float64(counts[st]), metricState(st))
	}
	c.h.transitions.Collect(ch)
}

// broadcast wakes the reactions waiting for a link; h.mu held.
func (h *Hub) broadcast() {
	close(h.changed)
	h.changed = make(chan struct{})
}

// running returns the running reactions sorted by name.
func (h *Hub) running() []*Reaction { return h.reactions.All() }

// Breakers returns the committed breakers of every reaction, sorted by key,
// then reaction; restoring names the reactions still restoring their state
// (their breakers are not in the list yet). Other plugins (the MCP
// reaction's get_breaker) read them through it.
func (h *Hub) Breakers() (out []Breaker, restoring []string) { return h.breakers() }

// breakers returns the committed breakers of every reaction, sorted by
// key, then reaction; restoring names the reactions still restoring their
// state (their breakers are not in the list yet).
func (h *Hub) breakers() (out []Breaker, restoring []string) {
	for _, r := range h.running() {
		bs, ok := r.Breakers()
		if !ok {
			restoring = append(restoring, r.name)
		}
		out = append(out, bs...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, restoring
}

// link is a running Breakers source as its reaction sees it.
type link struct {
	src  *Source
	ctx  context.Context // the source's Run context: done when it stops
	emit sources.Emit

	// Guarded by the hub's mu.
	owner *Reaction // the reaction instance using it, nil while free

	pmu sync.Mutex
	pos []byte // the last committed position
}

func (l *link) position() []byte {
	l.pmu.Lock()
	defer l.pmu.Unlock()
	return l.pos
}

// committed records a position emit has committed, so that a reaction
// that takes the link again (after an update) starts from it.
func (l *link) committed(pos []byte, changes int, summary string) {
	l.pmu.Lock()
	l.pos = pos
	l.pmu.Unlock()
	l.src.committed(changes, summary)
}

// attach offers a running source's link to the reaction it names.
func (h *Hub) attach(l *link) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := h.links[l.src.reaction]; old != nil && old.ctx.Err() == nil {
		return fmt.Errorf("reaction %q already keeps its state in Breakers source %q", l.src.reaction, old.src.name)
	}
	h.links[l.src.reaction] = l
	h.broadcast()
	return nil
}

func (h *Hub) detach(l *link) {
	h.mu.Lock()
	if h.links[l.src.reaction] == l {
		delete(h.links, l.src.reaction)
	}
	h.broadcast()
	h.mu.Unlock()
}

// claim waits until the Breakers source r names is running and free, and
// takes it; it fails only when ctx ends.
func (h *Hub) claim(ctx context.Context, r *Reaction) (*link, error) {
	for {
		h.mu.Lock()
		l := h.links[r.name]
		wait := h.changed
		switch {
		case l == nil:
			r.setWaiting(fmt.Sprintf("waiting for Breakers source %q (with property reaction: %s)", r.source, r.name))
		case l.src.name != r.source:
			r.setWaiting(fmt.Sprintf("Breakers source %q names this reaction, but property source is %q", l.src.name, r.source))
		case l.owner == nil && l.ctx.Err() == nil:
			l.owner = r
			h.mu.Unlock()
			l.src.setLinked(true)
			return l, nil
		}
		h.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wait:
		case <-l.done():
			// The link's source stopped: detach wakes us too, but the
			// old link may stay registered until it runs.
		}
	}
}

// done is the link's context's Done channel; nil (never ready) for no link.
func (l *link) done() <-chan struct{} {
	if l == nil {
		return nil
	}
	return l.ctx.Done()
}

// release gives the link back after r's session on it ended.
func (h *Hub) release(l *link, r *Reaction) {
	h.mu.Lock()
	if l.owner == r {
		l.owner = nil
	}
	h.broadcast()
	h.mu.Unlock()
	l.src.setLinked(false)
}

// Package ebpf is the `Ebpf` reaction: while an agent has a row in one of
// its queries, the agent's cgroup is cut off the network in the kernel
// (enforce/ebpf); when the agent's last row leaves, the network comes back.
//
// Properties:
//
//	key           result column naming the agent (default: the first column,
//	              known from a snapshot's column list, or a row's only column)
//	cgroup        path template of the agent's cgroup, such as
//	              /sys/fs/cgroup/unified/agents/{agent}: {column} is the row's
//	              value of that column, {key} the key's value; relative paths
//	              are below the cgroup v2 root
//	cgroupColumn  instead of cgroup: a result column holding the path
//	allow         list of "port" or "addr:port" destinations a blocked agent
//	              can still reach (Vigil's own API port, DNS)
//	name          pin namespace under /sys/fs/bpf/vigil (default: the
//	              reaction's name)
//
// On start the reaction reconciles: it reads each query's current result
// (a snapshot, or the retained events from the start), blocks what a row
// justifies and unblocks every pinned block no row justifies, so a row
// deleted while Vigil was down is unblocked. A cgroup that does not exist
// yet is remembered and blocked as soon as it appears (checked every
// second). Where eBPF enforcement cannot run, the reaction reports why in
// its status and does nothing; the server keeps running.
package ebpf

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	kernel "github.com/vigilhq/vigil/enforce/ebpf"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/resources"
)

// Kind is the reaction kind this package registers.
const Kind = "Ebpf"

// Hub holds the Ebpf reactions of one program (one server), for the API
// (GET /v1/ebpf) and the metrics. Make one per server; it is safe for
// concurrent use.
type Hub struct {
	mu        sync.Mutex
	reactions reactions.Instances[*Reaction]

	enforcedDesc *prometheus.Desc
	deniedDesc   *prometheus.Desc
	apply        *prometheus.HistogramVec
}

// NewHub returns a hub with no reactions.
func NewHub() *Hub {
	return &Hub{
		enforcedDesc: prometheus.NewDesc("vigil_ebpf_enforced_cgroups", "Cgroups an Ebpf reaction holds cut off the network (pending ones not counted).", []string{"reaction"}, nil),
		deniedDesc:   prometheus.NewDesc("vigil_ebpf_denied_total", "Connects and sends the kernel refused for an Ebpf reaction's blocked cgroups (kept with the pins across restarts).", []string{"reaction"}, nil),
		apply: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "vigil_ebpf_apply_seconds",
			Help:    "Time from reading a result event to the kernel map update it causes.",
			Buckets: []float64{10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 10e-3, 50e-3}}, []string{"reaction"}),
	}
}

// Factory builds Ebpf reactions (a reactions.Factory).
func (h *Hub) Factory(name string, queries map[string]any, props map[string]any) (reactions.Reaction, error) {
	return New(h, name, reactions.QueryNames(queries), props)
}

// running returns the running reactions sorted by name.
func (h *Hub) running() []*Reaction { return h.reactions.All() }

// allowEntry is one destination of the allow property.
type allowEntry struct {
	port uint16
	addr netip.Addr // zero: every address
}

// Reaction is a running Ebpf reaction.
type Reaction struct {
	hub          *Hub
	name         string
	queries      []string
	key          string
	cgroup       *template // nil with cgroupColumn
	cgroupColumn string
	allow        []allowEntry
	pin          string

	// Set by tests before Run.
	pinRoot    string        // default kernel.DefaultPinRoot
	cgroupRoot string        // default the cgroup v2 mount
	retry      time.Duration // how often pending cgroups are looked for
	onApply    func(op, path string)

	// started and done: Run began and returned (Remove waits for the
	// latter).
	started atomic.Bool
	done    chan struct{}

	mu          sync.Mutex
	status      reactions.Status
	enf         *kernel.Enforcer // nil unless running with enforcement
	targets     map[string]*target
	pinned      map[uint64]bool // while reconciling: the blocks found pinned
	reconciling bool            // the kernel map waits for every query's result
}

// New builds an Ebpf reaction for the given queries.
func New(h *Hub, name string, queries []string, props map[string]any) (*Reaction, error) {
	p := resources.NewProps(props)
	r := &Reaction{
		done:         make(chan struct{}),
		hub:          h,
		name:         name,
		queries:      queries,
		key:          p.String("key", ""),
		cgroupColumn: p.String("cgroupColumn", ""),
		pin:          p.String("name", name),
		retry:        time.Second,
		targets:      map[string]*target{},
	}
	tmpl := p.String("cgroup", "")
	if err := p.Err(); err != nil {
		return nil, err
	}
	switch {
	case tmpl == "" && r.cgroupColumn == "":
		return nil, errors.New("property cgroup (a path template such as /sys/fs/cgroup/agents/{agent}) or cgroupColumn is required")
	case tmpl != "" && r.cgroupColumn != "":
		return nil, errors.New("properties cgroup and cgroupColumn exclude each other")
	case r.pin == "" || strings.ContainsAny(r.pin, "/\x00") || r.pin == "." || r.pin == "..":
		return nil, fmt.Errorf("property name: %q is not a valid pin directory name", r.pin)
	case len(queries) == 0:
		return nil, errors.New("no queries: an Ebpf reaction blocks the agents of its queries' rows")
	}
	if tmpl != "" {
		t, err := parseTemplate(tmpl)
		if err != nil {
			return nil, fmt.Errorf("property cgroup: %w", err)
		}
		r.cgroup = t
	}
	allow, err := parseAllow(props["allow"])
	if err != nil {
		return nil, fmt.Errorf("property allow: %w", err)
	}
	r.allow = allow
	r.status = reactions.Status{State: "starting", Positions: map[string]uint64{}}
	return r, nil
}

// parseAllow reads the allow property: a list (or one) of "port",
// "addr:port" or "[v6addr]:port", or numbers.
func parseAllow(v any) ([]allowEntry, error) {
	var items []any
	switch v := v.(type) {
	case nil:
		return nil, nil
	case []any:
		items = v
	case []string:
		for _, s := range v {
			items = append(items, s)
		}
	default:
		items = []any{v}
	}
	var out []allowEntry
	for _, it := range items {
		var s string
		switch it := it.(type) {
		case string:
			s = strings.TrimSpace(it)
		case int:
			s = strconv.Itoa(it)
		case int64:
			s = strconv.FormatInt(it, 10)
		case uint64:
			s = strconv.FormatUint(it, 10)
		case float64:
			s = strconv.FormatFloat(it, 'f', -1, 64)
		default:
			return nil, fmt.Errorf("%v: want \"port\" or \"addr:port\"", it)
		}
		if n, err := strconv.ParseUint(s, 10, 16); err == nil {
			if n == 0 {
				return nil, fmt.Errorf("%q: port 0", s)
			}
			out = append(out, allowEntry{port: uint16(n)})
			continue
		}
		ap, err := netip.ParseAddrPort(s)
		if err != nil || ap.Port() == 0 {
			return nil, fmt.Errorf("%q: want \"port\" or \"addr:port\"", s)
		}
		out = append(out, allowEntry{port: ap.Port(), addr: ap.Addr()})
	}
	return out, nil
}

// Name implements reactions.Reaction.
func (r *Reaction) Name() string { return r.name }

// Status implements reactions.Reaction.
func (r *Reaction) Status() reactions.Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.status
	st.Positions = make(map[string]uint64, len(r.status.Positions))
	for q, p := range r.status.Positions {
		st.Positions[q] = p
	}
	return st
}

// template is a cgroup path template: literal text and column names,
// alternating (literal first).
type template struct{ parts []string }

func parseTemplate(s string) (*template, error) {
	t := &template{}
	rest := s
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			t.parts = append(t.parts, rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("%q: unclosed {", s)
		}
		name := strings.TrimSpace(rest[i+1 : i+j])
		if name == "" {
			return nil, fmt.Errorf("%q: empty {}", s)
		}
		t.parts = append(t.parts, rest[:i], name)
		rest = rest[i+j+1:]
	}
	if strings.ContainsAny(strings.Join(t.parts, ""), "\x00") {
		return nil, fmt.Errorf("%q: NUL byte", s)
	}
	return t, nil
}

// render fills the template from a row; key is the row's key value. A
// value that is not a plain path element (empty, ".", "..", or holding a
// slash) is refused, so a row cannot point the template elsewhere.
func (t *template) render(row map[string]string, key string) (string, error) {
	var b strings.Builder
	for i, p := range t.parts {
		if i%2 == 0 {
			b.WriteString(p)
			continue
		}
		v, ok := row[p]
		if !ok && p == "key" {
			v, ok = key, true
		}
		if !ok {
			return "", fmt.Errorf("cgroup template names column %q, which the row lacks", p)
		}
		if v == "" || v == "." || v == ".." || strings.ContainsAny(v, "/\x00") {
			return "", fmt.Errorf("column %s value %q is not a cgroup name", p, v)
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// Remove implements reactions.Remover: the reaction's resource was deleted,
// so its pinned programs and maps go and every agent it blocked gets its
// network back. It waits for Run to return, and leaves the pins alone if
// another running reaction uses the same pin namespace (a reaction created
// again under the name).
func (r *Reaction) Remove() error {
	if r.started.Load() {
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("ebpf reaction %q: Run did not stop within 10s; pins under %q kept", r.name, r.pin)
		}
	}
	for _, other := range r.hub.running() {
		if other != r && other.pin == r.pin {
			return nil
		}
	}
	if kernel.Probe() != nil {
		return nil // nothing can have been pinned
	}
	enf, err := kernel.Open(kernel.Options{Name: r.pin, PinRoot: r.pinRoot, CgroupRoot: r.cgroupRoot})
	if err != nil {
		return fmt.Errorf("ebpf reaction %q: removing its pins: %w", r.name, err)
	}
	return enf.Remove()
}

package ebpf

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Enforced is one cgroup an Ebpf reaction holds cut off (State blocked),
// or wants to and cannot yet (State pending: its cgroup does not exist, or
// the map update failed; Error says which).
type Enforced struct {
	Reaction string    `json:"reaction"`
	Key      string    `json:"key"`
	Cgroup   string    `json:"cgroup"`
	ID       uint64    `json:"id,omitempty"`
	State    string    `json:"state"`
	Since    time.Time `json:"since,omitzero"`
	Denied   uint64    `json:"denied"`
	Queries  []string  `json:"queries"`
	Error    string    `json:"error,omitempty"`
}

// Enforced lists what the reaction enforces, sorted by key then cgroup;
// Since and Denied come from the kernel map.
func (r *Reaction) Enforced() []Enforced {
	r.mu.Lock()
	defer r.mu.Unlock()
	var kernelSide map[uint64]struct {
		since  time.Time
		denied uint64
	}
	if r.enf != nil {
		if b, err := r.enf.Blocked(); err == nil {
			kernelSide = make(map[uint64]struct {
				since  time.Time
				denied uint64
			}, len(b))
			for id, e := range b {
				kernelSide[id] = struct {
					since  time.Time
					denied uint64
				}{e.Since, e.Denied}
			}
		}
	}
	out := []Enforced{}
	for _, t := range r.targets {
		if t.total() == 0 && t.id == 0 {
			continue
		}
		e := Enforced{Reaction: r.name, Key: t.key, Cgroup: t.path, ID: t.id, State: "pending", Error: t.err, Queries: []string{}}
		if t.id != 0 {
			e.State = "blocked"
			if k, ok := kernelSide[t.id]; ok {
				e.Since, e.Denied = k.since, k.denied
			}
		}
		for q, n := range t.rows {
			if n > 0 {
				e.Queries = append(e.Queries, q)
			}
		}
		sort.Strings(e.Queries)
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Cgroup < out[j].Cgroup
	})
	return out
}

// Patterns are the ServeMux patterns Handler serves; the program mounts
// Handler at each (the server's Options.Routes).
func (h *Hub) Patterns() []string { return []string{"GET /v1/ebpf"} }

// Handler serves GET /v1/ebpf: every running Ebpf reaction's enforced
// cgroups, as {"enforced": [...], "reactions": {name: status}}.
func (h *Hub) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/ebpf", func(w http.ResponseWriter, req *http.Request) {
		type reactionState struct {
			State string `json:"state"`
			Error string `json:"error,omitempty"`
		}
		doc := struct {
			Enforced  []Enforced               `json:"enforced"`
			Reactions map[string]reactionState `json:"reactions"`
		}{Enforced: []Enforced{}, Reactions: map[string]reactionState{}}
		for _, r := range h.running() {
			doc.Enforced = append(doc.Enforced, r.Enforced()...)
			st := r.Status()
			doc.Reactions[r.name] = reactionState{st.State, st.Error}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	})
	return mux
}

// Collector returns the metrics: vigil_ebpf_enforced_cgroups{reaction},
// vigil_ebpf_denied_total{reaction} and vigil_ebpf_apply_seconds{reaction}.
func (h *Hub) Collector() prometheus.Collector { return collector{h} }

type collector struct{ h *Hub }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.h.enforcedDesc
	ch <- c.h.deniedDesc
	c.h.apply.Describe(ch)
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range c.h.running() {
		r.mu.Lock()
		n := 0
		for _, t := range r.targets {
			if t.id != 0 {
				n++
			}
		}
		var denied uint64
		ok := false
		if r.enf != nil {
			if s, err := r.enf.Stats(); err == nil {
				denied, ok = s.Denied, true
			}
		}
		r.mu.Unlock()
		ch <- prometheus.MustNewConstMetric(c.h.enforcedDesc, prometheus.GaugeValue, float64(n), r.name)
		if ok {
			ch <- prometheus.MustNewConstMetric(c.h.deniedDesc, prometheus.CounterValue, float64(denied), r.name)
		}
	}
	c.h.apply.Collect(ch)
}

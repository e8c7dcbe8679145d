package bench

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/durable"
	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/store"
)

// BootstrapName is the scenario that loads a large governance graph into a
// durable host and restarts it from its snapshot (issue: scale with the
// size of the graph).
const BootstrapName = "bootstrap_large"

// BootstrapResult is what RunBootstrap measures.
type BootstrapResult struct {
	Elements        int     `json:"elements"`
	Agents          int     `json:"agents"`
	Sessions        int     `json:"sessions"`
	Calls           int     `json:"calls"`
	Seconds         float64 `json:"bootstrap_seconds"`
	ElementsPerSec  float64 `json:"bootstrap_elements_per_sec"`
	BytesPerElement float64 `json:"bytes_per_element"` // live heap after the bootstrap, engine and queries
	PeakRSSMB       float64 `json:"peak_rss_mb"`       // the process's VmHWM
	StoreMB         float64 `json:"store_mb"`          // the Badger directory after the bootstrap
	SnapshotSeconds float64 `json:"snapshot_seconds"`  // a final snapshot, as a clean shutdown takes
	RestartSeconds  float64 `json:"restart_seconds"`   // opening the store again: snapshot restored, log after it replayed
	Replayed        uint64  `json:"replayed_changes"`
	Verified        string  `json:"verified"`
}

// The queries held during the bootstrap: the governance pack's denial
// window per agent and a join of agents to their sessions.
const (
	bootSessionsQuery = `MATCH (a:Agent)-[:OPENED]->(s:Session) RETURN a.id AS agent, count(s) AS sessions`
	bootBatch         = 1000 // changes per committed step
)

// RunBootstrap loads n elements of the governance model — agents, their
// sessions (Agent-[:OPENED]->Session) and tool calls (ToolCall-[:IN]->
// Session), one element in twenty a session, one in a thousand an agent —
// into a durable host on Badger, in steps of bootBatch changes, with the
// denial-window and sessions-per-agent queries registered; then takes a
// snapshot, closes the store and opens it again, as a restart does, and
// checks the restored results equal the ones before.
func RunBootstrap(n int, seed int64) (*BootstrapResult, error) {
	if n < 100 {
		return nil, fmt.Errorf("bootstrap_large: at least 100 elements")
	}
	dir, err := os.MkdirTemp("", "vigil-bootstrap")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	start := GovernanceStart
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		return nil, err
	}
	h, err := durable.Open(durable.Options{Log: st, Start: start})
	if err != nil {
		st.Close()
		return nil, err
	}
	runtime.GC()
	h0 := heapInUse()
	sub := []engine.Subscription{{Source: Source}}
	specs := []engine.QuerySpec{
		{ID: "denials", Text: GovernanceQuery, Subscriptions: sub},
		{ID: "sessions", Text: bootSessionsQuery, Subscriptions: sub},
	}
	for _, s := range specs {
		if _, _, err := h.AddQuery(s, nil); err != nil {
			st.Close()
			return nil, err
		}
	}
	res := &BootstrapResult{}
	res.Agents = max(1, n/1000)
	res.Sessions = max(1, n/20)
	// The rest: calls, and one relationship per session and per call.
	res.Calls = (n - res.Agents - 2*res.Sessions) / 2
	res.Elements = res.Agents + 2*res.Sessions + 2*res.Calls
	rng := rand.New(rand.NewSource(seed))
	batch := make([]engine.Change, 0, bootBatch)
	pos := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		pos++
		_, errs, err := h.Apply([]engine.Batch{{Source: Source, Changes: batch, Position: []byte(strconv.Itoa(pos))}})
		if err == nil && errs != nil && errs[0] != nil {
			err = errs[0]
		}
		batch = batch[:0]
		return err
	}
	add := func(ch engine.Change) error {
		ch.Source, ch.Time = Source, start
		batch = append(batch, ch)
		if len(batch) == bootBatch {
			return flush()
		}
		return nil
	}
	node := func(id, label string, props map[string]value.Value) engine.Change {
		return engine.Change{Op: engine.OpInsert, Element: engine.Element{ID: id, Labels: []string{label}, Props: props}}
	}
	rel := func(id, typ, from, to string) engine.Change {
		return engine.Change{Op: engine.OpInsert, Element: engine.Element{ID: id, Type: typ, From: from, To: to}}
	}
	t0 := time.Now()
	for i := range res.Agents {
		id := "a" + strconv.Itoa(i)
		if err := add(node(id, "Agent", map[string]value.Value{"id": value.Str(id), "sponsor": value.Str("s" + strconv.Itoa(i%50)), "trust": value.Int(1000)})); err != nil {
			st.Close()
			return nil, err
		}
	}
	for i := range res.Sessions {
		id, agent := "s"+strconv.Itoa(i), "a"+strconv.Itoa(i%res.Agents)
		if err := add(node(id, "Session", map[string]value.Value{"id": value.Str(id), "agent": value.Str(agent)})); err != nil {
			st.Close()
			return nil, err
		}
		if err := add(rel("o"+strconv.Itoa(i), "OPENED", agent, id)); err != nil {
			st.Close()
			return nil, err
		}
	}
	decisions := []value.Value{value.Str("allow"), value.Str("allow"), value.Str("allow"), value.Str("deny")}
	tools := []value.Value{value.Str("search"), value.Str("shell"), value.Str("http"), value.Str("sql")}
	for i := range res.Calls {
		id, session := "c"+strconv.Itoa(i), rng.Intn(res.Sessions)
		agent := "a" + strconv.Itoa(session%res.Agents)
		if err := add(node(id, "ToolCall", map[string]value.Value{"agent": value.Str(agent), "tool": tools[rng.Intn(len(tools))],
			"decision": decisions[rng.Intn(len(decisions))], "latencyMs": value.Int(int64(rng.Intn(2000)))})); err != nil {
			st.Close()
			return nil, err
		}
		if err := add(rel("i"+strconv.Itoa(i), "IN", id, "s"+strconv.Itoa(session))); err != nil {
			st.Close()
			return nil, err
		}
	}
	if err := flush(); err != nil {
		st.Close()
		return nil, err
	}
	res.Seconds = time.Since(t0).Seconds()
	res.ElementsPerSec = float64(res.Elements) / res.Seconds
	runtime.GC()
	res.BytesPerElement = (float64(heapInUse()) - float64(h0)) / float64(res.Elements)
	before := map[string]string{}
	for _, s := range specs {
		before[s.ID] = resultKey(h.Engine().Query(s.ID).Results())
	}
	t1 := time.Now()
	if err := h.Snapshot(); err != nil {
		st.Close()
		return nil, err
	}
	res.SnapshotSeconds = time.Since(t1).Seconds()
	if err := st.Close(); err != nil {
		return nil, err
	}
	h = nil
	runtime.GC()
	res.StoreMB = dirMB(dir)

	t2 := time.Now()
	st, err = store.Open(dir, store.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	h, err = durable.Open(durable.Options{Log: st, Start: start})
	if err != nil {
		return nil, err
	}
	res.RestartSeconds = time.Since(t2).Seconds()
	res.Replayed = h.Replayed()
	res.PeakRSSMB = peakRSSMB()
	res.Verified = "ok"
	for _, s := range specs {
		q := h.Engine().Query(s.ID)
		if q == nil {
			res.Verified = "query " + s.ID + " not restored"
			break
		}
		if got := resultKey(q.Results()); got != before[s.ID] {
			res.Verified = "query " + s.ID + ": the restored result differs"
			break
		}
	}
	return res, nil
}

// peakRSSMB reads the process's peak resident set (VmHWM), in MiB.
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// dirMB is the size of the files under dir, in MiB.
func dirMB(dir string) float64 {
	var total int64
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !info.IsDir() {
			total += info.Size()
		}
	}
	return float64(total) / (1 << 20)
}

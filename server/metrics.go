package server

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The metrics are written in the Prometheus text exposition format by hand:
// a few counters and histograms do not justify client_golang's dependency
// tree in a single static binary.

// metricVec is a counter, gauge or histogram family keyed by label values.
type metricVec struct {
	name, help, typ string
	labels          []string
	buckets         []float64 // histograms only

	mu     sync.Mutex
	series map[string]*series
}

type series struct {
	values []string
	v      float64  // counter or gauge value; histogram sum
	n      uint64   // histogram count
	counts []uint64 // histogram bucket counts (non-cumulative)
}

func newVec(typ, name, help string, labels ...string) *metricVec {
	return &metricVec{name: name, help: help, typ: typ, labels: labels, series: map[string]*series{}}
}

func (m *metricVec) get(values []string) *series {
	key := strings.Join(values, "\xff")
	s := m.series[key]
	if s == nil {
		s = &series{values: append([]string(nil), values...)}
		if m.buckets != nil {
			s.counts = make([]uint64, len(m.buckets))
		}
		m.series[key] = s
	}
	return s
}

// add adds d to a counter or gauge.
func (m *metricVec) add(d float64, values ...string) {
	m.mu.Lock()
	m.get(values).v += d
	m.mu.Unlock()
}

// set sets a gauge.
func (m *metricVec) set(v float64, values ...string) {
	m.mu.Lock()
	m.get(values).v = v
	m.mu.Unlock()
}

// observe records one histogram observation.
func (m *metricVec) observe(v float64, values ...string) {
	m.mu.Lock()
	s := m.get(values)
	s.v += v
	s.n++
	i := sort.SearchFloat64s(m.buckets, v)
	if i < len(s.counts) {
		s.counts[i]++
	}
	m.mu.Unlock()
}

// reset drops every series (gauges rebuilt at scrape time).
func (m *metricVec) reset() {
	m.mu.Lock()
	m.series = map[string]*series{}
	m.mu.Unlock()
}

// drop removes the series whose first label is v (a deleted resource).
func (m *metricVec) drop(v string) {
	m.mu.Lock()
	for k, s := range m.series {
		if len(s.values) > 0 && s.values[0] == v {
			delete(m.series, k)
		}
	}
	m.mu.Unlock()
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}

func (m *metricVec) labelText(values []string, extra string) string {
	var parts []string
	for i, l := range m.labels {
		parts = append(parts, fmt.Sprintf(`%s="%s"`, l, escapeLabel(values[i])))
	}
	if extra != "" {
		parts = append(parts, extra)
	}
	if len(parts) == 0 {
		return ""
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func (m *metricVec) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", m.name, m.help, m.name, m.typ)
	keys := make([]string, 0, len(m.series))
	for k := range m.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 && len(m.labels) == 0 && m.typ != "histogram" {
		fmt.Fprintf(w, "%s 0\n", m.name)
	}
	for _, k := range keys {
		s := m.series[k]
		if m.typ != "histogram" {
			fmt.Fprintf(w, "%s%s %s\n", m.name, m.labelText(s.values, ""), formatFloat(s.v))
			continue
		}
		var cum uint64
		for i, b := range m.buckets {
			cum += s.counts[i]
			fmt.Fprintf(w, "%s_bucket%s %d\n", m.name, m.labelText(s.values, `le="`+formatFloat(b)+`"`), cum)
		}
		fmt.Fprintf(w, "%s_bucket%s %d\n", m.name, m.labelText(s.values, `le="+Inf"`), s.n)
		fmt.Fprintf(w, "%s_sum%s %s\n", m.name, m.labelText(s.values, ""), formatFloat(s.v))
		fmt.Fprintf(w, "%s_count%s %d\n", m.name, m.labelText(s.values, ""), s.n)
	}
}

// latencyBuckets span 10 µs to 10 s: per-change processing is microseconds,
// scheduler lateness milliseconds, webhook deliveries up to seconds.
var latencyBuckets = []float64{1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// metrics are the server's metric families.
type metrics struct {
	changesIn        *metricVec // source
	batches          *metricVec // source
	batchErrors      *metricVec // source
	queryLatency     *metricVec // query: histogram of batch apply time for batches that changed it
	resultChanges    *metricVec // query, op
	events           *metricVec // query, kind
	schedFires       *metricVec
	schedLateness    *metricVec
	sseClients       *metricVec
	httpRejected     *metricVec // source, reason
	reactionLag      *metricVec // reaction, query (scrape time)
	reactionDeliv    *metricVec // reaction (scrape time)
	reactionFailures *metricVec // reaction (scrape time)
	reactionDead     *metricVec // reaction (scrape time)
	reactionUp       *metricVec // reaction (scrape time): 1 healthy, 0 failing
	queryRows        *metricVec // query (scrape time)
	queryErrors      *metricVec // query (scrape time): 1 when the query is in error
	snapshots        *metricVec // scrape time, from the durable host
	snapshotSeconds  *metricVec
	snapshotBytes    *metricVec
	sinceSnapshot    *metricVec
	all              []*metricVec
}

func newMetrics() *metrics {
	m := &metrics{
		changesIn:        newVec("counter", "vigil_changes_in_total", "Element changes received from sources.", "source"),
		batches:          newVec("counter", "vigil_batches_total", "Source batches applied.", "source"),
		batchErrors:      newVec("counter", "vigil_batch_errors_total", "Source batches rejected by the engine.", "source"),
		queryLatency:     newVec("histogram", "vigil_query_processing_seconds", "Time to apply a batch (or fire futures), observed for each query whose result it changed.", "query"),
		resultChanges:    newVec("counter", "vigil_result_changes_total", "Result rows added, updated or deleted.", "query", "op"),
		events:           newVec("counter", "vigil_outbox_events_total", "Events appended to the outbox.", "query", "kind"),
		schedFires:       newVec("counter", "vigil_scheduler_fires_total", "Scheduler wake-ups that fired due futures."),
		schedLateness:    newVec("histogram", "vigil_scheduler_lateness_seconds", "How late the scheduler woke after a future fell due."),
		sseClients:       newVec("gauge", "vigil_sse_clients", "Connected SSE clients."),
		httpRejected:     newVec("counter", "vigil_http_source_rejected_total", "HTTP source requests rejected.", "source", "reason"),
		reactionLag:      newVec("gauge", "vigil_reaction_lag_events", "Events in the outbox a reaction has not handled yet.", "reaction", "query"),
		reactionDeliv:    newVec("counter", "vigil_reaction_deliveries_total", "Events a reaction delivered.", "reaction"),
		reactionFailures: newVec("counter", "vigil_reaction_failures_total", "Failed delivery attempts.", "reaction"),
		reactionDead:     newVec("counter", "vigil_reaction_dead_letters_total", "Events a reaction gave up on.", "reaction"),
		reactionUp:       newVec("gauge", "vigil_reaction_healthy", "1 when the reaction's last delivery succeeded, 0 while it is failing.", "reaction"),
		queryRows:        newVec("gauge", "vigil_query_result_rows", "Current result rows.", "query"),
		queryErrors:      newVec("gauge", "vigil_query_error", "1 when the query is in an error state.", "query"),
		snapshots:        newVec("counter", "vigil_snapshots_total", "Engine snapshots written since start (durable mode)."),
		snapshotSeconds:  newVec("gauge", "vigil_snapshot_last_seconds", "How long the last engine snapshot held the engine loop."),
		snapshotBytes:    newVec("gauge", "vigil_snapshot_last_bytes", "Size of the last engine snapshot."),
		sinceSnapshot:    newVec("gauge", "vigil_changes_since_snapshot", "Changes logged since the last snapshot: what a restart would replay."),
	}
	m.queryLatency.buckets = latencyBuckets
	m.schedLateness.buckets = latencyBuckets
	m.all = []*metricVec{m.changesIn, m.batches, m.batchErrors, m.queryLatency, m.resultChanges, m.events,
		m.schedFires, m.schedLateness, m.sseClients, m.httpRejected, m.reactionLag, m.reactionDeliv,
		m.reactionFailures, m.reactionDead, m.reactionUp, m.queryRows, m.queryErrors,
		m.snapshots, m.snapshotSeconds, m.snapshotBytes, m.sinceSnapshot}
	return m
}

func (m *metrics) write(w io.Writer) {
	for _, v := range m.all {
		v.write(w)
	}
}

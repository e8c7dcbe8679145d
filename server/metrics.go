package server

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The metrics are kept and exposed by Prometheus's client_golang, in a
// registry of the server's own (no global state), beside the go_* and
// process_* families operators expect. /metrics negotiates the format (text
// or OpenMetrics) and the compression.

// metricVec is a counter, gauge or histogram family keyed by label values:
// the small interface the rest of the package records through.
type metricVec struct {
	name   string
	labels []string
	vec    *prometheus.MetricVec // the family, or nil when values is
	values *setVec               // a counter whose totals are set at scrape time
}

func newVec(typ, name, help string, labels ...string) *metricVec {
	m := &metricVec{name: name, labels: labels}
	switch typ {
	case "counter":
		m.vec = prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels).MetricVec
	case "gauge":
		m.vec = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels).MetricVec
	case "histogram":
		m.vec = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: latencyBuckets}, labels).MetricVec
	default:
		panic("metric type " + typ)
	}
	m.zero()
	return m
}

// newSetCounter is a counter family whose values come from elsewhere (a
// component's running totals) and are set at scrape time: client_golang's
// counters cannot be set, so it is a collector of constant metrics.
func newSetCounter(name, help string, labels ...string) *metricVec {
	return &metricVec{name: name, labels: labels, values: &setVec{
		desc: prometheus.NewDesc(name, help, labels, nil), labels: len(labels), series: map[string]setSeries{}}}
}

func (m *metricVec) collector() prometheus.Collector {
	if m.values != nil {
		return m.values
	}
	return m.vec
}

// zero creates the one series of a family without labels, so that it is
// exposed (as 0) before anything is recorded.
func (m *metricVec) zero() {
	if len(m.labels) == 0 && m.vec != nil {
		m.vec.GetMetricWithLabelValues()
	}
}

// series is the series of the label values, nil when their number is wrong.
// A value that is not UTF-8 (a source name from a request path, say) is
// repaired: Prometheus refuses it.
func (m *metricVec) series(values []string) prometheus.Metric {
	if m.vec == nil {
		return nil
	}
	s, err := m.vec.GetMetricWithLabelValues(validUTF8(values)...)
	if err != nil {
		return nil
	}
	return s
}

func validUTF8(values []string) []string {
	for i, v := range values {
		if !utf8.ValidString(v) {
			values = slices.Clone(values)
			values[i] = strings.ToValidUTF8(v, "\uFFFD")
		}
	}
	return values
}

// add adds d to a counter or gauge. A counter never goes down: a negative d
// is ignored there.
func (m *metricVec) add(d float64, values ...string) {
	if m.values != nil {
		m.values.add(d, values)
		return
	}
	switch s := m.series(values).(type) {
	case prometheus.Gauge:
		s.Add(d)
	case prometheus.Counter:
		if d >= 0 {
			s.Add(d)
		}
	}
}

// set sets a gauge, or a counter set at scrape time.
func (m *metricVec) set(v float64, values ...string) {
	if m.values != nil {
		m.values.set(v, values)
		return
	}
	if s, ok := m.series(values).(prometheus.Gauge); ok {
		s.Set(v)
	}
}

// observe records one histogram observation.
func (m *metricVec) observe(v float64, values ...string) {
	if s, ok := m.series(values).(prometheus.Observer); ok {
		s.Observe(v)
	}
}

// reset drops every series (gauges rebuilt at scrape time).
func (m *metricVec) reset() {
	if m.values != nil {
		m.values.reset()
		return
	}
	m.vec.Reset()
	m.zero()
}

// drop removes the series whose first label is v (a deleted resource).
func (m *metricVec) drop(v string) {
	if len(m.labels) == 0 {
		return
	}
	if m.values != nil {
		m.values.drop(v)
		return
	}
	m.vec.DeletePartialMatch(prometheus.Labels{m.labels[0]: validUTF8([]string{v})[0]})
}

// setVec is a collector of counters set from outside.
type setVec struct {
	desc   *prometheus.Desc
	labels int

	mu     sync.Mutex
	series map[string]setSeries
}

type setSeries struct {
	values []string
	v      float64
}

func (c *setVec) add(d float64, values []string) {
	c.update(values, func(v float64) float64 { return v + d })
}

func (c *setVec) set(v float64, values []string) {
	c.update(values, func(float64) float64 { return v })
}

func (c *setVec) update(values []string, f func(float64) float64) {
	if len(values) != c.labels {
		return
	}
	values = validUTF8(values)
	key := strings.Join(values, "\xff")
	c.mu.Lock()
	s, ok := c.series[key]
	if !ok {
		s.values = slices.Clone(values)
	}
	s.v = f(s.v)
	c.series[key] = s
	c.mu.Unlock()
}

func (c *setVec) reset() {
	c.mu.Lock()
	clear(c.series)
	c.mu.Unlock()
}

func (c *setVec) drop(v string) {
	v = validUTF8([]string{v})[0]
	c.mu.Lock()
	for k, s := range c.series {
		if s.values[0] == v {
			delete(c.series, k)
		}
	}
	c.mu.Unlock()
}

func (c *setVec) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *setVec) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.series) == 0 && c.labels == 0 {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, 0)
	}
	for _, s := range c.series {
		m, err := prometheus.NewConstMetric(c.desc, prometheus.CounterValue, s.v, s.values...)
		if err != nil {
			m = prometheus.NewInvalidMetric(c.desc, err)
		}
		ch <- m
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

	reg     *prometheus.Registry
	handler http.Handler
	// scrape serializes scrapes (a semaphore of one): each rebuilds the
	// scrape-time families before it gathers them.
	scrape chan struct{}
}

func newMetrics(extra ...prometheus.Collector) *metrics {
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
		reactionDeliv:    newSetCounter("vigil_reaction_deliveries_total", "Events a reaction delivered.", "reaction"),
		reactionFailures: newSetCounter("vigil_reaction_failures_total", "Failed delivery attempts.", "reaction"),
		reactionDead:     newSetCounter("vigil_reaction_dead_letters_total", "Events a reaction gave up on.", "reaction"),
		reactionUp:       newVec("gauge", "vigil_reaction_healthy", "1 when the reaction's last delivery succeeded, 0 while it is failing.", "reaction"),
		queryRows:        newVec("gauge", "vigil_query_result_rows", "Current result rows.", "query"),
		queryErrors:      newVec("gauge", "vigil_query_error", "1 when the query is in an error state.", "query"),
		snapshots:        newSetCounter("vigil_snapshots_total", "Engine snapshots written since start (durable mode)."),
		snapshotSeconds:  newVec("gauge", "vigil_snapshot_last_seconds", "How long the last engine snapshot held the engine loop."),
		snapshotBytes:    newVec("gauge", "vigil_snapshot_last_bytes", "Size of the last engine snapshot."),
		sinceSnapshot:    newVec("gauge", "vigil_changes_since_snapshot", "Changes logged since the last snapshot: what a restart would replay."),
	}
	m.all = []*metricVec{m.changesIn, m.batches, m.batchErrors, m.queryLatency, m.resultChanges, m.events,
		m.schedFires, m.schedLateness, m.sseClients, m.httpRejected, m.reactionLag, m.reactionDeliv,
		m.reactionFailures, m.reactionDead, m.reactionUp, m.queryRows, m.queryErrors,
		m.snapshots, m.snapshotSeconds, m.snapshotBytes, m.sinceSnapshot}
	m.scrape = make(chan struct{}, 1)
	m.reg = prometheus.NewRegistry()
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(extra...)
	for _, v := range m.all {
		m.reg.MustRegister(v.collector())
	}
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		// A family that fails to collect leaves the others to be served.
		ErrorHandling: promhttp.ContinueOnError,
	})
	return m
}

// serveMetrics answers GET /metrics. The families that mirror state are
// rebuilt from it first.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	m := s.m
	select {
	case m.scrape <- struct{}{}:
		defer func() { <-m.scrape }()
	case <-r.Context().Done():
		writeError(w, 503, r.Context().Err().Error())
		return
	}
	for _, v := range []*metricVec{m.reactionLag, m.reactionDeliv, m.reactionFailures, m.reactionDead, m.reactionUp, m.queryRows, m.queryErrors,
		m.snapshots, m.snapshotSeconds, m.snapshotBytes, m.sinceSnapshot} {
		v.reset()
	}
	clients := s.sseClients.Load()
	err := s.do(r.Context(), func() {
		if s.opts.Store != nil {
			st := s.host.SnapshotStats()
			m.snapshots.set(float64(st.Count))
			m.snapshotSeconds.set(st.LastDuration.Seconds())
			m.snapshotBytes.set(float64(st.LastBytes))
			m.sinceSnapshot.set(float64(st.SinceChanges))
		}
		for id, qe := range s.queries {
			rows, bad := 0, 0.0
			if qe.state == "running" && qe.q != nil {
				rows = qe.q.Len()
			} else {
				bad = 1
			}
			m.queryRows.set(float64(rows), id)
			m.queryErrors.set(bad, id)
		}
		for name, e := range s.reactions {
			v := s.reactionView(e)
			for q, lag := range v.Lag {
				m.reactionLag.set(float64(lag), name, q)
			}
			m.reactionDeliv.set(float64(v.Status.Delivered), name)
			m.reactionFailures.set(float64(v.Status.Failures), name)
			m.reactionDead.set(float64(v.Status.DeadLetters), name)
			up := 1.0
			if v.Status.State != "running" {
				up = 0
			}
			m.reactionUp.set(up, name)
			clients += int64(v.Status.Clients)
		}
	})
	if err != nil {
		writeError(w, 503, err.Error())
		return
	}
	m.sseClients.set(float64(clients))
	m.handler.ServeHTTP(w, r)
}

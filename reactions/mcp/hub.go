package mcp

import (
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/reactions"
)

// Breaker is one circuit breaker as the MCP reaction shows it: its key,
// the query that tripped it, and its state as a JSON-encodable value (the
// breaker API's object). A reaction shows the breakers its own queries
// tripped: its token opens those queries and no others.
type Breaker struct {
	Key   string
	Query string
	Value any
}

// BreakerFunc lists the server's circuit breakers. It returns an error
// while they are not known yet (a breaker reaction restoring its state), so
// that an agent is never told "no breaker" for one that is OPEN.
type BreakerFunc func() ([]Breaker, error)

// HubOptions configure a Hub.
type HubOptions struct {
	// ServerToken is the server's bearer token ("" when it has none). A
	// request to /mcp/{reaction} carries it or the reaction's own token.
	ServerToken string
	// Breakers, when set, backs the vigil://breakers resources and the
	// get_breaker tool.
	Breakers BreakerFunc
	// Logger receives the reactions' log (default slog.Default()).
	Logger *slog.Logger
}

// Hub links the MCP reactions of one server to its HTTP listener: it
// serves /mcp/{reaction}, checks the bearer token and exports the
// reactions' metrics.
type Hub struct {
	opts HubOptions

	// reactions are the reactions by name: registered when built (the
	// newest of a name is the one served), removed when their Run ends.
	reactions reactions.Instances[*Reaction]
}

// NewHub returns an empty hub.
func NewHub(opts HubOptions) *Hub {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Hub{opts: opts}
}

// Pattern is the ServeMux pattern Handler serves.
func (h *Hub) Pattern() string { return "/mcp/{reaction}" }

// Factory builds an MCP reaction (see reactions.Factory).
func (h *Hub) Factory(name string, queries map[string]any, props map[string]any) (reactions.Reaction, error) {
	return newReaction(h, name, queries, props)
}

// Handler serves the streamable HTTP transport of every MCP reaction at
// /mcp/{reaction}. The server mounts it without its own token check
// (server.Route.OwnAuth): the hub accepts the server's token or the
// reaction's, so that a reaction can be handed to an agent with a token
// that opens nothing else.
func (h *Hub) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		name := req.PathValue("reaction")
		r, _ := h.reactions.Get(name)
		if r == nil {
			writeError(w, http.StatusNotFound, "MCP reaction "+quote(name)+" not found")
			return
		}
		if !h.authorized(r, req) {
			r.rejected("auth")
			w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
			writeError(w, http.StatusUnauthorized, "MCP reaction "+quote(name)+": missing or wrong bearer token")
			return
		}
		r.ServeHTTP(w, req)
	})
}

// authorized reports whether req carries a token the reaction accepts: the
// server's or its own. With neither configured the endpoint is open, as
// the server's API is (the server then answers only local addresses).
func (h *Hub) authorized(r *Reaction, req *http.Request) bool {
	if h.opts.ServerToken == "" && r.token == "" {
		return true
	}
	got, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if !ok || got == "" {
		return false
	}
	for _, want := range []string{h.opts.ServerToken, r.token} {
		if want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
			return true
		}
	}
	return false
}

// Collector exports the MCP reactions' metrics.
func (h *Hub) Collector() prometheus.Collector { return collector{h} }

var (
	descSessions      = prometheus.NewDesc("vigil_mcp_sessions", "Open MCP sessions.", []string{"reaction"}, nil)
	descSubscriptions = prometheus.NewDesc("vigil_mcp_subscriptions", "Resource subscriptions of the open MCP sessions.", []string{"reaction"}, nil)
	descNotifications = prometheus.NewDesc("vigil_mcp_notifications_total", "notifications/resources/updated sent.", []string{"reaction"}, nil)
	descToolCalls     = prometheus.NewDesc("vigil_mcp_tool_calls_total", "MCP tool calls.", []string{"reaction", "tool"}, nil)
	descRejected      = prometheus.NewDesc("vigil_mcp_rejected_total", "MCP requests refused, by reason (auth, sessions, subscriptions).", []string{"reaction", "reason"}, nil)
	descExpired       = prometheus.NewDesc("vigil_mcp_sessions_expired_total", "MCP sessions closed for idleness.", []string{"reaction"}, nil)
)

type collector struct{ h *Hub }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSessions, descSubscriptions, descNotifications, descToolCalls, descRejected, descExpired} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range c.h.reactions.All() {
		m := r.metricsSnapshot()
		ch <- prometheus.MustNewConstMetric(descSessions, prometheus.GaugeValue, float64(m.sessions), r.name)
		ch <- prometheus.MustNewConstMetric(descSubscriptions, prometheus.GaugeValue, float64(m.subscriptions), r.name)
		ch <- prometheus.MustNewConstMetric(descNotifications, prometheus.CounterValue, float64(m.notifications), r.name)
		ch <- prometheus.MustNewConstMetric(descExpired, prometheus.CounterValue, float64(m.expired), r.name)
		for _, t := range toolNames {
			ch <- prometheus.MustNewConstMetric(descToolCalls, prometheus.CounterValue, float64(m.tools[t]), r.name, t)
		}
		for _, reason := range rejectReasons {
			ch <- prometheus.MustNewConstMetric(descRejected, prometheus.CounterValue, float64(m.rejected[reason]), r.name, reason)
		}
	}
}

// writeError answers with the server's error shape, {"error": "..."}.
func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
)

// Version is the server version reported to MCP clients.
const Version = "1"

// Tool names.
const (
	toolListQueries = "list_queries"
	toolGetResults  = "get_results"
	toolGetBreaker  = "get_breaker"
	toolExplainRow  = "explain_row"
)

var toolNames = []string{toolListQueries, toolGetResults, toolGetBreaker, toolExplainRow}

// newServer builds the MCP server of session s (nil: the shared server,
// which serves no session of its own).
func (r *Reaction) newServer(s *session) *sdk.Server {
	opts := &sdk.ServerOptions{
		Instructions: "Vigil continuous queries. Each vigil://queries/{id} resource is a query's current result; subscribe to be told when it changes (the notification's _meta carries the new sequence and a summary of the changed rows), read vigil://queries/{id}/changes?after={sequence} for the changes themselves. Tools: list_queries, get_results, get_breaker, explain_row.",
		Logger:       quietLogger(r.hub.opts.Logger),
		SchemaCache:  r.schema,
		SubscribeHandler: func(ctx context.Context, req *sdk.SubscribeRequest) error {
			if s == nil {
				return errors.New("no session")
			}
			return s.subscribe(ctx, req.Params.URI)
		},
		UnsubscribeHandler: func(ctx context.Context, req *sdk.UnsubscribeRequest) error {
			if s == nil {
				return errors.New("no session")
			}
			return s.unsubscribe(req.Params.URI)
		},
		Capabilities: &sdk.ServerCapabilities{},
		// Stateful streamable HTTP speaks the handshake protocols; saying
		// so keeps a client from trying the sessionless one first.
		SupportedProtocolVersions: []string{"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"},
	}
	srv := sdk.NewServer(&sdk.Implementation{Name: "vigil", Title: "Vigil continuous queries", Version: Version}, opts)
	if s != nil {
		srv.AddReceivingMiddleware(func(next sdk.MethodHandler) sdk.MethodHandler {
			return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
				if method == "initialize" && !s.r.admit(s) {
					// Refused before the SDK answers: the client's
					// initialize fails, no session is half made.
					s.r.rejected("sessions")
					return nil, fmt.Errorf("MCP reaction %q has its maximum of %d sessions open", s.r.name, s.r.maxSessions)
				}
				res, err := next(ctx, method, req)
				switch {
				case err != nil:
				case method == "initialize":
					if ss, ok := req.GetSession().(*sdk.ServerSession); ok {
						s.start(ss)
					}
				case method == "resources/subscribe":
					// The SDK registers a subscription after our handler
					// returns: notifying before then would reach nobody.
					if p, ok := req.GetParams().(*sdk.SubscribeParams); ok {
						s.activate(p.URI)
					}
				}
				return res, err
			}
		})
	}
	for _, q := range r.queries {
		desc := q.description
		if desc == "" {
			desc = "Current result of the continuous query " + q.id + " (columns, rows, and the sequence it reflects). Subscribe to be notified when it changes."
		}
		srv.AddResource(&sdk.Resource{URI: queryURI(q.id), Name: q.id, Title: "Query " + q.id, Description: desc, MIMEType: "application/json"}, r.readQuery)
	}
	srv.AddResourceTemplate(&sdk.ResourceTemplate{
		URITemplate: changesTemplate, Name: "query-changes", Title: "Changes of a query",
		Description: "The change events of a query after a sequence (added, updated with before and after, deleted rows), with one-line summaries; at most 100 events per read.",
		MIMEType:    "application/json",
	}, r.readChanges)
	if r.hub.opts.Breakers != nil {
		srv.AddResource(&sdk.Resource{URI: breakerURI, Name: "breakers", Title: "Circuit breakers", Description: "Every circuit breaker: key, state (CLOSED, OPEN, HALF_OPEN), since when, why.", MIMEType: "application/json"}, r.readBreakers)
		srv.AddResourceTemplate(&sdk.ResourceTemplate{URITemplate: breakerTemplate, Name: "breaker", Title: "A circuit breaker", Description: "The circuit breaker of one key (an agent).", MIMEType: "application/json"}, r.readBreakers)
	}
	sdk.AddTool(srv, &sdk.Tool{Name: toolListQueries, Description: "List the continuous queries this server exposes, with their columns, number of result rows and current sequence."}, r.listQueries)
	sdk.AddTool(srv, &sdk.Tool{Name: toolGetResults, Description: "Current result rows of a query, optionally only the rows whose columns have the given values."}, r.getResults)
	if r.hub.opts.Breakers != nil {
		sdk.AddTool(srv, &sdk.Tool{Name: toolGetBreaker, Description: "The circuit breaker of an agent (its key): state CLOSED, OPEN or HALF_OPEN, since when, why, which query tripped it. Without a key: every breaker."}, r.getBreaker)
	}
	sdk.AddTool(srv, &sdk.Tool{Name: toolExplainRow, Description: "Explain a result row of a query: the graph elements (nodes and relationships, with their properties) whose matches produced it. The row is picked by the values of some of its columns."}, r.explainRow)
	return srv
}

func (r *Reaction) feedOrErr() (reactions.Feed, error) {
	feed, _ := r.running()
	if feed == nil {
		return nil, fmt.Errorf("MCP reaction %q is not running", r.name)
	}
	return feed, nil
}

func jsonContents(uri string, data []byte) *sdk.ReadResourceResult {
	return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{{URI: uri, MIMEType: "application/json", Text: string(data)}}}
}

// readQuery is a query's current result: the snapshot event.
func (r *Reaction) readQuery(ctx context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
	uri := req.Params.URI
	q, ok := r.queryOfURI(uri)
	if !ok || uri != queryURI(q) {
		return nil, sdk.ResourceNotFoundError(uri)
	}
	feed, err := r.feedOrErr()
	if err != nil {
		return nil, err
	}
	snap, err := feed.Snapshot(ctx, q)
	if err != nil {
		return nil, queryErr(q, err)
	}
	return jsonContents(uri, snap.Data), nil
}

// maxChangesPerRead bounds the events of one read of a changes resource.
const maxChangesPerRead = 100

// readChanges is a query's change events after a sequence, with their
// summaries. Without ?after the last events retained are read.
func (r *Reaction) readChanges(ctx context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
	uri := req.Params.URI
	q, ok := r.queryOfURI(uri)
	u, err := url.Parse(uri)
	if !ok || err != nil || !strings.HasSuffix(u.Path, "/changes") {
		return nil, sdk.ResourceNotFoundError(uri)
	}
	feed, err := r.feedOrErr()
	if err != nil {
		return nil, err
	}
	snap, err := feed.Snapshot(ctx, q)
	if err != nil {
		return nil, queryErr(q, err)
	}
	var after uint64
	if a := u.Query().Get("after"); a != "" {
		if after, err = strconv.ParseUint(a, 10, 64); err != nil {
			return nil, fmt.Errorf("%s: after must be a sequence number, got %q", uri, a)
		}
	} else if snap.Seq > maxChangesPerRead {
		after = snap.Seq - maxChangesPerRead
	}
	out := struct {
		QueryID  string            `json:"queryId"`
		After    uint64            `json:"after"`
		Sequence uint64            `json:"sequence"`
		Events   []json.RawMessage `json:"events"`
		Summary  []string          `json:"summary"`
		// Compacted is set when the events after `after` are no longer
		// kept: read the query's resource for its current result.
		Compacted bool `json:"compacted,omitempty"`
		More      bool `json:"more,omitempty"`
	}{QueryID: q, After: after, Sequence: after, Events: []json.RawMessage{}}
	recs, err := feed.Read(q, after, maxChangesPerRead+1)
	switch {
	case errors.Is(err, outbox.ErrCompacted):
		out.Compacted, out.Sequence = true, snap.Seq
	case err != nil:
		return nil, queryErr(q, err)
	}
	if len(recs) > maxChangesPerRead {
		recs, out.More = recs[:maxChangesPerRead], true
	}
	var sum summarizer
	for _, rec := range recs {
		out.Events = append(out.Events, rec.Data)
		out.Sequence = rec.Seq
		sum.add(r.byID[q], rec)
	}
	out.Summary = sum.lines()
	data, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return jsonContents(uri, data), nil
}

// readBreakers is every breaker (vigil://breakers) or one key's.
func (r *Reaction) readBreakers(ctx context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
	uri := req.Params.URI
	key := ""
	if uri != breakerURI {
		k, ok := strings.CutPrefix(uri, breakerURI+"/")
		if !ok || k == "" {
			return nil, sdk.ResourceNotFoundError(uri)
		}
		if uk, err := url.PathUnescape(k); err == nil {
			k = uk
		}
		key = k
	}
	bs, err := r.breakers(key)
	if err != nil {
		return nil, err
	}
	var data []byte
	if key != "" && len(bs) == 1 {
		data, err = json.Marshal(bs[0])
	} else {
		data, err = json.Marshal(bs)
	}
	if err != nil {
		return nil, err
	}
	return jsonContents(uri, data), nil
}

// breakers lists the breakers of key ("" all); a key with none is an error.
func (r *Reaction) breakers(key string) ([]any, error) {
	all, err := r.hub.opts.Breakers()
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, b := range all {
		if _, served := r.byID[b.Query]; served && (key == "" || b.Key == key) {
			out = append(out, b.Value)
		}
	}
	if key != "" && len(out) == 0 {
		return nil, fmt.Errorf("no circuit breaker for key %q tripped by a query of MCP reaction %q (a key has one once a breaker's query has tripped it)", key, r.name)
	}
	return out, nil
}

// ---- tools ------------------------------------------------------------------

type listQueriesIn struct{}

// QueryInfo is a query as list_queries describes it.
type QueryInfo struct {
	ID          string   `json:"id"`
	URI         string   `json:"uri"`
	Description string   `json:"description,omitempty"`
	Exists      bool     `json:"exists"`
	Columns     []string `json:"columns"`
	Rows        int      `json:"rows"`
	Sequence    uint64   `json:"sequence"`
}

type listQueriesOut struct {
	Queries []QueryInfo `json:"queries"`
}

func (r *Reaction) listQueries(ctx context.Context, _ *sdk.CallToolRequest, _ listQueriesIn) (*sdk.CallToolResult, listQueriesOut, error) {
	r.toolCalled(toolListQueries)
	out := listQueriesOut{Queries: []QueryInfo{}}
	feed, err := r.feedOrErr()
	if err != nil {
		return nil, out, err
	}
	for _, q := range r.queries {
		info := QueryInfo{ID: q.id, URI: queryURI(q.id), Description: q.description, Columns: []string{}}
		snap, err := readSnapshot(ctx, feed, q.id)
		switch {
		case errors.Is(err, reactions.ErrNotFound):
		case err != nil:
			return nil, out, queryErr(q.id, err)
		default:
			info.Exists, info.Columns, info.Rows, info.Sequence = true, snap.Columns, len(snap.Results), snap.Sequence
		}
		out.Queries = append(out.Queries, info)
	}
	return nil, out, nil
}

type getResultsIn struct {
	Query string         `json:"query" jsonschema:"the query id (see list_queries)"`
	Where map[string]any `json:"where,omitempty" jsonschema:"only rows whose columns have these values, e.g. {\"agent\": \"agent-7\"}"`
	Limit int            `json:"limit,omitempty" jsonschema:"at most this many rows (default 100, at most 1000)"`
}

type getResultsOut struct {
	QueryID   string   `json:"queryId"`
	Sequence  uint64   `json:"sequence"`
	Columns   []string `json:"columns"`
	Rows      []any    `json:"rows"`  // each a json.RawMessage: an object
	Total     int      `json:"total"` // rows matching, before the limit
	Truncated bool     `json:"truncated,omitempty"`
}

func (r *Reaction) getResults(ctx context.Context, _ *sdk.CallToolRequest, in getResultsIn) (*sdk.CallToolResult, getResultsOut, error) {
	r.toolCalled(toolGetResults)
	out := getResultsOut{QueryID: in.Query, Columns: []string{}, Rows: []any{}}
	if err := r.served(in.Query); err != nil {
		return nil, out, err
	}
	feed, err := r.feedOrErr()
	if err != nil {
		return nil, out, err
	}
	snap, err := readSnapshot(ctx, feed, in.Query)
	if err != nil {
		return nil, out, queryErr(in.Query, err)
	}
	limit := in.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	out.Sequence, out.Columns = snap.Sequence, snap.Columns
	for _, raw := range snap.Results {
		var row map[string]json.RawMessage
		if json.Unmarshal(raw, &row) != nil || !reactions.RowHas(row, in.Where) {
			continue
		}
		out.Total++
		if len(out.Rows) < limit {
			out.Rows = append(out.Rows, raw)
		} else {
			out.Truncated = true
		}
	}
	return nil, out, nil
}

type getBreakerIn struct {
	Key string `json:"key,omitempty" jsonschema:"the breaker's key (an agent id); empty for every breaker"`
}

type getBreakerOut struct {
	Breakers []any `json:"breakers"`
}

func (r *Reaction) getBreaker(ctx context.Context, _ *sdk.CallToolRequest, in getBreakerIn) (*sdk.CallToolResult, getBreakerOut, error) {
	r.toolCalled(toolGetBreaker)
	bs, err := r.breakers(in.Key)
	return nil, getBreakerOut{Breakers: bs}, err
}

type explainRowIn struct {
	Query string         `json:"query" jsonschema:"the query id"`
	Where map[string]any `json:"where" jsonschema:"values of some columns of the row to explain, e.g. {\"agent\": \"agent-7\"}; the first row having them is explained"`
	Limit int            `json:"limit,omitempty" jsonschema:"at most this many elements (default 100, at most 1000)"`
}

// explainRow's output is any: the explanation is already JSON, which a
// json.RawMessage output type would describe as an array of bytes.
func (r *Reaction) explainRow(ctx context.Context, _ *sdk.CallToolRequest, in explainRowIn) (*sdk.CallToolResult, any, error) {
	r.toolCalled(toolExplainRow)
	if err := r.served(in.Query); err != nil {
		return nil, nil, err
	}
	feed, err := r.feedOrErr()
	if err != nil {
		return nil, nil, err
	}
	ex, ok := feed.(reactions.Explainer)
	if !ok {
		return nil, nil, errors.New("this server cannot explain rows")
	}
	limit := in.Limit
	if limit <= 0 {
		limit = 100
	}
	// The explanation is built on the engine loop: bounded like results.
	limit = min(limit, 1000)
	data, err := ex.Explain(ctx, in.Query, in.Where, limit)
	if err != nil {
		return nil, nil, queryErr(in.Query, err)
	}
	return nil, json.RawMessage(data), nil
}

// served checks that the reaction serves query q: a token for this
// reaction opens its queries and no others.
func (r *Reaction) served(q string) error {
	if q == "" {
		return errors.New("query: required (see list_queries)")
	}
	if _, ok := r.byID[q]; !ok {
		return fmt.Errorf("query %q is not served by MCP reaction %q (it serves: %s)", q, r.name, strings.Join(r.queryIDs(), ", "))
	}
	return nil
}

func queryErr(q string, err error) error {
	switch {
	case errors.Is(err, reactions.ErrNotFound):
		return fmt.Errorf("query %q does not exist (not created yet, or deleted)", q)
	}
	return fmt.Errorf("query %q: %w", q, err)
}

// snapshot is a snapshot event decoded.
type snapshot struct {
	Sequence uint64            `json:"sequence"`
	Columns  []string          `json:"columns"`
	Results  []json.RawMessage `json:"results"`
}

func readSnapshot(ctx context.Context, feed reactions.Feed, q string) (snapshot, error) {
	var s snapshot
	rec, err := feed.Snapshot(ctx, q)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(rec.Data, &s); err != nil {
		return s, err
	}
	if s.Columns == nil {
		s.Columns = []string{}
	}
	return s, nil
}

// ---- summaries --------------------------------------------------------------

// summarize renders an event as lines for people (and models) to read: "+
// row" for a row added, "- row" deleted, "~ before → after" updated, each
// row through the query's summary template (the row as JSON without one);
// a control event as its signal; a snapshot as its row count.
func summarize(qc *queryConf, rec outbox.Record) []string {
	ev, err := outbox.Decode(rec.Data)
	if err != nil {
		return []string{fmt.Sprintf("event %d: %v", rec.Seq, err)}
	}
	switch ev.Kind {
	case outbox.KindControl:
		if ev.Signal == nil {
			return nil
		}
		line := "query " + ev.Signal.Kind
		if ev.Signal.Reason != "" {
			line += ": " + ev.Signal.Reason
		}
		return []string{line}
	case outbox.KindSnapshot:
		return []string{fmt.Sprintf("= %d rows (resynchronised: the changes before sequence %d are no longer kept)", len(ev.Results), rec.Seq)}
	}
	var out []string
	for _, row := range ev.Deleted {
		out = append(out, "- "+qc.render(row))
	}
	for _, u := range ev.Updated {
		out = append(out, "~ "+qc.render(u.Before)+" → "+qc.render(u.After))
	}
	for _, row := range ev.Added {
		out = append(out, "+ "+qc.render(row))
	}
	return out
}

func (qc *queryConf) render(row map[string]json.RawMessage) string {
	if qc != nil && qc.summary != nil {
		if s, err := qc.summary.Text(row); err == nil {
			return s
		} else {
			return fmt.Sprintf("(summary: %v) %s", err, rowJSON(row))
		}
	}
	return rowJSON(row)
}

func rowJSON(row map[string]json.RawMessage) string {
	b, _ := json.Marshal(row)
	return string(b)
}

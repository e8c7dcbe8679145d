// Package plugin is the backend of the Vigil data source for Grafana: it
// answers queries with a continuous query's current result as a data
// frame, streams the result's changes over Grafana Live (following the
// query's SSE stream with Last-Event-ID, so a reconnect, or a restart of
// a durable Vigil server, misses no change), lists the server's queries
// for the query editor, and checks the server and the token.
package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/live"
)

// ID is the plugin id.
const ID = "vigil-datasource"

// Modes of a query.
const (
	ModeTable   = "table"   // the whole current result after every change
	ModeChanges = "changes" // each change event as rows with an op column
)

// Settings are the data source's options: jsonData.url, and the token in
// secureJsonData.
type Settings struct {
	URL string `json:"url"`
}

// Query is a panel's query.
type Query struct {
	QueryID string `json:"queryId"`
	Mode    string `json:"mode"`
}

// Datasource is one configured Vigil data source.
type Datasource struct {
	uid string
	c   *client
	log log.Logger
	// retry is the first wait before a stream reconnects (doubling up to
	// maxRetry).
	retry, maxRetry time.Duration
}

// Interfaces the SDK serves.
var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.StreamHandler         = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// NewDatasource builds a data source from its settings (the SDK's instance
// factory).
func NewDatasource(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	var set Settings
	if len(s.JSONData) > 0 {
		if err := json.Unmarshal(s.JSONData, &set); err != nil {
			return nil, fmt.Errorf("data source settings: %w", err)
		}
	}
	if set.URL == "" {
		set.URL = s.URL // the generic URL field, when jsonData has none
	}
	c, err := newClient(set.URL, s.DecryptedSecureJSONData["token"])
	if err != nil {
		return nil, err
	}
	return &Datasource{uid: s.UID, c: c, log: log.DefaultLogger.With("datasource", s.Name), retry: 100 * time.Millisecond, maxRetry: 5 * time.Second}, nil
}

// Dispose implements instancemgmt.InstanceDisposer: nothing is held
// between requests (streams end with their context).
func (d *Datasource) Dispose() {}

func parseQuery(raw json.RawMessage) (Query, error) {
	var q Query
	if err := json.Unmarshal(raw, &q); err != nil {
		return q, fmt.Errorf("query: %w", err)
	}
	q.QueryID = strings.TrimSpace(q.QueryID)
	if q.Mode == "" {
		q.Mode = ModeTable
	}
	switch {
	case q.QueryID == "":
		return q, errors.New("query: pick a continuous query (queryId is empty)")
	case !queryIDRE.MatchString(q.QueryID):
		return q, fmt.Errorf("query: %q is not a Vigil query id (letters, digits, '.', '_', '-'; up to 128)", q.QueryID)
	case q.Mode != ModeTable && q.Mode != ModeChanges:
		return q, fmt.Errorf("query: mode %q is neither %q nor %q", q.Mode, ModeTable, ModeChanges)
	}
	return q, nil
}

// QueryData answers each query with its current result (in changes mode,
// as rows of op "snapshot"), with the frame's channel set so that Grafana
// subscribes to the live stream of its changes.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	for _, dq := range req.Queries {
		resp.Responses[dq.RefID] = d.query(ctx, dq)
	}
	return resp, nil
}

func (d *Datasource) query(ctx context.Context, dq backend.DataQuery) backend.DataResponse {
	q, err := parseQuery(dq.JSON)
	if err != nil {
		return backend.ErrDataResponse(backend.StatusBadRequest, err.Error())
	}
	r, err := d.c.results(ctx, q.QueryID)
	if err != nil {
		return errResponse(err)
	}
	if r.State == "error" || r.Error != "" {
		return backend.ErrDataResponse(backend.StatusBadRequest, fmt.Sprintf("query %s failed on the Vigil server: %s", q.QueryID, r.Error))
	}
	at := time.UnixMilli(r.SourceTimeMs).UTC()
	var f *data.Frame
	if q.Mode == ModeChanges {
		rows := make([]changeRow, len(r.Results))
		for i, x := range r.Results {
			rows[i] = changeRow{opSnapshot, x}
		}
		f = changesFrame(q.QueryID, r.Columns, r.Sequence, at, rows)
	} else {
		f = tableFrame(q.QueryID, r.Columns, r.Results, at)
	}
	f.SetMeta(&data.FrameMeta{
		Channel: live.Channel{Scope: live.ScopeDatasource, Namespace: d.uid, Path: q.Mode + "/" + q.QueryID}.String(),
		Custom:  map[string]any{"sequence": r.Sequence},
	})
	return backend.DataResponse{Frames: data.Frames{f}}
}

func errResponse(err error) backend.DataResponse {
	var ae *apiError
	if errors.As(err, &ae) {
		switch ae.Status {
		case http.StatusNotFound:
			return backend.ErrDataResponse(backend.StatusNotFound, ae.Message)
		case http.StatusUnauthorized:
			return backend.ErrDataResponse(backend.StatusUnauthorized, ae.Error())
		}
	}
	return backend.ErrDataResponse(backend.StatusBadGateway, err.Error())
}

// CheckHealth reports whether the server answers and takes the token.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	var st struct {
		Ready   bool `json:"ready"`
		Queries int  `json:"queries"`
	}
	if err := d.c.getJSON(ctx, "/v1/status", &st); err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: err.Error()}, nil
	}
	// /v1/status answers without a token check only when the server has
	// none; a list of queries proves the token.
	if _, err := d.c.queries(ctx); err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: err.Error()}, nil
	}
	msg := fmt.Sprintf("Vigil server %s: %d queries", d.c.shown, st.Queries)
	if !st.Ready {
		msg += " (still loading its resources)"
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: msg}, nil
}

// CallResource serves GET queries: the server's queries, for the query
// editor.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	send := func(code int, v any) error {
		body, _ := json.Marshal(v)
		return sender.Send(&backend.CallResourceResponse{Status: code, Headers: map[string][]string{"Content-Type": {"application/json"}}, Body: body})
	}
	if strings.Trim(req.Path, "/") != "queries" || req.Method != http.MethodGet {
		return send(http.StatusNotFound, map[string]string{"error": "no resource " + req.Method + " " + req.Path + " (known: GET queries)"})
	}
	qs, err := d.c.queries(ctx)
	if err != nil {
		// Vigil's answer is told in the body, not as this request's status:
		// a 401 would read to Grafana's frontend as its own session ending.
		return send(http.StatusBadGateway, map[string]string{"error": err.Error()})
	}
	return send(http.StatusOK, map[string]any{"queries": qs})
}

// SubscribeStream admits a channel path "{mode}/{queryId}".
func (d *Datasource) SubscribeStream(_ context.Context, req *backend.SubscribeStreamRequest) (*backend.SubscribeStreamResponse, error) {
	if _, _, err := parsePath(req.Path); err != nil {
		return &backend.SubscribeStreamResponse{Status: backend.SubscribeStreamStatusNotFound}, nil
	}
	return &backend.SubscribeStreamResponse{Status: backend.SubscribeStreamStatusOK}, nil
}

// PublishStream refuses: the streams are Vigil's results, read-only.
func (d *Datasource) PublishStream(context.Context, *backend.PublishStreamRequest) (*backend.PublishStreamResponse, error) {
	return &backend.PublishStreamResponse{Status: backend.PublishStreamStatusPermissionDenied}, nil
}

// queryIDRE is Vigil's resource name.
var queryIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

func parsePath(path string) (mode, queryID string, err error) {
	mode, queryID, ok := strings.Cut(path, "/")
	if !ok || !queryIDRE.MatchString(queryID) || (mode != ModeTable && mode != ModeChanges) {
		return "", "", fmt.Errorf("stream path %q is not {table|changes}/{queryId}", path)
	}
	return mode, queryID, nil
}

package plugin

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// client talks to one Vigil server: its REST API and its SSE streams.
type client struct {
	base  string // e.g. http://127.0.0.1:8080, no trailing slash
	shown string // base with any password redacted, for messages
	token string
	rest  *http.Client // with a timeout
	sse   *http.Client // without: a stream lasts
}

func newClient(base, token string) (*client, error) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the Vigil server URL %q is not an http(s) URL (example: http://127.0.0.1:8080)", base)
	}
	return &client{base: base, shown: u.Redacted(), token: token, rest: &http.Client{Timeout: 15 * time.Second}, sse: &http.Client{}}, nil
}

// apiError is an answer of the server other than 200: its status and its
// {"error": ...} message.
type apiError struct {
	Status  int
	Message string
}

func (e *apiError) Error() string {
	if e.Status == http.StatusUnauthorized {
		return "the Vigil server refused the token (401): set the data source's token to the server's -token"
	}
	return fmt.Sprintf("Vigil server: %d %s", e.Status, e.Message)
}

// getJSON GETs path and decodes the answer into v.
func (c *client) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	c.authorize(req)
	resp, err := c.rest.Do(req)
	if err != nil {
		return fmt.Errorf("Vigil server %s unreachable: %w", c.shown, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		json.Unmarshal(body, &e)
		return &apiError{Status: resp.StatusCode, Message: e.Error}
	}
	return json.Unmarshal(body, v)
}

func (c *client) authorize(req *http.Request) {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
}

// results is GET /v1/queries/{id}/results.
type results struct {
	QueryID      string                       `json:"queryId"`
	State        string                       `json:"state"`
	Error        string                       `json:"error"`
	Sequence     uint64                       `json:"sequence"`
	SourceTimeMs int64                        `json:"sourceTimeMs"`
	Columns      []string                     `json:"columns"`
	Results      []map[string]json.RawMessage `json:"results"`
}

func (c *client) results(ctx context.Context, queryID string) (*results, error) {
	var r results
	if err := c.getJSON(ctx, "/v1/queries/"+url.PathEscape(queryID)+"/results", &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// queryInfo is an entry of GET /v1/queries.
type queryInfo struct {
	ID      string   `json:"id"`
	State   string   `json:"state"`
	Columns []string `json:"columns"`
}

func (c *client) queries(ctx context.Context) ([]queryInfo, error) {
	var qs []queryInfo
	err := c.getJSON(ctx, "/v1/queries", &qs)
	return qs, err
}

// event is a result event of a query's stream.
type event struct {
	Kind         string `json:"kind"`
	QueryID      string `json:"queryId"`
	Sequence     uint64 `json:"sequence"`
	SourceTimeMs int64  `json:"sourceTimeMs"`
	// snapshot
	Columns []string                     `json:"columns"`
	Results []map[string]json.RawMessage `json:"results"`
	// change
	Added   []map[string]json.RawMessage `json:"addedResults"`
	Updated []struct {
		Before map[string]json.RawMessage `json:"before"`
		After  map[string]json.RawMessage `json:"after"`
	} `json:"updatedResults"`
	Deleted []map[string]json.RawMessage `json:"deletedResults"`
	// control
	Signal *struct {
		Kind   string `json:"kind"`
		Reason string `json:"reason"`
	} `json:"controlSignal"`
}

// stream reads a query's SSE stream from the position lastID ("" for a
// snapshot first) and calls fn for each event with its id, until the
// stream ends (an error: the server went away) or ctx is done.
func (c *client) stream(ctx context.Context, queryID, lastID string, fn func(id string, ev *event) error) error {
	// The server sends a comment every 15 s on an idle stream: a stream
	// silent for streamIdle is a connection that died without closing.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(streamIdle, func() { cancel(errStreamIdle) })
	defer idle.Stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/queries/"+url.PathEscape(queryID)+"/events", nil)
	if err != nil {
		return err
	}
	c.authorize(req)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := c.sse.Do(req)
	if err != nil {
		return fmt.Errorf("Vigil server %s unreachable: %w", c.shown, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		var e struct {
			Error string `json:"error"`
		}
		json.Unmarshal(body, &e)
		return &apiError{Status: resp.StatusCode, Message: e.Error}
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	var id string
	var data strings.Builder
	for sc.Scan() {
		idle.Reset(streamIdle)
		line := sc.Text()
		switch {
		case line == "":
			if data.Len() > 0 {
				var ev event
				if err := json.Unmarshal([]byte(data.String()), &ev); err != nil {
					return fmt.Errorf("event %s of %s: %w", id, queryID, err)
				}
				if err := fn(id, &ev); err != nil {
					return err
				}
			}
			data.Reset()
		case strings.HasPrefix(line, "id:"):
			id = strings.TrimSpace(strings.TrimPrefix(line, "id:"))
		case strings.HasPrefix(line, "data:"):
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	if cause := context.Cause(ctx); errors.Is(cause, errStreamIdle) {
		return cause
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return errors.New("the Vigil server ended the stream")
}

// streamIdle is how long a stream may stay silent (the server's heartbeat
// is 15 s).
const streamIdle = 45 * time.Second

var errStreamIdle = errors.New("the Vigil stream was silent for 45 s (a dead connection)")

// errRestart ends a stream so that it reconnects without a position and
// starts from a snapshot (the query was re-created or replaced: its rows
// and columns start over).
var errRestart = errors.New("the query started over")

// status is what the stream needs of GET /v1/status.
type status struct {
	Started time.Time `json:"started"`
	Durable bool      `json:"durable"`
}

func (c *client) status(ctx context.Context) (status, error) {
	var st status
	err := c.getJSON(ctx, "/v1/status", &st)
	return st, err
}

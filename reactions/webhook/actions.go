package webhook

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/outbox"
)

// An action webhook turns each result row into a request of its own: a
// row added POSTs the onAdded body, a row deleted the onDeleted body (the
// governance pack's FREEZE_DEPLOYMENTS: freeze while an agent's row is in a
// query, unfreeze when it leaves). Bodies are templates in which {column}
// is replaced by the row's value of that column as JSON, so
// `{"freeze": true, "agent": {agent}}` becomes `{"freeze": true, "agent":
// "agent-7"}`. An updated row is neither added nor deleted: the action
// holds. A snapshot (a reader that fell behind the retained events) posts
// onAdded for every row, which an idempotent receiver takes as "still".

// template is a parsed body template.
type template struct {
	parts []string // literal text and column names, alternating (literal first)
}

// parseTemplate parses a body template: {{ is a literal brace, and so is a
// brace that does not start {name} (a JSON object's). A closing brace is
// always literal, so JSON bodies end in }} as they are written.
func parseTemplate(s string) *template {
	t := &template{}
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '{':
			end := strings.IndexByte(s[i+1:], '}')
			name := ""
			if end >= 0 {
				name = strings.TrimSpace(s[i+1 : i+1+end])
			}
			// `{"` starts a JSON object, not a placeholder.
			if end < 0 || name == "" || strings.ContainsAny(name, `"{:,`) {
				lit.WriteByte(c)
				continue
			}
			t.parts = append(t.parts, lit.String(), name)
			lit.Reset()
			i += end + 1
		default:
			lit.WriteByte(c)
		}
	}
	t.parts = append(t.parts, lit.String())
	return t
}

// render writes the body for one row; a column the row lacks is an error.
func (t *template) render(row map[string]json.RawMessage) ([]byte, error) {
	var b []byte
	for i, p := range t.parts {
		if i%2 == 0 {
			b = append(b, p...)
			continue
		}
		v, ok := row[p]
		if !ok {
			return nil, fmt.Errorf("body template names column %q, which the row lacks", p)
		}
		b = append(b, v...)
	}
	return b, nil
}

// actionRequest is one request of an action webhook.
type actionRequest struct {
	body []byte
	key  string // Idempotency-Key: query:sequence:added|deleted:row
}

// actionRequests expands a change or snapshot event into its requests.
func (w *Webhook) actionRequests(rec outbox.Record) ([]actionRequest, error) {
	var ev struct {
		Added   []map[string]json.RawMessage `json:"addedResults"`
		Deleted []map[string]json.RawMessage `json:"deletedResults"`
		Results []map[string]json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(rec.Data, &ev); err != nil {
		return nil, fmt.Errorf("event %s:%d: %w", rec.QueryID, rec.Seq, err)
	}
	added := ev.Added
	if rec.Kind == outbox.KindSnapshot {
		added = ev.Results
	}
	var out []actionRequest
	for _, side := range []struct {
		name string
		t    *template
		rows []map[string]json.RawMessage
	}{{"deleted", w.onDeleted, ev.Deleted}, {"added", w.onAdded, added}} {
		if side.t == nil {
			continue
		}
		for i, row := range side.rows {
			body, err := side.t.render(row)
			if err != nil {
				return nil, fmt.Errorf("event %s:%d: %w", rec.QueryID, rec.Seq, err)
			}
			out = append(out, actionRequest{body, rec.QueryID + ":" + strconv.FormatUint(rec.Seq, 10) + ":" + side.name + ":" + strconv.Itoa(i)})
		}
	}
	return out, nil
}

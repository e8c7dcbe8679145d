package webhook

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions/rowtemplate"
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

// actionRequest is one request of an action webhook.
type actionRequest struct {
	body []byte
	key  string // Idempotency-Key: query:sequence:added|deleted:row
}

// actionRequests expands a change or snapshot event into its requests.
func (w *Webhook) actionRequests(rec outbox.Record) ([]actionRequest, error) {
	ev, err := outbox.Decode(rec.Data)
	if err != nil {
		return nil, fmt.Errorf("event %s:%d: %w", rec.QueryID, rec.Seq, err)
	}
	added := ev.Added
	if rec.Kind == outbox.KindSnapshot {
		added = ev.Results
	}
	var out []actionRequest
	for _, side := range []struct {
		name string
		t    *rowtemplate.Template
		rows []map[string]json.RawMessage
	}{{"deleted", w.onDeleted, ev.Deleted}, {"added", w.onAdded, added}} {
		if side.t == nil {
			continue
		}
		for i, row := range side.rows {
			body, err := side.t.JSON(row)
			if err != nil {
				return nil, fmt.Errorf("event %s:%d: %w", rec.QueryID, rec.Seq, err)
			}
			out = append(out, actionRequest{body, rec.QueryID + ":" + strconv.FormatUint(rec.Seq, 10) + ":" + side.name + ":" + strconv.Itoa(i)})
		}
	}
	return out, nil
}

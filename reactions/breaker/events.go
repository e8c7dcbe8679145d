package breaker

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// queryConf is how the reaction reads one subscribed query.
type queryConf struct {
	id     string
	key    string // the key column; "" for the query's first column
	reason string // reason template with {column} placeholders; "" for the query id
}

// queryConfs reads spec.queries: per query nothing, a reason template, or
// a map with `reason` and `key`.
func queryConfs(queries map[string]any, key string) ([]queryConf, error) {
	out := make([]queryConf, 0, len(queries))
	for id, v := range queries {
		c := queryConf{id: id, key: key}
		switch t := v.(type) {
		case nil:
		case string:
			c.reason = t
		case map[string]any:
			for k, x := range t {
				s, ok := x.(string)
				if !ok {
					return nil, fmt.Errorf("queries.%s.%s: want a string, got %v", id, k, x)
				}
				switch k {
				case "reason":
					c.reason = s
				case "key":
					c.key = s
				default:
					return nil, fmt.Errorf("queries.%s: unknown setting %q (want reason or key)", id, k)
				}
			}
		default:
			return nil, fmt.Errorf("queries.%s: want nothing, a reason template or a map with reason and key", id)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("spec.queries: a CircuitBreaker needs at least one query whose rows trip it")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// row is a result row as an event carries it: column -> JSON value.
type row map[string]json.RawMessage

// wireEvent is a result event (outbox.Event's JSON) as far as the breaker
// reads it.
type wireEvent struct {
	Kind         string   `json:"kind"`
	SourceTimeMs int64    `json:"sourceTimeMs"`
	Columns      []string `json:"columns"`
	Results      []row    `json:"results"`
	Added        []row    `json:"addedResults"`
	Updated      []struct {
		Before row `json:"before"`
		After  row `json:"after"`
	} `json:"updatedResults"`
	Deleted []row `json:"deletedResults"`
	Signal  struct {
		Kind string `json:"kind"`
	} `json:"controlSignal"`
}

func parseEvent(data []byte) (*wireEvent, error) {
	var ev wireEvent
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&ev); err != nil {
		return nil, err
	}
	return &ev, nil
}

// at is the event's source time: the time the change that caused it was
// made, so that a replay of the same events gives the same since.
func (ev *wireEvent) at() time.Time { return time.UnixMilli(ev.SourceTimeMs).UTC() }

// text is a JSON value as a key or as text in a reason: a string without
// its quotes, anything else as written; ok is false for null or a missing
// column.
func text(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
	}
	return string(raw), true
}

// reasonFor fills a reason template: {column} becomes the row's value of
// that column; braces around anything else stay as written.
func reasonFor(tmpl, query string, r row) string {
	if tmpl == "" {
		return query
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			break
		}
		name := tmpl[open+1 : open+end]
		b.WriteString(tmpl[:open])
		if v, ok := text(r[name]); ok {
			b.WriteString(v)
		} else if _, present := r[name]; present {
			b.WriteString("null")
		} else {
			b.WriteString(tmpl[open : open+end+1])
		}
		tmpl = tmpl[open+end+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// keyRows reduces rows to keys and reasons; a row without a usable key (no
// such column, null, or a key the engine cannot take as an id) is counted
// in skipped.
func keyRows(c queryConf, keyCol string, rows []row, skipped *int) []keyed {
	out := make([]keyed, 0, len(rows))
	for _, r := range rows {
		if r == nil {
			continue // an update's before row that the producer did not have
		}
		k, ok := text(r[keyCol])
		if !ok || k == "" || strings.IndexByte(k, 0x1f) >= 0 {
			*skipped++
			continue
		}
		out = append(out, keyed{key: k, reason: reasonFor(c.reason, c.id, r)})
	}
	return out
}

// changeOf reduces a change event to the rows that arrived and left.
func changeOf(c queryConf, keyCol string, ev *wireEvent, skipped *int) change {
	ch := change{at: ev.at()}
	ch.left = keyRows(c, keyCol, ev.Deleted, skipped)
	ch.arrived = keyRows(c, keyCol, ev.Added, skipped)
	for _, u := range ev.Updated {
		ch.left = append(ch.left, keyRows(c, keyCol, []row{u.Before}, skipped)...)
		ch.arrived = append(ch.arrived, keyRows(c, keyCol, []row{u.After}, skipped)...)
	}
	return ch
}

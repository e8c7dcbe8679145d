package server

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/jsonenc"
	"github.com/vigilhq/vigil/reactions"
)

// Explain implements reactions.Explainer: on the engine loop, the first
// current row of the query that has the values asked for is explained by
// the engine (which elements' matches produced it), and written as
//
//	{"queryId": ..., "row": {...}, "matches": N, "elements": [...], "truncated": bool}
//
// with each element {"kind": "node", "id", "labels", "properties"} or
// {"kind": "relationship", "id", "type", "from", "to", "properties"}, ids
// as their source gave them, with "source" naming it.
func (s *Server) Explain(ctx context.Context, queryID string, where map[string]any, limit int) ([]byte, error) {
	var out []byte
	var rerr error
	err := s.do(ctx, func() {
		qe := s.queries[queryID]
		if qe == nil || qe.q == nil {
			rerr = reactions.ErrNotFound
			return
		}
		cols := s.host.Columns(qe.q)
		var buf []byte
		pick := func(r engine.Row) bool {
			buf = cols.AppendRow(buf[:0], r)
			var m map[string]json.RawMessage
			return json.Unmarshal(buf, &m) == nil && reactions.RowHas(m, where)
		}
		ex, err := s.eng.Explain(queryID, pick, limit)
		switch {
		case errors.Is(err, engine.ErrNoSuchRow):
			rerr = reactions.ErrNoRow
			return
		case err != nil:
			rerr = err
			return
		}
		b := append([]byte(`{"queryId":`), jsonenc.AppendString(nil, queryID)...)
		b = append(b, `,"row":`...)
		b = cols.AppendRow(b, ex.Row)
		b = append(b, `,"matches":`...)
		b = strconv.AppendInt(b, int64(ex.Matches), 10)
		b = append(b, `,"elements":[`...)
		for i, el := range ex.Elements {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendElement(b, el)
		}
		b = append(b, `],"truncated":`...)
		b = strconv.AppendBool(b, ex.Truncated)
		out = append(b, '}')
	})
	if err != nil {
		return nil, err
	}
	return out, rerr
}

// appendID writes an element's id as its source gave it, and the source
// (absent for a synthetic join relationship, which belongs to none).
func appendID(b []byte, id string) []byte {
	b = append(b, `"id":`...)
	b = jsonenc.AppendString(b, value.ExternalID(id))
	if src := value.SourceOfID(id); src != "" {
		b = append(b, `,"source":`...)
		b = jsonenc.AppendString(b, src)
	}
	return b
}

// appendElement writes a node or relationship with its id, labels or type
// and ends, and properties.
func appendElement(b []byte, v value.Value) []byte {
	switch v.Kind() {
	case value.KindNode:
		n := v.AsNode()
		b = append(b, `{"kind":"node",`...)
		b = appendID(b, n.ID)
		b = append(b, `,"labels":[`...)
		for i, l := range n.Labels {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendString(b, l)
		}
		b = append(b, `],"properties":`...)
	case value.KindRel:
		r := v.AsRel()
		b = append(b, `{"kind":"relationship",`...)
		b = appendID(b, r.ID)
		b = append(b, `,"type":`...)
		b = jsonenc.AppendString(b, r.Type)
		b = append(b, `,"from":`...)
		b = jsonenc.AppendString(b, value.ExternalID(r.From))
		b = append(b, `,"to":`...)
		b = jsonenc.AppendString(b, value.ExternalID(r.To))
		b = append(b, `,"properties":`...)
	default:
		return value.AppendJSON(b, v)
	}
	b = value.AppendJSON(b, v) // an element's JSON is its properties
	return append(b, '}')
}

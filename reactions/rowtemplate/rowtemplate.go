// Package rowtemplate renders a result row into a string the user wrote:
// a webhook's per-row request body, an MCP notification's one-line summary.
// {column} is replaced by the row's value of that column; {{ is a literal
// brace, and so is a brace that does not start {name} (a JSON object's),
// so JSON bodies are written as they are.
package rowtemplate

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Template is a parsed row template. It is immutable.
type Template struct {
	parts []string // literal text and column names, alternating (literal first)
}

// Parse parses a template. Every string is a template (text without
// placeholders renders as itself).
func Parse(s string) *Template {
	t := &Template{}
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

// Columns are the column names the template reads, in order of use.
func (t *Template) Columns() []string {
	var out []string
	for i := 1; i < len(t.parts); i += 2 {
		out = append(out, t.parts[i])
	}
	return out
}

// JSON renders the template with each value as JSON (a string quoted), for
// bodies that are JSON documents. A column the row lacks is an error.
func (t *Template) JSON(row map[string]json.RawMessage) ([]byte, error) {
	return t.render(row, false)
}

// Text renders the template for people to read: a string value is written
// without quotes, any other value as JSON. A column the row lacks is an
// error.
func (t *Template) Text(row map[string]json.RawMessage) (string, error) {
	b, err := t.render(row, true)
	return string(b), err
}

func (t *Template) render(row map[string]json.RawMessage, text bool) ([]byte, error) {
	var b []byte
	for i, p := range t.parts {
		if i%2 == 0 {
			b = append(b, p...)
			continue
		}
		v, ok := row[p]
		if !ok {
			return nil, fmt.Errorf("template names column %q, which the row lacks", p)
		}
		if text && len(v) > 0 && v[0] == '"' {
			var s string
			if json.Unmarshal(v, &s) == nil {
				b = append(b, s...)
				continue
			}
		}
		b = append(b, v...)
	}
	return b, nil
}

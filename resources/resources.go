// Package resources loads Vigil's YAML resources. They have Drasi's shape —
// `apiVersion: v1`, `kind: Source | ContinuousQuery | Reaction`, `name`,
// `spec` — so that Drasi users can bring their files over unchanged. A file
// may hold several documents separated by `---`.
//
// Loading never stops at the first problem: every document that decodes is
// returned, and every one that does not yields an *Error naming the file,
// the line and column and the reason, so one bad resource never hides the
// others. (A YAML syntax error is the exception: the parser cannot resync
// after one, so the documents after it are not read.)
package resources

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/engine"
	"go.yaml.in/yaml/v3"
)

// Kinds of resources.
const (
	KindSource          = "Source"
	KindContinuousQuery = "ContinuousQuery"
	KindReaction        = "Reaction"
)

// Resource is one decoded YAML document. Exactly one of Source, Query and
// Reaction is set, matching Kind.
type Resource struct {
	APIVersion string
	Kind       string // Source, ContinuousQuery or Reaction
	Name       string
	File       string // where it was read from ("" for an API body)
	Line       int    // line of the document's first key
	Col        int    // column of the document's first key
	Source     *Source
	Query      *Query
	Reaction   *Reaction
	// Raw is the document as it was written, re-encoded; the server
	// compares it to tell "unchanged" from "updated" on apply.
	Raw string
}

// Where is "file:line" (or "line N" without a file), for error messages.
func (r *Resource) Where() string { return where(r.File, r.Line) }

// Key identifies a resource: kind and name.
func (r *Resource) Key() string { return r.Kind + "/" + r.Name }

// Source is the spec of a Source resource.
type Source struct {
	Kind       string         // e.g. HTTP, PostgreSQL, MySQL
	Properties map[string]any // spec.properties, as decoded
}

// Query is the spec of a ContinuousQuery resource.
type Query struct {
	Text          string         // spec.query
	Language      string         // spec.queryLanguage: cypher (default) or gql
	Subscriptions []Subscription // spec.sources.subscriptions
	Joins         []Join         // spec.sources.joins
	Params        map[string]any // spec.params (a Vigil extension)
	QueryLine     int            // line of spec.query's first line of text
	// spans place the characters of Text in the file. QueryLine alone
	// cannot: a block scalar's indentation shifts every column, and a
	// folded or quoted scalar's joined lines and escapes shift lines too.
	spans []textSpan
}

// FilePos maps a position in Text (1-based line and column in characters,
// as the Cypher and GQL parsers report errors) to its line and column in
// the file the query was read from. ok is false when the query was not
// read from YAML; for a position in whitespace the file spells otherwise
// (a folded line break) it is the next token's, and past the end of the
// text it is just after the last token.
func (q *Query) FilePos(line, col int) (fileLine, fileCol int, ok bool) {
	return filePos(q.spans, q.Text, line, col)
}

// Subscription names a source a query reads and the labels it wants.
type Subscription struct {
	ID        string   // source name
	Nodes     []string // node labels (sourceLabel)
	Relations []string // relation types (sourceLabel)
}

// Join is a synthetic relation across sources (spec.sources.joins).
type Join struct {
	ID   string
	Keys []JoinKey
}

// JoinKey is one side of a join.
type JoinKey struct {
	Label    string
	Property string
}

// Reaction is the spec of a Reaction resource.
type Reaction struct {
	Kind       string         // SSE, Http, Debug
	Queries    map[string]any // query name -> per-query config (nil, a string or a map)
	Properties map[string]any // spec.properties
}

// QueryNames returns the reaction's query names, sorted.
func (r *Reaction) QueryNames() []string {
	out := make([]string, 0, len(r.Queries))
	for q := range r.Queries {
		out = append(out, q)
	}
	sort.Strings(out)
	return out
}

// Error is a problem with one resource (or one YAML document), located in
// its file.
type Error struct {
	File   string
	Line   int
	Col    int    // column in characters, 0 when unknown
	Kind   string // resource kind when known
	Name   string // resource name when known
	Reason string
}

// Error formats as "file:line:col: Kind \"name\": reason" (without the
// column when it is unknown).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(where(e.File, e.Line))
	switch {
	case e.Line <= 0 || e.Col <= 0:
	case e.File != "":
		fmt.Fprintf(&b, ":%d", e.Col)
	default:
		fmt.Fprintf(&b, " col %d", e.Col)
	}
	if e.Name != "" {
		fmt.Fprintf(&b, ": %s %q", e.Kind, e.Name)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

func where(file string, line int) string {
	switch {
	case file != "" && line > 0:
		return fmt.Sprintf("%s:%d", file, line)
	case file != "":
		return file
	case line > 0:
		return fmt.Sprintf("line %d", line)
	}
	return "input"
}

// nameRE keeps names safe in URL paths, metric labels and SSE cursors
// ("q1:5,q2:7"), which is why ':' and ',' are excluded.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidName reports whether s is acceptable as a resource name.
func ValidName(s string) bool { return nameRE.MatchString(s) }

// LoadDir loads every *.yaml and *.yml file under dir (recursively, in
// lexical order). A path that is a file is loaded as one file.
func LoadDir(dir string) ([]*Resource, []error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, []error{err}
	}
	if !st.IsDir() {
		return LoadFile(dir)
	}
	var files []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, []error{err}
	}
	sort.Strings(files)
	var out []*Resource
	var errs []error
	for _, f := range files {
		rs, es := LoadFile(f)
		out = append(out, rs...)
		errs = append(errs, es...)
	}
	return out, errs
}

// LoadFile loads the documents of one file.
func LoadFile(path string) ([]*Resource, []error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []error{err}
	}
	return Parse(path, data)
}

// Parse decodes the documents of data; file names them in errors.
func Parse(file string, data []byte) ([]*Resource, []error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*Resource
	var errs []error
	seen := map[string]int{}
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A syntax error ends the stream: the decoder cannot resync.
			errs = append(errs, syntaxError(file, data, err))
			break
		}
		if len(doc.Content) == 0 {
			continue // an empty document (a trailing ---)
		}
		r, err := decodeDoc(file, data, doc.Content[0])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := seen[r.Key()]; dup {
			errs = append(errs, &Error{File: file, Line: r.Line, Col: r.Col, Kind: r.Kind, Name: r.Name,
				Reason: fmt.Sprintf("defined twice in this input (first at line %d)", prev)})
			continue
		}
		seen[r.Key()] = r.Line
		out = append(out, r)
	}
	return out, errs
}

// nodeError places an error at node n (the resource's first key when n is
// nil or carries no position).
func nodeError(file string, r *Resource, n *yaml.Node, format string, args ...any) *Error {
	e := &Error{File: file, Line: r.Line, Col: r.Col, Kind: r.Kind, Name: r.Name, Reason: fmt.Sprintf(format, args...)}
	if n != nil && n.Line > 0 {
		e.Line, e.Col = n.Line, n.Column
	}
	return e
}

// decodeDoc turns one document into a Resource, checking its shape.
func decodeDoc(file string, data []byte, n *yaml.Node) (*Resource, error) {
	r := &Resource{File: file, Line: n.Line, Col: n.Column}
	fail := func(at *yaml.Node, format string, args ...any) error {
		return nodeError(file, r, at, format, args...)
	}
	if n.Kind != yaml.MappingNode {
		return nil, fail(n, "a resource must be a mapping with apiVersion, kind, name and spec")
	}
	// Values are checked after the loop, when the kind and name are known
	// for the message; these keep where each was written.
	var spec, apiVersion, kind, name *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "apiVersion":
			r.APIVersion, apiVersion = v.Value, v
		case "kind":
			r.Kind, kind = v.Value, v
		case "name":
			r.Name, name = v.Value, v
		case "id":
			// Drasi's server config spells the name "id"; accept it.
			if r.Name == "" {
				r.Name, name = v.Value, v
			}
		case "spec":
			spec = v
		default:
			return nil, fail(k, "unknown top-level field %q (want apiVersion, kind, name, spec)", k.Value)
		}
	}
	switch {
	case r.APIVersion == "":
		return nil, fail(apiVersion, "missing apiVersion (want v1)")
	case r.APIVersion != "v1":
		return nil, fail(apiVersion, "unsupported apiVersion %q (want v1)", r.APIVersion)
	case r.Kind == "":
		return nil, fail(kind, "missing kind (want Source, ContinuousQuery or Reaction)")
	case r.Name == "":
		return nil, fail(name, "missing name")
	case !ValidName(r.Name):
		return nil, fail(name, "invalid name %q: use letters, digits, '.', '_' and '-' (at most 128)", r.Name)
	case spec == nil:
		return nil, fail(nil, "missing spec")
	case spec.Kind != yaml.MappingNode:
		return nil, fail(spec, "spec must be a mapping")
	}
	if raw, err := yaml.Marshal(n); err == nil {
		r.Raw = string(raw)
	}
	var err error
	switch r.Kind {
	case KindSource:
		r.Source, err = decodeSource(file, r, spec)
	case KindContinuousQuery:
		r.Query, err = decodeQuery(file, data, r, spec)
	case KindReaction:
		r.Reaction, err = decodeReaction(file, r, spec)
	default:
		return nil, fail(kind, "unknown kind %q (want Source, ContinuousQuery or Reaction)", r.Kind)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// orNode is n, or def when n is missing: a problem with an absent field
// is reported where the mapping that lacks it starts.
func orNode(n, def *yaml.Node) *yaml.Node {
	if n == nil {
		return def
	}
	return n
}

// field finds key in a mapping node.
func field(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// decodeAny decodes a node into plain Go data (maps with string keys).
func decodeAny(n *yaml.Node) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeError places an error from decoding node n. A *yaml.TypeError
// (a duplicate key, say) lists its problems as "line N: ...", with N the
// line of the offending node inside n rather than n's own: that node's
// position is the one reported.
func decodeError(file string, r *Resource, n *yaml.Node, what string, err error) *Error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		if m := yamlLineRE.FindStringSubmatch(te.Errors[0]); m != nil {
			line, _ := strconv.Atoi(m[1])
			msg := te.Errors[0][len(m[0]):]
			if len(te.Errors) > 1 {
				msg += fmt.Sprintf(" (and %d more)", len(te.Errors)-1)
			}
			at := duplicateKey(n, line)
			if at == nil {
				at = nodeOnLine(n, line)
			}
			e := nodeError(file, r, at, "%s: %s", what, msg)
			if e.Line != line {
				e.Line, e.Col = line, 0
			}
			return e
		}
	}
	return nodeError(file, r, n, "%s: %s", what, strings.TrimPrefix(err.Error(), "yaml: "))
}

// duplicateKey returns a key of n's tree on line that repeats an earlier
// key of its mapping, or nil: the decoder reports a duplicate by line only,
// and on that line (in a flow mapping) there may be other keys first.
func duplicateKey(n *yaml.Node, line int) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if seen[k.Value] && k.Line == line {
				return k
			}
			seen[k.Value] = true
		}
	}
	for _, c := range n.Content {
		if d := duplicateKey(c, line); d != nil {
			return d
		}
	}
	return nil
}

// nodeOnLine returns the first node of n's tree (in document order) that
// starts on line, or nil.
func nodeOnLine(n *yaml.Node, line int) *yaml.Node {
	if n == nil || n.Line > line {
		return nil
	}
	if n.Line == line {
		return n
	}
	for _, c := range n.Content {
		if f := nodeOnLine(c, line); f != nil {
			return f
		}
	}
	return nil
}

func decodeMap(file string, r *Resource, n *yaml.Node, what string) (map[string]any, error) {
	if n == nil || n.Tag == "!!null" {
		return map[string]any{}, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, nodeError(file, r, n, "%s must be a mapping", what)
	}
	v, err := decodeAny(n)
	if err != nil {
		return nil, decodeError(file, r, n, what, err)
	}
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

func scalar(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", false
	}
	return n.Value, true
}

func decodeSource(file string, r *Resource, spec *yaml.Node) (*Source, error) {
	s := &Source{}
	kn := field(spec, "kind")
	kind, ok := scalar(kn)
	if !ok || kind == "" {
		return nil, nodeError(file, r, orNode(kn, spec), "spec.kind is required (e.g. HTTP, PostgreSQL, MySQL)")
	}
	s.Kind = kind
	var err error
	if s.Properties, err = decodeMap(file, r, field(spec, "properties"), "spec.properties"); err != nil {
		return nil, err
	}
	return s, nil
}

func decodeQuery(file string, data []byte, r *Resource, spec *yaml.Node) (*Query, error) {
	q := &Query{Language: engine.LanguageCypher}
	bad := func(n *yaml.Node, format string, args ...any) error {
		return nodeError(file, r, orNode(n, spec), format, args...)
	}
	qn := field(spec, "query")
	text, ok := scalar(qn)
	if !ok || strings.TrimSpace(text) == "" {
		return nil, bad(qn, "spec.query is required")
	}
	q.Text, q.QueryLine = text, qn.Line
	q.spans = mapScalar(data, qn)
	// A block scalar (| or >) starts on the line after the key.
	if qn.Style == yaml.LiteralStyle || qn.Style == yaml.FoldedStyle {
		q.QueryLine++
	}
	if ln := field(spec, "queryLanguage"); ln != nil {
		lang, _ := scalar(ln)
		canon, err := engine.ParseLanguage(lang)
		if err != nil {
			return nil, bad(ln, "unsupported queryLanguage %q (want Cypher or GQL)", lang)
		}
		q.Language = canon
	}
	if src := field(spec, "sources"); src != nil && src.Tag != "!!null" {
		if src.Kind != yaml.MappingNode {
			return nil, bad(src, "spec.sources must be a mapping with subscriptions and joins")
		}
		if subs := field(src, "subscriptions"); subs != nil && subs.Tag != "!!null" {
			if subs.Kind != yaml.SequenceNode {
				return nil, bad(subs, "spec.sources.subscriptions must be a list")
			}
			for _, sn := range subs.Content {
				id, ok := scalar(field(sn, "id"))
				if sn.Kind != yaml.MappingNode || !ok || id == "" {
					return nil, bad(sn, "each subscription needs an id (the source name)")
				}
				sub := Subscription{ID: id}
				var err error
				if sub.Nodes, err = labels(field(sn, "nodes"), func(at *yaml.Node, msg string) error {
					return bad(at, "subscription %q: nodes: %s", id, msg)
				}); err != nil {
					return nil, err
				}
				if sub.Relations, err = labels(field(sn, "relations"), func(at *yaml.Node, msg string) error {
					return bad(at, "subscription %q: relations: %s", id, msg)
				}); err != nil {
					return nil, err
				}
				q.Subscriptions = append(q.Subscriptions, sub)
			}
		}
		if joins := field(src, "joins"); joins != nil && joins.Tag != "!!null" {
			if joins.Kind != yaml.SequenceNode {
				return nil, bad(joins, "spec.sources.joins must be a list")
			}
			for _, jn := range joins.Content {
				id, ok := scalar(field(jn, "id"))
				if jn.Kind != yaml.MappingNode || !ok || id == "" {
					return nil, bad(jn, "each join needs an id (the relation type)")
				}
				j := Join{ID: id}
				keys := field(jn, "keys")
				if keys == nil || keys.Kind != yaml.SequenceNode || len(keys.Content) < 2 {
					return nil, bad(jn, "join %q needs keys: a list of at least two {label, property}", id)
				}
				for _, kn := range keys.Content {
					l, ok1 := scalar(field(kn, "label"))
					p, ok2 := scalar(field(kn, "property"))
					if !ok1 || !ok2 || l == "" || p == "" {
						return nil, bad(kn, "join %q: each key needs label and property", id)
					}
					j.Keys = append(j.Keys, JoinKey{Label: l, Property: p})
				}
				q.Joins = append(q.Joins, j)
			}
		}
	}
	var err error
	if q.Params, err = decodeMap(file, r, field(spec, "params"), "spec.params"); err != nil {
		return nil, err
	}
	return q, nil
}

// labels reads a list of {sourceLabel: X} (Drasi) or plain strings; bad
// places a problem at the node it is about.
func labels(n *yaml.Node, bad func(at *yaml.Node, msg string) error) ([]string, error) {
	if n == nil || n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, bad(n, "must be a list of {sourceLabel: LABEL}")
	}
	var out []string
	for _, e := range n.Content {
		if s, ok := scalar(e); ok {
			out = append(out, s)
			continue
		}
		s, ok := scalar(field(e, "sourceLabel"))
		if e.Kind != yaml.MappingNode || !ok || s == "" {
			return nil, bad(e, "each entry needs sourceLabel")
		}
		out = append(out, s)
	}
	return out, nil
}

func decodeReaction(file string, r *Resource, spec *yaml.Node) (*Reaction, error) {
	re := &Reaction{Queries: map[string]any{}}
	bad := func(n *yaml.Node, format string, args ...any) error {
		return nodeError(file, r, orNode(n, spec), format, args...)
	}
	kn := field(spec, "kind")
	kind, ok := scalar(kn)
	if !ok || kind == "" {
		return nil, bad(kn, "spec.kind is required (SSE, Http or Debug)")
	}
	re.Kind = kind
	qn := field(spec, "queries")
	switch {
	case qn == nil || qn.Tag == "!!null":
		return nil, bad(qn, "spec.queries is required: a mapping of query names")
	case qn.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(qn.Content); i += 2 {
			v, err := decodeAny(qn.Content[i+1])
			if err != nil {
				return nil, decodeError(file, r, qn.Content[i+1], "spec.queries."+qn.Content[i].Value, err)
			}
			re.Queries[qn.Content[i].Value] = v
		}
	case qn.Kind == yaml.SequenceNode:
		// A plain list of names is accepted too.
		for _, e := range qn.Content {
			s, ok := scalar(e)
			if !ok {
				return nil, bad(e, "spec.queries entries must be query names")
			}
			re.Queries[s] = nil
		}
	default:
		return nil, bad(qn, "spec.queries must be a mapping of query names")
	}
	if len(re.Queries) == 0 {
		return nil, bad(qn, "spec.queries names no query")
	}
	var err error
	if re.Properties, err = decodeMap(file, r, field(spec, "properties"), "spec.properties"); err != nil {
		return nil, err
	}
	return re, nil
}

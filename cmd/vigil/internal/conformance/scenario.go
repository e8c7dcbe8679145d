// Package conformance loads and runs Vigil's continuous-query conformance
// scenarios (shared/conformance/*.yaml): a query, a timeline of source
// changes and clock moves, and the result diff the engine must emit at each
// step. The format and its rules are described in the README beside the
// scenarios.
//
// Typical use:
//
//	s, err := conformance.LoadFile("shared/conformance/01-filter-transitions.yaml")
//	out := s.Run(conformance.RunOptions{})
//	if !out.Passed { fmt.Println(out.Failure) }
package conformance

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

// Scenario is one loaded scenario file.
type Scenario struct {
	File     string        // path the scenario was loaded from
	Name     string        // the scenario's `name`
	Language string        // "cypher" (default) or "gql"
	Query    string        // query text
	Joins    []engine.Join // synthetic relations declared with the query
	Start    time.Time     // engine clock before the first step
	Steps    []Step        // the timeline, in order
}

// Step is one point of a scenario's timeline.
type Step struct {
	Line    int           // line of the step in the scenario file
	At      time.Time     // the clock to move to first; zero when HasAt is false
	HasAt   bool          // whether the step moves the clock
	Changes []Change      // applied in order, as one batch
	Expect  *ExpectedDiff // nil: the step asserts nothing about its diff
	Result  []ExpectedRow // the whole result after the step, when HasResult
	// HasResult reports whether the step checks the whole current result.
	HasResult bool
}

// Change is one source change of a step; its time is the step's clock.
type Change struct {
	Line    int            // line of the change in the scenario file
	Op      engine.Op      // insert, update or delete
	Element engine.Element // the element's full new state (only ID for a delete)
}

// ExpectedRow is an expected result row: column name -> value.
type ExpectedRow map[string]value.Value

// ExpectedUpdate is an expected updated row.
type ExpectedUpdate struct {
	Before ExpectedRow
	After  ExpectedRow
}

// ExpectedDiff is the net result diff a step must emit. Absent lists are
// empty: a step's expectation is always exact.
type ExpectedDiff struct {
	Added   []ExpectedRow
	Updated []ExpectedUpdate
	Deleted []ExpectedRow
}

// UsesTemporal reports whether the scenario's query calls drasi.* functions
// (the temporal functions trueLater, trueFor, previousValue, ...).
func (s *Scenario) UsesTemporal() bool { return strings.Contains(s.Query, "drasi.") }

// Files returns the scenario files at path: path itself when it is a file,
// otherwise every *.yaml (and *.yml) file directly in the folder, sorted.
func Files(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			continue
		}
		out = append(out, filepath.Join(path, n))
	}
	sort.Strings(out)
	return out, nil
}

// LoadFile reads and parses one scenario file. Errors name the file and,
// where known, the line.
func LoadFile(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	s.File = path
	return s, nil
}

// lineError is an error at a line of a scenario file; its text starts with
// "LINE: " so that LoadFile's "FILE:" prefix makes "FILE:LINE: reason".
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string {
	if e.line <= 0 {
		return " " + e.msg
	}
	return fmt.Sprintf("%d: %s", e.line, e.msg)
}

func errAt(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &lineError{line: line, msg: fmt.Sprintf(format, args...)}
}

// Parse parses a scenario from YAML text (File is left empty).
func Parse(data []byte) (*Scenario, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, &lineError{msg: err.Error()}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	fields, err := mapping(root, "scenario", "name", "query", "start", "steps")
	if err != nil {
		return nil, err
	}
	s := &Scenario{Language: engine.LanguageCypher}
	if s.Name, err = scalarField(root, fields, "name", true); err != nil {
		return nil, err
	}
	q := fields["query"]
	if q == nil {
		return nil, errAt(root, "missing query")
	}
	qf, err := mapping(q, "query", "language", "text", "joins")
	if err != nil {
		return nil, err
	}
	if s.Query, err = scalarField(q, qf, "text", true); err != nil {
		return nil, err
	}
	if lang, err := scalarField(q, qf, "language", false); err != nil {
		return nil, err
	} else if lang != "" {
		canon, err := engine.ParseLanguage(lang)
		if err != nil {
			return nil, errAt(qf["language"], "language must be cypher or gql, not %q", lang)
		}
		s.Language = canon
	}
	if j := qf["joins"]; j != nil {
		if s.Joins, err = parseJoins(j); err != nil {
			return nil, err
		}
	}
	start, err := scalarField(root, fields, "start", true)
	if err != nil {
		return nil, err
	}
	if s.Start, err = parseTime(fields["start"], start); err != nil {
		return nil, err
	}
	steps := fields["steps"]
	if steps == nil {
		return nil, errAt(root, "missing steps")
	}
	if steps.Kind != yaml.SequenceNode {
		return nil, errAt(steps, "steps must be a list")
	}
	clock := s.Start
	for _, sn := range steps.Content {
		st, err := parseStep(sn)
		if err != nil {
			return nil, err
		}
		if st.HasAt {
			if st.At.Before(clock) {
				return nil, errAt(sn, "at %s moves the clock backwards (from %s)",
					st.At.Format(time.RFC3339Nano), clock.Format(time.RFC3339Nano))
			}
			clock = st.At
		}
		s.Steps = append(s.Steps, st)
	}
	return s, nil
}

func parseJoins(n *yaml.Node) ([]engine.Join, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, "joins must be a list")
	}
	var out []engine.Join
	for _, jn := range n.Content {
		f, err := mapping(jn, "join", "id", "keys")
		if err != nil {
			return nil, err
		}
		var j engine.Join
		if j.ID, err = scalarField(jn, f, "id", true); err != nil {
			return nil, err
		}
		keys := f["keys"]
		if keys == nil || keys.Kind != yaml.SequenceNode {
			return nil, errAt(jn, "join keys must be a list")
		}
		for _, kn := range keys.Content {
			kf, err := mapping(kn, "join key", "label", "property")
			if err != nil {
				return nil, err
			}
			var k engine.JoinKey
			if k.Label, err = scalarField(kn, kf, "label", true); err != nil {
				return nil, err
			}
			if k.Property, err = scalarField(kn, kf, "property", true); err != nil {
				return nil, err
			}
			j.Keys = append(j.Keys, k)
		}
		out = append(out, j)
	}
	return out, nil
}

func parseStep(n *yaml.Node) (Step, error) {
	st := Step{Line: n.Line}
	f, err := mapping(n, "step", "at", "changes", "expect", "result")
	if err != nil {
		return st, err
	}
	if at := f["at"]; at != nil {
		if at.Kind != yaml.ScalarNode {
			return st, errAt(at, "at must be a timestamp")
		}
		if st.At, err = parseTime(at, at.Value); err != nil {
			return st, err
		}
		st.HasAt = true
	}
	if ch := f["changes"]; ch != nil {
		if ch.Kind != yaml.SequenceNode {
			return st, errAt(ch, "changes must be a list")
		}
		for _, cn := range ch.Content {
			c, err := parseChange(cn)
			if err != nil {
				return st, err
			}
			st.Changes = append(st.Changes, c)
		}
	}
	if ex := f["expect"]; ex != nil {
		if st.Expect, err = parseExpect(ex); err != nil {
			return st, err
		}
	}
	if r := f["result"]; r != nil {
		if st.Result, err = parseRows(r, "result"); err != nil {
			return st, err
		}
		st.HasResult = true
	}
	return st, nil
}

func parseChange(n *yaml.Node) (Change, error) {
	c := Change{Line: n.Line}
	f, err := mapping(n, "change", "insert", "update", "delete")
	if err != nil {
		return c, err
	}
	if len(f) != 1 {
		return c, errAt(n, "a change has exactly one of insert, update, delete")
	}
	var el *yaml.Node
	for k, v := range f {
		switch k {
		case "insert":
			c.Op = engine.OpInsert
		case "update":
			c.Op = engine.OpUpdate
		case "delete":
			c.Op = engine.OpDelete
		}
		el = v
	}
	ef, err := mapping(el, "element", "id", "labels", "type", "from", "to", "props")
	if err != nil {
		return c, err
	}
	e := &c.Element
	if e.ID, err = scalarField(el, ef, "id", true); err != nil {
		return c, err
	}
	if l := ef["labels"]; l != nil {
		if l.Kind != yaml.SequenceNode {
			return c, errAt(l, "labels must be a list")
		}
		for _, ln := range l.Content {
			if ln.Kind != yaml.ScalarNode {
				return c, errAt(ln, "a label must be a string")
			}
			e.Labels = append(e.Labels, ln.Value)
		}
	}
	if e.Type, err = scalarField(el, ef, "type", false); err != nil {
		return c, err
	}
	if e.From, err = scalarField(el, ef, "from", false); err != nil {
		return c, err
	}
	if e.To, err = scalarField(el, ef, "to", false); err != nil {
		return c, err
	}
	if e.Type != "" {
		if len(e.Labels) > 0 {
			return c, errAt(el, "element %s has both labels and type", e.ID)
		}
		if c.Op != engine.OpDelete && (e.From == "" || e.To == "") {
			return c, errAt(el, "relation %s needs from and to", e.ID)
		}
	} else if e.From != "" || e.To != "" {
		return c, errAt(el, "element %s has from/to but no type", e.ID)
	}
	e.Props = map[string]value.Value{}
	if p := ef["props"]; p != nil {
		pv, err := nodeValue(p, true)
		if err != nil {
			return c, err
		}
		if pv.Kind() == value.KindMap {
			e.Props = pv.AsMap()
		} else if !pv.IsNull() {
			return c, errAt(p, "props must be a map")
		}
	}
	return c, nil
}

func parseExpect(n *yaml.Node) (*ExpectedDiff, error) {
	d := &ExpectedDiff{}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return d, nil
	}
	f, err := mapping(n, "expect", "added", "updated", "deleted")
	if err != nil {
		return nil, err
	}
	if a := f["added"]; a != nil {
		if d.Added, err = parseRows(a, "added"); err != nil {
			return nil, err
		}
	}
	if a := f["deleted"]; a != nil {
		if d.Deleted, err = parseRows(a, "deleted"); err != nil {
			return nil, err
		}
	}
	if u := f["updated"]; u != nil {
		if u.Kind != yaml.SequenceNode {
			return nil, errAt(u, "updated must be a list")
		}
		for _, un := range u.Content {
			uf, err := mapping(un, "update", "before", "after")
			if err != nil {
				return nil, err
			}
			if uf["before"] == nil || uf["after"] == nil {
				return nil, errAt(un, "an update needs before and after")
			}
			b, err := parseRow(uf["before"])
			if err != nil {
				return nil, err
			}
			a, err := parseRow(uf["after"])
			if err != nil {
				return nil, err
			}
			d.Updated = append(d.Updated, ExpectedUpdate{Before: b, After: a})
		}
	}
	return d, nil
}

func parseRows(n *yaml.Node, what string) ([]ExpectedRow, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, "%s must be a list of rows", what)
	}
	out := []ExpectedRow{}
	for _, rn := range n.Content {
		r, err := parseRow(rn)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseRow(n *yaml.Node) (ExpectedRow, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errAt(n, "a row must be a map of column: value")
	}
	v, err := nodeValue(n, false)
	if err != nil {
		return nil, err
	}
	return ExpectedRow(v.AsMap()), nil
}

// mapping checks that n is a map whose keys are all in allowed and returns
// key -> value node.
func mapping(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, error) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil, errAt(n, "%s must be a map", what)
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ok := false
		for _, a := range allowed {
			if k.Value == a {
				ok = true
				break
			}
		}
		if !ok {
			return nil, errAt(k, "unknown %s key %q (want one of %s)", what, k.Value, strings.Join(allowed, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, errAt(k, "duplicate %s key %q", what, k.Value)
		}
		if v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		out[k.Value] = v
	}
	return out, nil
}

// scalarField returns the scalar text of field key of map parent.
func scalarField(parent *yaml.Node, f map[string]*yaml.Node, key string, required bool) (string, error) {
	n := f[key]
	if n == nil {
		if required {
			return "", errAt(parent, "missing %s", key)
		}
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", errAt(n, "%s must be a scalar", key)
	}
	return n.Value, nil
}

func parseTime(n *yaml.Node, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errAt(n, "invalid RFC 3339 time %q", s)
	}
	return t, nil
}

// nodeValue converts a YAML node to a Value: integers stay integers,
// decimals are floats. When props is true, RFC 3339 strings with a zone go
// through parseDateTime (element properties are stored as a source would).
func nodeValue(n *yaml.Node, props bool) (value.Value, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return nodeValue(n.Alias, props)
	case yaml.DocumentNode:
		if len(n.Content) == 1 {
			return nodeValue(n.Content[0], props)
		}
		return value.Null, nil
	case yaml.SequenceNode:
		l := make([]value.Value, len(n.Content))
		for i, c := range n.Content {
			v, err := nodeValue(c, props)
			if err != nil {
				return value.Null, err
			}
			l[i] = v
		}
		return value.List(l), nil
	case yaml.MappingNode:
		m := make(map[string]value.Value, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return value.Null, errAt(k, "map keys must be strings")
			}
			if _, dup := m[k.Value]; dup {
				return value.Null, errAt(k, "duplicate key %q", k.Value)
			}
			v, err := nodeValue(n.Content[i+1], props)
			if err != nil {
				return value.Null, err
			}
			m[k.Value] = v
		}
		return value.Map(m), nil
	}
	switch n.ShortTag() {
	case "!!null":
		return value.Null, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return value.Null, errAt(n, "invalid boolean %q", n.Value)
		}
		return value.Bool(b), nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			return value.Null, errAt(n, "invalid integer %q (out of range?)", n.Value)
		}
		return value.Int(i), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return value.Null, errAt(n, "invalid float %q", n.Value)
		}
		return value.Float(f), nil
	case "!!str", "!!timestamp":
		s := n.Value
		if props && isZonedDateTime(s) {
			if v, ok := parseDateTime(s); ok {
				return v, nil
			}
		}
		return value.Str(s), nil
	}
	return value.Null, errAt(n, "unsupported YAML value %q (tag %s)", n.Value, n.ShortTag())
}

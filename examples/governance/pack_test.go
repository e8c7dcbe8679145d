// Package governance holds the tests of the governance pack: the queries in
// queries.yaml (openCypher), queries-gql.yaml (GQL) and cascade.yaml, their
// scenarios in testdata/governance, the SRE Workbook's burn-rate cases and
// the Cypher/GQL paired run. It has no code of its own.
package governance

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/resources"
)

// packFiles are the resource files of the pack, in this folder.
var packFiles = []string{"sources.yaml", "queries.yaml", "queries-gql.yaml", "cascade.yaml"}

// loadPack returns the pack's ContinuousQuery resources by name.
func loadPack(t testing.TB) map[string]*resources.Resource {
	t.Helper()
	out := map[string]*resources.Resource{}
	for _, f := range packFiles {
		rs, errs := resources.LoadFile(f)
		for _, err := range errs {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range rs {
			if r.Query != nil {
				if out[r.Name] != nil {
					t.Fatalf("%s: query %s defined twice", r.Where(), r.Name)
				}
				out[r.Name] = r
			}
		}
	}
	return out
}

// spec returns the engine registration of the named query, as the server
// would build it from the resource.
func spec(t testing.TB, pack map[string]*resources.Resource, name string) engine.QuerySpec {
	t.Helper()
	r := pack[name]
	if r == nil {
		t.Fatalf("no query %s in the pack", name)
	}
	s, err := r.QuerySpec()
	if err != nil {
		t.Fatalf("%s: %v", r.Where(), err)
	}
	return s
}

// cypherNames are the pack's openCypher queries; each has a GQL twin named
// NAME-gql.
func cypherNames(pack map[string]*resources.Resource) []string {
	var out []string
	for n, r := range pack {
		if r.Query.Language == engine.LanguageCypher {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// TestPackCompiles: every query compiles, has a twin in the other language
// with the same columns, and reads only what it subscribes to.
func TestPackCompiles(t *testing.T) {
	pack := loadPack(t)
	e := engine.New(engine.Options{})
	cols := map[string][]string{}
	for name := range pack {
		q, err := e.AddQuery(spec(t, pack, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if un := q.Unsubscribed(); len(un) > 0 {
			t.Errorf("%s reads %v, which its subscriptions leave out", name, un)
		}
		cols[name] = q.Columns()
	}
	names := cypherNames(pack)
	if len(names) != 9 || len(pack) != 18 {
		t.Errorf("want 9 Cypher queries and 9 GQL twins, got %v of %d", names, len(pack))
	}
	for _, n := range names {
		twin := pack[n+"-gql"]
		if twin == nil || twin.Query.Language != engine.LanguageGQL {
			t.Errorf("%s has no GQL twin %s-gql", n, n)
			continue
		}
		if fmt.Sprint(cols[n]) != fmt.Sprint(cols[n+"-gql"]) {
			t.Errorf("%s columns %v, %s-gql columns %v", n, cols[n], n, cols[n+"-gql"])
		}
		if fmt.Sprint(twin.Query.Params) != fmt.Sprint(pack[n].Query.Params) {
			t.Errorf("%s params %v, %s-gql params %v", n, pack[n].Query.Params, n, twin.Query.Params)
		}
	}
}

// paramRE finds $parameters in a query text.
var paramRE = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)

// inlineParams writes each $parameter of a query as the literal of its
// value in the resource's spec.params: the conformance scenario format has
// no parameters, so a scenario carries the resource's text with its
// parameters written in.
func inlineParams(text string, params map[string]any) (string, error) {
	var err error
	out := paramRE.ReplaceAllStringFunc(text, func(m string) string {
		v, ok := params[m[1:]]
		if !ok {
			err = fmt.Errorf("parameter %s has no value in spec.params", m)
			return m
		}
		lit, e := literal(v)
		if e != nil {
			err = e
		}
		return lit
	})
	return out, err
}

// literal writes a spec.params value as a query literal (the same in
// openCypher and GQL).
func literal(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return "'" + strings.ReplaceAll(strings.ReplaceAll(x, `\`, `\\`), "'", `\'`) + "'", nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		if math.Trunc(x) == x && math.Abs(x) < 1e15 {
			return strconv.FormatFloat(x, 'f', 1, 64), nil
		}
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			s, err := literal(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			s, err := literal(x[k])
			if err != nil {
				return "", err
			}
			parts[i] = k + ": " + s
		}
		return "{" + strings.Join(parts, ", ") + "}", nil
	}
	return "", fmt.Errorf("no literal for %T %v", v, v)
}

// TestInlineParamsLiteral: parameters are written as literals both
// languages read.
func TestInlineParamsLiteral(t *testing.T) {
	got, err := inlineParams("RETURN $a, $b, $c, $d", map[string]any{
		"a": "PT5M", "b": 2.0, "c": []any{map[string]any{"threshold": 900, "ring": 1}}, "d": 0.25,
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "RETURN 'PT5M', 2.0, [{ring: 1, threshold: 900}], 0.25"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// rowKey renders a result row for multiset comparisons.
func rowKey(r engine.Row) string {
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = v.String()
	}
	return strings.Join(parts, " | ")
}

// resultSet is a query's result as a sorted list of row keys.
func resultSet(q *engine.Query) []string {
	var out []string
	for _, r := range q.Results() {
		out = append(out, rowKey(r))
	}
	sort.Strings(out)
	return out
}

// node builds a node change.
func node(op engine.Op, at time.Time, id, label string, props map[string]value.Value) engine.Change {
	return engine.Change{Op: op, Time: at, Element: engine.Element{ID: id, Labels: []string{label}, Props: props}}
}

// rel builds a relation change.
func rel(op engine.Op, at time.Time, id, typ, from, to string) engine.Change {
	return engine.Change{Op: op, Time: at, Element: engine.Element{ID: id, Type: typ, From: from, To: to, Props: map[string]value.Value{}}}
}

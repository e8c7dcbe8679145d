// Package postgres holds the tests of the governance pack's PostgreSQL
// variant: resources.yaml is generated from the pack's query files
// (the queries' texts, languages and params are the pack's; only the source
// and the synthetic joins differ), and an integration test runs it against
// a real PostgreSQL. It has no code of its own.
package postgres

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/resources"
)

var update = flag.Bool("update", false, "rewrite "+resourcesFile+" from the pack's files")

const (
	// packSource is the pack's HTTP source; pgSource replaces it.
	packSource = "agent-events"
	pgSource   = "agents-db"
	// resourcesFile is the generated file. Its name does not end in .yaml
	// on purpose: `vigil serve -f DIR` loads every *.yaml under DIR
	// recursively, so a resources.yaml here would be loaded together with
	// the pack by `vigil serve -f examples/governance` (and make demo, and
	// cmd/vigil's TestExamplesLoadCleanly) and define its queries twice.
	// `vigil serve -f FILE` reads a file whatever its name.
	resourcesFile = "resources.yaml"
	// packDir is the pack's folder.
	packDir = "../governance"
)

// packFiles are the pack's files whose documents resourcesFile carries, in
// this order. sources.yaml (the HTTP source) is replaced by the PostgreSQL
// source in header.
var packFiles = []string{"queries.yaml", "queries-gql.yaml", "cascade.yaml"}

// joins are the pack's relation types as synthetic joins over the tables:
// the PostgreSQL source emits nodes only. The first key is the relation's
// start (the engine makes a join's relations in both directions, so
// (a:Agent)-[:MADE]->(c:ToolCall) and (c:ToolCall)-[:UNDER]->(p:Policy)
// match).
var joins = map[string]resources.Join{
	"MADE":  {ID: "MADE", Keys: []resources.JoinKey{{Label: "Agent", Property: "id"}, {Label: "ToolCall", Property: "agent"}}},
	"UNDER": {ID: "UNDER", Keys: []resources.JoinKey{{Label: "ToolCall", Property: "policy"}, {Label: "Policy", Property: "id"}}},
}

// header opens resourcesFile: the PostgreSQL source that replaces the
// pack's HTTP source.
const header = `# The governance pack on PostgreSQL: the tables of schema.sql, followed by
# logical replication, instead of the HTTP source agent-events.
#
# GENERATED from the pack's queries.yaml, queries-gql.yaml and cascade.yaml
# (examples/governance) by
#   go test ./examples/governance-postgres -run TestResourcesMatchPack -update
# Do not edit the queries here: edit the pack's files and regenerate. The
# queries' texts, languages and params are the pack's; each subscription to
# agent-events subscribes to agents-db instead, without relation types (the
# source emits rows, as nodes), and a query that reads MADE or UNDER declares
# it as a synthetic join (spec.sources.joins):
#   MADE:  "Agent".id       = "ToolCall".agent
#   UNDER: "ToolCall".policy = "Policy".id
#
#   psql -h 127.0.0.1 -U postgres -d test -f examples/governance-postgres/schema.sql
#   vigil serve -f examples/governance-postgres/resources.yaml
apiVersion: v1
kind: Source
name: agents-db
spec:
  kind: PostgreSQL
  properties:
    host: 127.0.0.1
    port: 5432
    user: postgres
    database: test
    sslmode: disable
    tables: [Agent, ToolCall, Policy, Slo, Heartbeat]
    slot: vigil_governance_pack
    publication: vigil_governance_pack
`

// generate builds resourcesFile from the pack's files.
func generate(t testing.TB) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString(header)
	for _, f := range packFiles {
		data, err := os.ReadFile(filepath.Join(packDir, f))
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range splitDocs(string(data)) {
			rs, errs := resources.Parse(filepath.Join(packDir, f), []byte(doc))
			if len(errs) > 0 || len(rs) != 1 {
				t.Fatalf("%s document %d: %v (%d resources)", f, i+1, errs, len(rs))
			}
			if i == 0 {
				fmt.Fprintf(&out, "---\n# ======== from %s ========\n", f)
			} else {
				out.WriteString("---\n")
			}
			doc, err := transform(doc, rs[0])
			if err != nil {
				t.Fatalf("%s: %v", rs[0].Where(), err)
			}
			out.WriteString(doc)
		}
	}
	return out.Bytes()
}

// splitDocs splits a YAML file at its "---" lines; each document keeps its
// comments and ends with a newline.
func splitDocs(s string) []string {
	var docs []string
	for _, d := range strings.Split(s, "\n---\n") {
		if !strings.HasSuffix(d, "\n") {
			d += "\n"
		}
		docs = append(docs, d)
	}
	return docs
}

// transform rewrites one document of the pack for the PostgreSQL source:
// a subscription to the HTTP source subscribes to pgSource instead, loses
// its relation types, and the relation types the query reads that the
// PostgreSQL source cannot give become synthetic joins, appended to the
// query's joins. Everything else (comments, text, params) is kept byte for
// byte.
func transform(doc string, r *resources.Resource) (string, error) {
	if r.Query == nil {
		if r.Source != nil && r.Source.Kind == "HTTP" {
			return "", fmt.Errorf("the HTTP source %s belongs in header", r.Name)
		}
		return doc, nil
	}
	add, err := neededJoins(r)
	if err != nil {
		return "", err
	}
	lines := strings.SplitAfter(doc, "\n")
	var out []string
	inSources, inPackSub, inRelations, replaced := false, false, false, false
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	for _, l := range lines {
		body := strings.TrimSpace(l)
		blank := body == "" || strings.HasPrefix(body, "#")
		if inSources && !blank && indent(l) <= 2 {
			// The end of spec.sources: the joins go last in it.
			if len(add) > 0 && !slices.ContainsFunc(out, func(s string) bool { return s == "    joins:\n" }) {
				out = append(out, "    joins:\n")
			}
			for _, j := range add {
				out = append(out, fmt.Sprintf("      - id: %s\n        keys:\n", j.ID))
				for _, k := range j.Keys {
					out = append(out, fmt.Sprintf("          - {label: %s, property: %s}\n", k.Label, k.Property))
				}
			}
			inSources, inPackSub, inRelations = false, false, false
		}
		switch {
		case l == "  sources:\n":
			inSources = true
		case inSources && body == "- id: "+packSource:
			l = strings.Replace(l, packSource, pgSource, 1)
			inPackSub, replaced = true, true
		case inSources && !blank && indent(l) <= 6:
			inPackSub, inRelations = false, false
		case inPackSub && l == "        relations:\n":
			inRelations = true
			continue
		case inRelations && !blank && indent(l) > 8:
			continue
		case inRelations && !blank:
			inRelations = false
		}
		out = append(out, l)
	}
	if inSources {
		return "", fmt.Errorf("spec.sources is the document's last key: cannot place the joins")
	}
	if !replaced && len(add) > 0 {
		return "", fmt.Errorf("reads relation types of %s but does not subscribe to it in the expected layout", packSource)
	}
	if strings.Contains(strings.Join(out, ""), "sourceLabel: MADE") || strings.Contains(strings.Join(out, ""), "sourceLabel: UNDER") {
		return "", fmt.Errorf("a relation subscription was left in place")
	}
	return strings.Join(out, ""), nil
}

// neededJoins are the joins the variant of r adds: one per relation type r
// reads that r does not already declare as a join, when r subscribes to the
// pack's HTTP source (whose relations the tables cannot give).
func neededJoins(r *resources.Resource) ([]resources.Join, error) {
	if !slices.ContainsFunc(r.Query.Subscriptions, func(s resources.Subscription) bool { return s.ID == packSource }) {
		return nil, nil
	}
	spec, err := r.QuerySpec()
	if err != nil {
		return nil, err
	}
	q, err := engine.New(engine.Options{}).AddQuery(spec)
	if err != nil {
		return nil, err
	}
	_, rels := q.Reads()
	var out []resources.Join
	for _, t := range rels {
		if slices.ContainsFunc(r.Query.Joins, func(j resources.Join) bool { return j.ID == t }) {
			continue
		}
		j, ok := joins[t]
		if !ok {
			return nil, fmt.Errorf("reads relation type %s, which has no join over the tables (add one to joins)", t)
		}
		out = append(out, j)
	}
	return out, nil
}

// TestResourcesMatchPack: resourcesFile is what generate makes of the
// pack's files now, and, checked independently of generate, every pack
// query is in it with the same text, language and params, subscribed to
// the PostgreSQL source with the joins, and nothing else differs.
func TestResourcesMatchPack(t *testing.T) {
	want := generate(t)
	if *update {
		if err := os.WriteFile(resourcesFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(resourcesFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the pack's files generate: run go test ./examples/governance-postgres -run TestResourcesMatchPack -update", resourcesFile)
	}

	pack := map[string]*resources.Resource{}
	var packOrder []string
	for _, f := range append([]string{"sources.yaml"}, packFiles...) {
		rs, errs := resources.LoadFile(filepath.Join(packDir, f))
		for _, err := range errs {
			t.Fatal(err)
		}
		for _, r := range rs {
			if pack[r.Key()] != nil {
				t.Fatalf("%s: %s defined twice in the pack", r.Where(), r.Key())
			}
			pack[r.Key()] = r
			packOrder = append(packOrder, r.Key())
		}
	}
	rs, errs := resources.LoadFile(resourcesFile)
	for _, err := range errs {
		t.Fatal(err)
	}
	variant := map[string]*resources.Resource{}
	for _, r := range rs {
		if variant[r.Key()] != nil {
			t.Fatalf("%s: %s defined twice", r.Where(), r.Key())
		}
		variant[r.Key()] = r
	}

	// The sources: agents-db instead of agent-events, the rest as is.
	src := variant[resources.KindSource+"/"+pgSource]
	if src == nil || src.Source.Kind != "PostgreSQL" {
		t.Fatalf("no PostgreSQL source %s in %s", pgSource, resourcesFile)
	}
	if got := fmt.Sprint(src.Source.Properties["tables"]); got != "[Agent ToolCall Policy Slo Heartbeat]" {
		t.Errorf("source tables %s", got)
	}
	if variant[resources.KindSource+"/"+packSource] != nil {
		t.Errorf("%s still defines the HTTP source %s", resourcesFile, packSource)
	}

	queries := 0
	for _, key := range packOrder {
		p := pack[key]
		if key == resources.KindSource+"/"+packSource {
			continue
		}
		v := variant[key]
		if v == nil {
			t.Errorf("%s: %s is missing from %s", p.Where(), key, resourcesFile)
			continue
		}
		delete(variant, key)
		switch {
		case p.Source != nil:
			if !reflect.DeepEqual(v.Source, p.Source) {
				t.Errorf("%s: source %s is %+v, the pack's %+v", v.Where(), p.Name, v.Source, p.Source)
			}
		case p.Reaction != nil:
			if !reflect.DeepEqual(v.Reaction, p.Reaction) {
				t.Errorf("%s: reaction %s is %+v, the pack's %+v", v.Where(), p.Name, v.Reaction, p.Reaction)
			}
		case p.Query != nil:
			queries++
			checkQuery(t, p, v)
		}
	}
	delete(variant, resources.KindSource+"/"+pgSource)
	for key, r := range variant {
		t.Errorf("%s: %s is not in the pack", r.Where(), key)
	}
	if queries != 18 {
		t.Errorf("%d queries compared, want the pack's 18", queries)
	}
}

// checkQuery compares the variant v of the pack's query p.
func checkQuery(t *testing.T, p, v *resources.Resource) {
	t.Helper()
	pq, vq := p.Query, v.Query
	if vq.Text != pq.Text {
		t.Errorf("%s: %s: query text differs from the pack's (%s)", v.Where(), p.Name, p.Where())
	}
	if vq.Language != pq.Language {
		t.Errorf("%s: %s: language %q, the pack's %q", v.Where(), p.Name, vq.Language, pq.Language)
	}
	if !reflect.DeepEqual(vq.Params, pq.Params) {
		t.Errorf("%s: %s: params %v, the pack's %v", v.Where(), p.Name, vq.Params, pq.Params)
	}
	// Subscriptions: the same nodes, agent-events -> agents-db without
	// relation types.
	var want []resources.Subscription
	for _, s := range pq.Subscriptions {
		if s.ID == packSource {
			s = resources.Subscription{ID: pgSource, Nodes: s.Nodes}
		}
		want = append(want, s)
	}
	if !reflect.DeepEqual(vq.Subscriptions, want) {
		t.Errorf("%s: %s: subscriptions %+v, want %+v", v.Where(), p.Name, vq.Subscriptions, want)
	}
	// Joins: the pack's, then one per relation type the query reads that
	// the pack had from the HTTP source.
	wantJoins := slices.Clone(pq.Joins)
	for _, s := range pq.Subscriptions {
		if s.ID != packSource {
			continue
		}
		spec, err := p.QuerySpec()
		if err != nil {
			t.Fatal(err)
		}
		q, err := engine.New(engine.Options{}).AddQuery(spec)
		if err != nil {
			t.Fatalf("%s: %v", p.Where(), err)
		}
		_, rels := q.Reads()
		for _, r := range rels {
			if !slices.ContainsFunc(pq.Joins, func(j resources.Join) bool { return j.ID == r }) {
				wantJoins = append(wantJoins, joins[r])
			}
		}
	}
	if !reflect.DeepEqual(vq.Joins, wantJoins) {
		t.Errorf("%s: %s: joins %+v, want %+v", v.Where(), p.Name, vq.Joins, wantJoins)
	}
	// The variant compiles, reads only what it subscribes to, and has the
	// pack query's columns.
	cols := func(r *resources.Resource) []string {
		spec, err := r.QuerySpec()
		if err != nil {
			t.Fatalf("%s: %v", r.Where(), err)
		}
		q, err := engine.New(engine.Options{}).AddQuery(spec)
		if err != nil {
			t.Fatalf("%s: %v", r.Where(), err)
		}
		if un := q.Unsubscribed(); len(un) > 0 {
			t.Errorf("%s: %s reads %v, which its subscriptions leave out", r.Where(), r.Name, un)
		}
		return q.Columns()
	}
	if vc, pc := cols(v), cols(p); !slices.Equal(vc, pc) {
		t.Errorf("%s: %s: columns %v, the pack's %v", v.Where(), p.Name, vc, pc)
	}
}

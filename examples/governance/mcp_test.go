package governance

import (
	"slices"
	"testing"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/reactions/rowtemplate"
	"github.com/vigilhq/vigil/resources"
)

// The pack's MCP reaction serves queries of the pack, and each summary
// template names only columns its query returns (a misspelt column would
// turn every notification line into an error).
func TestMCPReactionMatchesPack(t *testing.T) {
	pack := loadPack(t)
	rs, errs := resources.LoadFile("mcp.yaml")
	for _, err := range errs {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Reaction == nil || rs[0].Reaction.Kind != "MCP" {
		t.Fatalf("mcp.yaml: want one MCP reaction, got %v", rs)
	}
	e := engine.New(engine.Options{})
	for _, name := range rs[0].Reaction.QueryNames() {
		q, err := e.AddQuery(spec(t, pack, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		conf, _ := rs[0].Reaction.Queries[name].(map[string]any)
		tpl, _ := conf["summary"].(string)
		if tpl == "" {
			t.Errorf("%s: no summary template", name)
			continue
		}
		for _, col := range rowtemplate.Parse(tpl).Columns() {
			if !slices.Contains(q.Columns(), col) {
				t.Errorf("%s: the summary names %q; the query returns %v", name, col, q.Columns())
			}
		}
	}
}

package rowtemplate

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	row := map[string]json.RawMessage{"agent": json.RawMessage(`"a\"7"`), "n": json.RawMessage(`3`), "ok": json.RawMessage(`true`)}
	for _, tc := range []struct{ tpl, json, text, err string }{
		{`{"freeze": true, "agent": {agent}}`, `{"freeze": true, "agent": "a\"7"}`, `{"freeze": true, "agent": a"7}`, ""},
		{`{agent} had {n}`, `"a\"7" had 3`, `a"7 had 3`, ""},
		{`{{literal} { agent }`, `{literal} "a\"7"`, `{literal} a"7`, ""},
		{`{"nested": {"x": {n}}}`, `{"nested": {"x": 3}}`, `{"nested": {"x": 3}}`, ""},
		{`ok={ok}`, `ok=true`, `ok=true`, ""},
		{`{missing}`, "", "", `names column "missing"`},
		{`no placeholders`, `no placeholders`, `no placeholders`, ""},
		{`unclosed {agent`, `unclosed {agent`, `unclosed {agent`, ""},
	} {
		tpl := Parse(tc.tpl)
		got, err := tpl.JSON(row)
		text, terr := tpl.Text(row)
		switch {
		case tc.err != "" && (err == nil || terr == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: err %v / %v, want %q", tc.tpl, err, terr, tc.err)
		case tc.err == "" && (err != nil || string(got) != tc.json):
			t.Errorf("%s: JSON %s (%v), want %s", tc.tpl, got, err, tc.json)
		case tc.err == "" && (terr != nil || text != tc.text):
			t.Errorf("%s: Text %s (%v), want %s", tc.tpl, text, terr, tc.text)
		}
	}
	if got := Parse(`{a} and {b}`).Columns(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Columns = %v", got)
	}
}

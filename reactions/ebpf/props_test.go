package ebpf

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

func TestProperties(t *testing.T) {
	for _, tc := range []struct {
		props map[string]any
		want  string
	}{
		{map[string]any{}, "property cgroup"},
		{map[string]any{"cgroup": "/a/{x}", "cgroupColumn": "c"}, "exclude each other"},
		{map[string]any{"cgroup": "/a/{x"}, "unclosed"},
		{map[string]any{"cgroup": "/a/{x}", "name": "a/b"}, "property name"},
		{map[string]any{"cgroup": "/a/{x}", "allow": []any{"http"}}, "property allow"},
		{map[string]any{"cgroup": "/a/{x}", "allow": []any{0}}, "port 0"},
	} {
		if _, err := New(NewHub(), "e", []string{"q"}, tc.props); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.props, err, tc.want)
		}
	}
	r, err := New(NewHub(), "e", []string{"q"}, map[string]any{"cgroup": "agents/{agent}", "allow": []any{8080, "127.0.0.1:53", "[::1]:9000"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []allowEntry{{port: 8080}, {53, netip.MustParseAddr("127.0.0.1")}, {9000, netip.MustParseAddr("::1")}}
	if len(r.allow) != 3 || r.allow[0] != want[0] || r.allow[1] != want[1] || r.allow[2] != want[2] || r.pin != "e" {
		t.Fatalf("allow %+v pin %q", r.allow, r.pin)
	}
}

func TestLocate(t *testing.T) {
	r, err := New(NewHub(), "e", []string{"q"}, map[string]any{"cgroup": "agents/{agent}"})
	if err != nil {
		t.Fatal(err)
	}
	r.cgroupRoot = "/sys/fs/cgroup"
	row := func(s string) map[string]json.RawMessage {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, tc := range []struct {
		row  string
		cols []string
		key  string
		path string
		err  string
	}{
		{`{"agent":"a1"}`, nil, "a1", "/sys/fs/cgroup/agents/a1", ""},
		{`{"agent":"a1","n":3}`, []string{"agent", "n"}, "a1", "/sys/fs/cgroup/agents/a1", ""},
		{`{"agent":"a1","n":3}`, nil, "", "", "set property key"},
		{`{"agent":"../x"}`, nil, "", "", "not a cgroup name"},
		{`{"agent":".."}`, nil, "", "", "not a cgroup name"},
		{`{"who":"a1"}`, nil, "", "", "lacks"},
	} {
		key, path, err := r.locate(row(tc.row), tc.cols)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want %q", tc.row, err, tc.err)
			}
			continue
		}
		if err != nil || key != tc.key || path != tc.path {
			t.Errorf("%s: %q %q %v", tc.row, key, path, err)
		}
	}
	r2, _ := New(NewHub(), "e", []string{"q"}, map[string]any{"key": "agent", "cgroupColumn": "cg"})
	r2.cgroupRoot = "/sys/fs/cgroup"
	if _, _, err := r2.locate(row(`{"agent":"a","cg":"/etc"}`), nil); err == nil || !strings.Contains(err.Error(), "not below") {
		t.Fatalf("cgroupColumn outside the root: %v", err)
	}
	if _, p, err := r2.locate(row(`{"agent":"a","cg":"/sys/fs/cgroup/x/y"}`), nil); err != nil || p != "/sys/fs/cgroup/x/y" {
		t.Fatalf("cgroupColumn: %q %v", p, err)
	}
}

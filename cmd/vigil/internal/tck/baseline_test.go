package tck

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseBaseline(t *testing.T) {
	b, err := ParseBaseline("b.txt", strings.NewReader(`# header: no key's reason

# first reason,
#   on two lines
F1 - one / [1] a
F1 - one / [2] b #Example: x

  # second reason
  F2 - two / [3] c
`))
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"F1 - one / [1] a", "F1 - one / [2] b #Example: x", "F2 - two / [3] c"}
	if !reflect.DeepEqual(b.Keys, wantKeys) {
		t.Errorf("keys %q, want %q", b.Keys, wantKeys)
	}
	for k, want := range map[string]string{
		wantKeys[0]: "first reason, on two lines",
		wantKeys[1]: "first reason, on two lines",
		wantKeys[2]: "second reason",
	} {
		if got := b.Reason[k]; got != want {
			t.Errorf("reason of %q: %q, want %q", k, got, want)
		}
	}
}

func TestParseBaselineErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"F / [1] a\n", `b.txt:1: "F / [1] a" has no reason`},
		{"# header\n\nF / [1] a\n", `b.txt:3: "F / [1] a" has no reason`},
		{"# why\nF / [1] a\n# why\nF / [1] a\n", `b.txt:4: "F / [1] a" is listed twice`},
	} {
		_, err := ParseBaseline("b.txt", strings.NewReader(tc.text))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %s...", tc.text, err, tc.want)
		}
	}
}

func TestBaselineCompare(t *testing.T) {
	b, err := ParseBaseline("b.txt", strings.NewReader("# why\nF / known\nF / fixed\nF / skipped\nF / gone\n"))
	if err != nil {
		t.Fatal(err)
	}
	results := []Result{
		{Feature: "F", Scenario: "ok", Outcome: Passed},
		{Feature: "F", Scenario: "known", Outcome: Failed, Reason: "r"},
		{Feature: "F", Scenario: "new", Path: "f.feature", Line: 7, Outcome: Failed, Reason: "boom\nstack"},
		{Feature: "F", Scenario: "fixed", Outcome: Passed},
		{Feature: "F", Scenario: "skipped", Outcome: Skipped},
	}

	c := b.Compare(results, false)
	if len(c.New) != 1 || len(c.Known) != 1 || len(c.Fixed) != 2 || len(c.Missing) != 0 || c.OK() {
		t.Fatalf("partial run: %+v", c)
	}
	c = b.Compare(results, true)
	if !reflect.DeepEqual(c.Missing, []string{"F / gone"}) {
		t.Errorf("missing %q", c.Missing)
	}
	var out strings.Builder
	if err := c.Report(&out, "b.txt"); err != nil {
		t.Fatal(err)
	}
	want := `FAIL (not in b.txt) F / new (f.feature:7)
    boom
PASSED (listed in b.txt) F / fixed: remove it from b.txt
SKIPPED (listed in b.txt) F / skipped: remove it from b.txt
NOT FOUND (listed in b.txt) F / gone: no scenario has this name any more; remove it from b.txt
baseline b.txt: 1 failing scenario not in b.txt; 3 listed scenarios no longer failing: remove them from b.txt
`
	if out.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", out.String(), want)
	}

	// Only the listed failures: OK.
	c = b.Compare([]Result{results[0], results[1]}, false)
	out.Reset()
	c.Report(&out, "b.txt")
	if !c.OK() || out.String() != "baseline b.txt: OK: no new failure, 1 known failure\n" {
		t.Errorf("OK run: %+v\n%s", c, out.String())
	}
}

// TestBaselineFile checks that the checked-in baseline parses; the run
// against it is TestFeaturesEndToEnd's and `vigil tck -baseline`'s.
func TestBaselineFile(t *testing.T) {
	b, err := ReadBaseline(baselinePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range b.Keys {
		if !strings.Contains(k, " / ") {
			t.Errorf("%s: %q is not a \"feature / scenario\" key", baselinePath, k)
		}
	}
}

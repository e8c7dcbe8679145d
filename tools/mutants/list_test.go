package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMutantListApplies keeps the mutant list in step with the code: it
// parses, and every mutant's original text occurs exactly once in its file.
// A refactor that moves such code fails here, in go test ./..., instead of
// silently disabling the mutant; update tools/mutants/mutants.txt (and
// run the mutant: go run ./tools/mutants -run NAME).
func TestMutantListApplies(t *testing.T) {
	ms, err := ReadList("mutants.txt")
	if err != nil {
		t.Fatal(err)
	}
	areas := map[string]int{}
	for _, m := range ms {
		areas[m.Area]++
		src, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(m.File)))
		if err != nil {
			t.Errorf("mutant %s: %v", m.Name, err)
			continue
		}
		if _, err := m.Apply(string(src)); err != nil {
			t.Errorf("mutant %s (mutants.txt line %d) is %v", m.Name, m.Line, err)
		}
	}
	for _, a := range []string{"index", "joins", "stages", "aggregates", "temporal", "isolation"} {
		if areas[a] == 0 {
			t.Errorf("no mutant in the area %q", a)
		}
	}
	if len(ms) < 10 {
		t.Errorf("%d mutants; the issue asks for at least ten", len(ms))
	}
}

func TestParseList(t *testing.T) {
	const list = "# head\n" +
		"=== one\nfile: a/b.go\npkg: ./a/\nrun: ^TestX$\nlimit: 5s\narea: index\nbug: it breaks\n" +
		"--- original\n\tx := 1\n\ty := 2\n\n--- mutant\n\tx := 2\n" +
		"=== two\nfile: a/c.go\npkg: ./a/ ./b/\nrun: TestY\n--- original\nfoo()\n--- mutant\n"
	ms, err := parseList(strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 {
		t.Fatalf("%d mutants", len(ms))
	}
	one, two := ms[0], ms[1]
	if one.Original != "\tx := 1\n\ty := 2" || one.Mutated != "\tx := 2" || one.Limit.Seconds() != 5 || one.Line != 2 {
		t.Errorf("one: %+v", one)
	}
	if two.Mutated != "" || two.Limit != defaultLimit || len(two.Pkgs) != 2 {
		t.Errorf("two: %+v", two)
	}
	if got := two.Command(); got != "go test -count=1 -run TestY ./a/ ./b/" {
		t.Errorf("command: %s", got)
	}
	if out, err := one.Apply("a\n\tx := 1\n\ty := 2\nb"); err != nil || out != "a\n\tx := 2\nb" {
		t.Errorf("apply: %q, %v", out, err)
	}
	for _, src := range []string{"nothing", "\tx := 1\n\ty := 2\n\tx := 1\n\ty := 2"} {
		if _, err := one.Apply(src); err == nil || !strings.HasPrefix(err.Error(), "stale") {
			t.Errorf("apply to %q: %v, want stale", src, err)
		}
	}
	for _, bad := range []string{
		"=== Bad_Name\n",
		"file: x\n",
		"=== a\nfile: a.go\npkg: ./a/\nrun: X\n--- original\nx\n",                // no mutant section
		"=== a\nfile: a.go\npkg: ./a/\nrun: X\n--- original\nx\n--- mutant\nx\n", // mutant is the original
		"=== a\nfile: a.go\npkg: a\nrun: X\n--- original\nx\n--- mutant\n",       // package not ./
		"=== a\nfile: a.go\npkg: ./a/\n--- original\nx\n--- mutant\n",            // no run
		"=== a\nfile: a.go\npkg: ./a/\nrun: X\nlimit: soon\n--- original\nx\n--- mutant\n",
		"=== a\nfile: a.go\npkg: ./a/\nrun: X\ncolour: red\n--- original\nx\n--- mutant\n",
		"=== a\nfile: a.go\npkg: ./a/\nrun: X\n--- original\nx\n--- mutant\n=== a\nfile: a.go\npkg: ./a/\nrun: X\n--- original\nx\n--- mutant\n",
	} {
		if _, err := parseList(strings.NewReader(bad)); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
}

func TestClassify(t *testing.T) {
	exit1 := exitError(t)
	cases := []struct {
		r    cmdResult
		want Status
	}{
		{cmdResult{out: "ok  \tx/engine\t3.1s\n"}, Survived},
		{cmdResult{out: "ok  \tx/engine\t0.01s [no tests to run]\n"}, NoTests},
		{cmdResult{out: "--- FAIL: TestA (0.1s)\n    a_test.go:1: boom\nFAIL\nFAIL\tx/engine\t0.2s\n", err: exit1}, Caught},
		{cmdResult{out: "# x/engine\nengine/a.go:1:1: undefined: y\nFAIL\tx/engine [build failed]\n", err: exit1}, NoCompile},
		{cmdResult{out: "panic: test timed out after 1m0s\n", err: exit1}, Timeout},
		{cmdResult{out: "...", timedOut: true, err: exit1}, Timeout},
		{cmdResult{out: "panic: runtime error: index out of range\nFAIL\tx/engine\t0.2s\n", err: exit1}, Caught},
	}
	for _, c := range cases {
		if got, _ := classify(c.r); got != c.want {
			t.Errorf("%q: %s, want %s", c.r.out, got, c.want)
		}
	}
}

// exitError is a real *exec.ExitError: the test binary run with a flag it
// does not know.
func exitError(t *testing.T) error {
	err := exec.Command(os.Args[0], "-test.no-such-flag").Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("want an exit error, got %v", err)
	}
	return err
}

package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// unsupported says why a scenario cannot pass yet ("" if it should). It is
// the one place to edit as the missing features land.
func unsupported(s *Scenario) string {
	return ""
}

// scenarioDir finds shared/conformance by walking up from this package's
// folder (it lies at ../../../shared/conformance in the usual layout).
func scenarioDir(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Skip("cannot locate the test source")
	}
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "conformance")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		if dir == filepath.Dir(dir) {
			t.Skip("shared/conformance not found above " + filepath.Dir(file))
		}
	}
}

// TestScenarios runs every conformance scenario through the engine.
func TestScenarios(t *testing.T) {
	dir := scenarioDir(t)
	files, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no scenarios in " + dir)
	}
	for _, f := range files {
		s, err := LoadFile(f)
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		t.Run(name, func(t *testing.T) {
			if err != nil {
				t.Fatal(err)
			}
			if why := unsupported(s); why != "" {
				t.Skip(why)
			}
			out := s.Run(RunOptions{})
			if out.Panic != nil && strings.Contains(fmt.Sprint(out.Panic), "not implemented") {
				t.Skipf("engine not implemented yet (%s)", out.Failure)
			}
			if !out.Passed {
				t.Errorf("%s (%s): %s", s.Name, f, out.Failure)
			}
		})
	}
}

package conformance

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/sharedtest"
)

// TestScenarios runs every conformance scenario through the engine. Every
// one must pass: there is no list of known failures, and a panic (even "not
// implemented") is a failure.
func TestScenarios(t *testing.T) {
	runScenarios(t, sharedtest.Dir(t, "conformance"))
}

// TestProjectScenarios runs the project's own scenarios
// (testdata/conformance: temporal functions at every stage of a query, ...).
func TestProjectScenarios(t *testing.T) {
	runScenarios(t, "../../../../testdata/conformance")
}

func runScenarios(t *testing.T, dir string) {
	files, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenarios in " + dir)
	}
	for _, f := range files {
		s, err := LoadFile(f)
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		t.Run(name, func(t *testing.T) {
			if err != nil {
				t.Fatal(err)
			}
			// A scenario runs in milliseconds; one whose clock moves keep
			// firing (a window that never expires) fails within the minute.
			var out Outcome
			sharedtest.Within(t, time.Minute, "scenario "+s.Name, func() { out = s.Run(RunOptions{}) })
			if !out.Passed {
				t.Errorf("%s (%s): %s", s.Name, f, out.Failure)
			}
		})
	}
}

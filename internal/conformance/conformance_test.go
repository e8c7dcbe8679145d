package conformance

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// scenarioDir finds shared/conformance, the project's shared continuous-query
// scenarios, by walking up from this package's folder (it lies at
// ../../../shared/conformance in the usual layout, beside the checkout).
// When it is missing the test is skipped, saying so, except under CI
// (CI=true), where ../shared is always laid out and its absence fails.
func scenarioDir(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "conformance")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		if dir == filepath.Dir(dir) {
			break
		}
	}
	msg := "the shared conformance scenarios are missing: ../shared/conformance not found above " + filepath.Dir(file) +
		" (lay the project's shared material beside the checkout as ../shared)"
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatal("CI: " + msg)
	}
	t.Skip(msg)
	return ""
}

// TestScenarios runs every conformance scenario through the engine. Every
// one must pass: there is no list of known failures, and a panic (even "not
// implemented") is a failure.
func TestScenarios(t *testing.T) {
	dir := scenarioDir(t)
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
			out := s.Run(RunOptions{})
			if !out.Passed {
				t.Errorf("%s (%s): %s", s.Name, f, out.Failure)
			}
		})
	}
}

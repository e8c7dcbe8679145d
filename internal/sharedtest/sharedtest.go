// Package sharedtest locates the project's shared material (../shared beside
// the checkout: the openCypher TCK and the conformance scenarios) for tests.
// A clone without it skips those tests, saying which folder is missing; CI
// (CI=true), where ../shared is always laid out, fails instead, so that a
// missing suite never passes as green.
package sharedtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
)

// TB is the part of testing.TB that Dir uses.
type TB interface {
	Helper()
	Fatal(args ...any)
	Skip(args ...any)
}

// Dir returns the folder shared/rel (e.g. "tck/features"), looked up in
// $VIGIL_SHARED or beside the checkout, or skips tb (fails it under CI).
func Dir(tb TB, rel string) string {
	tb.Helper()
	var tried []string
	if d := os.Getenv("VIGIL_SHARED"); d != "" {
		cand := filepath.Join(d, rel)
		if isDir(cand) {
			return cand
		}
		tried = append(tried, cand)
	}
	// This file is internal/sharedtest/sharedtest.go in the checkout; its
	// shared material is ../shared beside the checkout.
	if _, file, _, ok := runtime.Caller(0); ok {
		cand := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", rel)
		if isDir(cand) {
			return cand
		}
		tried = append(tried, filepath.Clean(cand))
	}
	msg := fmt.Sprintf("shared material missing: %v not found (lay the project's shared folder beside the checkout as ../shared, or set VIGIL_SHARED=DIR)", tried)
	if InCI() {
		tb.Fatal("CI: " + msg)
	}
	tb.Skip(msg)
	return ""
}

// InCI reports whether the tests run under CI (CI=true), where every suite
// must run: a skip for a missing service or folder is a failure there.
func InCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// Package sharedtest holds what the project's tests share about their
// environment: the shared material (../shared beside the checkout: the
// openCypher TCK and the conformance scenarios), the services and tools
// some tests need (PostgreSQL, MariaDB, Node and Chromium, Java), and the
// seeds of randomized tests.
//
// A developer's machine without a service, tool or folder skips the tests
// that need it, saying what is missing and how to get it. CI (CI=true),
// where all of them are set up, fails instead, so that a green CI run means
// every suite ran: a skip there would pass as green while testing nothing.
package sharedtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"
)

// TB is the part of testing.TB that Dir and Require use.
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
	Require(tb, "shared material", fmt.Errorf("%v not found", tried),
		"lay the project's shared folder beside the checkout as ../shared, or set VIGIL_SHARED=DIR")
	return ""
}

// Require does nothing when err is nil. Otherwise what (a service, tool or
// folder the test needs) is missing, as err says, and how tells how to get
// it: tb is skipped, or failed under CI, where everything a test needs must
// be there.
func Require(tb TB, what string, err error, how string) {
	if err == nil {
		return
	}
	tb.Helper()
	msg := fmt.Sprintf("%s unavailable: %v (%s)", what, err, how)
	if InCI() {
		tb.Fatal(msg + "; CI=" + os.Getenv("CI") + ": a test that needs it fails instead of skipping")
		return
	}
	tb.Skip(msg)
}

// InCI reports whether the tests run under CI (CI=true), where every suite
// must run: a skip for a missing service or folder is a failure there.
func InCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// SeedTB is the part of testing.TB that Seed uses.
type SeedTB interface {
	Helper()
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Seed returns the seed of a randomized test: $VIGIL_SEED when set, so that
// a failure can be replayed, else a fresh one. It logs the seed (go test
// prints the log of a failed test) with the way to replay it.
func Seed(tb SeedTB) int64 {
	tb.Helper()
	seed := time.Now().UnixNano()
	if s := os.Getenv("VIGIL_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			// A typo must not run a fresh seed while the developer thinks
			// the failure is being replayed.
			tb.Fatalf("VIGIL_SEED=%q is not a seed: %v", s, err)
			return 0
		}
		seed = n
	}
	tb.Logf("seed %d (VIGIL_SEED=%d replays)", seed, seed)
	return seed
}

// WithinTB is the part of testing.TB that Within uses.
type WithinTB interface {
	Helper()
	Fatalf(format string, args ...any)
	FailNow()
}

// Within runs f on a goroutine of its own and waits at most d for it to
// return. A step that never returns (an engine firing a future again and
// again, a window that never expires) then fails tb within d, naming what,
// where the test would otherwise wait for go test's timeout, minutes later,
// with no word on what it was doing. On that failure f is left running
// until the test binary exits.
//
// f may report failures with tb.Error. A tb.Fatal in f ends only f's
// goroutine; Within then ends the test with FailNow.
func Within(tb WithinTB, d time.Duration, what string, f func()) {
	tb.Helper()
	done := make(chan bool, 1)
	go func() {
		returned := false
		// Deferred, so that it reports a Goexit (tb.Fatal in f) too.
		defer func() { done <- returned }()
		f()
		returned = true
	}()
	select {
	case returned := <-done:
		if !returned {
			tb.FailNow()
		}
	case <-time.After(d):
		tb.Fatalf("%s did not finish within %v (stuck in a loop?)", what, d)
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

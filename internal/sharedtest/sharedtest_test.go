package sharedtest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// recorder is a TB that remembers how Dir ended.
type recorder struct {
	fatal, skip string
}

func (r *recorder) Helper()           {}
func (r *recorder) Fatal(args ...any) { r.fatal = args[0].(string) }
func (r *recorder) Skip(args ...any)  { r.skip = args[0].(string) }

func TestMissingFolderSkipsOrFailsUnderCI(t *testing.T) {
	for _, c := range []struct {
		ci       string
		wantFail bool
	}{{"", false}, {"false", false}, {"true", true}, {"1", true}} {
		t.Setenv("CI", c.ci)
		t.Setenv("VIGIL_SHARED", t.TempDir())
		var r recorder
		Dir(&r, "no/such/folder")
		if c.wantFail && (r.fatal == "" || !strings.Contains(r.fatal, "no/such/folder")) {
			t.Errorf("CI=%q: fatal %q, want a failure naming the folder", c.ci, r.fatal)
		}
		if !c.wantFail && (r.skip == "" || r.fatal != "") {
			t.Errorf("CI=%q: skip %q fatal %q, want a skip", c.ci, r.skip, r.fatal)
		}
	}
}

func TestFolderFromVIGIL_SHARED(t *testing.T) {
	d := t.TempDir()
	t.Setenv("VIGIL_SHARED", d+"/..")
	var r recorder
	rel := d[strings.LastIndex(d, "/")+1:]
	if got := Dir(&r, rel); got == "" || r.skip != "" || r.fatal != "" {
		t.Fatalf("Dir = %q (skip %q, fatal %q)", got, r.skip, r.fatal)
	}
}

func TestRequireSkipsOrFailsUnderCI(t *testing.T) {
	for _, c := range []struct {
		ci       string
		wantFail bool
	}{{"", false}, {"false", false}, {"true", true}, {"1", true}} {
		t.Setenv("CI", c.ci)
		var r recorder
		Require(&r, "PostgreSQL", nil, "run make services")
		if r.skip != "" || r.fatal != "" {
			t.Errorf("CI=%q: nil error: skip %q fatal %q, want nothing", c.ci, r.skip, r.fatal)
		}
		Require(&r, "PostgreSQL", errors.New("connection refused"), "run make services")
		msg := r.skip
		if c.wantFail {
			msg = r.fatal
		}
		if msg == "" || (c.wantFail && r.skip != "") || (!c.wantFail && r.fatal != "") {
			t.Errorf("CI=%q: skip %q fatal %q, want a %s", c.ci, r.skip, r.fatal, map[bool]string{true: "failure", false: "skip"}[c.wantFail])
		}
		for _, want := range []string{"PostgreSQL", "connection refused", "run make services"} {
			if !strings.Contains(msg, want) {
				t.Errorf("CI=%q: %q does not say %q", c.ci, msg, want)
			}
		}
	}
}

// seedRecorder is a SeedTB that remembers what Seed logged and whether it
// failed.
type seedRecorder struct{ log, fatal string }

func (r *seedRecorder) Helper()                         {}
func (r *seedRecorder) Logf(format string, args ...any) { r.log = fmt.Sprintf(format, args...) }
func (r *seedRecorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
}

func TestSeedFromVIGIL_SEED(t *testing.T) {
	t.Setenv("VIGIL_SEED", "42")
	var r seedRecorder
	if s := Seed(&r); s != 42 || r.fatal != "" || !strings.Contains(r.log, "VIGIL_SEED=42") {
		t.Errorf("Seed = %d, log %q, fatal %q; want 42, logged with how to replay it", s, r.log, r.fatal)
	}
	t.Setenv("VIGIL_SEED", "")
	r = seedRecorder{}
	if s := Seed(&r); !strings.Contains(r.log, fmt.Sprintf("VIGIL_SEED=%d", s)) {
		t.Errorf("fresh seed %d logged as %q", s, r.log)
	}
	t.Setenv("VIGIL_SEED", "0x2a")
	r = seedRecorder{}
	if Seed(&r); r.fatal == "" {
		t.Errorf("VIGIL_SEED=0x2a accepted (log %q): a replay must not silently run another seed", r.log)
	}
}

// withinRecorder is a WithinTB that remembers how Within ended.
type withinRecorder struct {
	fatal   string
	failNow bool
}

func (r *withinRecorder) Helper()                           {}
func (r *withinRecorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }
func (r *withinRecorder) FailNow()                          { r.failNow = true }

func TestWithin(t *testing.T) {
	var r withinRecorder
	ran := false
	Within(&r, time.Second, "a quick step", func() { ran = true })
	if !ran || r.fatal != "" || r.failNow {
		t.Errorf("quick step: ran %v, fatal %q, failNow %v", ran, r.fatal, r.failNow)
	}

	r = withinRecorder{}
	release := make(chan struct{})
	defer close(release)
	start := time.Now()
	Within(&r, 50*time.Millisecond, "a stuck step", func() { <-release })
	if !strings.Contains(r.fatal, "a stuck step did not finish within 50ms") || time.Since(start) > 5*time.Second {
		t.Errorf("stuck step: fatal %q after %v", r.fatal, time.Since(start))
	}

	// A Fatal inside f ends its goroutine (runtime.Goexit): Within ends
	// the test, at once rather than at the deadline.
	r = withinRecorder{}
	start = time.Now()
	Within(&r, 10*time.Second, "a failing step", func() { runtime.Goexit() })
	if !r.failNow || r.fatal != "" || time.Since(start) > 5*time.Second {
		t.Errorf("failing step: failNow %v, fatal %q after %v", r.failNow, r.fatal, time.Since(start))
	}
}

package sharedtest

import (
	"strings"
	"testing"
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

//go:build linux

package ebpf

import (
	"net/netip"
	"testing"
)

// SetAllowList leaves exactly the listed destinations reachable: an entry
// an earlier configuration pinned is taken out.
func TestSetAllowListReplaces(t *testing.T) {
	opts, cg := setup(t)
	old := listen(t, "tcp4", "127.0.0.1:0")
	kept := listen(t, "tcp4", "127.0.0.1:0")
	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Remove() })
	if err := e.Allow(port(t, old), netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	if err := e.Block(cg); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cg)
	if got := a.dial(t, "tcp", old); got != "ok" {
		t.Fatalf("allowed before: %s = %s", old, got)
	}
	if err := e.SetAllowList([]Destination{{Port: port(t, kept)}}); err != nil {
		t.Fatal(err)
	}
	if got := a.dial(t, "tcp", old); got != "EPERM" {
		t.Errorf("after SetAllowList without it: %s = %s, want EPERM", old, got)
	}
	if got := a.dial(t, "tcp", kept); got != "ok" {
		t.Errorf("listed: %s = %s, want ok", kept, got)
	}
}

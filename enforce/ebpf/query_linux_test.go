//go:build linux

package ebpf

import (
	"os"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// ourPrograms lists the ids of programs attached directly to the cgroup at
// root on our four hooks (any owner: other enforcers count too, so tests
// compare differences).
func ourPrograms(t *testing.T, root string) []ebpf.ProgramID {
	t.Helper()
	f, err := os.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ids []ebpf.ProgramID
	for _, h := range hooks {
		res, err := link.QueryPrograms(link.QueryOptions{Target: int(f.Fd()), Attach: h.attach})
		if err != nil {
			t.Fatalf("query %s: %v", h.name, err)
		}
		for _, p := range res.Programs {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

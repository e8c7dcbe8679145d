//go:build linux

package ebpf

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// ourPrograms lists the ids of the programs attached directly to the
// cgroup at root on our four hooks that belong to the enforcer whose
// blocked map is mapID.
func ourPrograms(t *testing.T, root string, mapID ebpf.MapID) []ebpf.ProgramID {
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
			// Other enforcers (a test package running beside this one, a
			// Vigil on this machine) attach to the same root: count only
			// the programs that use this enforcer's blocked map.
			if usesMap(p.ID, mapID) {
				ids = append(ids, p.ID)
			}
		}
	}
	return ids
}

// usesMap reports whether program id references map m.
func usesMap(id ebpf.ProgramID, m ebpf.MapID) bool {
	prog, err := ebpf.NewProgramFromID(id)
	if err != nil {
		return false // detached and gone since the query
	}
	defer prog.Close()
	info, err := prog.Info()
	if err != nil {
		return false
	}
	maps, _ := info.MapIDs()
	return slices.Contains(maps, m)
}

// blockedMapID is the id of the blocked map pinned in dir.
func blockedMapID(t *testing.T, dir string) ebpf.MapID {
	t.Helper()
	m, err := ebpf.LoadPinnedMap(filepath.Join(dir, mapBlocked), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	info, err := m.Info()
	if err != nil {
		t.Fatal(err)
	}
	id, ok := info.ID()
	if !ok {
		t.Fatal("the kernel reports no id for the blocked map")
	}
	return id
}

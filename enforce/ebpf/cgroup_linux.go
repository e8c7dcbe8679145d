//go:build linux

package ebpf

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// mount is one line of /proc/self/mountinfo, reduced to what we need.
type mount struct {
	point  string
	fstype string
}

// mounts parses /proc/self/mountinfo: it, not /proc/mounts, is what the
// kernel reports for this process's mount namespace with exact escaping.
func mounts() ([]mount, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []mount
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		// id parent major:minor root mountpoint opts [optional...] - fstype source superopts
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if len(fields) < 5 || sep < 0 || sep+1 >= len(fields) {
			continue
		}
		out = append(out, mount{point: unescapeMount(fields[4]), fstype: fields[sep+1]})
	}
	return out, sc.Err()
}

// unescapeMount undoes the octal escapes (\040 for a space, ...) of mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// ErrNoCgroup2 means no cgroup v2 hierarchy is mounted in this mount
// namespace; cgroup-sock-addr programs can only attach to cgroup v2.
var ErrNoCgroup2 = errors.New("no cgroup v2 (cgroup2) filesystem mounted")

// CgroupV2Mount returns where the cgroup v2 hierarchy is mounted, read from
// /proc/self/mountinfo: /sys/fs/cgroup on a unified system,
// /sys/fs/cgroup/unified on a hybrid one. With several mounts of it, the
// shortest path wins (they show the same hierarchy).
func CgroupV2Mount() (string, error) {
	ms, err := mounts()
	if err != nil {
		return "", fmt.Errorf("read mountinfo: %w", err)
	}
	best := ""
	for _, m := range ms {
		if m.fstype == "cgroup2" && (best == "" || len(m.point) < len(best)) {
			best = m.point
		}
	}
	if best == "" {
		return "", ErrNoCgroup2
	}
	return best, nil
}

// CgroupID returns the id the kernel gives the cgroup v2 directory at path:
// the inode number of that directory (kernfs uses the cgroup id as the
// inode number), the same value bpf_get_current_cgroup_id returns for a task
// in it. It fails if path is not a directory on a cgroup2 filesystem.
func CgroupID(path string) (uint64, error) {
	var sfs unix.Statfs_t
	if err := unix.Statfs(path, &sfs); err != nil {
		return 0, fmt.Errorf("cgroup %s: %w", path, err)
	}
	if sfs.Type != unix.CGROUP2_SUPER_MAGIC {
		return 0, fmt.Errorf("cgroup %s: not on a cgroup v2 filesystem (fs magic %#x)", path, sfs.Type)
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, fmt.Errorf("cgroup %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return 0, fmt.Errorf("cgroup %s: not a directory", path)
	}
	return st.Ino, nil
}

// cgroupPaths walks the hierarchy under root and maps each cgroup id to its
// path, so Blocked can name what it lists. A cgroup removed meanwhile is
// skipped: ids are never reused, so its entry just keeps no path.
func cgroupPaths(root string, want map[uint64]bool) map[uint64]string {
	out := make(map[uint64]string, len(want))
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		var st unix.Stat_t
		if unix.Stat(p, &st) == nil && want[st.Ino] {
			out[st.Ino] = p
			if len(out) == len(want) {
				return filepath.SkipAll
			}
		}
		return nil
	})
	return out
}

// ensureBPFFS makes sure dir lies on a bpf filesystem, mounting one at
// /sys/fs/bpf when dir is below it and nothing is mounted there: pins live
// only on bpffs, and a minimal host or container often lacks the mount.
func ensureBPFFS(dir string) error {
	ms, err := mounts()
	if err != nil {
		return fmt.Errorf("read mountinfo: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	// The deepest mount point containing dir decides its filesystem.
	deepest := mount{}
	for _, m := range ms {
		if within(abs, m.point) && len(m.point) >= len(deepest.point) {
			deepest = m
		}
	}
	if deepest.fstype == "bpf" {
		return nil
	}
	const std = "/sys/fs/bpf"
	if !within(abs, std) {
		return fmt.Errorf("pin directory %s is on %s (mounted at %s), not on a bpf filesystem; mount one (mount -t bpf bpf <dir>) or use a directory under %s", abs, deepest.fstype, deepest.point, std)
	}
	if err := os.MkdirAll(std, 0o755); err != nil {
		return fmt.Errorf("create %s for bpffs: %w", std, err)
	}
	if err := unix.Mount("bpf", std, "bpf", 0, "mode=0700"); err != nil {
		return fmt.Errorf("mount bpffs at %s (needs CAP_SYS_ADMIN in the initial mount namespace's user namespace): %w", std, err)
	}
	return nil
}

// within reports whether path equals dir or lies below it.
func within(path, dir string) bool {
	if dir == "/" {
		return true
	}
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// Package ebpf cuts a misbehaving agent off the network in the kernel.
//
// Four cgroup-sock-addr programs (connect4, connect6, sendmsg4, sendmsg6),
// assembled with cilium/ebpf's asm package (no C toolchain), are attached to
// the root of the cgroup v2 hierarchy, so every cgroup — including ones
// created later — runs them. Each looks up the calling task's cgroup id in
// the pinned hash map "blocked"; a task whose cgroup is not there proceeds
// after one lookup. For a blocked cgroup the program consults the "allow"
// map (port, address, or both) and otherwise returns 0, which makes
// connect(2) and sendto(2)/sendmsg(2) fail with EPERM. Refusals are counted
// per cgroup (in the blocked entry) and in total (per-CPU "stats").
//
// Maps and links are pinned under bpffs (default /sys/fs/bpf/vigil/<name>/),
// so enforcement outlives the Vigil process; Open reuses what is pinned, so a
// restart reconciles instead of attaching twice. Close keeps the pins;
// Remove detaches and unpins.
//
// Requirements: Linux 5.7 or later (bpf_link for cgroups; the sendmsg hooks
// need 4.18, bpf_get_current_cgroup_id 4.18, atomic add on map values is
// older), a cgroup v2 hierarchy (unified or hybrid), a bpf filesystem (Open
// mounts one at /sys/fs/bpf if missing), and CAP_BPF plus CAP_NET_ADMIN
// (or CAP_SYS_ADMIN; mounting bpffs needs CAP_SYS_ADMIN). Probe reports
// which of these is missing so callers can degrade rather than fail.
//
// On other operating systems the package compiles and every entry point
// returns ErrUnsupported.
package ebpf

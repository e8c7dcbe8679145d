//go:build linux

package ebpf

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"
)

// Capability numbers from include/uapi/linux/capability.h.
const (
	capNetAdmin = 12
	capSysAdmin = 21
	capBPF      = 39
)

// Probe reports whether enforcement can run here and, if not, every reason
// why, in one error wrapping ErrUnavailable: no cgroup v2, missing
// capabilities, a kernel without cgroup-sock-addr programs or the cgroup-id
// helper. It changes nothing on the system (it loads no program that stays).
func Probe() error {
	var missing []string
	if _, err := CgroupV2Mount(); err != nil {
		missing = append(missing, err.Error())
	}
	caps, err := effectiveCaps()
	if err != nil {
		missing = append(missing, "read capabilities: "+err.Error())
	} else {
		has := func(c uint) bool { return caps&(1<<c) != 0 }
		if !has(capSysAdmin) && !(has(capBPF) && has(capNetAdmin)) {
			missing = append(missing, "need CAP_BPF and CAP_NET_ADMIN (or CAP_SYS_ADMIN) to load and attach cgroup programs")
		}
	}
	if err := features.HaveProgramType(ebpf.CGroupSockAddr); err != nil {
		missing = append(missing, describe("kernel lacks BPF_PROG_TYPE_CGROUP_SOCK_ADDR (needs 4.17+)", err))
	} else if err := features.HaveProgramHelper(ebpf.CGroupSockAddr, asm.FnGetCurrentCgroupId); err != nil {
		missing = append(missing, describe("kernel lacks bpf_get_current_cgroup_id for cgroup-sock-addr programs (needs 4.18+)", err))
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrUnavailable, strings.Join(missing, "; "))
}

// describe turns a feature-probe error into a reason: a permission error
// says so instead of blaming the kernel.
func describe(what string, err error) string {
	if errors.Is(err, unix.EPERM) || errors.Is(err, os.ErrPermission) {
		return "bpf(2) denied (EPERM): missing CAP_BPF/CAP_SYS_ADMIN, or kernel.unprivileged_bpf_disabled / an LSM forbids it"
	}
	if errors.Is(err, ebpf.ErrNotSupported) {
		return what
	}
	return what + ": " + err.Error()
}

// effectiveCaps reads CapEff from /proc/self/status: it is the set the
// kernel checks, and reading it needs no cgo or extra privilege.
func effectiveCaps() (uint64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, errors.New("no CapEff line in /proc/self/status")
}

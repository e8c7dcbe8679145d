package ebpf

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
)

// DefaultPinRoot is where pins go unless Options.PinRoot says otherwise.
const DefaultPinRoot = "/sys/fs/bpf/vigil"

// ErrUnavailable wraps every Probe failure, so callers can test for
// "enforcement cannot run here" with errors.Is and keep running without it.
var ErrUnavailable = errors.New("ebpf enforcement unavailable")

// Options configure Open. The zero value is the production setup.
type Options struct {
	// Name separates independent enforcers (for example tests, or two Vigil
	// instances) under PinRoot; default "default".
	Name string
	// PinRoot is a directory on bpffs; default DefaultPinRoot.
	PinRoot string
	// CgroupRoot is the cgroup v2 directory the programs attach to; default
	// the mount point of the cgroup v2 hierarchy from /proc/self/mountinfo,
	// which covers every cgroup on the machine.
	CgroupRoot string
}

func (o Options) dir() string { return filepath.Join(o.PinRoot, o.Name) }

func (o Options) withDefaults() (Options, error) {
	if o.Name == "" {
		o.Name = "default"
	}
	if strings.ContainsAny(o.Name, "/\x00") || o.Name == "." || o.Name == ".." {
		return o, fmt.Errorf("ebpf: invalid enforcer name %q", o.Name)
	}
	if o.PinRoot == "" {
		o.PinRoot = DefaultPinRoot
	}
	if o.CgroupRoot == "" {
		root, err := CgroupV2Mount()
		if err != nil {
			return o, err
		}
		o.CgroupRoot = root
	}
	return o, nil
}

// Destination is one entry of an allow list: a port (0: any), an address
// (the zero netip.Addr: any), or both; see Enforcer.Allow.
type Destination struct {
	Port uint16
	Addr netip.Addr
}

//go:build !linux

package ebpf

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"time"
)

// ErrUnsupported is returned everywhere on an operating system without
// eBPF cgroup programs.
var ErrUnsupported = fmt.Errorf("%w: eBPF cgroup enforcement needs Linux, this is %s", ErrUnavailable, runtime.GOOS)

// ErrClosed is returned by calls on an Enforcer after Close or Remove.
var ErrClosed = errors.New("ebpf enforcer closed")

// Probe reports ErrUnsupported: there is nothing to enforce with here.
func Probe() error { return ErrUnsupported }

// Open reports ErrUnsupported.
func Open(Options) (*Enforcer, error) { return nil, ErrUnsupported }

// CgroupV2Mount reports ErrUnsupported.
func CgroupV2Mount() (string, error) { return "", ErrUnsupported }

// CgroupID reports ErrUnsupported.
func CgroupID(string) (uint64, error) { return 0, ErrUnsupported }

// Enforcer is never created on this operating system.
type Enforcer struct{}

// BlockedCgroup is one entry of the blocked set.
type BlockedCgroup struct {
	ID     uint64
	Path   string
	Since  time.Time
	Denied uint64
}

// Stats are the decisions the programs took for blocked cgroups.
type Stats struct{ Denied, Allowed uint64 }

// PinDir is empty.
func (*Enforcer) PinDir() string { return "" }

// CgroupRoot is empty.
func (*Enforcer) CgroupRoot() string { return "" }

// Block reports ErrUnsupported.
func (*Enforcer) Block(string) error { return ErrUnsupported }

// BlockID reports ErrUnsupported.
func (*Enforcer) BlockID(uint64) error { return ErrUnsupported }

// Unblock reports ErrUnsupported.
func (*Enforcer) Unblock(string) error { return ErrUnsupported }

// UnblockID reports ErrUnsupported.
func (*Enforcer) UnblockID(uint64) error { return ErrUnsupported }

// Allow reports ErrUnsupported.
func (*Enforcer) Allow(uint16, netip.Addr) error { return ErrUnsupported }

// SetAllowList reports ErrUnsupported.
func (*Enforcer) SetAllowList([]Destination) error { return ErrUnsupported }

// Disallow reports ErrUnsupported.
func (*Enforcer) Disallow(uint16, netip.Addr) error { return ErrUnsupported }

// Blocked reports ErrUnsupported.
func (*Enforcer) Blocked() (map[uint64]BlockedCgroup, error) { return nil, ErrUnsupported }

// Stats reports ErrUnsupported.
func (*Enforcer) Stats() (Stats, error) { return Stats{}, ErrUnsupported }

// Close does nothing.
func (*Enforcer) Close() error { return nil }

// Remove reports ErrUnsupported.
func (*Enforcer) Remove() error { return ErrUnsupported }

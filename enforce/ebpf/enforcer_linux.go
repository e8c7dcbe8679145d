//go:build linux

package ebpf

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
)

// Open loads the programs, attaches them to the cgroup root and pins
// everything under opts.PinRoot/opts.Name. Pinned maps and links found
// there are reused: a restarted process reconciles with the enforcement
// already in force (same blocked set, same allow list, one program per hook)
// instead of attaching a second copy. A pinned link attached to another
// cgroup than opts.CgroupRoot is replaced.
func Open(opts Options) (*Enforcer, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	rootID, err := CgroupID(opts.CgroupRoot)
	if err != nil {
		return nil, err
	}
	// Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK; later ones
	// ignore it. Failing here is not fatal: the load error will say more.
	_ = rlimit.RemoveMemlock()
	dir := opts.dir()
	if err := ensureBPFFS(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pin directory: %w", err)
	}

	e := &Enforcer{opts: opts, dir: dir, rootID: rootID}
	ok := false
	defer func() {
		if !ok {
			e.closeFDs()
		}
	}()
	specs := mapSpecs()
	for name, dst := range map[string]**ebpf.Map{mapBlocked: &e.blocked, mapAllow: &e.allow, mapStats: &e.stats} {
		m, err := ebpf.NewMapWithOptions(specs[name], ebpf.MapOptions{PinPath: dir})
		if err != nil {
			return nil, fmt.Errorf("map %s (pinned in %s): %w", name, dir, err)
		}
		*dst = m
	}
	for _, h := range hooks {
		insns, err := program(h, e.blocked, e.allow, e.stats)
		if err != nil {
			return nil, err
		}
		prog, err := ebpf.NewProgram(programSpec(h, insns))
		if err != nil {
			return nil, fmt.Errorf("load program %s: %w", h.name, err)
		}
		e.progs = append(e.progs, prog)
		l, err := e.attach(h, prog)
		if err != nil {
			return nil, err
		}
		e.links = append(e.links, l)
	}
	ok = true
	return e, nil
}

// attach reuses the pinned link of h when it is attached to our cgroup root,
// swapping in the freshly loaded program (so an upgraded binary enforces its
// own code) atomically: there is no instant without a program.
func (e *Enforcer) attach(h hook, prog *ebpf.Program) (link.Link, error) {
	pin := filepath.Join(e.dir, "link_"+h.name)
	if old, err := link.LoadPinnedLink(pin, nil); err == nil {
		info, ierr := old.Info()
		if ierr == nil && info.Cgroup() != nil && info.Cgroup().CgroupId == e.rootID {
			if err := old.Update(prog); err != nil {
				old.Close()
				return nil, fmt.Errorf("update pinned link %s: %w", pin, err)
			}
			return old, nil
		}
		// Attached elsewhere (or unreadable): detach it and start over.
		_ = old.Unpin()
		old.Close()
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("load pinned link %s: %w", pin, err)
	}
	l, err := link.AttachCgroup(link.CgroupOptions{Path: e.opts.CgroupRoot, Attach: h.attach, Program: prog})
	if err != nil {
		return nil, fmt.Errorf("attach %s to cgroup %s: %w", h.name, e.opts.CgroupRoot, err)
	}
	if err := l.Pin(pin); err != nil {
		// Without a pinned bpf_link (kernel < 5.7 falls back to
		// BPF_PROG_ATTACH) enforcement would not outlive us; say so.
		l.Close()
		return nil, fmt.Errorf("pin link %s (needs bpf_link for cgroups, kernel 5.7+): %w", pin, err)
	}
	return l, nil
}

// Enforcer is an open handle on the pinned enforcement state. Its methods
// are safe for concurrent use: every write is one map operation the kernel
// serialises.
type Enforcer struct {
	opts   Options
	dir    string
	rootID uint64

	mu      sync.Mutex // guards closed and the fields below against Close
	closed  bool
	blocked *ebpf.Map
	allow   *ebpf.Map
	stats   *ebpf.Map
	progs   []*ebpf.Program
	links   []link.Link
}

// ErrClosed is returned by calls on an Enforcer after Close or Remove.
var ErrClosed = errors.New("ebpf enforcer closed")

func (e *Enforcer) live() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	return nil
}

// PinDir is the directory holding this enforcer's pinned maps and links.
func (e *Enforcer) PinDir() string { return e.dir }

// CgroupRoot is the cgroup the programs are attached to.
func (e *Enforcer) CgroupRoot() string { return e.opts.CgroupRoot }

// resolve turns a cgroup path, absolute or relative to the cgroup root,
// into its id.
func (e *Enforcer) resolve(cgroupPath string) (uint64, error) {
	if !filepath.IsAbs(cgroupPath) {
		cgroupPath = filepath.Join(e.opts.CgroupRoot, cgroupPath)
	}
	return CgroupID(cgroupPath)
}

// Block cuts the cgroup at cgroupPath (absolute, or relative to the cgroup
// root) off the network: from now on every connect and unconnected UDP send
// of a task in it, or in any cgroup below it... fails with EPERM, except to
// destinations in the allow list. Only the cgroup itself is keyed: a task's
// cgroup id is that of its own cgroup, so block descendants separately.
// Blocking an already blocked cgroup keeps its original since-time and count.
func (e *Enforcer) Block(cgroupPath string) error {
	id, err := e.resolve(cgroupPath)
	if err != nil {
		return err
	}
	return e.BlockID(id)
}

// BlockID is Block by cgroup id, for callers that already hold one (for
// example from a task's /proc/<pid>/cgroup resolved earlier).
func (e *Enforcer) BlockID(id uint64) error {
	if err := e.live(); err != nil {
		return err
	}
	v := blockedValue{SinceUnixMilli: uint64(time.Now().UnixMilli())}
	err := e.blocked.Update(id, v, ebpf.UpdateNoExist)
	if errors.Is(err, ebpf.ErrKeyExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("block cgroup %d: %w", id, err)
	}
	return nil
}

// Unblock restores the network for the cgroup at cgroupPath. Unblocking a
// cgroup that is not blocked is not an error: the outcome is the same.
func (e *Enforcer) Unblock(cgroupPath string) error {
	id, err := e.resolve(cgroupPath)
	if err != nil {
		return err
	}
	return e.UnblockID(id)
}

// UnblockID is Unblock by cgroup id; it is the only way to drop the entry of
// a cgroup whose directory is already gone.
func (e *Enforcer) UnblockID(id uint64) error {
	if err := e.live(); err != nil {
		return err
	}
	if err := e.blocked.Delete(id); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("unblock cgroup %d: %w", id, err)
	}
	return nil
}

// allowKeys returns the allow-map keys for (port, addr). An IPv4 address
// also gets its v4-mapped IPv6 form, because an IPv6 socket connecting to
// ::ffff:a.b.c.d is seen only by the connect6/sendmsg6 hooks.
func allowKeys(port uint16, addr netip.Addr) ([]allowKey, error) {
	if port == 0 && !addr.IsValid() {
		return nil, errors.New("allow: need a port, an address or both (allowing everything is Unblock)")
	}
	k := allowKey{Port: [2]byte{byte(port >> 8), byte(port)}}
	if !addr.IsValid() {
		return []allowKey{k}, nil
	}
	addr = addr.WithZone("")
	if addr.Is4In6() {
		addr = addr.Unmap()
	}
	if addr.Is4() {
		k4 := k
		k4.Family = afInet
		a4 := addr.As4()
		copy(k4.Addr[:], a4[:])
		k6 := k
		k6.Family = afInet6
		k6.Addr = netip.AddrFrom16(addr.As16()).As16() // ::ffff:a.b.c.d
		return []allowKey{k4, k6}, nil
	}
	k.Family = afInet6
	k.Addr = addr.As16()
	return []allowKey{k}, nil
}

// Allow keeps a destination reachable for blocked cgroups: port alone (addr
// the zero netip.Addr) allows that port on every address, addr alone (port
// 0) every port on that address, both the one pair. Typical entries are the
// Vigil server itself and DNS, so a cut-off agent can still be told why.
// The allow list is global, not per cgroup.
func (e *Enforcer) Allow(port uint16, addr netip.Addr) error {
	if err := e.live(); err != nil {
		return err
	}
	keys, err := allowKeys(port, addr)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := e.allow.Put(k, uint64(0)); err != nil {
			return fmt.Errorf("allow port %d addr %v: %w", port, addr, err)
		}
	}
	return nil
}

// Disallow removes an entry Allow added (same arguments).
func (e *Enforcer) Disallow(port uint16, addr netip.Addr) error {
	if err := e.live(); err != nil {
		return err
	}
	keys, err := allowKeys(port, addr)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := e.allow.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("disallow port %d addr %v: %w", port, addr, err)
		}
	}
	return nil
}

// SetAllowList makes the allow list exactly list: entries pinned by an
// earlier configuration (an address taken out of a reaction's allow
// property while Vigil was down) are removed, so a restart reconciles the
// allow list as it reconciles the blocked set.
func (e *Enforcer) SetAllowList(list []Destination) error {
	if err := e.live(); err != nil {
		return err
	}
	want := map[allowKey]bool{}
	for _, d := range list {
		keys, err := allowKeys(d.Port, d.Addr)
		if err != nil {
			return err
		}
		for _, k := range keys {
			want[k] = true
		}
	}
	var stale []allowKey
	var k allowKey
	var v uint64
	it := e.allow.Iterate()
	for it.Next(&k, &v) {
		if !want[k] {
			stale = append(stale, k)
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("allow list: %w", err)
	}
	for _, k := range stale {
		if err := e.allow.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("allow list: %w", err)
		}
	}
	for k := range want {
		if err := e.allow.Put(k, uint64(0)); err != nil {
			return fmt.Errorf("allow list: %w", err)
		}
	}
	return nil
}

// BlockedCgroup is one entry of the blocked set.
type BlockedCgroup struct {
	ID uint64
	// Path is the cgroup's directory, or "" if it no longer exists (its
	// entry stays until UnblockID: ids are never reused, so it is inert).
	Path  string
	Since time.Time
	// Denied counts the connects and sends refused for this cgroup.
	Denied uint64
}

// Blocked lists the blocked set as the kernel holds it, keyed by cgroup id;
// after a restart this is the state to reconcile against.
func (e *Enforcer) Blocked() (map[uint64]BlockedCgroup, error) {
	if err := e.live(); err != nil {
		return nil, err
	}
	out := map[uint64]BlockedCgroup{}
	want := map[uint64]bool{}
	var id uint64
	var v blockedValue
	it := e.blocked.Iterate()
	for it.Next(&id, &v) {
		out[id] = BlockedCgroup{ID: id, Since: time.UnixMilli(int64(v.SinceUnixMilli)), Denied: v.Denied}
		want[id] = true
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("read blocked map: %w", err)
	}
	if len(want) > 0 {
		for id, p := range cgroupPaths(e.opts.CgroupRoot, want) {
			b := out[id]
			b.Path = p
			out[id] = b
		}
	}
	return out, nil
}

// Stats are the decisions the programs took for blocked cgroups since the
// maps were created (they survive restarts with the pins).
type Stats struct {
	Denied  uint64 // connects/sends refused with EPERM
	Allowed uint64 // let through by the allow list
}

// Stats sums the per-CPU counters.
func (e *Enforcer) Stats() (Stats, error) {
	if err := e.live(); err != nil {
		return Stats{}, err
	}
	sum := func(slot uint32) (uint64, error) {
		var per []uint64
		if err := e.stats.Lookup(slot, &per); err != nil {
			return 0, fmt.Errorf("read stats slot %d: %w", slot, err)
		}
		var n uint64
		for _, v := range per {
			n += v
		}
		return n, nil
	}
	var s Stats
	var err error
	if s.Denied, err = sum(statDenied); err != nil {
		return s, err
	}
	s.Allowed, err = sum(statAllowed)
	return s, err
}

// Close releases this process's handles and leaves enforcement in force:
// the pinned links keep the programs attached and the pinned maps keep the
// blocked set, so an agent stays cut off while Vigil restarts.
func (e *Enforcer) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	e.closeFDs()
	return nil
}

// Remove ends enforcement: it unpins and detaches the links, unpins the maps
// and removes the pin directory, then closes the handles. Use it to
// uninstall, never on an ordinary shutdown.
func (e *Enforcer) Remove() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	e.closed = true
	var errs []error
	for _, l := range e.links {
		errs = append(errs, l.Unpin())
		// Closing the last reference of an unpinned bpf_link detaches it.
		errs = append(errs, l.Close())
	}
	e.links = nil
	for _, m := range []*ebpf.Map{e.blocked, e.allow, e.stats} {
		if m != nil {
			errs = append(errs, m.Unpin())
		}
	}
	e.closeFDs()
	if err := os.Remove(e.dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (e *Enforcer) closeFDs() {
	for _, l := range e.links {
		l.Close()
	}
	for _, p := range e.progs {
		p.Close()
	}
	for _, m := range []*ebpf.Map{e.blocked, e.allow, e.stats} {
		if m != nil {
			m.Close()
		}
	}
	e.links, e.progs = nil, nil
	e.blocked, e.allow, e.stats = nil, nil, nil
}

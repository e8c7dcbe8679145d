//go:build linux

package ebpf

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// helperEnv makes the test binary act as the "agent": a process that, for
// each line "<network> <addr>" on stdin, tries one connect (tcp) or one
// unconnected send (udp) and answers "ok" or "EPERM" / "err <text>".
const helperEnv = "VIGIL_EBPF_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		runHelper()
		return
	}
	os.Exit(m.Run())
}

func runHelper() {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		network, addr, _ := strings.Cut(sc.Text(), " ")
		fmt.Println(dialOnce(network, addr))
	}
}

// dialOnce is what both the helper and the test process itself run.
func dialOnce(network, addr string) string {
	var err error
	switch network {
	case "tcp":
		var c net.Conn
		c, err = net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			c.Close()
		}
	case "udp":
		// Unconnected socket + sendto: the sendmsg hook, not connect.
		var pc net.PacketConn
		pc, err = net.ListenPacket("udp", ":0")
		if err == nil {
			var ua *net.UDPAddr
			if ua, err = net.ResolveUDPAddr("udp", addr); err == nil {
				_, err = pc.WriteTo([]byte("x"), ua)
			}
			pc.Close()
		}
	default:
		err = fmt.Errorf("unknown network %q", network)
	}
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, syscall.EPERM):
		return "EPERM"
	default:
		return "err " + err.Error()
	}
}

// agent is a helper process running in a cgroup.
type agent struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func (a *agent) dial(t *testing.T, network, addr string) string {
	t.Helper()
	if _, err := fmt.Fprintf(a.in, "%s %s\n", network, addr); err != nil {
		t.Fatalf("agent: %v", err)
	}
	if !a.out.Scan() {
		t.Fatalf("agent exited: %v", a.out.Err())
	}
	return a.out.Text()
}

// startAgent starts the helper directly inside cgroup dir (CLONE_INTO_CGROUP,
// so it never runs a single instruction elsewhere).
func startAgent(t *testing.T, dir string) *agent {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start agent in %s: %v", dir, err)
	}
	t.Cleanup(func() {
		in.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// The kernel's view of where it runs must be our cgroup.
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	root, _ := CgroupV2Mount()
	rel := "/" + strings.TrimPrefix(strings.TrimPrefix(dir, root), "/")
	if !strings.Contains(string(b), "0::"+rel+"\n") {
		t.Fatalf("agent pid %d not in %s:\n%s", cmd.Process.Pid, rel, b)
	}
	return &agent{cmd: cmd, in: in, out: bufio.NewScanner(out)}
}

func randName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// setup probes (skipping with the exact reason when enforcement cannot run
// here), creates a child cgroup under the real cgroup v2 root and returns
// options with a pin directory of the test's own.
func setup(t *testing.T) (Options, string) {
	t.Helper()
	if err := Probe(); err != nil {
		t.Skipf("skip: %v", err)
	}
	root, err := CgroupV2Mount()
	if err != nil {
		t.Skipf("skip: %v", err)
	}
	cg := filepath.Join(root, randName("vigil-test-"))
	if err := os.Mkdir(cg, 0o755); err != nil {
		t.Skipf("skip: cannot create cgroup %s: %v", cg, err)
	}
	// Registered first, so it runs last: after agents are gone.
	t.Cleanup(func() {
		for i := 0; i < 50; i++ {
			if err := os.Remove(cg); err == nil || errors.Is(err, os.ErrNotExist) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("cgroup %s left behind", cg)
	})
	opts := Options{PinRoot: "/sys/fs/bpf/vigil-test", Name: randName("t-"), CgroupRoot: root}
	t.Cleanup(func() {
		// Whatever a test left pinned: detach and unpin it.
		if _, err := os.Stat(filepath.Join(opts.PinRoot, opts.Name)); err == nil {
			if e, err := Open(opts); err == nil {
				_ = e.Remove()
			} else {
				_ = os.RemoveAll(filepath.Join(opts.PinRoot, opts.Name))
			}
		}
		_ = os.Remove(opts.PinRoot) // only if empty: concurrent tests share it
	})
	return opts, cg
}

// listen starts a TCP listener that accepts and drops connections, and a
// UDP socket that drains, both on addr; it returns their addresses.
func listen(t *testing.T, network, addr string) string {
	t.Helper()
	if strings.HasPrefix(network, "tcp") {
		l, err := net.Listen(network, addr)
		if err != nil {
			t.Skipf("skip: cannot listen on %s %s: %v", network, addr, err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		return l.Addr().String()
	}
	pc, err := net.ListenPacket(network, addr)
	if err != nil {
		t.Skipf("skip: cannot listen on %s %s: %v", network, addr, err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 64)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return pc.LocalAddr().String()
}

func port(t *testing.T, addr string) uint16 {
	t.Helper()
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return ap.Port()
}

func TestCgroupIDIsInode(t *testing.T) {
	_, cg := setup(t)
	id, err := CgroupID(cg)
	if err != nil {
		t.Fatal(err)
	}
	// name_to_handle_at on cgroupfs yields the kernel's cgroup id (the
	// value bpf_get_current_cgroup_id returns) as an 8-byte handle.
	h, _, err := unix.NameToHandleAt(unix.AT_FDCWD, cg, 0)
	if err != nil {
		t.Fatalf("name_to_handle_at %s: %v", cg, err)
	}
	if len(h.Bytes()) != 8 {
		t.Fatalf("handle of %d bytes, want 8", len(h.Bytes()))
	}
	if kid := binary.NativeEndian.Uint64(h.Bytes()); kid != id {
		t.Fatalf("inode %d != kernel cgroup id %d", id, kid)
	}
	if _, err := CgroupID("/proc"); err == nil {
		t.Fatal("CgroupID(/proc) succeeded; want not-cgroup2 error")
	}
}

func TestBlockCutsOffCgroup(t *testing.T) {
	opts, cg := setup(t)
	tcp4 := listen(t, "tcp4", "127.0.0.1:0")
	tcp4Allowed := listen(t, "tcp4", "127.0.0.1:0")
	tcp6 := listen(t, "tcp6", "[::1]:0")
	tcp6Allowed := listen(t, "tcp6", "[::1]:0") // allowed by (port, addr)
	udp4 := listen(t, "udp4", "127.0.0.1:0")
	udp6 := listen(t, "udp6", "[::1]:0")

	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Remove() })
	a := startAgent(t, cg)

	all := [][2]string{{"tcp", tcp4}, {"tcp", tcp4Allowed}, {"tcp", tcp6}, {"tcp", tcp6Allowed}, {"udp", udp4}, {"udp", udp6}}
	for _, d := range all {
		if got := a.dial(t, d[0], d[1]); got != "ok" {
			t.Fatalf("before Block: %s %s = %s", d[0], d[1], got)
		}
	}
	before, err := e.Stats()
	if err != nil {
		t.Fatal(err)
	}

	if err := e.Block(cg); err != nil {
		t.Fatal(err)
	}
	if err := e.Allow(port(t, tcp4Allowed), netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	if err := e.Allow(port(t, tcp6Allowed), netip.MustParseAddr("::1")); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{tcp4: "EPERM", tcp4Allowed: "ok", tcp6: "EPERM", tcp6Allowed: "ok", udp4: "EPERM", udp6: "EPERM"}
	for _, d := range all {
		if got := a.dial(t, d[0], d[1]); got != want[d[1]] {
			t.Errorf("blocked: %s %s = %s, want %s", d[0], d[1], got, want[d[1]])
		}
		// The test process sits in another cgroup: never affected.
		if got := dialOnce(d[0], d[1]); got != "ok" {
			t.Errorf("test process: %s %s = %s, want ok", d[0], d[1], got)
		}
	}

	id, _ := CgroupID(cg)
	bl, err := e.Blocked()
	if err != nil {
		t.Fatal(err)
	}
	b, ok := bl[id]
	if !ok || b.Path != cg || b.Denied != 4 || time.Since(b.Since) > time.Minute {
		t.Errorf("Blocked()[%d] = %+v (present %v), want path %s, 4 denied, recent", id, b, ok, cg)
	}
	after, err := e.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if after.Denied-before.Denied != 4 || after.Allowed-before.Allowed != 2 {
		t.Errorf("stats went %+v -> %+v, want +4 denied, +2 allowed", before, after)
	}

	// Disallow closes the exception again.
	if err := e.Disallow(port(t, tcp4Allowed), netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	if got := a.dial(t, "tcp", tcp4Allowed); got != "EPERM" {
		t.Errorf("after Disallow: %s = %s, want EPERM", tcp4Allowed, got)
	}

	if err := e.Unblock(cg); err != nil {
		t.Fatal(err)
	}
	for _, d := range all {
		if got := a.dial(t, d[0], d[1]); got != "ok" {
			t.Errorf("after Unblock: %s %s = %s", d[0], d[1], got)
		}
	}
	if bl, _ := e.Blocked(); len(bl) != 0 {
		t.Errorf("after Unblock: Blocked() = %v", bl)
	}
}

func TestPinsOutliveProcess(t *testing.T) {
	opts, cg := setup(t)
	tcp4 := listen(t, "tcp4", "127.0.0.1:0")
	rootFD, err := os.Open(opts.CgroupRoot)
	if err != nil {
		t.Fatal(err)
	}
	defer rootFD.Close()

	e1, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	mapID := blockedMapID(t, e1.PinDir())
	ids1 := ourPrograms(t, opts.CgroupRoot, mapID)
	if err := e1.Block(cg); err != nil {
		t.Fatal(err)
	}
	// The process "exits": handles closed, nothing removed.
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e1.Block(cg); !errors.Is(err, ErrClosed) {
		t.Errorf("Block after Close = %v, want ErrClosed", err)
	}

	a := startAgent(t, cg)
	if got := a.dial(t, "tcp", tcp4); got != "EPERM" {
		t.Fatalf("with no process holding the enforcer: %s = %s, want EPERM", tcp4, got)
	}

	e2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := CgroupID(cg)
	bl, err := e2.Blocked()
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := bl[id]; !ok || b.Path != cg || b.Denied != 1 {
		t.Errorf("after reopen Blocked()[%d] = %+v (present %v), want path %s, 1 denied", id, b, ok, cg)
	}
	// Reopening swapped programs inside the same links: still one per hook.
	if ids2 := ourPrograms(t, opts.CgroupRoot, mapID); len(ids2) != len(ids1) || len(ids1) != len(hooks) {
		t.Errorf("programs attached to the root: %d after first Open, %d after reopen", len(ids1), len(ids2))
	}
	if got := a.dial(t, "tcp", tcp4); got != "EPERM" {
		t.Errorf("after reopen: %s = %s, want EPERM", tcp4, got)
	}

	if err := e2.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e2.PinDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pin dir after Remove: %v", err)
	}
	if got := a.dial(t, "tcp", tcp4); got != "ok" {
		t.Errorf("after Remove: %s = %s, want ok (detached)", tcp4, got)
	}
	if n := len(ourPrograms(t, opts.CgroupRoot, mapID)); n != 0 {
		t.Errorf("programs attached to the root after Remove: %d, want 0", n)
	}
}

// A pinned link attached to another cgroup than the configured root (the
// root changed between runs) is detached and replaced, not kept alongside.
func TestReopenMovesToNewRoot(t *testing.T) {
	opts, cg := setup(t)
	narrow := opts
	narrow.CgroupRoot = cg
	e1, err := Open(narrow)
	if err != nil {
		t.Fatal(err)
	}
	mapID := blockedMapID(t, e1.PinDir())
	if n := len(ourPrograms(t, cg, mapID)); n != len(hooks) {
		t.Fatalf("programs on %s: %d, want %d", cg, n, len(hooks))
	}
	e1.Close()
	atRoot := len(ourPrograms(t, opts.CgroupRoot, mapID))
	e2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e2.Remove() })
	if n := len(ourPrograms(t, cg, mapID)); n != 0 {
		t.Errorf("programs left on the old root %s: %d", cg, n)
	}
	if n := len(ourPrograms(t, opts.CgroupRoot, mapID)); n != atRoot+len(hooks) {
		t.Errorf("programs on the new root: %d, want %d", n, atRoot+len(hooks))
	}
}

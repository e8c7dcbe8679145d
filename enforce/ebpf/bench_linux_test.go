//go:build linux

package ebpf

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkConnect measures what the enforcer costs a process that is not
// blocked: one TCP connect(2) + close(2) to a loopback listener, with the
// enforcer's programs attached to the cgroup v2 root (every connect on the
// machine runs connect4 and looks its cgroup id up in `blocked`) and
// without them. The benchmark's own process is in some cgroup below the
// root and not blocked. Raw syscalls, so that Go's dialer does not hide the
// difference.
func BenchmarkConnect(b *testing.B) {
	if err := Probe(); err != nil {
		b.Skipf("skip: %v", err)
	}
	root, err := CgroupV2Mount()
	if err != nil {
		b.Skipf("skip: %v", err)
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Skipf("skip: %v", err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	sa := &unix.SockaddrInet4{Port: l.Addr().(*net.TCPAddr).Port, Addr: [4]byte{127, 0, 0, 1}}
	connect := func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				b.Fatal(err)
			}
			if err := unix.Connect(fd, sa); err != nil {
				unix.Close(fd)
				b.Fatalf("connect: %v", err)
			}
			unix.Close(fd)
		}
	}
	opts := Options{PinRoot: "/sys/fs/bpf/vigil-test", Name: randName("bench-"), CgroupRoot: root}
	defer func() {
		if _, err := os.Stat(filepath.Join(opts.PinRoot, opts.Name)); errors.Is(err, os.ErrNotExist) {
			_ = os.Remove(opts.PinRoot) // only if empty
		}
	}()

	b.Run("detached", connect)
	b.Run("attached", func(b *testing.B) {
		e, err := Open(opts)
		if err != nil {
			b.Fatal(err)
		}
		defer func() {
			if err := e.Remove(); err != nil {
				b.Error(err)
			}
		}()
		// Something in the map, as in production; not our cgroup.
		if err := e.BlockID(1<<62 + 1); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		connect(b)
	})
}

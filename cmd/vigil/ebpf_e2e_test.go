//go:build linux

package main

// The acceptance test of eBPF enforcement, black box: the real binary runs
// an HTTP source, a query over blocked agents and an Ebpf reaction with
// -data; an "agent" process (this test binary re-executed) runs inside a
// cgroup v2 child made for the test and dials loopback listeners. Posting
// the agent blocked cuts it off (EPERM on IPv4 and IPv6, the allowed port
// still reachable, the test process never affected); unblocking restores
// it; the block outlives a SIGKILL of the server; a restart reconciles
// with the query's current result.

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigilhq/vigil/enforce/ebpf"
)

// ebpfAgentEnv makes the test binary act as the agent: for each line
// "<network> <addr>" on stdin it tries one connect and prints "ok",
// "EPERM" or "err <text>".
const ebpfAgentEnv = "VIGIL_EBPF_E2E_AGENT"

// init runs before the package's TestMain (in e2e_test.go): the agent mode
// never reaches the tests.
func init() {
	if os.Getenv(ebpfAgentEnv) != "1" {
		return
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		network, addr, _ := strings.Cut(sc.Text(), " ")
		fmt.Println(ebpfDial(network, addr))
	}
	os.Exit(0)
}

// ebpfDial is what both the agent and the test process run.
func ebpfDial(network, addr string) string {
	c, err := net.DialTimeout(network, addr, 2*time.Second)
	if err == nil {
		c.Close()
		return "ok"
	}
	if errors.Is(err, syscall.EPERM) {
		return "EPERM"
	}
	return "err " + err.Error()
}

type ebpfAgent struct {
	in  io.WriteCloser
	out *bufio.Scanner
}

func (a *ebpfAgent) dial(t *testing.T, addr string) string {
	t.Helper()
	if _, err := fmt.Fprintf(a.in, "tcp %s\n", addr); err != nil {
		t.Fatalf("agent: %v", err)
	}
	if !a.out.Scan() {
		t.Fatalf("agent exited: %v", a.out.Err())
	}
	return a.out.Text()
}

// startEbpfAgent starts the agent directly inside cgroup dir
// (CLONE_INTO_CGROUP) and checks the kernel sees it there.
func startEbpfAgent(t *testing.T, root, dir string) *ebpfAgent {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), ebpfAgentEnv+"=1")
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
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	rel := "/" + strings.TrimPrefix(strings.TrimPrefix(dir, root), "/")
	if !strings.Contains(string(b), "0::"+rel+"\n") {
		t.Fatalf("agent pid %d not in %s:\n%s", cmd.Process.Pid, rel, b)
	}
	return &ebpfAgent{in: in, out: bufio.NewScanner(out)}
}

// ebpfListen starts a TCP listener that accepts and drops connections.
func ebpfListen(t *testing.T, network, addr string) string {
	t.Helper()
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

func ebpfRand() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

const ebpfE2EResources = `apiVersion: v1
kind: Source
name: events
spec:
  kind: HTTP
---
apiVersion: v1
kind: ContinuousQuery
name: blocked-agents
spec:
  sources: {subscriptions: [{id: events, nodes: [{sourceLabel: Agent}]}]}
  query: |
    MATCH (a:Agent) WHERE %s RETURN a.id AS agent
---
apiVersion: v1
kind: Reaction
name: isolate
spec:
  kind: Ebpf
  queries:
    blocked-agents:
  properties:
    key: agent
    cgroup: %s/{agent}
    allow: [%q]
    name: %s
`

func TestEbpfEnforcementEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	if err := ebpf.Probe(); err != nil {
		t.Skipf("skip: %v", err)
	}
	root, err := ebpf.CgroupV2Mount()
	if err != nil {
		t.Skipf("skip: %v", err)
	}
	parent := filepath.Join(root, "vigil-e2e-"+ebpfRand())
	cg := filepath.Join(parent, "agent-1")
	if err := os.MkdirAll(cg, 0o755); err != nil {
		t.Skipf("skip: cannot create cgroup %s: %v", cg, err)
	}
	// Registered first, so it runs last: after the agent is gone.
	t.Cleanup(func() {
		for _, d := range []string{cg, parent} {
			for i := 0; i < 50; i++ {
				if err := os.Remove(d); err == nil || errors.Is(err, os.ErrNotExist) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if _, err := os.Stat(d); err == nil {
				t.Errorf("cgroup %s left behind", d)
			}
		}
	})
	pin := "e2e-" + ebpfRand()
	t.Cleanup(func() {
		// The server keeps its pins by design: detach and unpin them.
		opts := ebpf.Options{Name: pin}
		dir := filepath.Join(ebpf.DefaultPinRoot, pin)
		if _, err := os.Stat(dir); err != nil {
			return
		}
		if e, err := ebpf.Open(opts); err == nil {
			if err := e.Remove(); err != nil {
				t.Errorf("remove pins %s: %v", dir, err)
			}
		} else {
			_ = os.RemoveAll(dir)
		}
	})

	blocked4 := ebpfListen(t, "tcp4", "127.0.0.1:0")
	blocked6 := ebpfListen(t, "tcp6", "[::1]:0")
	allowed := ebpfListen(t, "tcp4", "127.0.0.1:0")
	_, allowedPort, _ := net.SplitHostPort(allowed)

	dir, data := t.TempDir(), t.TempDir()
	resources := filepath.Join(dir, "resources.yaml")
	write := func(where string) {
		t.Helper()
		if err := os.WriteFile(resources, []byte(fmt.Sprintf(ebpfE2EResources, where, parent, allowedPort, pin)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.blocked = true")
	start := func() *proc {
		p := startServer(t, "-f", dir, "-data", data)
		// Until the reaction has reconciled, a POST could come before it
		// reads the query's result; wait for "running".
		deadline := time.Now().Add(10 * time.Second)
		for {
			var rx struct{ Status struct{ State, Error string } }
			p.getJSON(t, "/v1/reactions/isolate", &rx)
			if rx.Status.State == "running" {
				return p
			}
			if time.Now().After(deadline) {
				t.Fatalf("the Ebpf reaction is %q (%s) 10s after start", rx.Status.State, rx.Status.Error)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	post := func(p *proc, blocked bool, op string) {
		t.Helper()
		ev := nodeEv(op, "agent-1", "Agent", fmt.Sprintf(`{"id":"agent-1","blocked":%v}`, blocked))
		if code, b := p.do(t, "POST", "/v1/sources/events/events", "["+ev+"]", "Content-Type", "application/json"); code != 200 {
			t.Fatalf("POST %s blocked=%v: %d %s", op, blocked, code, b)
		}
	}
	kill := func(p *proc) {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_, _ = p.cmd.Process.Wait()
	}

	a := startEbpfAgent(t, root, cg)
	// check expects the agent's dials (the blocked listeners' and the
	// allowed one's) and that the test process, in another cgroup, gets
	// through everywhere.
	check := func(what, want string) {
		t.Helper()
		for addr, w := range map[string]string{blocked4: want, blocked6: want, allowed: "ok"} {
			if got := a.dial(t, addr); got != w {
				t.Errorf("%s: agent dials %s: %s, want %s", what, addr, got, w)
			}
			if got := ebpfDial("tcp", addr); got != "ok" {
				t.Errorf("%s: test process dials %s: %s, want ok", what, addr, got)
			}
		}
	}
	// wait polls the agent's next connect to the IPv4 listener until it
	// answers want, for at most within, then checks everything.
	wait := func(what, want string, within time.Duration) {
		t.Helper()
		t0 := time.Now()
		for {
			got := a.dial(t, blocked4)
			if got == want {
				t.Logf("%s: %s after %v", what, want, time.Since(t0).Round(time.Microsecond))
				break
			}
			if time.Since(t0) > within {
				t.Fatalf("%s: agent dials %s: %s after %v, want %s", what, blocked4, got, within, want)
			}
			time.Sleep(time.Millisecond)
		}
		check(what, want)
	}
	check("before any row", "ok")

	p := start()
	post(p, true, "insert")
	wait("blocked", "EPERM", 2*time.Second)
	var api struct {
		Enforced []struct {
			Reaction, Key, Cgroup, State string
			ID, Denied                   uint64
		}
	}
	p.getJSON(t, "/v1/ebpf", &api)
	id, err := ebpf.CgroupID(cg)
	if err != nil {
		t.Fatal(err)
	}
	if e := api.Enforced; len(e) != 1 || e[0].Key != "agent-1" || e[0].Cgroup != cg || e[0].State != "blocked" || e[0].ID != id || e[0].Denied < 2 {
		t.Errorf("GET /v1/ebpf: %+v, want agent-1's cgroup %s (id %d) blocked with ≥2 denied", api.Enforced, cg, id)
	}

	post(p, false, "update")
	wait("unblocked by an update", "ok", 2*time.Second)

	// Blocked, then the server dies: the pins keep the agent cut off.
	post(p, true, "update")
	wait("blocked again", "EPERM", 2*time.Second)
	kill(p)
	time.Sleep(200 * time.Millisecond)
	check("server SIGKILLed", "EPERM")

	// Restarted: the row is still there, so the reconciliation keeps the
	// block; the unblocking update then restores the agent.
	p = start()
	check("restarted, row still there", "EPERM")
	post(p, false, "update")
	wait("unblocked after the restart", "ok", 2*time.Second)

	// Deleted while down: blocked, SIGKILL, and the server comes back with
	// a query agent-1 no longer matches: reconciling on start unblocks it.
	post(p, true, "update")
	wait("blocked before the second SIGKILL", "EPERM", 2*time.Second)
	kill(p)
	check("server SIGKILLed again", "EPERM")
	write("a.blocked = true AND a.id <> 'agent-1'")
	t0 := time.Now()
	p = start()
	t.Logf("restart with the changed query: reaction running %v after start", time.Since(t0).Round(time.Millisecond))
	wait("row gone while down", "ok", 2*time.Second)
	p.getJSON(t, "/v1/ebpf", &api)
	if len(api.Enforced) != 0 {
		t.Errorf("GET /v1/ebpf after the reconciliation: %+v, want nothing enforced", api.Enforced)
	}
}

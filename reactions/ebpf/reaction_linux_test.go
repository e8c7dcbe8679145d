//go:build linux

package ebpf

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sys/unix"

	kernel "github.com/vigilhq/vigil/enforce/ebpf"
	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
)

// helperEnv makes the test binary act as the agent: for each line
// "<network> <addr>" on stdin it tries one connect and answers "ok",
// "EPERM" or "err <text>".
const helperEnv = "VIGIL_RX_EBPF_TEST_HELPER"

const testPinRoot = "/sys/fs/bpf/vigil-rxtest"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			network, addr, _ := strings.Cut(sc.Text(), " ")
			fmt.Println(dialOnce(network, addr))
		}
		return
	}
	os.Exit(m.Run())
}

func dialOnce(network, addr string) string {
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

type agent struct {
	in  io.WriteCloser
	out *bufio.Scanner
}

func (a *agent) dial(t testing.TB, network, addr string) string {
	t.Helper()
	if _, err := fmt.Fprintf(a.in, "%s %s\n", network, addr); err != nil {
		t.Fatalf("agent: %v", err)
	}
	if !a.out.Scan() {
		t.Fatalf("agent exited: %v", a.out.Err())
	}
	return a.out.Text()
}

// startAgent starts the helper inside cgroup dir (CLONE_INTO_CGROUP).
func startAgent(t testing.TB, dir string) *agent {
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
	return &agent{in: in, out: bufio.NewScanner(out)}
}

func randName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// setup skips with Probe's reason where enforcement cannot run, creates a
// parent cgroup for the test's agents and returns it with a unique pin
// name; everything is removed in Cleanup.
func setup(t testing.TB) (parent, pin string) {
	t.Helper()
	if err := kernel.Probe(); err != nil {
		t.Skipf("skip: %v", err)
	}
	root, err := kernel.CgroupV2Mount()
	if err != nil {
		t.Skipf("skip: %v", err)
	}
	parent = filepath.Join(root, randName("vigil-rxtest-"))
	if err := os.Mkdir(parent, 0o755); err != nil {
		t.Skipf("skip: cannot create cgroup %s: %v", parent, err)
	}
	t.Cleanup(func() {
		for i := 0; i < 100; i++ {
			subs, _ := filepath.Glob(filepath.Join(parent, "*"))
			for _, s := range subs {
				if fi, err := os.Stat(s); err == nil && fi.IsDir() {
					_ = os.Remove(s)
				}
			}
			if err := os.Remove(parent); err == nil || errors.Is(err, os.ErrNotExist) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("cgroup %s left behind", parent)
	})
	pin = randName("t-")
	t.Cleanup(func() {
		if _, err := os.Stat(filepath.Join(testPinRoot, pin)); err == nil {
			if e, err := kernel.Open(kernel.Options{PinRoot: testPinRoot, Name: pin}); err == nil {
				if err := e.Remove(); err != nil {
					t.Errorf("remove pins %s: %v", pin, err)
				}
			} else {
				_ = os.RemoveAll(filepath.Join(testPinRoot, pin))
			}
		}
		_ = os.Remove(testPinRoot) // only if empty: parallel tests share it
	})
	return parent, pin
}

func mkcg(t testing.TB, dir string) string {
	t.Helper()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// listen starts a listener that accepts and drops connections.
func listen(t testing.TB, network, addr string) string {
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

// feed is a reactions.Feed over an in-memory outbox. With snapshots it
// answers Snapshot with the query's current rows, as the server does;
// without, it answers ErrNotFound and the reaction reads from the start.
type feed struct {
	out       *outbox.Memory
	snapshots bool
	cols      *outbox.Columns

	mu   sync.Mutex
	ch   chan struct{}
	rows map[string][]engine.Row
}

func newFeed(snapshots bool, cols ...string) *feed {
	return &feed{out: outbox.NewMemory(), snapshots: snapshots, cols: outbox.NewColumns(cols),
		ch: make(chan struct{}), rows: map[string][]engine.Row{}}
}

func row(vals ...string) engine.Row {
	r := make(engine.Row, len(vals))
	for i, v := range vals {
		r[i] = value.Str(v)
	}
	return r
}

func (f *feed) change(q string, added, deleted []engine.Row) {
	f.mu.Lock()
	cur := f.rows[q]
	for _, d := range deleted {
		for i, r := range cur {
			if fmt.Sprint(r) == fmt.Sprint(d) {
				cur = append(cur[:i:i], cur[i+1:]...)
				break
			}
		}
	}
	f.rows[q] = append(cur, added...)
	f.out.Append(q, outbox.Change(&engine.Diff{QueryID: q, Added: added, Deleted: deleted}, f.cols, time.Now()))
	close(f.ch)
	f.ch = make(chan struct{})
	f.mu.Unlock()
}

func (f *feed) add(q string, r ...engine.Row)    { f.change(q, r, nil) }
func (f *feed) delete(q string, r ...engine.Row) { f.change(q, nil, r) }

func (f *feed) Read(q string, after uint64, max int) ([]outbox.Record, error) {
	return f.out.ReadFrom(q, after, max)
}

func (f *feed) Snapshot(ctx context.Context, q string) (outbox.Record, error) {
	if !f.snapshots {
		return outbox.Record{}, reactions.ErrNotFound
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, last := f.out.Bounds(q)
	ev := outbox.Snapshot(q, last, f.cols, f.rows[q], time.Now())
	return outbox.Record{QueryID: q, Seq: last, Kind: outbox.KindSnapshot, Data: ev.AppendJSON(nil)}, nil
}

func (f *feed) Changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ch
}

// running starts r on f and returns a stop that waits for Run to return.
func running(t testing.TB, r *Reaction, f reactions.Feed) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, f) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5s of its context's cancel")
		}
	}
	t.Cleanup(stop)
	return stop
}

func newReaction(t testing.TB, hub *Hub, pin string, props map[string]any, queries ...string) *Reaction {
	t.Helper()
	props["name"] = pin
	r, err := New(hub, "rx", queries, props)
	if err != nil {
		t.Fatal(err)
	}
	r.pinRoot = testPinRoot
	r.retry = 50 * time.Millisecond
	return r
}

// eventually polls cond for up to 5s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5s", what)
		}
	}
}

func dialsAs(t *testing.T, a *agent, want string, targets ...string) {
	t.Helper()
	for _, tg := range targets {
		network, addr, _ := strings.Cut(tg, " ")
		eventually(t, fmt.Sprintf("%s %s from the agent = %s", network, addr, want), func() bool {
			return a.dial(t, network, addr) == want
		})
	}
}

// A row added cuts its agent off (IPv4 and IPv6) except for the allowed
// port; deleting it restores the network. The API and metrics show it.
func TestRowBlocksAndDeleteUnblocks(t *testing.T) {
	parent, pin := setup(t)
	cg := mkcg(t, filepath.Join(parent, "agent-1"))
	tcp4 := listen(t, "tcp4", "127.0.0.1:0")
	tcp6 := listen(t, "tcp6", "[::1]:0")
	allowed := listen(t, "tcp4", "127.0.0.1:0")
	_, allowedPort, _ := net.SplitHostPort(allowed)

	hub := NewHub()
	r := newReaction(t, hub, pin, map[string]any{"key": "agent", "cgroup": parent + "/{agent}", "allow": []any{allowedPort}}, "q")
	f := newFeed(false, "agent", "reason")
	f.add("q", row("other-agent", "x")) // its cgroup does not exist: pending, not an error
	a := startAgent(t, cg)
	running(t, r, f)
	eventually(t, "reaction reconciled", func() bool { st := r.Status(); return st.State == "degraded" || st.State == "running" })
	dialsAs(t, a, "ok", "tcp4 "+tcp4, "tcp6 "+tcp6, "tcp4 "+allowed)

	f.add("q", row("agent-1", "loops"))
	dialsAs(t, a, "EPERM", "tcp4 "+tcp4, "tcp6 "+tcp6)
	if got := a.dial(t, "tcp4", allowed); got != "ok" {
		t.Fatalf("allowed port %s: %s", allowed, got)
	}
	if got := dialOnce("tcp4", tcp4); got != "ok" {
		t.Fatalf("the test process (not blocked) dialing %s: %s", tcp4, got)
	}

	// The API lists the block with the kernel's count of refusals.
	srv := httptest.NewServer(hub.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/v1/ebpf")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Enforced  []Enforced
		Reactions map[string]struct{ State, Error string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(doc.Enforced) != 2 {
		t.Fatalf("enforced %+v", doc.Enforced)
	}
	e, p := doc.Enforced[0], doc.Enforced[1]
	if e.Key != "agent-1" || e.Cgroup != cg || e.State != "blocked" || e.ID == 0 || e.Denied < 2 || e.Since.IsZero() || fmt.Sprint(e.Queries) != "[q]" {
		t.Fatalf("blocked entry %+v", e)
	}
	if p.Key != "other-agent" || p.State != "pending" || !strings.Contains(p.Error, "blocking it when it appears") {
		t.Fatalf("pending entry %+v", p)
	}
	if st := doc.Reactions["rx"]; st.State != "degraded" || !strings.Contains(st.Error, "other-agent") {
		t.Fatalf("reaction state %+v", st)
	}

	// Metrics.
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(hub.Collector())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		switch {
		case m.GetGauge() != nil:
			got[mf.GetName()] = m.GetGauge().GetValue()
		case m.GetCounter() != nil:
			got[mf.GetName()] = m.GetCounter().GetValue()
		case m.GetHistogram() != nil:
			got[mf.GetName()] = float64(m.GetHistogram().GetSampleCount())
		}
	}
	if got["vigil_ebpf_enforced_cgroups"] != 1 || got["vigil_ebpf_denied_total"] < 2 || got["vigil_ebpf_apply_seconds"] != 1 {
		t.Fatalf("metrics %v", got)
	}

	// A second row for the same agent, then deleting one: still blocked.
	f.add("q", row("agent-1", "again"))
	f.delete("q", row("agent-1", "loops"))
	eventually(t, "position 4", func() bool { return r.Status().Positions["q"] == 4 })
	if got := a.dial(t, "tcp4", tcp4); got != "EPERM" {
		t.Fatalf("with a row left: %s", got)
	}
	f.delete("q", row("agent-1", "again"))
	dialsAs(t, a, "ok", "tcp4 "+tcp4, "tcp6 "+tcp6)
	if st := r.Status(); st.Delivered != 2 || st.Positions["q"] != 5 {
		t.Fatalf("status %+v", st)
	}
}

// A cgroup that does not exist yet is blocked when it appears.
func TestPendingCgroupBlockedWhenItAppears(t *testing.T) {
	parent, pin := setup(t)
	tcp4 := listen(t, "tcp4", "127.0.0.1:0")
	r := newReaction(t, NewHub(), pin, map[string]any{"cgroup": parent + "/{agent}"}, "q")
	f := newFeed(true, "agent")
	running(t, r, f)
	f.add("q", row("late"))
	eventually(t, "pending", func() bool { return strings.Contains(r.Status().Error, "blocking it when it appears") })
	a := startAgent(t, mkcg(t, filepath.Join(parent, "late")))
	dialsAs(t, a, "EPERM", "tcp4 "+tcp4)
	eventually(t, "running", func() bool { return r.Status().State == "running" })
}

// A row deleted while the reaction is down is unblocked when it starts
// again; a row still there stays blocked across the restart.
func TestRestartReconciles(t *testing.T) {
	for _, snapshots := range []bool{true, false} {
		t.Run(fmt.Sprintf("snapshots=%v", snapshots), func(t *testing.T) {
			parent, pin := setup(t)
			tcp4 := listen(t, "tcp4", "127.0.0.1:0")
			a1 := startAgent(t, mkcg(t, filepath.Join(parent, "a1")))
			a2 := startAgent(t, mkcg(t, filepath.Join(parent, "a2")))
			props := func() map[string]any { return map[string]any{"cgroup": parent + "/{agent}"} }
			f := newFeed(snapshots, "agent")
			r := newReaction(t, NewHub(), pin, props(), "q", "q2")
			stop := running(t, r, f)
			f.add("q", row("a1"))
			f.add("q2", row("a2"))
			dialsAs(t, a1, "EPERM", "tcp4 "+tcp4)
			dialsAs(t, a2, "EPERM", "tcp4 "+tcp4)
			stop() // Close: the pins keep both blocked while "Vigil is down"
			if got := a1.dial(t, "tcp4", tcp4); got != "EPERM" {
				t.Fatalf("a1 while down: %s", got)
			}
			f.delete("q", row("a1"))

			r2 := newReaction(t, NewHub(), pin, props(), "q", "q2")
			running(t, r2, f)
			dialsAs(t, a1, "ok", "tcp4 "+tcp4)
			if got := a2.dial(t, "tcp4", tcp4); got != "EPERM" {
				t.Fatalf("a2 after restart: %s", got)
			}
			eventually(t, "running", func() bool { return r2.Status().State == "running" })
			if st := r2.Status(); st.Delivered != 1 || st.Positions["q"] != 2 || st.Positions["q2"] != 1 {
				t.Fatalf("status %+v (want 1 unblock applied)", st)
			}
		})
	}
}

// Where the enforcer cannot open, the reaction reports why and keeps out
// of the way until its context ends.
func TestOpenFailureDegrades(t *testing.T) {
	if err := kernel.Probe(); err != nil {
		// The failure under test is this one: the reaction must report it.
		r, _ := New(NewHub(), "rx", []string{"q"}, map[string]any{"cgroup": "/x/{a}"})
		stop := running(t, r, newFeed(false, "a"))
		eventually(t, "failed", func() bool { return r.Status().State == "failed" })
		if st := r.Status(); st.Error != err.Error() {
			t.Fatalf("status %+v, want error %q", st, err)
		}
		stop()
		return
	}
	r, _ := New(NewHub(), "rx", []string{"q"}, map[string]any{"cgroup": "/x/{a}"})
	r.pinRoot = t.TempDir() // not bpffs
	stop := running(t, r, newFeed(false, "a"))
	eventually(t, "failed", func() bool { return r.Status().State == "failed" })
	if st := r.Status(); !strings.Contains(st.Error, "not on a bpf filesystem") {
		t.Fatalf("status %+v", st)
	}
	stop()
}

// BenchmarkRowToMapUpdate measures an added row's event, from its append
// to the feed to the kernel map update (block), and the delete back to
// the unblock: p50 and p99 over all of them.
func BenchmarkRowToMapUpdate(b *testing.B) {
	parent, pin := setup(b)
	mkcg(b, filepath.Join(parent, "bench"))
	r := newReaction(b, NewHub(), pin, map[string]any{"cgroup": parent + "/{agent}"}, "q")
	applied := make(chan string, 1)
	r.onApply = func(op, path string) { applied <- op }
	f := newFeed(true, "agent")
	running(b, r, f)
	eventually(b, "running", func() bool { return r.Status().State == "running" })
	lat := make([]time.Duration, 0, 2*b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		f.add("q", row("bench"))
		if op := <-applied; op != "block" {
			b.Fatalf("applied %s, want block", op)
		}
		lat = append(lat, time.Since(t0))
		t0 = time.Now()
		f.delete("q", row("bench"))
		if op := <-applied; op != "unblock" {
			b.Fatalf("applied %s, want unblock", op)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// Deleting the reaction's resource (Remove after its Run stopped) gives
// every agent it blocked its network back and takes the pins away;
// stopping alone keeps them.
func TestRemoveUnblocksAndUnpins(t *testing.T) {
	parent, pin := setup(t)
	tcp4 := listen(t, "tcp4", "127.0.0.1:0")
	a := startAgent(t, mkcg(t, filepath.Join(parent, "a1")))
	f := newFeed(true, "agent")
	r := newReaction(t, NewHub(), pin, map[string]any{"cgroup": parent + "/{agent}"}, "q")
	stop := running(t, r, f)
	f.add("q", row("a1"))
	dialsAs(t, a, "EPERM", "tcp4 "+tcp4)
	stop()
	if got := a.dial(t, "tcp4", tcp4); got != "EPERM" {
		t.Fatalf("stopped (not deleted): %s, want EPERM", got)
	}
	if err := r.Remove(); err != nil {
		t.Fatal(err)
	}
	if got := a.dial(t, "tcp4", tcp4); got != "ok" {
		t.Fatalf("after Remove: %s, want ok", got)
	}
	if _, err := os.Stat(filepath.Join(testPinRoot, pin)); !os.IsNotExist(err) {
		t.Fatalf("pins after Remove: %v", err)
	}
}

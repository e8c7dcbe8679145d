package breaker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/breaker"
	"github.com/vigilhq/vigil/resources"
	"github.com/vigilhq/vigil/server"
	"github.com/vigilhq/vigil/sources"
	httpsrc "github.com/vigilhq/vigil/sources/http"
	"github.com/vigilhq/vigil/store"
)

// fast is governance with a short timeout and one probe, so that a
// breaker goes through its whole life between two kills.
var fast = strings.Replace(governance, "recoveryTimeout: 200ms, probes: 2", "recoveryTimeout: 50ms, probes: 1", 1)

// TestMain lets the crash test run this binary as the server it kills.
func TestMain(m *testing.M) {
	if dir := os.Getenv("VIGIL_BREAKER_CHILD"); dir != "" {
		if err := child(dir); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child serves fast on the store in dir until it is killed, after writing
// its URL to dir/url.
func child(dir string) error {
	st, err := store.Open(filepath.Join(dir, "store"), store.Options{})
	if err != nil {
		return err
	}
	hub := breaker.NewHub()
	opts := server.Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sources: sources.NewRegistry(), Reactions: reactions.NewRegistry(), Collectors: []prometheus.Collector{hub.Collector()}}
	opts.Sources.Register(httpsrc.Kind, httpsrc.Factory)
	opts.Sources.Register(breaker.SourceKind, hub.SourceFactory)
	opts.Reactions.Register(breaker.Kind, hub.ReactionFactory)
	for _, p := range hub.Patterns() {
		opts.Routes = append(opts.Routes, server.Route{Pattern: p, Handler: hub.Handler()})
	}
	srv, err := server.New(opts)
	if err != nil {
		return err
	}
	srv.Start(context.Background())
	rs, errs := resources.Parse("fast.yaml", []byte(fast))
	if _, err := srv.Apply(context.Background(), rs, errs); err != nil {
		return err
	}
	srv.SetReady()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "url.tmp"), []byte("http://"+ln.Addr().String()), 0o600); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(dir, "url.tmp"), filepath.Join(dir, "url")); err != nil {
		return err
	}
	return http.Serve(ln, srv.Handler())
}

// denials are the three denied calls that trip agent (ids fixed, so that
// posting them again after a kill changes nothing).
func denials(agent string) []string {
	var out []string
	for i := range 3 {
		out = append(out, fmt.Sprintf(`{"operation":"insert","element":{"id":"%s-%d","labels":["ToolCall"],"properties":{"agent":%q,"decision":"deny"}}}`, agent, i, agent))
	}
	return out
}

// Servers killed with SIGKILL at random moments while agents trip, time
// out and are probed lose no transition and repeat none: once the last
// server has settled every breaker, each agent's Breaker node went
// OPEN, HALF_OPEN, CLOSED exactly once and the reaction counts exactly
// three transitions per agent.
func TestBreakerSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	dir := t.TempDir()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	var agents []string
	kills := 0
	for round := range 15 {
		os.Remove(filepath.Join(dir, "url"))
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "VIGIL_BREAKER_CHILD="+dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var url string
		for deadline := time.Now().Add(10 * time.Second); url == ""; {
			if b, err := os.ReadFile(filepath.Join(dir, "url")); err == nil {
				url = string(b)
			}
			select {
			case err := <-exited:
				t.Fatalf("round %d: the server exited: %v", round, err)
			case <-time.After(5 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("round %d: the server did not start", round)
			}
		}
		for j := range 3 {
			agents = append(agents, fmt.Sprintf("bot-%d-%d", round, j))
		}
		killAt := time.Now().Add(time.Duration(5+rng.Intn(200)) * time.Millisecond)
		// Drive every agent so far (those of earlier rounds may still be
		// anywhere in their life) until the kill.
		quick := &http.Client{Timeout: time.Second}
	work:
		for time.Now().Before(killAt) {
			for _, a := range agents {
				for _, d := range denials(a) {
					if resp, err := quick.Post(url+"/v1/sources/calls/events", "application/json", strings.NewReader(d)); err == nil {
						resp.Body.Close()
					}
				}
			}
			resp, err := quick.Get(url + "/v1/breakers")
			if err != nil {
				break work
			}
			var bs []breaker.Breaker
			json.NewDecoder(resp.Body).Decode(&bs)
			resp.Body.Close()
			for _, b := range bs {
				if b.State == breaker.HalfOpen {
					if resp, err := quick.Post(url+"/v1/breakers/"+b.Key+"/probe", "application/json", strings.NewReader(`{"ok":true}`)); err == nil {
						resp.Body.Close()
					}
				}
			}
			time.Sleep(time.Duration(rng.Intn(20)) * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		kills++
	}
	t.Logf("%d kills", kills)

	// The last server, in process: it finishes what the killed ones left
	// and is checked.
	in := start(t, filepath.Join(dir, "store"), fast)
	for _, a := range agents {
		for _, d := range denials(a) {
			if code, body := in.do("POST", "/v1/sources/calls/events", d); code != 200 {
				t.Fatalf("posting: %d %s", code, body)
			}
		}
	}
	for _, a := range agents {
		deadline := time.Now().Add(10 * time.Second)
		for {
			b, code, body := in.breaker(a)
			if code == 200 && b.State == breaker.Closed {
				break
			}
			if code == 200 && b.State == breaker.HalfOpen {
				in.probe(a, true)
			}
			if time.Now().After(deadline) {
				t.Fatalf("breaker %s did not close: %d %s", a, code, body)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if st := in.status(); st.Delivered != uint64(3*len(agents)) {
		t.Errorf("%d transitions for %d agents, want 3 each", st.Delivered, len(agents))
	}
	// Each agent's node: OPEN, HALF_OPEN, CLOSED, once each, in order.
	recs, err := in.srv.Read("breaker-states", 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	lives := map[string][]string{}
	for _, r := range recs {
		if r.Kind != outbox.KindChange {
			continue
		}
		var ev struct {
			Added   []struct{ Key, State string } `json:"addedResults"`
			Updated []struct {
				After struct{ Key, State string } `json:"after"`
			} `json:"updatedResults"`
		}
		if err := json.Unmarshal(r.Data, &ev); err != nil {
			t.Fatal(err)
		}
		for _, a := range ev.Added {
			lives[a.Key] = append(lives[a.Key], a.State)
		}
		for _, u := range ev.Updated {
			lives[u.After.Key] = append(lives[u.After.Key], u.After.State)
		}
	}
	for _, a := range agents {
		if got := strings.Join(lives[a], ","); got != "OPEN,HALF_OPEN,CLOSED" {
			t.Errorf("%s's Breaker node went %s, want OPEN,HALF_OPEN,CLOSED", a, got)
		}
	}
}

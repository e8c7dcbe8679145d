package main

import (
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/sharedtest"
)

// TestServeDurableSIGKILL runs the real binary with -data, posts a stream of
// numbered event requests to its HTTP source, SIGKILLs the server at random
// moments and restarts it on the same data directory. The client retries a
// request that failed with the same position, as a source would. At the end
// each query's stream, read from sequence 1, must fold to exactly the
// result the posted events give, with consecutive sequence numbers, and agree
// with the REST results: no change lost, none applied twice.
func TestServeDurableSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the server several times; skipped with -short")
	}
	seed := sharedtest.Seed(t)
	rng := rand.New(rand.NewSource(seed))

	addr := freeAddr(t)
	data := t.TempDir()
	start := func() *proc {
		// Snapshots every 500 changes: restarts restore one and replay the
		// log after it, and kills land while one is written.
		return startServer(t, "-f", "testdata/durable", "-data", data, "-listen", addr, "-snapshot-every", "500")
	}

	// The workload: calls by 7 agents; every fourth request also deletes an
	// earlier call, every third updates one.
	const requests = 3000
	type call struct {
		agent, verdict string
		cost           int
	}
	live := map[int]call{}
	bodies := make([]string, requests+1)
	for pos := 1; pos <= requests; pos++ {
		c := call{agent: fmt.Sprintf("agent-%d", rng.Intn(7)), verdict: []string{"allow", "deny"}[rng.Intn(2)], cost: rng.Intn(100)}
		evs := []string{nodeEv("insert", fmt.Sprintf("c%d", pos), "Call",
			fmt.Sprintf(`{"id":"c%d","agent":%q,"verdict":%q,"cost":%d}`, pos, c.agent, c.verdict, c.cost))}
		live[pos] = c
		if pos%3 == 0 {
			k := 1 + rng.Intn(pos)
			if old, ok := live[k]; ok {
				old.verdict = "deny"
				old.cost++
				live[k] = old
				evs = append(evs, nodeEv("update", fmt.Sprintf("c%d", k), "Call",
					fmt.Sprintf(`{"id":"c%d","agent":%q,"verdict":%q,"cost":%d}`, k, old.agent, old.verdict, old.cost)))
			}
		}
		if pos%4 == 0 {
			k := 1 + rng.Intn(pos)
			if _, ok := live[k]; ok {
				delete(live, k)
				evs = append(evs, fmt.Sprintf(`{"operation":"delete","element":{"type":"node","id":"c%d","labels":["Call"]}}`, k))
			}
		}
		bodies[pos] = "[" + strings.Join(evs, ",") + "]"
	}

	p := start()
	var sent atomic.Int64
	done := make(chan error, 1)
	go func() {
		client := &http.Client{Timeout: 5 * time.Second}
		// 400 attempts of up to 5 s each would be half an hour: the
		// whole workload has a deadline too.
		deadline := time.Now().Add(3 * time.Minute)
		for pos := 1; pos <= requests; pos++ {
			for attempt := 0; ; attempt++ {
				if attempt > 400 || time.Now().After(deadline) {
					done <- fmt.Errorf("request %d never accepted (%d attempts, %d of %d requests within 3 minutes)", pos, attempt, pos-1, requests)
					return
				}
				req, _ := http.NewRequest("POST", "http://"+addr+"/v1/sources/events/events", strings.NewReader(bodies[pos]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Vigil-Position", strconv.Itoa(pos))
				resp, err := client.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode/100 == 2 {
						break
					}
					if resp.StatusCode/100 == 4 {
						done <- fmt.Errorf("request %d: status %d", pos, resp.StatusCode)
						return
					}
				}
				time.Sleep(20 * time.Millisecond) // the server is down or restarting
			}
			sent.Store(int64(pos))
		}
		done <- nil
	}()

	kills := 0
	for kills < 5 {
		time.Sleep(time.Duration(80+rng.Intn(250)) * time.Millisecond)
		if sent.Load() >= requests {
			break
		}
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		kills++
		t.Logf("SIGKILL %d after %d requests acknowledged", kills, sent.Load())
		p = start()
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if kills < 3 {
		t.Fatalf("only %d kills landed mid-stream; lengthen the workload", kills)
	}

	// What the posted events give.
	wantCalls, wantDenied := resultSet{}, resultSet{}
	perAgent := map[string][2]int{}
	for pos, c := range live {
		v := perAgent[c.agent]
		perAgent[c.agent] = [2]int{v[0] + 1, v[1] + c.cost}
		if c.verdict == "deny" {
			wantDenied[rowKey(map[string]any{"agent": c.agent, "callId": fmt.Sprintf("c%d", pos)})]++
		}
	}
	for a, v := range perAgent {
		wantCalls[rowKey(map[string]any{"agent": a, "calls": v[0], "cost": v[1]})]++
	}

	for q, want := range map[string]resultSet{"calls": wantCalls, "denied": wantDenied} {
		rest, seq := restResults(t, p, q)
		if rest.String() != want.String() {
			t.Fatalf("query %s: REST results\n %s\nwant\n %s", q, rest, want)
		}
		// Read the whole stream from the start and fold it.
		c := openSSE(t, strings.TrimSuffix(p.url, "/")+"/v1/queries/"+q+"/events", "0")
		folded := resultSet{}
		for n := uint64(1); n <= uint64(seq); n++ {
			ev := c.next(t, fmt.Sprintf("%s event %d of %d", q, n, uint64(seq)))
			if ev.Data["kind"] == "snapshot" {
				t.Fatalf("query %s: got a snapshot, not the stream from sequence 1", q)
			}
			if got := parseSeq(t, ev.ID); got != n {
				t.Fatalf("query %s: event %d has sequence %d (gap or repeat)", q, n, got)
			}
			folded.apply(ev.Data)
		}
		c.cancel()
		if folded.String() != want.String() {
			t.Fatalf("query %s: the stream folds to\n %s\nwant\n %s", q, folded, want)
		}
		t.Logf("query %s: %d events fold to the expected %d rows across %d kills", q, uint64(seq), len(want), kills)
	}

	// A clean stop takes a snapshot: the next start replays nothing and
	// serves the same results.
	if n := metricValue(t, p, "vigil_changes_since_snapshot"); n <= 0 {
		t.Fatalf("vigil_changes_since_snapshot = %v before the clean stop, want > 0", n)
	}
	p.cmd.Process.Signal(os.Interrupt)
	p.cmd.Wait()
	p = start()
	if !strings.Contains(p.log(), "snapshot=true") || !strings.Contains(p.log(), "replayed=0") {
		t.Fatalf("restart after a clean stop did not restore a snapshot with nothing to replay:\n%s", p.log())
	}
	for q, want := range map[string]resultSet{"calls": wantCalls, "denied": wantDenied} {
		if rest, _ := restResults(t, p, q); rest.String() != want.String() {
			t.Fatalf("query %s after a clean restart: REST results\n %s\nwant\n %s", q, rest, want)
		}
	}
	if n := metricValue(t, p, "vigil_changes_since_snapshot"); n != 0 {
		t.Fatalf("vigil_changes_since_snapshot = %v after restoring the shutdown snapshot, want 0", n)
	}
}

// metricValue reads an unlabelled metric from the server's /metrics.
func metricValue(t *testing.T, p *proc, name string) float64 {
	t.Helper()
	resp, err := e2eClient.Get(strings.TrimSuffix(p.url, "/") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("metric %s: %q", name, line)
			}
			return f
		}
	}
	t.Fatalf("metric %s missing from /metrics:\n%s", name, body)
	return 0
}

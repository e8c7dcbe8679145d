package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestPostsAcrossRestartsNeverSee4xx posts to a source in a tight loop while
// the server stops cleanly and starts again on the same data directory. A
// start must never answer a defined source with 404 (or any 4xx) while it is
// still loading its resources: clients treat a 4xx as final and drop their
// events. Connection errors and 503 (with Retry-After) are what a restart
// may show; each request is retried until accepted.
func TestPostsAcrossRestartsNeverSee4xx(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server several times; skipped with -short")
	}
	addr := freeAddr(t)
	data := t.TempDir()
	start := func() *proc {
		return startServer(t, "-f", "testdata/durable", "-data", data, "-listen", addr)
	}
	p := start()

	var accepted, unavailable atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		client := &http.Client{Timeout: 5 * time.Second}
		deadline := time.Now().Add(60 * time.Second)
		for pos := 1; ; pos++ {
			body := "[" + nodeEv("insert", fmt.Sprintf("c%d", pos), "Call",
				fmt.Sprintf(`{"id":"c%d","agent":"a","verdict":"allow","cost":1}`, pos)) + "]"
			for {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				if time.Now().After(deadline) {
					done <- fmt.Errorf("request %d not accepted within 60s", pos)
					return
				}
				req, _ := http.NewRequest("POST", "http://"+addr+"/v1/sources/events/events", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Vigil-Position", strconv.Itoa(pos))
				resp, err := client.Do(req)
				if err != nil {
					continue // down between a stop and a start: retry at once
				}
				resp.Body.Close()
				switch {
				case resp.StatusCode/100 == 2:
					accepted.Add(1)
				case resp.StatusCode == 503:
					if resp.Header.Get("Retry-After") == "" {
						done <- fmt.Errorf("request %d: 503 without Retry-After", pos)
						return
					}
					unavailable.Add(1)
					continue
				default:
					done <- fmt.Errorf("request %d: status %d across a restart", pos, resp.StatusCode)
					return
				}
				break
			}
		}
	}()

	const restarts = 8
	for i := 0; i < restarts; i++ {
		time.Sleep(150 * time.Millisecond)
		p.cmd.Process.Signal(os.Interrupt)
		p.cmd.Wait()
		p = start()
	}
	time.Sleep(150 * time.Millisecond)
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if accepted.Load() < restarts {
		t.Fatalf("only %d requests accepted across %d restarts", accepted.Load(), restarts)
	}
	t.Logf("%d requests accepted, %d answered 503 while loading, across %d restarts", accepted.Load(), unavailable.Load(), restarts)
}

// Command writer plays a fleet of AI agents against the governance schema in
// PostgreSQL: each tick an agent makes a tool call that policy allows or
// denies, its trust moves with the decision, and its last_seen advances. One
// agent goes quiet after a while, so the silent-agent query has something to
// find.
//
// Every -progress interval it prints what it has written (tool calls, the
// rate over the interval, failed writes and the last error), so that a
// writer that is running can be told from one that is stuck. A failed write
// is reported and retried at the next tick (after reconnecting if the
// connection is lost); only a failure to connect at start ends it.
//
//	go run ./examples/postgres-governance/writer [-dsn ...] [-rate 5] [-progress 5s]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

var tools = []string{"search", "read_file", "write_file", "shell", "send_email", "payments"}

func main() {
	dsn := flag.String("dsn", "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable", "PostgreSQL connection string")
	rate := flag.Float64("rate", 5, "tool calls per second")
	agents := flag.Int("agents", 8, "number of agents")
	quietAfter := flag.Duration("quiet-after", 30*time.Second, "when the last agent stops calling tools")
	every := flag.Duration("progress", 5*time.Second, "how often to print progress (0: only at the end)")
	flag.Parse()
	if *rate <= 0 || *agents < 1 {
		fmt.Fprintln(os.Stderr, "writer: -rate must be positive and -agents at least 1")
		os.Exit(2)
	}
	log.SetFlags(log.Ltime)

	// SIGTERM too: `make example-postgres` stops the writer with it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	conn, err := pgx.Connect(ctx, *dsn)
	if err != nil {
		log.Fatalf("writer: %v", err)
	}
	defer func() { conn.Close(context.Background()) }()

	for i := 0; i < *agents; i++ {
		_, err := conn.Exec(ctx, `INSERT INTO agents (id, name, team) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET trust = 100, last_seen = now()`,
			fmt.Sprintf("agent-%d", i), fmt.Sprintf("Agent %d", i), []string{"red", "blue"}[i%2])
		if err != nil {
			log.Fatalf("writer: %v", err)
		}
	}
	log.Printf("writer: %d agents, %.3g tool calls per second; progress every %v", *agents, *rate, *every)

	start := time.Now()
	prog := newProgress(start)
	tick := time.NewTicker(time.Duration(float64(time.Second) / *rate))
	defer tick.Stop()
	var report <-chan time.Time
	if *every > 0 {
		t := time.NewTicker(*every)
		defer t.Stop()
		report = t.C
	}
	for {
		select {
		case <-ctx.Done():
			log.Print("writer: stopped: " + prog.line(time.Now()))
			return
		case now := <-report:
			log.Print("writer: " + prog.line(now))
			continue
		case <-tick.C:
		}
		if conn.IsClosed() {
			c, err := pgx.Connect(ctx, *dsn)
			if err != nil {
				prog.failed(err, time.Now())
				continue
			}
			conn = c
		}
		n := *agents
		if time.Since(start) > *quietAfter && n > 1 {
			n-- // the last agent has gone quiet
		}
		err := writeCall(ctx, conn, rand.Intn(n))
		switch {
		case err == nil:
			prog.wrote()
		case ctx.Err() == nil:
			prog.failed(err, time.Now())
		}
	}
}

// writeCall makes agent i call a tool, in one transaction: the call and
// the agent's trust and last_seen change together or not at all.
func writeCall(ctx context.Context, conn *pgx.Conn, i int) error {
	agent := fmt.Sprintf("agent-%d", i)
	// Agent 0 misbehaves: most of its risky calls are denied.
	deny := rand.Intn(10) == 0 || (i == 0 && rand.Intn(2) == 0)
	decision, delta := "allow", 2
	if deny {
		decision, delta = "deny", -15
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background()) // no-op after Commit
	if _, err := tx.Exec(ctx, `INSERT INTO tool_calls (agent_id, tool, decision, cost_usd) VALUES ($1, $2, $3, $4)`,
		agent, tools[rand.Intn(len(tools))], decision, float64(rand.Intn(500))/1000); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE agents SET trust = greatest(0, least(100, trust + $2)), last_seen = now() WHERE id = $1`, agent, delta); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// progress counts the writes for the periodic progress line.
type progress struct {
	start, since time.Time // the run's start, the last line's time
	calls, errs  int       // in total
	callsSince   int       // calls at the last line
	errsSince    int       // failures at the last line
	lastErr      error
	lastErrAt    time.Time
}

func newProgress(start time.Time) *progress {
	return &progress{start: start, since: start}
}

func (p *progress) wrote() { p.calls++ }

func (p *progress) failed(err error, at time.Time) {
	p.errs++
	p.lastErr, p.lastErrAt = err, at
}

// line describes the progress at now and starts the next interval: tool
// calls written, the rate over the interval since the last line, failed
// writes and the last error, which a stuck writer would otherwise hide.
func (p *progress) line(now time.Time) string {
	rate := 0.0
	if d := now.Sub(p.since).Seconds(); d > 0 {
		rate = float64(p.calls-p.callsSince) / d
	}
	s := fmt.Sprintf("%d tool calls written in %v (%.1f/s over the last %v), %d failed",
		p.calls, now.Sub(p.start).Round(time.Second), rate, now.Sub(p.since).Round(time.Second), p.errs)
	switch {
	case p.lastErr == nil:
	case p.errs > p.errsSince:
		s += fmt.Sprintf("; last error: %v", p.lastErr)
	default:
		s += fmt.Sprintf("; last error %v ago: %v", now.Sub(p.lastErrAt).Round(time.Second), p.lastErr)
	}
	p.since, p.callsSince, p.errsSince = now, p.calls, p.errs
	return s
}

// Command writer plays a fleet of AI agents against the governance schema in
// PostgreSQL: each tick an agent makes a tool call that policy allows or
// denies, its trust moves with the decision, and its last_seen advances. One
// agent goes quiet after a while, so the silent-agent query has something to
// find.
//
//	go run ./examples/postgres-governance/writer [-dsn ...] [-rate 5]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"os/signal"
	"time"

	"github.com/jackc/pgx/v5"
)

var tools = []string{"search", "read_file", "write_file", "shell", "send_email", "payments"}

func main() {
	dsn := flag.String("dsn", "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable", "PostgreSQL connection string")
	rate := flag.Float64("rate", 5, "tool calls per second")
	agents := flag.Int("agents", 8, "number of agents")
	quietAfter := flag.Duration("quiet-after", 30*time.Second, "when the last agent stops calling tools")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	conn, err := pgx.Connect(ctx, *dsn)
	if err != nil {
		log.Fatalf("writer: %v", err)
	}
	defer conn.Close(context.Background())

	for i := 0; i < *agents; i++ {
		_, err := conn.Exec(ctx, `INSERT INTO agents (id, name, team) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET trust = 100, last_seen = now()`,
			fmt.Sprintf("agent-%d", i), fmt.Sprintf("Agent %d", i), []string{"red", "blue"}[i%2])
		if err != nil {
			log.Fatalf("writer: %v", err)
		}
	}
	start := time.Now()
	tick := time.NewTicker(time.Duration(float64(time.Second) / *rate))
	defer tick.Stop()
	calls := 0
	for {
		select {
		case <-ctx.Done():
			log.Printf("writer: %d tool calls written", calls)
			return
		case <-tick.C:
		}
		n := *agents
		if time.Since(start) > *quietAfter {
			n-- // the last agent has gone quiet
		}
		i := rand.Intn(n)
		agent := fmt.Sprintf("agent-%d", i)
		// Agent 0 misbehaves: most of its risky calls are denied.
		deny := rand.Intn(10) == 0 || (i == 0 && rand.Intn(2) == 0)
		decision, delta := "allow", 2
		if deny {
			decision, delta = "deny", -15
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			log.Fatalf("writer: %v", err)
		}
		tx.Exec(ctx, `INSERT INTO tool_calls (agent_id, tool, decision, cost_usd) VALUES ($1, $2, $3, $4)`,
			agent, tools[rand.Intn(len(tools))], decision, float64(rand.Intn(500))/1000)
		tx.Exec(ctx, `UPDATE agents SET trust = greatest(0, least(100, trust + $2)), last_seen = now() WHERE id = $1`, agent, delta)
		if err := tx.Commit(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Fatalf("writer: %v", err)
		}
		calls++
	}
}

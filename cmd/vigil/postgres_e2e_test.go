package main

import (
	"context"
	"fmt"
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigilhq/vigil/internal/sharedtest"
)

func pgEnv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// pgTable creates a uniquely named table and a PostgreSQL source resource
// for it, with its own slot and publication; cleanup drops them after the
// servers started later have stopped. When PostgreSQL is not reachable
// with logical replication (make services sets that up), it skips, or fails
// under CI=true (sharedtest.Require).
func pgTable(t testing.TB, ddl string) (conn *pgx.Conn, table, source string) {
	t.Helper()
	ctx := context.Background()
	host, port, user, db := pgEnv("VIGIL_PG_HOST", "127.0.0.1"), pgEnv("VIGIL_PG_PORT", "5432"), pgEnv("VIGIL_PG_USER", "postgres"), pgEnv("VIGIL_PG_DATABASE", "test")
	what := fmt.Sprintf("PostgreSQL at %s:%s", host, port)
	const how = "run `make services`, or set VIGIL_PG_HOST/PORT/USER/DATABASE"
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=disable", host, port, user, db))
	sharedtest.Require(t, what, err, how)
	var wal string
	if err := conn.QueryRow(cctx, "SHOW wal_level").Scan(&wal); err != nil || wal != "logical" {
		conn.Close(ctx)
		if err == nil {
			err = fmt.Errorf("wal_level is %s, not logical", wal)
		}
		sharedtest.Require(t, what, err, how)
	}
	suffix := strconv.FormatInt(time.Now().UnixNano()%1e12, 36)
	table = "vigil_e2e_" + suffix
	slot, pub := "vigil_e2e_slot_"+suffix, "vigil_e2e_pub_"+suffix
	if _, err := conn.Exec(ctx, fmt.Sprintf(ddl, table)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 50; i++ {
			if _, err := conn.Exec(ctx, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", slot); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		conn.Exec(ctx, "DROP PUBLICATION IF EXISTS "+pub)
		conn.Exec(ctx, "DROP TABLE IF EXISTS "+table)
		conn.Close(ctx)
	})
	source = fmt.Sprintf(`apiVersion: v1
kind: Source
name: pg
spec:
  kind: PostgreSQL
  properties:
    host: %s
    port: %s
    user: %s
    database: %s
    sslmode: disable
    tables: [%s]
    slot: %s
    publication: %s
`, host, port, user, db, table, slot, pub)
	return conn, table, source
}

func writeResources(t testing.TB, docs ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "resources.yaml"), []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestServePostgresSIGKILL streams a PostgreSQL table through the real
// server with -data while SIGKILLing it three times mid-stream; the query's
// stream from sequence 1 must fold to exactly the table's final contents,
// with consecutive sequences, and agree with the REST results.
func TestServePostgresSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the server several times; skipped with -short")
	}
	conn, table, source := pgTable(t, "CREATE TABLE %s (id int PRIMARY KEY, agent text NOT NULL, cost int NOT NULL)")
	ctx := context.Background()
	// Some rows exist before the source starts: they come through the
	// bootstrap snapshot.
	if _, err := conn.Exec(ctx, "INSERT INTO "+table+" SELECT g, 'agent-' || (g % 5), g FROM generate_series(1, 200) g"); err != nil {
		t.Fatal(err)
	}
	dir := writeResources(t, source, fmt.Sprintf(`apiVersion: v1
kind: ContinuousQuery
name: spend
spec:
  sources:
    subscriptions: [{id: pg}]
  query: |
    MATCH (c:%s)
    RETURN c.agent AS agent, count(c) AS calls, sum(c.cost) AS cost
`, table))
	data := t.TempDir()
	addr := freeAddr(t)
	start := func() *proc { return startServer(t, "-f", dir, "-data", data, "-listen", addr) }
	p := start()

	// The seed picks the workload and the moments of the kills; the
	// replay repeats the workload exactly, the kills only roughly (they
	// land wherever the writer is at the time).
	seed := sharedtest.Seed(t)
	rng := rand.New(rand.NewSource(seed))
	var wg sync.WaitGroup
	wg.Add(1)
	var werr error
	// The writer's statements share a deadline, so that a database that
	// stops answering fails the test instead of hanging wg.Wait.
	wctx, wcancel := context.WithTimeout(ctx, 2*time.Minute)
	defer wcancel()
	go func() {
		defer wg.Done()
		ctx := wctx
		wrng := rand.New(rand.NewSource(seed + 1))
		next := 201
		for tx := 0; tx < 400; tx++ {
			b := &pgx.Batch{}
			for i := 0; i < 3; i++ {
				b.Queue("INSERT INTO "+table+" VALUES ($1, $2, $3)", next, fmt.Sprintf("agent-%d", wrng.Intn(5)), wrng.Intn(100))
				next++
			}
			b.Queue("UPDATE "+table+" SET cost = cost + 1 WHERE id = $1", 1+wrng.Intn(next-1))
			b.Queue("DELETE FROM "+table+" WHERE id = $1", 1+wrng.Intn(next-1))
			if tx%10 == 0 {
				// A rolled-back transaction must leave no trace.
				b.Queue("INSERT INTO " + table + " VALUES (-1, 'ghost', 1)")
			}
			t0, err := conn.Begin(ctx)
			if err != nil {
				werr = err
				return
			}
			if err := t0.SendBatch(ctx, b).Close(); err != nil {
				werr = err
				return
			}
			if tx%10 == 0 {
				err = t0.Rollback(ctx)
			} else {
				err = t0.Commit(ctx)
			}
			if err != nil {
				werr = err
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	for kill := 1; kill <= 3; kill++ {
		time.Sleep(time.Duration(150+rng.Intn(250)) * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		t.Logf("SIGKILL %d", kill)
		p = start()
	}
	wg.Wait()
	if werr != nil {
		t.Fatalf("writer: %v", werr)
	}

	want := resultSet{}
	rows, err := conn.Query(ctx, "SELECT agent, count(*), sum(cost) FROM "+table+" GROUP BY agent")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var agent string
		var n, cost int64
		rows.Scan(&agent, &n, &cost)
		want[rowKey(map[string]any{"agent": agent, "calls": n, "cost": cost})]++
	}
	rows.Close()

	var rest resultSet
	var seq float64
	deadline := time.Now().Add(15 * time.Second)
	for {
		rest, seq = restResults(t, p, "spend")
		if rest.String() == want.String() || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if rest.String() != want.String() {
		t.Fatalf("REST results\n %s\nwant (from the table)\n %s", rest, want)
	}
	c := openSSE(t, strings.TrimSuffix(p.url, "/")+"/v1/queries/spend/events", "0")
	folded := resultSet{}
	for n := uint64(1); n <= uint64(seq); n++ {
		ev := c.next(t, fmt.Sprintf("event %d of %d", n, uint64(seq)))
		if got := parseSeq(t, ev.ID); got != n || ev.Data["kind"] == "snapshot" {
			t.Fatalf("event %d: sequence %d, kind %v", n, got, ev.Data["kind"])
		}
		folded.apply(ev.Data)
	}
	if folded.String() != want.String() {
		t.Fatalf("the stream folds to\n %s\nwant\n %s", folded, want)
	}
	t.Logf("%d events fold to the table's %d groups after 3 kills", uint64(seq), len(want))
}

// BenchmarkPostgresCommitToSSE measures the latency from a COMMIT returning
// in PostgreSQL to the row arriving at an SSE client of the real server, at
// a steady rate of row changes, and the lag at the end of the run (bounded
// lag means the server keeps up). Run with -benchtime 1x:
//
//	go test -run '^$' -bench PostgresCommitToSSE -benchtime 1x ./cmd/vigil/
func BenchmarkPostgresCommitToSSE(b *testing.B) {
	for _, rate := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("rows_per_sec=%d", rate), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				commitToSSE(b, rate, 5*time.Second)
			}
		})
	}
}

func commitToSSE(b *testing.B, rate int, dur time.Duration) {
	conn, table, source := pgTable(b, "CREATE TABLE %s (id int PRIMARY KEY, v int NOT NULL)")
	dir := writeResources(b, source, fmt.Sprintf(`apiVersion: v1
kind: ContinuousQuery
name: rows
spec:
  sources:
    subscriptions: [{id: pg}]
  query: |
    MATCH (r:%s) RETURN r.id AS id
`, table))
	p := startServer(b, "-f", dir, "-data", b.TempDir())
	// Wait for the source to finish its (empty) bootstrap.
	time.Sleep(500 * time.Millisecond)
	c := openSSE(b, strings.TrimSuffix(p.url, "/")+"/v1/queries/rows/events", "")

	ctx := context.Background()
	const txPerSec = 100
	perTx := rate / txPerSec
	total := int(dur.Seconds()) * rate
	var mu sync.Mutex
	// A row's event can reach the client before the writer has recorded
	// its COMMIT's return, so both ends record and latency is computed at
	// the end (a negative difference is 0: the event was no later than the
	// COMMIT's return).
	committed := make(map[int]time.Time, total)
	arrived := make(map[int]time.Time, total)
	order := make([]int, 0, total)
	got := make(chan struct{})
	go func() {
		defer close(got)
		seen := 0
		for ev := range c.events {
			at := ev.At
			added, _ := ev.Data["addedResults"].([]any)
			mu.Lock()
			for _, r := range added {
				id := int(r.(map[string]any)["id"].(float64))
				arrived[id] = at
				order = append(order, id)
				seen++
			}
			mu.Unlock()
			if seen >= total {
				return
			}
		}
	}()
	tick := time.NewTicker(time.Second / txPerSec)
	defer tick.Stop()
	id := 0
	b.ResetTimer()
	for tx := 0; tx < total/perTx; tx++ {
		<-tick.C
		rows := make([][]any, perTx)
		for i := range rows {
			id++
			rows[i] = []any{id, i}
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{table}, []string{"id", "v"}, pgx.CopyFromRows(rows)); err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		mu.Lock()
		for _, r := range rows {
			committed[r[0].(int)] = now
		}
		mu.Unlock()
	}
	select {
	case <-got:
	case <-time.After(30 * time.Second):
		mu.Lock()
		n := len(arrived)
		mu.Unlock()
		b.Fatalf("only %d of %d rows arrived", n, total)
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	lat := make([]time.Duration, 0, total)
	for _, id := range order {
		lat = append(lat, max(0, arrived[id].Sub(committed[id])))
	}
	// The rows of the last second show whether lag grew over the run.
	tail := append([]time.Duration(nil), lat[len(lat)-min(rate, len(lat)):]...)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	sort.Slice(tail, func(i, j int) bool { return tail[i] < tail[j] })
	q := func(s []time.Duration, f float64) float64 {
		return float64(s[int(f*float64(len(s)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(q(lat, 0.50), "p50_ms")
	b.ReportMetric(q(lat, 0.99), "p99_ms")
	b.ReportMetric(q(lat, 1), "max_ms")
	b.ReportMetric(q(tail, 0.99), "last_second_p99_ms")
	b.ReportMetric(float64(len(lat)), "rows")
}

// freeAddr picks a loopback address with a free port, so that a restarted
// server comes back where its clients expect it.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeSourceFailures deploys PostgreSQL sources with wrong credentials,
// an unreachable port, and a table whose schema changes, beside an HTTP
// source: the API shows each one's state and a clear error or notice, and
// the HTTP source's query keeps serving.
func TestServeSourceFailures(t *testing.T) {
	conn, table, good := pgTable(t, "CREATE TABLE %s (id int PRIMARY KEY, v text)")
	bad := func(name, from, to string) string {
		return strings.Replace(strings.Replace(good, "name: pg", "name: "+name, 1), from, to, 1)
	}
	host, port, user := pgEnv("VIGIL_PG_HOST", "127.0.0.1"), pgEnv("VIGIL_PG_PORT", "5432"), pgEnv("VIGIL_PG_USER", "postgres")
	dir := writeResources(t, good,
		bad("pg-wrong-user", "user: "+user, "user: vigil_no_such_user"),
		bad("pg-unreachable", "port: "+port, "port: 1"),
		`apiVersion: v1
kind: Source
name: web
spec:
  kind: HTTP
`, `apiVersion: v1
kind: ContinuousQuery
name: calls
spec:
  sources:
    subscriptions: [{id: web}]
  query: MATCH (c:Call) RETURN c.id AS id
`)
	_ = host
	p := startServer(t, "-f", dir)
	ctx := context.Background()
	// The schema change must come after the source's snapshot, in the stream.
	for deadline := time.Now().Add(10 * time.Second); ; {
		var v map[string]any
		p.getJSON(t, "/v1/sources/pg", &v)
		if v["state"] == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("source pg never running: %v", v)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO "+table+" VALUES (1, 'a')"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "ALTER TABLE "+table+" ADD COLUMN w int DEFAULT 7"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO "+table+" VALUES (2, 'b', 8)"); err != nil {
		t.Fatal(err)
	}
	want := map[string]func(v map[string]any) bool{
		"pg-wrong-user": func(v map[string]any) bool {
			return v["state"] == "failed" && strings.Contains(fmt.Sprint(v["error"]), "vigil_no_such_user")
		},
		"pg-unreachable": func(v map[string]any) bool {
			return v["state"] == "retrying" && strings.Contains(fmt.Sprint(v["error"]), "connect")
		},
		"pg": func(v map[string]any) bool {
			return v["state"] == "running" && strings.Contains(fmt.Sprint(v["notice"]), "changed schema (added column w)")
		},
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(want) > 0 {
		var views []map[string]any
		p.getJSON(t, "/v1/sources", &views)
		for _, v := range views {
			name := fmt.Sprint(v["name"])
			if ok := want[name]; ok != nil && ok(v) {
				t.Logf("%s: %v: %s%s", name, v["state"], str(v["error"]), str(v["notice"]))
				delete(want, name)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("sources not in the expected states: %v; GET /v1/sources: %v", keys(want), views)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, body := p.do(t, "POST", "/v1/sources/web/events", nodeEv("insert", "c1", "Call", `{"id":"c1"}`)); code/100 != 2 {
		t.Fatalf("HTTP source beside failing sources: %d %s", code, body)
	}
	if rs, _ := restResults(t, p, "calls"); rs.String() != `{"id":"c1"}` {
		t.Fatalf("calls = %s", rs)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func str(x any) string {
	if s, ok := x.(string); ok {
		return s
	}
	return ""
}

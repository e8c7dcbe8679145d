package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigilhq/vigil/internal/sharedtest"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/breaker"
	"github.com/vigilhq/vigil/resources"
	"github.com/vigilhq/vigil/server"
	"github.com/vigilhq/vigil/sources"
	pgsource "github.com/vigilhq/vigil/sources/postgres"
	"github.com/vigilhq/vigil/store"
)

// The integration test runs against the PostgreSQL that `make services`
// (scripts/services.sh) prepares: 127.0.0.1:5432, trust authentication,
// database test, wal_level=logical. VIGIL_PG_HOST/PORT/USER/DATABASE
// override it, as for the source's own tests.

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

var (
	pgHost = env("VIGIL_PG_HOST", "127.0.0.1")
	pgPort = env("VIGIL_PG_PORT", "5432")
	pgUser = env("VIGIL_PG_USER", "postgres")
	pgDB   = env("VIGIL_PG_DATABASE", "test")
)

// model is the pack's data model (../README.md) without Breaker, which the
// breakers source publishes: the label and properties each table of
// schema.sql must yield.
var model = map[string][]string{
	"Agent":     {"id", "name", "sponsor", "ring", "trustScore", "lastPositiveAt"},
	"ToolCall":  {"id", "agent", "session", "tool", "decision", "policy", "severity", "outcome", "latencyMs", "costUsd", "at"},
	"Policy":    {"id", "name", "critical"},
	"Slo":       {"id", "agent", "target", "window"},
	"Heartbeat": {"agent", "at"},
}

// connect connects as the test superuser, or skips the test (fails it under
// CI=true) with the reason when the server is unreachable or not set up for
// logical replication.
func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	what := fmt.Sprintf("PostgreSQL at %s:%s", pgHost, pgPort)
	const how = "run `bash scripts/services.sh` (make services), or set VIGIL_PG_HOST/PORT/USER/DATABASE"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=disable", pgHost, pgPort, pgUser, pgDB))
	sharedtest.Require(t, what, err, how)
	t.Cleanup(func() { conn.Close(context.Background()) })
	var level string
	err = conn.QueryRow(ctx, "SHOW wal_level").Scan(&level)
	if err == nil && level != "logical" {
		err = fmt.Errorf("wal_level is %s, not logical", level)
	}
	sharedtest.Require(t, what, err, how)
	return conn
}

// exec runs sql (one or more statements) with the simple protocol.
func exec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if len(args) == 0 {
		if _, err := conn.PgConn().Exec(context.Background(), sql).ReadAll(); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return
	}
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestPackOnPostgres creates schema.sql's tables in a fresh PostgreSQL
// schema, serves resources.yaml in process (the PostgreSQL source
// with its own slot and publication, the pack's queries, the breakers),
// writes agents, policies and an SLO before the server starts (they arrive
// through the snapshot), then heartbeats and a burst of tool calls (through
// replication), and checks every query's rows, in both languages, and the
// breakers the violations open; then a positive trust signal and a
// heartbeat take rows back.
func TestPackOnPostgres(t *testing.T) {
	conn := connect(t)
	ctx := context.Background()
	suffix := fmt.Sprintf("%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	schema, slot := "vigil_gov_"+suffix, "vigil_gov_"+suffix

	// The cleanup runs after the server's (registered later, run earlier),
	// so the slot is no longer in use; a walsender may still be leaving.
	t.Cleanup(func() {
		for i := 0; i < 50; i++ {
			if _, err := conn.Exec(ctx, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", slot); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		conn.Exec(ctx, "DROP PUBLICATION IF EXISTS "+slot)
		conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
	})
	ddl, err := os.ReadFile("schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, conn, "CREATE SCHEMA "+schema)
	exec(t, conn, "SET search_path TO "+schema+"; "+string(ddl))

	// The tables yield exactly the model's labels and property names.
	rows, err := conn.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = $1 ORDER BY table_name, ordinal_position`, schema)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		got[table] = append(got[table], col)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if fmt.Sprint(got) != fmt.Sprint(model) {
		t.Fatalf("schema.sql yields\n  %v\nthe model is\n  %v", got, model)
	}

	// Before the server: the SLO, the policies and the agents (bootstrap).
	exec(t, conn, `INSERT INTO "Slo" (id, agent, target, "window") VALUES ('slo-default', '*', 0.999, 'P30D')`)
	exec(t, conn, `INSERT INTO "Policy" (id, name, critical) VALUES
		('p-prod', 'no-prod-writes', true), ('p-budget', 'spend-limit', false)`)
	exec(t, conn, `INSERT INTO "Agent" (id, name, sponsor, ring, "trustScore", "lastPositiveAt") VALUES
		('agent-1', 'billing-bot', 'team-payments', 1, 720, now() - interval '11 hours'),
		('agent-2', 'refund-bot',  'team-payments', 1, 950, now()),
		('agent-3', 'ledger-bot',  'team-payments', 2, 950, now()),
		('agent-4', 'crawler',     'team-search',   2, 950, now())`)

	in := start(t, schema, slot)
	in.waitSource("running")

	// Through replication: heartbeats, a burst of tool calls.
	exec(t, conn, `INSERT INTO "Heartbeat" (agent, "at") VALUES ('agent-1', now() - interval '10 minutes'), ('agent-2', now())`)
	call := `INSERT INTO "ToolCall" (id, agent, session, tool, decision, policy, severity, outcome, "latencyMs", "costUsd")
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	// One critical denial each for agent-1 and agent-2.
	exec(t, conn, call, "call-1", "agent-1", "s-1", "sql.execute", "deny", "p-prod", "critical", "error", 12, 0.002)
	exec(t, conn, call, "call-2", "agent-2", "s-2", "sql.execute", "deny", "p-prod", "critical", "error", 9, 0.001)
	// Six denials under a policy that is not critical, one transaction each.
	for i := range 6 {
		exec(t, conn, call, fmt.Sprintf("call-3-%d", i), "agent-3", "s-3", "payments.refund", "deny", "p-budget", "high", "error", 30, 0.01)
	}
	// 31 allowed calls in one session, in one transaction: a runaway loop.
	exec(t, conn, `INSERT INTO "ToolCall" (id, agent, session, tool, decision, outcome, "latencyMs", "costUsd")
		SELECT 'call-4-' || i, 'agent-4', 's-loop', 'web.fetch', 'allow', 'ok', 40, 0.0005 FROM generate_series(1, 31) AS i`)

	// Every query's rows, compared on the columns named (floats such as the
	// burn rates are left out). Each Cypher query and its GQL twin give
	// the same.
	want := map[string]struct {
		cols []string
		rows []string
	}{
		"slo-burn-page":        {[]string{"agent", "slo", "severity"}, []string{"agent-1 slo-default page", "agent-2 slo-default page", "agent-3 slo-default page"}},
		"slo-burn-ticket":      {[]string{"agent", "slo", "severity"}, []string{"agent-1 slo-default ticket", "agent-2 slo-default ticket", "agent-3 slo-default ticket"}},
		"slo-error-budget":     {[]string{"agent", "slo", "window", "calls", "errors"}, []string{"agent-1 slo-default P30D 1 1", "agent-2 slo-default P30D 1 1", "agent-3 slo-default P30D 6 6", "agent-4 slo-default P30D 31 0"}},
		"trust-decay":          {[]string{"agent", "ring", "threshold", "demoteTo", "trustScore"}, []string{"agent-1 1 700 2 720", "agent-1 1 900 1 720"}},
		"policy-denials":       {[]string{"agent", "denials"}, []string{"agent-3 6"}},
		"critical-policy-trip": {[]string{"agent", "criticalDenials"}, []string{"agent-1 1", "agent-2 1"}},
		"runaway-loops":        {[]string{"agent", "session", "calls"}, []string{"agent-4 s-loop 31"}},
		"silent-agents":        {[]string{"agent"}, []string{"agent-1"}},
		"cascade":              {[]string{"sponsor", "openAgents"}, []string{"team-payments 3"}},
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w := want[n]
		for _, id := range []string{n, n + "-gql"} {
			in.waitRows(id, w.cols, w.rows)
		}
	}

	// The breakers the violations opened (GET /v1/breakers, the hub's API,
	// served in process as cmd/vigil serves it).
	in.waitFor("the breakers of agent-1..4 OPEN", func() (bool, string) {
		var bs []struct{ Key, State, Query string }
		body := in.get("/v1/breakers", &bs)
		open := []string{}
		for _, b := range bs {
			if b.State == "OPEN" {
				open = append(open, b.Key)
			}
		}
		sort.Strings(open)
		return slices.Equal(open, []string{"agent-1", "agent-2", "agent-3", "agent-4"}), body
	})

	// A positive signal moves agent-1 above 900: its demotion rows go.
	exec(t, conn, `UPDATE "Agent" SET "trustScore" = 960, "lastPositiveAt" = now() WHERE id = 'agent-1'`)
	// A heartbeat: agent-1 is no longer silent.
	exec(t, conn, `UPDATE "Heartbeat" SET "at" = now() WHERE agent = 'agent-1'`)
	for _, id := range []string{"trust-decay", "trust-decay-gql", "silent-agents", "silent-agents-gql"} {
		in.waitRows(id, []string{"agent"}, []string{})
	}
}

// instance is the server in process, with the kinds the pack needs
// registered as cmd/vigil registers them.
type instance struct {
	t      *testing.T
	srv    *server.Server
	hs     *httptest.Server
	client *http.Client
}

// start serves the resources file with the source pointed at schema's
// tables and its own slot and publication.
func start(t *testing.T, schema, slot string) *instance {
	t.Helper()
	rs, errs := resources.LoadFile(resourcesFile)
	for _, err := range errs {
		t.Fatal(err)
	}
	found := false
	for _, r := range rs {
		if r.Source == nil || r.Name != pgSource {
			continue
		}
		found = true
		p := r.Source.Properties
		var tables []any
		for _, tn := range p["tables"].([]any) {
			tables = append(tables, schema+"."+tn.(string))
		}
		p["tables"], p["slot"], p["publication"] = tables, slot, slot
		p["host"], p["port"], p["user"], p["database"] = pgHost, pgPort, pgUser, pgDB
	}
	if !found {
		t.Fatalf("%s has no source %s", resourcesFile, pgSource)
	}

	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hub := breaker.NewHub()
	opts := server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Store: st}
	opts.Sources = sources.NewRegistry()
	opts.Sources.Register(pgsource.Kind, pgsource.Factory)
	opts.Sources.Register(breaker.SourceKind, hub.SourceFactory)
	opts.Reactions = reactions.NewRegistry()
	opts.Reactions.Register(breaker.Kind, hub.ReactionFactory)
	for _, p := range hub.Patterns() {
		opts.Routes = append(opts.Routes, server.Route{Pattern: p, Handler: hub.Handler()})
	}
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := srv.Apply(ctx, rs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Error != "" {
			t.Fatalf("apply %s %s: %s", r.Kind, r.Name, r.Error)
		}
	}
	srv.SetReady()
	in := &instance{t: t, srv: srv, hs: httptest.NewServer(srv.Handler()), client: &http.Client{Timeout: 10 * time.Second}}
	t.Cleanup(func() {
		srv.Close()
		in.hs.Close()
	})
	return in
}

// get GETs path, decodes the JSON answer into v, and returns the body.
func (in *instance) get(path string, v any) string {
	in.t.Helper()
	resp, err := in.client.Get(in.hs.URL + path)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		in.t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		in.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		in.t.Fatalf("GET %s: %v: %s", path, err, body)
	}
	return string(body)
}

// waitFor polls ok until it holds, for up to 30 s; the failure shows the
// last answer.
func (in *instance) waitFor(what string, ok func() (bool, string)) {
	in.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		done, last := ok()
		if done {
			return
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("waiting for %s: last answer %s", what, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (in *instance) waitSource(state string) {
	in.t.Helper()
	in.waitFor("source "+pgSource+" "+state, func() (bool, string) {
		var v server.SourceView
		body := in.get("/v1/sources/"+pgSource, &v)
		if v.State == "failed" {
			in.t.Fatalf("source %s failed: %s", pgSource, v.Error)
		}
		return v.State == state, body
	})
}

// waitRows waits until query id's rows, each written as its cols' values
// joined with spaces, are rows (in any order).
func (in *instance) waitRows(id string, cols, rows []string) {
	in.t.Helper()
	want := slices.Clone(rows)
	sort.Strings(want)
	in.waitFor(fmt.Sprintf("%s rows %q", id, want), func() (bool, string) {
		var res server.Results
		body := in.get("/v1/queries/"+id+"/results", &res)
		if res.State == "error" || res.Error != "" {
			in.t.Fatalf("query %s: %s", id, res.Error)
		}
		var got []string
		for _, r := range res.Results {
			vals := make([]string, len(cols))
			for i, c := range cols {
				vals[i] = fmt.Sprint(r[c])
			}
			got = append(got, strings.Join(vals, " "))
		}
		sort.Strings(got)
		return slices.Equal(got, want) || len(got) == 0 && len(want) == 0, body
	})
}

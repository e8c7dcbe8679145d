package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
	"github.com/vigilhq/vigil/sources"
	"github.com/vigilhq/vigil/sources/sourcetest"
)

// The integration tests run against the PostgreSQL that `make services`
// prepares (127.0.0.1:5432, trust auth, database test, wal_level=logical);
// VIGIL_PG_HOST/PORT/USER/DATABASE override it.

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

// admin connects as the test superuser. When the server cannot be reached
// or is not set up for logical replication, it skips the test, or fails it
// under CI=true (sharedtest.Require).
func admin(t *testing.T) *pgconn.PgConn {
	t.Helper()
	what := fmt.Sprintf("PostgreSQL at %s:%s", pgHost, pgPort)
	const how = "run `make services`, or set VIGIL_PG_HOST/PORT/USER/DATABASE"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=disable", pgHost, pgPort, pgUser, pgDB))
	sharedtest.Require(t, what, err, how)
	t.Cleanup(func() { conn.Close(context.Background()) })
	rows, err := query(ctx, conn, "SHOW wal_level")
	if err == nil && string(rows[0][0]) != "logical" {
		err = fmt.Errorf("wal_level is %s, not logical", rows[0][0])
	}
	sharedtest.Require(t, what, err, how)
	return conn
}

func mustExec(t *testing.T, conn *pgconn.PgConn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql).ReadAll(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

var seq atomic.Int64

// unique returns a name no other test (or earlier run) uses.
func unique(prefix string) string {
	return fmt.Sprintf("%s_%d_%d_%d", prefix, os.Getpid(), time.Now().UnixNano()%1e6, seq.Add(1))
}

// fixture is one table with its own slot and publication, dropped at the end.
type fixture struct {
	t     *testing.T
	conn  *pgconn.PgConn
	table string
	slot  string
	pub   string
}

func newFixture(t *testing.T, ddl string) *fixture {
	conn := admin(t)
	f := &fixture{t: t, conn: conn, table: unique("t"), slot: unique("slot"), pub: unique("pub")}
	mustExec(t, conn, fmt.Sprintf(ddl, f.table))
	t.Cleanup(func() {
		ctx := context.Background()
		// The slot may still be held by a walsender that is going away.
		for i := 0; i < 50; i++ {
			if _, err := query(ctx, conn, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", f.slot); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		conn.Exec(ctx, "DROP PUBLICATION IF EXISTS "+f.pub).ReadAll()
		conn.Exec(ctx, "DROP TABLE IF EXISTS "+f.table+" CASCADE").ReadAll()
	})
	return f
}

func (f *fixture) exec(sql string) {
	f.t.Helper()
	mustExec(f.t, f.conn, strings.ReplaceAll(sql, "$T", f.table))
}

func (f *fixture) props(extra map[string]any) map[string]any {
	p := map[string]any{
		"host": pgHost, "port": pgPort, "user": pgUser, "database": pgDB, "sslmode": "disable",
		"tables": []any{f.table}, "slot": f.slot, "publication": f.pub,
	}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

func (f *fixture) source(extra map[string]any) *Source {
	f.t.Helper()
	src, err := New("pg", f.props(extra))
	if err != nil {
		f.t.Fatal(err)
	}
	return src.(*Source)
}

// The shared collector and helpers (sources/sourcetest).
type collector = sourcetest.Collector

var (
	newCollector = sourcetest.NewCollector
	run          = sourcetest.Run
	waitFor      = sourcetest.WaitFor
	describe     = sourcetest.Describe
)

func propString(p map[string]value.Value) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s:%s ", k, p[k].Kind(), p[k])
	}
	return b.String()
}

func TestStreamOperations(t *testing.T) {
	f := newFixture(t, "CREATE TABLE %s (id int PRIMARY KEY, name text, n int)")
	f.exec("INSERT INTO $T VALUES (1, 'a', 10), (2, 'b', 20)")
	src := f.source(nil)
	c := newCollector()
	stop := run(t, src, nil, c)

	b := c.WaitBatches(t, 1)
	if !b[0].Bootstrap || !b[0].Done || len(b[0].Changes) != 2 || b[0].Position == nil {
		t.Fatalf("bootstrap batch: %+v", b[0])
	}
	if got := describe(b[0]); !strings.Contains(got, "insert "+f.table+":1") || !strings.Contains(got, "insert "+f.table+":2") {
		t.Fatalf("bootstrap: %s", got)
	}
	if l := b[0].Changes[0].Element.Labels; len(l) != 1 || l[0] != f.table {
		t.Fatalf("labels %v", l)
	}

	f.exec("INSERT INTO $T VALUES (3, 'c', 30)")
	f.exec("UPDATE $T SET name = 'aa' WHERE id = 1")
	f.exec("DELETE FROM $T WHERE id = 2")
	f.exec("BEGIN; INSERT INTO $T VALUES (4, 'd', 40); INSERT INTO $T VALUES (5, 'e', 50); UPDATE $T SET n = 41 WHERE id = 4; COMMIT")
	f.exec("BEGIN; INSERT INTO $T VALUES (6, 'f', 60); ROLLBACK")
	f.exec("UPDATE $T SET id = 7 WHERE id = 3")
	f.exec("TRUNCATE $T")
	f.exec("INSERT INTO $T VALUES (8, 'h', 80)")
	b = c.WaitBatches(t, 8)
	T := f.table
	want := []string{
		"insert " + T + ":3",
		"update " + T + ":1",
		"delete " + T + ":2",
		"insert " + T + ":4, insert " + T + ":5, update " + T + ":4",
		"delete " + T + ":3, insert " + T + ":7",
		"delete " + T + ":1, delete " + T + ":4, delete " + T + ":5, delete " + T + ":7",
		"insert " + T + ":8",
	}
	for i, w := range want {
		got := b[i+1]
		if describe(got) != w {
			t.Errorf("batch %d: got %q, want %q", i+1, describe(got), w)
		}
		if got.Bootstrap || got.Position == nil || got.Time.IsZero() {
			t.Errorf("batch %d: bootstrap=%v position=%q time=%v", i+1, got.Bootstrap, got.Position, got.Time)
		}
	}
	if len(b) != 8 {
		t.Errorf("%d batches, want 8 (rollback must emit nothing)", len(b))
	}
	if p := b[2].Changes[0].Element.Props; p["name"].AsString() != "aa" || p["n"].AsInt() != 10 || p["id"].AsInt() != 1 {
		t.Errorf("update carries full row: %s", propString(p))
	}
	st := src.Status()
	if st.State != "running" || st.Changes != 15 || st.Position == "" || st.Error != "" {
		t.Errorf("status %+v", st)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if st := src.Status(); st.State != "stopped" {
		t.Errorf("status after stop %+v", st)
	}
}

func TestTypes(t *testing.T) {
	f := newFixture(t, "CREATE TABLE %s (x int)")
	// The enum type is per test so that parallel runs do not clash.
	mood := unique("mood")
	f.conn.Exec(context.Background(), "DROP TABLE "+f.table).ReadAll()
	f.exec("CREATE TYPE " + mood + " AS ENUM ('happy', 'sad')")
	t.Cleanup(func() { f.conn.Exec(context.Background(), "DROP TYPE IF EXISTS "+mood+" CASCADE").ReadAll() })
	f.exec(`CREATE TABLE $T (
		a int, b bigint, c smallint, d numeric(12,3), e real, f double precision, g boolean,
		h text, i varchar(10), j uuid, k timestamptz, l timestamp, m date, n json, o jsonb,
		p int[], q text[], r bytea, s ` + mood + `, t time, u interval, v char(3), w int[][],
		PRIMARY KEY (a, h))`)
	row := `(%d, 9007199254740993, -3, 12345.678, 1.5, 2.25, true,
		'x', 'héllo', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2026-03-04 05:06:07.123456+02', '2026-03-04 05:06:07.5', '2026-03-04',
		'{"k": [1, 2.5, "s", null, true]}', '{"a": {"b": 1}}', '{1,2,NULL}', '{"a b","c,d","e\"f"}', '\x00ff10', 'sad',
		'13:14:15.25', '1 year 2 mons 3 days 04:05:06.5', 'ab', '{{1,2},{3,4}}')`
	f.exec("INSERT INTO $T VALUES " + fmt.Sprintf(row, 1))
	src := f.source(nil)
	c := newCollector()
	run(t, src, nil, c)
	c.WaitBatches(t, 1)
	f.exec("INSERT INTO $T VALUES " + fmt.Sprintf(row, 2))
	b := c.WaitBatches(t, 2)
	boot, streamed := b[0].Changes[0].Element, b[1].Changes[0].Element
	if boot.ID != f.table+":1:x" || streamed.ID != f.table+":2:x" {
		t.Fatalf("ids %q %q", boot.ID, streamed.ID)
	}
	delete(boot.Props, "a")
	delete(streamed.Props, "a")
	if propString(boot.Props) != propString(streamed.Props) {
		t.Errorf("snapshot and stream differ:\n%s\n%s", propString(boot.Props), propString(streamed.Props))
	}
	want := map[string]string{
		"b": "Integer:9007199254740993",
		"c": "Integer:-3",
		"d": "Float:12345.678",
		"e": "Float:1.5",
		"f": "Float:2.25",
		"g": "Boolean:true",
		"h": "String:'x'",
		"i": "String:'héllo'",
		"j": "String:'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
		"k": "DateTime:'2026-03-04T03:06:07.123456Z'",
		"l": "LocalDateTime:'2026-03-04T05:06:07.500'",
		"m": "Date:'2026-03-04'",
		"n": `Map:{k: [1, 2.5, 's', null, true]}`,
		"o": "Map:{a: {b: 1}}",
		"p": "List:[1, 2, null]",
		"q": `List:['a b', 'c,d', 'e"f']`,
		"r": "String:'AP8Q'",
		"s": "String:'sad'",
		"t": "LocalTime:'13:14:15.250'",
		"u": "Duration:'P1Y2M3DT4H5M6.5S'",
		"v": "String:'ab '",
		"w": "List:[[1, 2], [3, 4]]",
	}
	for k, w := range want {
		v := streamed.Props[k]
		if got := v.Kind().String() + ":" + v.String(); got != w {
			t.Errorf("column %s: got %s, want %s", k, got, w)
		}
	}
	// numeric: string keeps the exact decimal.
	f2 := newFixture(t, "CREATE TABLE %s (id int PRIMARY KEY, d numeric)")
	f2.exec("INSERT INTO $T VALUES (1, 0.1000000000000000000001)")
	c2 := newCollector()
	run(t, f2.source(map[string]any{"numeric": "string"}), nil, c2)
	b2 := c2.WaitBatches(t, 1)
	if d := b2[0].Changes[0].Element.Props["d"]; d.Kind() != value.KindString || d.AsString() != "0.1000000000000000000001" {
		t.Errorf("numeric as string: %s %s", d.Kind(), d)
	}
}

// tableState reads the table as the ids and props the source would emit.
func tableState(t *testing.T, f *fixture, src *Source) map[string]string {
	t.Helper()
	ctx := context.Background()
	dec := newDecoders(false, func(oids []uint32) (map[uint32]typeInfo, error) { return lookupTypes(ctx, f.conn, oids) })
	tables, err := src.loadTables(ctx, f.conn, dec)
	if err != nil {
		t.Fatal(err)
	}
	tb := tables[f.table]
	rel := &relation{t: tb, cols: tb.cols}
	if err := rel.bindKey(); err != nil {
		t.Fatal(err)
	}
	rows, err := query(ctx, f.conn, "SELECT * FROM "+f.table)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		el, err := rel.element(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		out[el.ID] = propString(el.Props)
	}
	return out
}

func compareState(t *testing.T, want map[string]string, c *collector) {
	t.Helper()
	c.Mu.Lock()
	defer c.Mu.Unlock()
	missing, extra, diff := 0, 0, 0
	for id, p := range want {
		got, ok := c.State[id]
		switch {
		case !ok:
			missing++
		case propString(got) != p:
			diff++
			if diff < 3 {
				t.Errorf("%s: got %s want %s", id, propString(got), p)
			}
		}
	}
	for id := range c.State {
		if _, ok := want[id]; !ok {
			extra++
		}
	}
	if missing+extra+diff > 0 {
		t.Fatalf("state differs from the table: %d missing, %d extra, %d different (of %d rows)", missing, extra, diff, len(want))
	}
}

// writer changes random rows of the table until stopped, one transaction
// at a time; it returns how many transactions committed. It also stops
// when the test ends, before the fixture's cleanup drops the table (a test
// that fails before closing stop must not leave it writing, nor calling
// t.Error after the test is over), and after writerLimit, which no test
// needs, failing the test.
func writer(t *testing.T, f *fixture, idBase, idRange int, stop <-chan struct{}) <-chan int {
	out := make(chan int, 1)
	ctx, cancel := context.WithTimeout(t.Context(), writerLimit)
	exited := make(chan struct{})
	t.Cleanup(func() { cancel(); <-exited })
	go func() {
		defer close(exited)
		conn, err := pgconn.Connect(ctx, fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=disable", pgHost, pgPort, pgUser, pgDB))
		if err != nil {
			if ctx.Err() == nil {
				t.Error(err)
			}
			out <- 0
			return
		}
		defer conn.Close(context.Background())
		r := rand.New(rand.NewSource(int64(idBase)))
		n := 0
		for {
			select {
			case <-stop:
				out <- n
				return
			case <-ctx.Done():
				if errors.Is(ctx.Err(), context.DeadlineExceeded) {
					t.Errorf("writer still running after %v: the test never stopped it", writerLimit)
				}
				out <- n
				return
			default:
			}
			id := idBase + r.Intn(idRange)
			var sql string
			switch r.Intn(4) {
			case 0:
				sql = fmt.Sprintf("INSERT INTO %s VALUES (%d, 'new', %d) ON CONFLICT (id) DO UPDATE SET v = 'upsert'", f.table, id, n)
			case 1:
				sql = fmt.Sprintf("DELETE FROM %s WHERE id = %d", f.table, id)
			case 2:
				sql = fmt.Sprintf("BEGIN; UPDATE %s SET n = n + 1 WHERE id = %d; UPDATE %s SET v = 'tx' WHERE id = %d; COMMIT", f.table, id, f.table, id+1)
			default:
				sql = fmt.Sprintf("UPDATE %s SET n = n + 1, v = 'upd' WHERE id = %d", f.table, id)
			}
			if _, err := conn.Exec(ctx, sql).ReadAll(); err != nil {
				if ctx.Err() == nil {
					t.Error(err)
				}
				out <- n
				return
			}
			n++
		}
	}()
	return out
}

// writerLimit bounds a writer that its test never stops.
const writerLimit = 2 * time.Minute

func TestBootstrapRacingWrites(t *testing.T) {
	const rows = 100000
	f := newFixture(t, "CREATE TABLE %s (id int PRIMARY KEY, v text, n int)")
	f.exec(fmt.Sprintf("INSERT INTO $T SELECT g, 'row ' || g, g FROM generate_series(1, %d) g", rows))
	src := f.source(nil)
	c := newCollector()
	stopW := make(chan struct{})
	w1 := writer(t, f, 1, rows+1000, stopW)
	w2 := writer(t, f, 50000, rows, stopW)
	time.Sleep(50 * time.Millisecond) // writes are in flight when the slot is created
	start := time.Now()
	run(t, src, nil, c)
	waitFor(t, "bootstrap", 60*time.Second, func() bool { _, _, done := c.Snapshot(); return done })
	elapsed := time.Since(start)
	time.Sleep(200 * time.Millisecond)
	close(stopW)
	n := <-w1 + <-w2
	// A marker row written last tells when the stream has caught up.
	f.exec("INSERT INTO $T VALUES (-1, 'marker', 0)")
	waitFor(t, "marker", 30*time.Second, func() bool {
		c.Mu.Lock()
		defer c.Mu.Unlock()
		_, ok := c.State[f.table+":-1"]
		return ok
	})
	compareState(t, tableState(t, f, src), c)
	boot := 0
	for _, b := range c.Batches {
		if b.Bootstrap {
			boot += len(b.Changes)
		}
	}
	t.Logf("bootstrap: %d rows in %v (%.0f rows/s) while %d concurrent transactions committed; %d batches in all",
		boot, elapsed.Round(time.Millisecond), float64(boot)/elapsed.Seconds(), n, len(c.Batches))
}

func TestResumeAfterCancel(t *testing.T) {
	f := newFixture(t, "CREATE TABLE %s (id int PRIMARY KEY, v text, n int)")
	f.exec("INSERT INTO $T SELECT g, 'row', g FROM generate_series(1, 100) g")
	c := newCollector()
	stopW := make(chan struct{})
	w := writer(t, f, 1, 300, stopW)

	// Run 1, cancelled mid-stream.
	stop1 := run(t, f.source(nil), nil, c)
	waitFor(t, "some streamed batches", 15*time.Second, func() bool { b, _, _ := c.Snapshot(); return len(b) > 20 })
	if err := stop1(); err != nil {
		t.Fatal(err)
	}
	_, pos, _ := c.Snapshot()
	n1 := len(c.Batches)

	// Run 2 resumes from the last position the "server" committed, with
	// an emit that fails once to exercise the in-Run retry.
	var failed atomic.Bool
	c.Mu.Lock()
	c.Fail = func(b engine.Batch) error {
		if failed.CompareAndSwap(false, true) {
			return errors.New("injected commit failure")
		}
		return nil
	}
	c.Mu.Unlock()
	src2 := f.source(nil)
	run(t, src2, pos, c)
	waitFor(t, "more batches", 15*time.Second, func() bool { b, _, _ := c.Snapshot(); return len(b) > n1+20 })
	close(stopW)
	<-w
	f.exec("INSERT INTO $T VALUES (-1, 'marker', 0)")
	waitFor(t, "marker", 30*time.Second, func() bool {
		c.Mu.Lock()
		defer c.Mu.Unlock()
		_, ok := c.State[f.table+":-1"]
		return ok
	})
	compareState(t, tableState(t, f, src2), c)
	// Positions strictly increase: nothing repeated across the restart.
	var last string
	for i, b := range c.Batches {
		if b.Position == nil {
			continue
		}
		if last != "" && !lsnLess(last, string(b.Position)) {
			t.Fatalf("batch %d: position %s not after %s", i, b.Position, last)
		}
		last = string(b.Position)
	}
	if !failed.Load() {
		t.Error("the injected failure never happened")
	}
	t.Logf("%d batches before the cancel, %d after", n1, len(c.Batches)-n1)
}

func lsnLess(a, b string) bool {
	var ah, al, bh, bl uint64
	fmt.Sscanf(a, "%X/%X", &ah, &al)
	fmt.Sscanf(b, "%X/%X", &bh, &bl)
	return ah<<32|al < bh<<32|bl
}

func TestTruncateAfterResumeUsesSeed(t *testing.T) {
	f := newFixture(t, "CREATE TABLE %s (id int PRIMARY KEY)")
	f.exec("INSERT INTO $T VALUES (1), (2)")
	c := newCollector()
	stop := run(t, f.source(nil), nil, c)
	c.WaitBatches(t, 1)
	stop()
	_, pos, _ := c.Snapshot()
	// While Vigil is down, a row is deleted and the table truncated: the
	// table is empty when the source comes back, only the seed knows ids.
	f.exec("DELETE FROM $T WHERE id = 2")
	f.exec("TRUNCATE $T")
	src := f.source(nil)
	src.SeedIDs(func(label string) []string {
		var ids []string
		c.Mu.Lock()
		defer c.Mu.Unlock()
		for id := range c.State {
			if strings.HasPrefix(id, label+":") {
				ids = append(ids, id)
			}
		}
		return ids
	})
	run(t, src, pos, c)
	b := c.WaitBatches(t, 3)
	if got := describe(b[2]); got != "delete "+f.table+":1" {
		t.Errorf("truncate after resume: %q", got)
	}
	if len(c.State) != 0 {
		t.Errorf("state not empty: %v", c.State)
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t, "CREATE TABLE %s (id int PRIMARY KEY, v text)")
	failed := func(t *testing.T, src sources.Source, from []byte, want string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err := src.Run(ctx, from, newCollector().Emit)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Run error %v, want it to mention %q", err, want)
		}
		if st := src.Status(); st.State != "failed" || !strings.Contains(st.Error, want) {
			t.Fatalf("status %+v", st)
		}
		t.Logf("%s", err)
	}

	t.Run("wrong credentials", func(t *testing.T) {
		failed(t, f.source(map[string]any{"user": "no_such_user_vigil"}), nil, "authentication failed")
	})
	t.Run("unreachable host", func(t *testing.T) {
		src := f.source(map[string]any{"port": 1})
		stop := run(t, src, nil, newCollector())
		waitFor(t, "retrying", 10*time.Second, func() bool { return src.Status().State == "retrying" })
		if st := src.Status(); !strings.Contains(st.Error, "cannot connect") {
			t.Errorf("status %+v", st)
		}
		t.Logf("%+v", src.Status())
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("no replication privilege", func(t *testing.T) {
		role := unique("norepl")
		f.exec("CREATE ROLE " + role + " LOGIN")
		t.Cleanup(func() { f.conn.Exec(context.Background(), "DROP ROLE IF EXISTS "+role).ReadAll() })
		failed(t, f.source(map[string]any{"user": role}), nil, "lacks the REPLICATION privilege")
	})
	t.Run("no primary key", func(t *testing.T) {
		g := newFixture(t, "CREATE TABLE %s (v text)")
		failed(t, g.source(nil), nil, "has no primary key")
	})
	t.Run("missing table", func(t *testing.T) {
		failed(t, f.source(map[string]any{"tables": "no_such_table_vigil"}), nil, "does not exist")
	})
	t.Run("dropped slot", func(t *testing.T) {
		c := newCollector()
		stop := run(t, f.source(nil), nil, c)
		c.WaitBatches(t, 1)
		stop()
		_, pos, _ := c.Snapshot()
		// The stopped source's walsender may hold the slot a moment longer.
		var err error
		for i := 0; i < 50; i++ {
			if _, err = f.conn.Exec(context.Background(), "SELECT pg_drop_replication_slot('"+f.slot+"')").ReadAll(); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("dropping the slot: %v", err)
		}
		failed(t, f.source(nil), pos, "does not exist (dropped?)")
	})
	t.Run("bad properties", func(t *testing.T) {
		for _, p := range []map[string]any{
			{"database": "test", "tables": "x"},
			{"user": "u", "database": "test"},
			{"user": "u", "database": "test", "tables": "x", "port": "x"},
			{"user": "u", "database": "test", "tables": "x", "numeric": "exact"},
			{"user": "u", "database": "test", "tables": "x", "slot": "Bad-Name"},
			{"user": "u", "database": "test", "tables": "x", "passwordEnv": "VIGIL_NO_SUCH_VAR"},
			{"user": "u", "database": "test", "tables": "x", "colour": "red"},
		} {
			if _, err := New("pg", p); err == nil {
				t.Errorf("%v: no error", p)
			} else {
				t.Logf("%v", err)
			}
		}
	})
}

func TestSchemaChange(t *testing.T) {
	t.Run("follow", func(t *testing.T) {
		f := newFixture(t, "CREATE TABLE %s (id int PRIMARY KEY, v text)")
		c := newCollector()
		src := f.source(nil)
		run(t, src, nil, c)
		c.WaitBatches(t, 1)
		f.exec("INSERT INTO $T VALUES (1, 'a')")
		f.exec("ALTER TABLE $T ADD COLUMN w int DEFAULT 7")
		f.exec("INSERT INTO $T VALUES (2, 'b', 8)")
		b := c.WaitBatches(t, 3)
		if p := b[2].Changes[0].Element.Props; p["w"].AsInt() != 8 {
			t.Errorf("new column not followed: %s", propString(p))
		}
		if st := src.Status(); st.State != "running" || !strings.Contains(st.Notice, "changed schema (added column w)") {
			t.Errorf("status %+v: want running with a notice of the schema change", st)
		}
	})
	t.Run("fail", func(t *testing.T) {
		f := newFixture(t, "CREATE TABLE %s (id int PRIMARY KEY, v text)")
		c := newCollector()
		src := f.source(map[string]any{"schemaChanges": "fail"})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		errc := make(chan error, 1)
		go func() { errc <- src.Run(ctx, nil, c.Emit) }()
		c.WaitBatches(t, 1)
		f.exec("ALTER TABLE $T ADD COLUMN w int")
		f.exec("INSERT INTO $T VALUES (2, 'b', 8)")
		var err error
		select {
		case err = <-errc:
		case <-time.After(30 * time.Second):
			t.Fatal("Run neither failed on the schema change nor returned when its 20s context ended")
		}
		if err == nil || !strings.Contains(err.Error(), "changed schema (added column w)") {
			t.Fatalf("Run: %v", err)
		}
		if st := src.Status(); st.State != "failed" || !strings.Contains(st.Error, "added column w") {
			t.Fatalf("status %+v", st)
		}
		t.Log(err)
	})
}

package mysql

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

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
	"github.com/vigilhq/vigil/sources"
	"github.com/vigilhq/vigil/sources/sourcetest"
)

// The integration tests run against the MariaDB (or MySQL) that `make
// services` prepares (127.0.0.1:3306, root without password, database test,
// row-based binlog); VIGIL_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE override it.

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

var (
	myHost = env("VIGIL_MYSQL_HOST", "127.0.0.1")
	myPort = env("VIGIL_MYSQL_PORT", "3306")
	myUser = env("VIGIL_MYSQL_USER", "root")
	myPass = env("VIGIL_MYSQL_PASSWORD", "")
	myDB   = env("VIGIL_MYSQL_DATABASE", "test")
)

func dial() (*client.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return client.ConnectWithContext(ctx, myHost+":"+myPort, myUser, myPass, myDB, 5*time.Second)
}

// admin connects. When the server is unreachable or has no row-based
// binary log, it skips the test, or fails it under CI=true (sharedtest.Require).
func admin(t *testing.T) *client.Conn {
	t.Helper()
	what := fmt.Sprintf("MySQL/MariaDB at %s:%s", myHost, myPort)
	const how = "run `make services`, or set VIGIL_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE"
	conn, err := dial()
	sharedtest.Require(t, what, err, how)
	t.Cleanup(func() { conn.Close() })
	r, err := conn.Execute("SELECT @@log_bin, @@binlog_format")
	if err != nil {
		t.Fatal(err)
	}
	if on, _ := r.GetInt(0, 0); on != 1 {
		sharedtest.Require(t, what, errors.New("no binary log (log_bin is off)"), how)
	}
	if format, _ := r.GetString(0, 1); format != "ROW" {
		sharedtest.Require(t, what, fmt.Errorf("binlog_format is %s, not ROW", format), how)
	}
	return conn
}

var seq atomic.Int64

func unique(prefix string) string {
	return fmt.Sprintf("%s_%d_%d_%d", prefix, os.Getpid(), time.Now().UnixNano()%1e6, seq.Add(1))
}

type fixture struct {
	t     *testing.T
	conn  *client.Conn
	table string
}

func newFixture(t *testing.T, ddl string) *fixture {
	conn := admin(t)
	f := &fixture{t: t, conn: conn, table: unique("t")}
	f.exec(ddl)
	t.Cleanup(func() { conn.Execute("DROP TABLE IF EXISTS " + f.table) })
	return f
}

func (f *fixture) exec(sql string) {
	f.t.Helper()
	for _, q := range strings.Split(strings.ReplaceAll(sql, "$T", f.table), ";") {
		if strings.TrimSpace(q) == "" {
			continue
		}
		if _, err := f.conn.Execute(q); err != nil {
			f.t.Fatalf("%s: %v", q, err)
		}
	}
}

func (f *fixture) props(extra map[string]any) map[string]any {
	p := map[string]any{"host": myHost, "port": myPort, "user": myUser, "password": myPass, "database": myDB, "tables": []any{f.table}}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

func (f *fixture) source(extra map[string]any) *Source {
	f.t.Helper()
	src, err := New("my", f.props(extra))
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
	f := newFixture(t, "CREATE TABLE $T (id int PRIMARY KEY, name varchar(20), n int)")
	f.exec("INSERT INTO $T VALUES (1, 'a', 10), (2, 'b', 20)")
	src := f.source(nil)
	c := newCollector()
	stop := run(t, src, nil, c)

	b := c.WaitBatches(t, 1)
	if !b[0].Bootstrap || !b[0].Done || len(b[0].Changes) != 2 || b[0].Position == nil {
		t.Fatalf("bootstrap batch: %+v", b[0])
	}
	f.exec("INSERT INTO $T VALUES (3, 'c', 30)")
	f.exec("UPDATE $T SET name = 'aa' WHERE id = 1")
	f.exec("DELETE FROM $T WHERE id = 2")
	f.exec("BEGIN; INSERT INTO $T VALUES (4, 'd', 40); INSERT INTO $T VALUES (5, 'e', 50); UPDATE $T SET n = 41 WHERE id = 4; COMMIT")
	f.exec("BEGIN; INSERT INTO $T VALUES (6, 'f', 60); ROLLBACK")
	f.exec("UPDATE $T SET id = 7 WHERE id = 3")
	f.exec("TRUNCATE TABLE $T")
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
	if st := src.Status(); st.State != "running" || st.Changes != 15 || st.Position == "" || st.Error != "" {
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
	f := newFixture(t, `CREATE TABLE $T (
		a int, b bigint, c smallint, d decimal(12,3), e float, f double, g boolean,
		h varchar(10), i text, j char(36), k timestamp(6) NULL, l datetime(3), m date, n json,
		r varbinary(10), s enum('happy','sad'), t time(3), u set('x','y','z'), v tinyint unsigned,
		w bigint unsigned, x bit(5), y year, z blob, u2 uuid, tm2 time,
		PRIMARY KEY (a, h))`)
	row := `(%d, 9007199254740993, -3, 12345.678, 1.1, 2.25, true,
		'x', 'héllo wörld', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2026-03-04 03:06:07.123456', '2026-03-04 05:06:07.5', '2026-03-04',
		'{"k": [1, 2.5, "s", null, true]}', X'00ff10', 'sad', '13:14:15.25', 'x,z', 250,
		18446744073709551615, b'10101', 2026, X'0102', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '-26:00:01')`
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
		"b":   "Integer:9007199254740993",
		"c":   "Integer:-3",
		"d":   "Float:12345.678",
		"e":   "Float:1.1",
		"f":   "Float:2.25",
		"g":   "Boolean:true",
		"h":   "String:'x'",
		"i":   "String:'héllo wörld'",
		"j":   "String:'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
		"k":   "DateTime:'2026-03-04T03:06:07.123456Z'",
		"l":   "LocalDateTime:'2026-03-04T05:06:07.500'",
		"m":   "Date:'2026-03-04'",
		"n":   `Map:{k: [1, 2.5, 's', null, true]}`,
		"r":   "String:'AP8Q'",
		"s":   "String:'sad'",
		"t":   "LocalTime:'13:14:15.250'",
		"u":   "String:'x,z'",
		"v":   "Integer:250",
		"w":   "Float:1.8446744073709552e+19",
		"x":   "Integer:21",
		"y":   "Integer:2026",
		"z":   "String:'AQI='",
		"u2":  "String:'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
		"tm2": "Duration:'PT-26H-1S'",
	}
	for k, w := range want {
		v := streamed.Props[k]
		if got := v.Kind().String() + ":" + v.String(); got != w {
			t.Errorf("column %s: got %s, want %s (snapshot: %s)", k, got, w, boot.Props[k])
		}
	}
	f2 := newFixture(t, "CREATE TABLE $T (id int PRIMARY KEY, d decimal(30,22))")
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
	tb, err := src.loadTable(f.conn, f.table)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.conn.Execute("SET time_zone = '+00:00'"); err != nil {
		t.Fatal(err)
	}
	r, err := f.conn.Execute("SELECT * FROM " + f.table)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, row := range r.Values {
		vals := make([]any, len(row))
		for i := range row {
			vals[i] = row[i].Value()
		}
		el, err := src.element(tb, tb.cols, vals)
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

// writerLimit bounds a writer that its test never stops.
const writerLimit = 2 * time.Minute

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
		conn, err := dial()
		if err != nil {
			t.Error(err)
			out <- 0
			return
		}
		defer conn.Close()
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
			var qs []string
			switch r.Intn(4) {
			case 0:
				qs = []string{fmt.Sprintf("INSERT INTO %s VALUES (%d, 'new', %d) ON DUPLICATE KEY UPDATE v = 'upsert'", f.table, id, n)}
			case 1:
				qs = []string{fmt.Sprintf("DELETE FROM %s WHERE id = %d", f.table, id)}
			case 2:
				qs = []string{"BEGIN", fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE id = %d", f.table, id),
					fmt.Sprintf("UPDATE %s SET v = 'tx' WHERE id = %d", f.table, id+1), "COMMIT"}
			default:
				qs = []string{fmt.Sprintf("UPDATE %s SET n = n + 1, v = 'upd' WHERE id = %d", f.table, id)}
			}
			for _, q := range qs {
				if _, err := conn.Execute(q); err != nil {
					if ctx.Err() == nil {
						t.Error(err)
					}
					out <- n
					return
				}
			}
			n++
		}
	}()
	return out
}

func waitMarker(t *testing.T, f *fixture, c *collector) {
	t.Helper()
	f.exec("INSERT INTO $T VALUES (-1, 'marker', 0)")
	waitFor(t, "marker", 30*time.Second, func() bool {
		c.Mu.Lock()
		defer c.Mu.Unlock()
		_, ok := c.State[f.table+":-1"]
		return ok
	})
}

func TestBootstrapRacingWrites(t *testing.T) {
	const rows = 100000
	f := newFixture(t, "CREATE TABLE $T (id int PRIMARY KEY, v varchar(20), n int)")
	// Five cross-joined digit tables fill it in one portable statement.
	d := "(SELECT 0 i UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"
	f.exec(fmt.Sprintf(`INSERT INTO $T SELECT n, CONCAT('row ', n), n FROM (SELECT 1 + a.i + 10*b.i + 100*c.i + 1000*d.i + 10000*e.i AS n
		FROM %[1]s a, %[1]s b, %[1]s c, %[1]s d, %[1]s e) g WHERE n <= %d`, d, rows))
	src := f.source(nil)
	c := newCollector()
	stopW := make(chan struct{})
	w1 := writer(t, f, 1, rows+1000, stopW)
	w2 := writer(t, f, 50000, rows, stopW)
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	run(t, src, nil, c)
	waitFor(t, "bootstrap", 60*time.Second, func() bool { _, _, done := c.Snapshot(); return done })
	elapsed := time.Since(start)
	time.Sleep(200 * time.Millisecond)
	close(stopW)
	n := <-w1 + <-w2
	waitMarker(t, f, c)
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
	f := newFixture(t, "CREATE TABLE $T (id int PRIMARY KEY, v varchar(20), n int)")
	f.exec("INSERT INTO $T VALUES (1, 'a', 1), (2, 'b', 2)")
	c := newCollector()
	stopW := make(chan struct{})
	w := writer(t, f, 1, 300, stopW)
	stop1 := run(t, f.source(nil), nil, c)
	waitFor(t, "some streamed batches", 15*time.Second, func() bool { b, _, _ := c.Snapshot(); return len(b) > 20 })
	if err := stop1(); err != nil {
		t.Fatal(err)
	}
	_, pos, _ := c.Snapshot()
	n1 := len(c.Batches)
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
	waitMarker(t, f, c)
	compareState(t, tableState(t, f, src2), c)
	seen := map[string]bool{}
	for i, b := range c.Batches {
		if b.Position == nil {
			continue
		}
		if seen[string(b.Position)] {
			t.Fatalf("batch %d: position %s repeated", i, b.Position)
		}
		seen[string(b.Position)] = true
	}
	if !failed.Load() {
		t.Error("the injected failure never happened")
	}
	t.Logf("%d batches before the cancel, %d after", n1, len(c.Batches)-n1)
}

func TestTruncateAfterResumeUsesSeed(t *testing.T) {
	f := newFixture(t, "CREATE TABLE $T (id int PRIMARY KEY)")
	f.exec("INSERT INTO $T VALUES (1), (2)")
	c := newCollector()
	stop := run(t, f.source(nil), nil, c)
	c.WaitBatches(t, 1)
	stop()
	_, pos, _ := c.Snapshot()
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
}

func TestErrors(t *testing.T) {
	f := newFixture(t, "CREATE TABLE $T (id int PRIMARY KEY, v text)")
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
		failed(t, f.source(map[string]any{"user": "vigil", "password": "wrong"}), nil, "authentication failed")
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
		user := unique("norepl")
		f.exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw'; GRANT SELECT ON " + myDB + ".* TO '" + user + "'@'%'")
		t.Cleanup(func() { f.conn.Execute("DROP USER IF EXISTS '" + user + "'@'%'") })
		failed(t, f.source(map[string]any{"user": user, "password": "pw"}), nil, "may not read the binary log")
	})
	t.Run("no primary key", func(t *testing.T) {
		g := newFixture(t, "CREATE TABLE $T (v text)")
		failed(t, g.source(nil), nil, "has no primary key")
	})
	t.Run("missing table", func(t *testing.T) {
		failed(t, f.source(map[string]any{"tables": "no_such_table_vigil"}), nil, "does not exist")
	})
	t.Run("purged binlog", func(t *testing.T) {
		failed(t, f.source(nil), []byte("mysql-bin.999999:4"), "purged?")
	})
	t.Run("bad properties", func(t *testing.T) {
		for _, p := range []map[string]any{
			{"database": "test", "tables": "x"},
			{"user": "u", "database": "test"},
			{"user": "u", "database": "test", "tables": "x", "flavor": "oracle"},
			{"user": "u", "database": "test", "tables": "x", "serverId": "-1"},
			{"user": "u", "database": "test", "tables": "db.x"},
		} {
			if _, err := New("my", p); err == nil {
				t.Errorf("%v: no error", p)
			} else {
				t.Logf("%v", err)
			}
		}
	})
}

func TestSchemaChange(t *testing.T) {
	t.Run("follow", func(t *testing.T) {
		f := newFixture(t, "CREATE TABLE $T (id int PRIMARY KEY, v text)")
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
		if st := src.Status(); st.State != "running" || !strings.Contains(st.Notice, "changed schema") {
			t.Errorf("status %+v", st)
		}
	})
	t.Run("fail", func(t *testing.T) {
		f := newFixture(t, "CREATE TABLE $T (id int PRIMARY KEY, v text)")
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

var _ = engine.OpInsert

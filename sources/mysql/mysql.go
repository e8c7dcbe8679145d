// Package mysql is the MySQL/MariaDB change-data-capture source (kinds
// "MySQL" and its alias "MariaDB"). It reads a consistent snapshot of the
// followed tables together with the binary-log position that snapshot
// corresponds to, then follows the row-based binary log from exactly that
// position, so snapshot and stream meet without gap or overlap. Each
// source transaction (up to its XID event) becomes one engine.Batch whose
// Position ("file:offset") is where the next transaction starts.
//
// The snapshot's position is exact without a dump tool: on MariaDB,
// START TRANSACTION WITH CONSISTENT SNAPSHOT reports the binlog position of
// its snapshot (binlog_snapshot_file/position) without locking; on MySQL a
// global read lock is held for the moment it takes to open the snapshot
// and read the position (FLUSH TABLES WITH READ LOCK, needs RELOAD).
//
// Rows become nodes: label = table name, id = "table:pk" (composite keys
// joined with ':' in key order), one property per non-null column. See
// docs/sources.md.
package mysql

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"strconv"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gomysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/sources"
	"github.com/vigilhq/vigil/sources/cdc"
)

// Kind is the `spec.kind` this package registers; KindMariaDB is accepted
// as an alias (the flavor is detected from the server either way).
const (
	Kind        = "MySQL"
	KindMariaDB = "MariaDB"
)

// Factory builds a MySQL or MariaDB source (see sources.Factory).
func Factory(name string, props map[string]any) (sources.Source, error) { return New(name, props) }

// Source is a MySQL/MariaDB change source. Create it with New; the server
// runs it with Run.
type Source struct {
	cfg *config
	// core holds the name, status and committed ids (which turn a
	// TRUNCATE, a statement in the binlog naming no rows, into deletes).
	core *cdc.Core
}

// New builds a source from its resource name and `spec.properties`; it
// validates the configuration and does not connect.
func New(name string, properties map[string]any) (sources.Source, error) {
	cfg, err := parseConfig(properties)
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, core: cdc.New(name)}, nil
}

// Name returns the resource name.
func (s *Source) Name() string { return s.core.Name }

// Status reports the source's state for the API.
func (s *Source) Status() sources.Status { return s.core.Tracker.Get() }

// SeedIDs gives the source the server's view of which ids exist, used after
// a resume to turn a TRUNCATE into deletes (see sources.IDSeeder).
func (s *Source) SeedIDs(k sources.KnownIDs) { s.core.Seed = k }

// position is a binlog coordinate: the start of the next event to read.
type position struct {
	file string
	pos  uint32
}

func (p position) String() string { return fmt.Sprintf("%s:%d", p.file, p.pos) }

func parsePosition(b []byte) (position, error) {
	s := string(b)
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return position{}, fmt.Errorf("resume position %q is not file:offset", s)
	}
	n, err := strconv.ParseUint(s[i+1:], 10, 32)
	if err != nil {
		return position{}, fmt.Errorf("resume position %q is not file:offset", s)
	}
	return position{s[:i], uint32(n)}, nil
}

// runState is what survives reconnects within one Run; its position is
// where the transaction after the last committed one starts.
type runState = cdc.Resume[position]

// Run bootstraps (from == nil) or resumes at the binlog position in from,
// then streams until ctx ends. Connection failures are retried with
// backoff (Status "retrying" with the error); configuration, privilege and
// server-setting problems and a purged binlog end Run with an error.
func (s *Source) Run(ctx context.Context, from []byte, emit sources.Emit) error {
	return cdc.Run(ctx, s.core, from, parsePosition, func(ctx context.Context, st *runState) (bool, error) {
		return s.session(ctx, st, emit)
	})
}

func (s *Source) where() string {
	return fmt.Sprintf("mysql %s:%d/%s", s.cfg.host, s.cfg.port, s.cfg.database)
}

func (s *Source) addr() string { return fmt.Sprintf("%s:%d", s.cfg.host, s.cfg.port) }

// myError finds the server error inside go-mysql's wrapped errors.
func myError(err error) *gomysql.MyError {
	for err != nil {
		if me, ok := err.(*gomysql.MyError); ok {
			return me
		}
		switch e := err.(type) {
		case interface{ Unwrap() error }:
			err = e.Unwrap()
		case interface{ Cause() error }:
			if c := e.Cause(); c != err {
				err = c
			} else {
				return nil
			}
		default:
			return nil
		}
	}
	return nil
}

// classify turns server errors that retrying cannot fix into permanent ones.
func (s *Source) classify(what string, err error) error {
	if me := myError(err); me != nil {
		switch me.Code {
		case gomysql.ER_ACCESS_DENIED_ERROR:
			return sources.Permanent(fmt.Errorf("%s: authentication failed for user %q: %s", s.where(), s.cfg.user, me.Message))
		case gomysql.ER_BAD_DB_ERROR:
			return sources.Permanent(fmt.Errorf("%s: database %q does not exist", s.where(), s.cfg.database))
		case gomysql.ER_DBACCESS_DENIED_ERROR, gomysql.ER_SPECIFIC_ACCESS_DENIED_ERROR, 1142 /* table access denied */ :
			return sources.Permanent(fmt.Errorf("%s: %s: permission denied: %s (the user needs SELECT on the tables and REPLICATION SLAVE, REPLICATION CLIENT%s)", s.where(), what, me.Message, map[bool]string{true: "", false: ", RELOAD"}[s.cfg.flavor == "mariadb"]))
		}
	}
	return fmt.Errorf("%s: %s: %w", s.where(), what, err)
}

func (s *Source) connect(ctx context.Context) (*client.Conn, error) {
	conn, err := client.ConnectWithContext(ctx, s.addr(), s.cfg.user, s.cfg.password, s.cfg.database, 10*time.Second)
	if err != nil {
		if myError(err) == nil {
			return nil, fmt.Errorf("%s: cannot connect: %w", s.where(), err)
		}
		return nil, s.classify("connect", err)
	}
	// Snapshot values must render as the binlog reader renders them.
	for _, q := range []string{"SET NAMES utf8mb4", "SET time_zone = '+00:00'"} {
		if _, err := conn.Execute(q); err != nil {
			conn.Close()
			return nil, s.classify(q, err)
		}
	}
	return conn, nil
}

// table is a followed table as information_schema describes it.
type table struct {
	name  string
	cols  []column
	byCol map[string]int
	key   []string // primary key columns in key order
}

func (s *Source) loadTable(conn *client.Conn, name string) (*table, error) {
	db, tn := quoteString(s.cfg.database), quoteString(name)
	r, err := conn.Execute(`SELECT COLUMN_NAME, LOWER(DATA_TYPE), LOWER(COLUMN_TYPE) FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = ` + db + ` AND TABLE_NAME = ` + tn + ` ORDER BY ORDINAL_POSITION`)
	if err != nil {
		return nil, s.classify("reading columns of "+name, err)
	}
	if r.RowNumber() == 0 {
		return nil, sources.Permanent(fmt.Errorf("%s: table %s does not exist", s.where(), name))
	}
	t := &table{name: name, byCol: map[string]int{}}
	for i := 0; i < r.RowNumber(); i++ {
		c := column{}
		c.name, _ = r.GetString(i, 0)
		c.dataType, _ = r.GetString(i, 1)
		c.columnType, _ = r.GetString(i, 2)
		c.unsigned = strings.Contains(c.columnType, "unsigned")
		c.boolean = strings.HasPrefix(c.columnType, "tinyint(1)")
		c.json = c.dataType == "json"
		if c.dataType == "enum" || c.dataType == "set" {
			// COLUMN_TYPE was lower-cased; read the members as declared.
			raw, err := conn.Execute(`SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ` + db +
				` AND TABLE_NAME = ` + tn + ` AND COLUMN_NAME = ` + quoteString(c.name))
			if err == nil && raw.RowNumber() == 1 {
				ct, _ := raw.GetString(0, 0)
				c.elems = parseElems(ct)
			}
		}
		t.byCol[c.name] = len(t.cols)
		t.cols = append(t.cols, c)
	}
	// MariaDB's JSON is LONGTEXT guarded by CHECK (json_valid(`col`)).
	if r, err := conn.Execute(`SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
		WHERE CONSTRAINT_SCHEMA = ` + db + ` AND TABLE_NAME = ` + tn); err == nil {
		for i := 0; i < r.RowNumber(); i++ {
			clause, _ := r.GetString(i, 0)
			if strings.HasPrefix(clause, "json_valid(`") && strings.HasSuffix(clause, "`)") {
				if j, ok := t.byCol[clause[len("json_valid(`"):len(clause)-2]]; ok {
					t.cols[j].json = true
				}
			}
		}
	}
	r, err = conn.Execute(`SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
		WHERE TABLE_SCHEMA = ` + db + ` AND TABLE_NAME = ` + tn + ` AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`)
	if err != nil {
		return nil, s.classify("reading the primary key of "+name, err)
	}
	for i := 0; i < r.RowNumber(); i++ {
		k, _ := r.GetString(i, 0)
		t.key = append(t.key, k)
	}
	if len(t.key) == 0 {
		return nil, sources.Permanent(fmt.Errorf("%s: table %s has no primary key, so its rows have no id: add one", s.where(), name))
	}
	return t, nil
}

// checkServer turns binlog misconfiguration into errors that say what to
// change, and detects the flavor.
func (s *Source) checkServer(conn *client.Conn) (flavor string, err error) {
	r, err := conn.Execute("SELECT VERSION(), @@log_bin, @@binlog_format, @@binlog_row_image")
	if err != nil {
		return "", s.classify("reading server settings", err)
	}
	version, _ := r.GetString(0, 0)
	logBin, _ := r.GetInt(0, 1)
	format, _ := r.GetString(0, 2)
	image, _ := r.GetString(0, 3)
	flavor = s.cfg.flavor
	if flavor == "" {
		flavor = "mysql"
		if strings.Contains(strings.ToLower(version), "mariadb") {
			flavor = "mariadb"
		}
	}
	switch {
	case logBin != 1:
		return "", sources.Permanent(fmt.Errorf("%s: the binary log is off: start the server with log_bin (and binlog_format=ROW, binlog_row_image=FULL, a server_id)", s.where()))
	case !strings.EqualFold(format, "ROW"):
		return "", sources.Permanent(fmt.Errorf("%s: binlog_format is %s; row changes need binlog_format=ROW", s.where(), format))
	case !strings.EqualFold(image, "FULL"):
		return "", sources.Permanent(fmt.Errorf("%s: binlog_row_image is %s; full row images need binlog_row_image=FULL", s.where(), image))
	}
	if flavor == "mysql" {
		// Compressed transactions arrive as one payload event, which this
		// source does not unpack.
		if r, err := conn.Execute("SELECT @@binlog_transaction_compression"); err == nil {
			if on, _ := r.GetInt(0, 0); on == 1 {
				return "", sources.Permanent(fmt.Errorf("%s: binlog_transaction_compression is ON, which this source does not read: turn it off", s.where()))
			}
		}
	}
	return flavor, nil
}

// session is one connection's worth of work.
func (s *Source) session(ctx context.Context, st *runState, emit sources.Emit) (progressed bool, err error) {
	conn, err := s.connect(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	flavor, err := s.checkServer(conn)
	if err != nil {
		return false, err
	}
	tables := map[string]*table{}
	for _, name := range s.cfg.tables {
		t, err := s.loadTable(conn, name)
		if err != nil {
			return false, err
		}
		tables[name] = t
	}
	if !st.Resumed {
		// Find a missing replication privilege before the bootstrap
		// rather than after it.
		if err := s.probeReplication(conn, flavor); err != nil {
			return false, err
		}
		s.core.Tracker.SetState("bootstrapping", nil)
		pos, err := s.bootstrap(ctx, conn, flavor, tables, emit)
		if err != nil {
			return false, err
		}
		st.Bootstrapped(pos)
		progressed = true
	} else if st.NeedSeed {
		if err := s.seedKnown(conn, tables); err != nil {
			return false, err
		}
		st.NeedSeed = false
	}
	s.core.Tracker.SetState("running", nil)
	p, err := s.stream(ctx, conn, flavor, tables, st, emit)
	return progressed || p, err
}

// replicationError explains the errors a binlog dump request gets when
// the user may log in but not replicate.
func (s *Source) replicationError(err error) error {
	if me := myError(err); me != nil && (me.Code == gomysql.ER_ACCESS_DENIED_ERROR || me.Code == gomysql.ER_SPECIFIC_ACCESS_DENIED_ERROR) {
		return sources.Permanent(fmt.Errorf("%s: user %q may not read the binary log: %s (GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO the user)", s.where(), s.cfg.user, me.Message))
	}
	return s.classify("starting the binlog stream", err)
}

// probeReplication registers as a replica once, which is what needs the
// REPLICATION SLAVE privilege.
func (s *Source) probeReplication(conn *client.Conn, flavor string) error {
	syncer := replication.NewBinlogSyncer(replication.BinlogSyncerConfig{
		ServerID: 1<<30 + uint32(rand.Int31n(1<<30)), Flavor: flavor, Host: s.cfg.host, Port: uint16(s.cfg.port),
		User: s.cfg.user, Password: s.cfg.password, DisableRetrySync: true, Logger: quiet,
	})
	defer syncer.Close()
	r, err := conn.Execute("SHOW BINARY LOG STATUS")
	if err != nil {
		r, err = conn.Execute("SHOW MASTER STATUS")
	}
	if err != nil {
		return s.replicationError(err)
	}
	if r.RowNumber() == 0 {
		return sources.Permanent(fmt.Errorf("%s: SHOW MASTER STATUS is empty (is log_bin on?)", s.where()))
	}
	file, _ := r.GetString(0, 0)
	pos, _ := r.GetUint(0, 1)
	if _, err := syncer.StartSync(gomysql.Position{Name: file, Pos: uint32(pos)}); err != nil {
		return s.replicationError(err)
	}
	return nil
}

// snapshotPosition opens a consistent-snapshot transaction on conn and
// returns the binlog position that snapshot corresponds to.
func (s *Source) snapshotPosition(conn *client.Conn, flavor string) (position, error) {
	if _, err := conn.Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"); err != nil {
		return position{}, s.classify("setting isolation", err)
	}
	if flavor == "mariadb" {
		if _, err := conn.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"); err != nil {
			return position{}, s.classify("starting the snapshot", err)
		}
		r, err := conn.Execute("SHOW STATUS LIKE 'binlog_snapshot_%'")
		if err != nil {
			return position{}, s.classify("reading the snapshot position", err)
		}
		var p position
		for i := 0; i < r.RowNumber(); i++ {
			k, _ := r.GetString(i, 0)
			v, _ := r.GetString(i, 1)
			switch strings.ToLower(k) {
			case "binlog_snapshot_file":
				p.file = v
			case "binlog_snapshot_position":
				n, _ := strconv.ParseUint(v, 10, 32)
				p.pos = uint32(n)
			}
		}
		if p.file == "" {
			return position{}, sources.Permanent(fmt.Errorf("%s: the server reports no binlog_snapshot_file (is log_bin on?)", s.where()))
		}
		return p, nil
	}
	// MySQL: the global read lock freezes commits while the snapshot opens
	// and the position is read; START TRANSACTION does not release it.
	if _, err := conn.Execute("FLUSH TABLES WITH READ LOCK"); err != nil {
		return position{}, s.classify("FLUSH TABLES WITH READ LOCK", err)
	}
	defer conn.Execute("UNLOCK TABLES")
	if _, err := conn.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"); err != nil {
		return position{}, s.classify("starting the snapshot", err)
	}
	r, err := conn.Execute("SHOW BINARY LOG STATUS")
	if err != nil {
		r, err = conn.Execute("SHOW MASTER STATUS") // before MySQL 8.2
	}
	if err != nil {
		return position{}, s.classify("reading the binlog position", err)
	}
	if r.RowNumber() == 0 {
		return position{}, sources.Permanent(fmt.Errorf("%s: SHOW MASTER STATUS is empty (is log_bin on?)", s.where()))
	}
	file, _ := r.GetString(0, 0)
	n, _ := r.GetUint(0, 1)
	return position{file, uint32(n)}, nil
}

// bootstrap reads every table in one consistent snapshot and emits the
// rows; it returns the binlog position the stream starts from.
func (s *Source) bootstrap(ctx context.Context, conn *client.Conn, flavor string, tables map[string]*table, emit sources.Emit) (position, error) {
	pos, err := s.snapshotPosition(conn, flavor)
	if err != nil {
		return position{}, err
	}
	defer conn.Execute("ROLLBACK")
	snap := s.core.Bootstrap(ctx, emit, s.cfg.bootstrapBatch)
	for _, name := range s.cfg.tables {
		t := tables[name]
		names := make([]string, len(t.cols))
		for i, c := range t.cols {
			names[i] = quoteIdent(c.name)
		}
		var rowErr error
		var res gomysql.Result
		vals := make([]any, len(t.cols))
		err := conn.ExecuteSelectStreaming(fmt.Sprintf("SELECT %s FROM %s.%s", strings.Join(names, ", "), quoteIdent(s.cfg.database), quoteIdent(name)), &res,
			func(row []gomysql.FieldValue) error {
				for i := range row {
					vals[i] = row[i].Value()
				}
				el, err := s.element(t, t.cols, vals)
				if err != nil {
					rowErr = err
					return err
				}
				if err := snap.Add(name, el); err != nil {
					rowErr = err
					return err
				}
				return nil
			}, nil)
		if rowErr != nil {
			return position{}, rowErr
		}
		if err != nil {
			return position{}, s.classify("reading "+name, err)
		}
	}
	conn.Execute("COMMIT")
	if err := snap.Done(pos.String()); err != nil {
		return position{}, err
	}
	return pos, nil
}

// element turns a row (one Go value per column of cols) into a node.
func (s *Source) element(t *table, cols []column, vals []any) (engine.Element, error) {
	props := make(map[string]value.Value, len(vals))
	for i, v := range vals {
		if i >= len(cols) {
			break
		}
		x, ok, err := cols[i].convert(v, s.cfg.numericString)
		if err != nil {
			return engine.Element{}, fmt.Errorf("table %s: %w", t.name, err)
		}
		if ok {
			props[cols[i].name] = x
		}
	}
	var b strings.Builder
	b.WriteString(t.name)
	for _, k := range t.key {
		b.WriteByte(':')
		b.WriteString(keyText(props[k]))
	}
	return engine.Element{ID: b.String(), Labels: []string{t.name}, Props: props}, nil
}

// seedKnown loads the ids a TRUNCATE will need after a resume (see
// cdc.Core.SeedKnown), reading a table's key columns when the server
// offered no ids.
func (s *Source) seedKnown(conn *client.Conn, tables map[string]*table) error {
	return s.core.SeedKnown(s.cfg.tables, func(name string, add func(string)) error {
		t := tables[name]
		keyCols := make([]column, len(t.key))
		names := make([]string, len(t.key))
		for i, k := range t.key {
			keyCols[i] = t.cols[t.byCol[k]]
			names[i] = quoteIdent(k)
		}
		kt := &table{name: name, key: t.key}
		var res gomysql.Result
		vals := make([]any, len(keyCols))
		err := conn.ExecuteSelectStreaming(fmt.Sprintf("SELECT %s FROM %s.%s", strings.Join(names, ", "), quoteIdent(s.cfg.database), quoteIdent(name)), &res,
			func(row []gomysql.FieldValue) error {
				for i := range row {
					vals[i] = row[i].Value()
				}
				el, err := s.element(kt, keyCols, vals)
				if err == nil {
					add(el.ID)
				}
				return err
			}, nil)
		if err != nil {
			return s.classify("reading ids of "+name, err)
		}
		return nil
	})
}

// binding maps a binlog table map to the columns the rows carry.
type binding struct {
	t    *table
	cols []column
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// stream follows the binlog from st.Pos until ctx ends or the connection
// fails.
func (s *Source) stream(ctx context.Context, conn *client.Conn, flavor string, tables map[string]*table, st *runState, emit sources.Emit) (progressed bool, err error) {
	serverID := s.cfg.serverID
	if serverID == 0 {
		// A replica id must be unique among the server's replicas; a
		// random one per connection avoids clashing with other sources.
		serverID = 1<<30 + uint32(rand.Int31n(1<<30))
	}
	syncer := replication.NewBinlogSyncer(replication.BinlogSyncerConfig{
		ServerID: serverID, Flavor: flavor, Host: s.cfg.host, Port: uint16(s.cfg.port),
		User: s.cfg.user, Password: s.cfg.password, Charset: "utf8mb4",
		TimestampStringLocation: time.UTC, HeartbeatPeriod: 5 * time.Second, ReadTimeout: 30 * time.Second,
		DisableRetrySync: true, Logger: quiet,
	})
	defer syncer.Close()
	streamer, err := syncer.StartSync(gomysql.Position{Name: st.Pos.file, Pos: st.Pos.pos})
	if err != nil {
		return false, s.replicationError(err)
	}
	bindings := map[uint64]*binding{}
	cur := st.Pos // position of the next event
	var tx *cdc.Txn
	for {
		ev, err := streamer.GetEvent(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return progressed, ctx.Err()
			}
			if me := myError(err); me != nil && me.Code == gomysql.ER_MASTER_FATAL_ERROR_READING_BINLOG {
				return progressed, sources.Permanent(fmt.Errorf("%s: cannot read the binlog at %s (purged?): %s; the changes since are lost, reset the source to bootstrap again", s.where(), st.Pos, me.Message))
			}
			return progressed, s.classify("binlog stream", err)
		}
		if ev.Header.LogPos != 0 {
			cur.pos = ev.Header.LogPos
		}
		switch e := ev.Event.(type) {
		case *replication.RotateEvent:
			cur = position{string(e.NextLogName), uint32(e.Position)}
			if tx == nil {
				st.Pos = cur
			}
		case *replication.TableMapEvent:
			if string(e.Schema) != s.cfg.database {
				continue
			}
			t, ok := tables[string(e.Table)]
			if !ok {
				continue
			}
			b, err := s.bind(conn, t, e)
			if err != nil {
				return progressed, err
			}
			bindings[e.TableID] = b
		case *replication.RowsEvent:
			b, ok := bindings[e.TableID]
			if !ok {
				continue
			}
			if tx == nil {
				tx = s.core.Begin(time.Unix(int64(ev.Header.Timestamp), 0).UTC())
			}
			if err := s.onRows(b, tx, ev.Header.EventType, e); err != nil {
				return progressed, err
			}
		case *replication.XIDEvent:
			p, err := s.commit(ctx, tx, cur, emit)
			if err != nil {
				return progressed, err
			}
			progressed = progressed || p
			st.Pos, tx = cur, nil
		case *replication.QueryEvent:
			q := strings.TrimSpace(string(e.Query))
			switch {
			case strings.EqualFold(q, "BEGIN"):
			case strings.EqualFold(q, "COMMIT"):
				// Non-transactional tables end with COMMIT, not an XID.
				p, err := s.commit(ctx, tx, cur, emit)
				if err != nil {
					return progressed, err
				}
				progressed = progressed || p
				st.Pos, tx = cur, nil
			default:
				// A DDL statement is a transaction of its own.
				if tbl, ok := truncated(q, string(e.Schema), s.cfg.database); ok {
					if _, follow := tables[tbl]; follow {
						t := s.core.Begin(time.Unix(int64(ev.Header.Timestamp), 0).UTC())
						s.core.Truncate(t, tbl)
						p, err := s.commit(ctx, t, cur, emit)
						if err != nil {
							return progressed, err
						}
						progressed = progressed || p
					}
				}
				if tx == nil {
					st.Pos = cur
				}
			}
		}
	}
}

// commit emits a finished transaction (nothing when it touched no
// followed row) and records what it did to the known ids.
func (s *Source) commit(ctx context.Context, tx *cdc.Txn, end position, emit sources.Emit) (bool, error) {
	if tx == nil {
		return false, nil
	}
	return s.core.Commit(ctx, emit, tx, end.String(), tx.Time)
}

// truncated reports the table a TRUNCATE statement empties, if it is one
// of database db.
func truncated(q, schema, db string) (string, bool) {
	f := strings.Fields(q)
	if len(f) < 2 || !strings.EqualFold(f[0], "TRUNCATE") {
		return "", false
	}
	name := f[1]
	if strings.EqualFold(name, "TABLE") {
		if len(f) < 3 {
			return "", false
		}
		name = f[2]
	}
	name = strings.TrimRight(name, ";")
	parts := strings.Split(name, ".")
	for i := range parts {
		parts[i] = strings.ReplaceAll(strings.Trim(parts[i], "`"), "``", "`")
	}
	if len(parts) == 2 {
		schema, name = parts[0], parts[1]
	} else {
		name = parts[0]
	}
	return name, schema == db
}

// bind maps a table map event to columns. With binlog_row_metadata=FULL
// the event names its columns, so schema changes are followed exactly;
// without it the columns are taken from information_schema by position.
func (s *Source) bind(conn *client.Conn, t *table, e *replication.TableMapEvent) (*binding, error) {
	names := e.ColumnNameString()
	if len(names) == 0 {
		if int(e.ColumnCount) != len(t.cols) {
			nt, err := s.loadTable(conn, t.name)
			if err != nil {
				return nil, err
			}
			if int(e.ColumnCount) != len(nt.cols) {
				return nil, sources.Permanent(fmt.Errorf("%s: table %s: the binlog row has %d columns but the table now has %d: its schema changed; set binlog_row_metadata=FULL so the source can follow schema changes, then reset it", s.where(), t.name, e.ColumnCount, len(nt.cols)))
			}
			if err := s.core.SchemaChanged(s.cfg.failOnSchemaChange, s.where(), t.name, fmt.Sprintf("%d columns, was %d", len(nt.cols), len(t.cols))); err != nil {
				return nil, err
			}
			*t = *nt
		}
		return &binding{t: t, cols: t.cols}, nil
	}
	same := len(names) == len(t.cols)
	for i := 0; same && i < len(names); i++ {
		same = names[i] == t.cols[i].name
	}
	if !same {
		var added, dropped []string
		for _, n := range names {
			if _, ok := t.byCol[n]; !ok {
				added = append(added, n)
			}
		}
		in := map[string]bool{}
		for _, n := range names {
			in[n] = true
		}
		for _, c := range t.cols {
			if !in[c.name] {
				dropped = append(dropped, c.name)
			}
		}
		var diff []string
		if len(added) > 0 {
			diff = append(diff, "added column "+strings.Join(added, ", "))
		}
		if len(dropped) > 0 {
			diff = append(diff, "dropped column "+strings.Join(dropped, ", "))
		}
		if len(diff) == 0 {
			diff = append(diff, "columns reordered")
		}
		if err := s.core.SchemaChanged(s.cfg.failOnSchemaChange, s.where(), t.name, strings.Join(diff, ", ")); err != nil {
			return nil, err
		}
		if len(added) > 0 {
			// Types of new columns come from the catalog as it is now.
			nt, err := s.loadTable(conn, t.name)
			if err != nil {
				return nil, err
			}
			for _, c := range nt.cols {
				if _, ok := t.byCol[c.name]; !ok {
					t.byCol[c.name] = len(t.cols)
					t.cols = append(t.cols, c)
				}
			}
		}
	}
	cols := make([]column, len(names))
	for i, n := range names {
		if j, ok := t.byCol[n]; ok {
			cols[i] = t.cols[j]
		} else {
			cols[i] = column{name: n, dataType: "?"}
		}
	}
	for _, k := range t.key {
		found := false
		for _, n := range names {
			found = found || n == k
		}
		if !found {
			return nil, sources.Permanent(fmt.Errorf("%s: table %s: primary key column %s is gone", s.where(), t.name, k))
		}
	}
	return &binding{t: t, cols: cols}, nil
}

func (s *Source) onRows(b *binding, tx *cdc.Txn, et replication.EventType, e *replication.RowsEvent) error {
	name := b.t.name
	switch et {
	case replication.WRITE_ROWS_EVENTv0, replication.WRITE_ROWS_EVENTv1, replication.WRITE_ROWS_EVENTv2,
		replication.MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1:
		for _, row := range e.Rows {
			el, err := s.element(b.t, b.cols, row)
			if err != nil {
				return sources.Permanent(fmt.Errorf("%s: %w", s.where(), err))
			}
			tx.Insert(name, el)
		}
	case replication.UPDATE_ROWS_EVENTv0, replication.UPDATE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv2,
		replication.MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1, replication.PARTIAL_UPDATE_ROWS_EVENT:
		// Rows alternate before and after images.
		for i := 0; i+1 < len(e.Rows); i += 2 {
			old, err := s.element(b.t, b.cols, e.Rows[i])
			if err != nil {
				return sources.Permanent(fmt.Errorf("%s: %w", s.where(), err))
			}
			el, err := s.element(b.t, b.cols, e.Rows[i+1])
			if err != nil {
				return sources.Permanent(fmt.Errorf("%s: %w", s.where(), err))
			}
			tx.Update(name, old.ID, el)
		}
	case replication.DELETE_ROWS_EVENTv0, replication.DELETE_ROWS_EVENTv1, replication.DELETE_ROWS_EVENTv2,
		replication.MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1:
		for _, row := range e.Rows {
			el, err := s.element(b.t, b.cols, row)
			if err != nil {
				return sources.Permanent(fmt.Errorf("%s: %w", s.where(), err))
			}
			tx.Delete(name, el.ID)
		}
	}
	return nil
}

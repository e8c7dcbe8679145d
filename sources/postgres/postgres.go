// Package postgres is the PostgreSQL change-data-capture source (kind
// "PostgreSQL"). It follows a set of tables through logical replication:
// a publication names the tables, a pgoutput replication slot keeps their
// changes, and the source bootstraps from the snapshot the slot exports when
// it is created, so the snapshot and the stream meet without gap or overlap.
// Each source transaction becomes one engine.Batch whose Position is the
// transaction's end LSN; the slot is told that LSN only after the server
// committed the batch, so a crash at any point resumes without losing or
// repeating a change.
//
// Rows become nodes: label = table name, id = "table:pk" (composite keys
// joined with ':' in key order), one property per non-null column. See
// docs/sources.md for properties, the type mapping and server settings.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/sources"
	"github.com/vigilhq/vigil/sources/cdc"
)

// Kind is the `spec.kind` this package registers.
const Kind = "PostgreSQL"

// Factory builds a PostgreSQL source (see sources.Factory).
func Factory(name string, props map[string]any) (sources.Source, error) { return New(name, props) }

// Source is a PostgreSQL change source. Create it with New; the server runs
// it with Run.
type Source struct {
	cfg *config
	// core holds the name, status and committed ids (which turn a
	// TRUNCATE, naming no rows, into deletes).
	core *cdc.Core
}

// New builds a source from its resource name and `spec.properties`; it
// only validates the configuration and does not connect.
func New(name string, properties map[string]any) (sources.Source, error) {
	cfg, err := parseConfig(name, properties)
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

// Slot returns the replication slot's name (useful to tests and operators:
// dropping it forces a new bootstrap).
func (s *Source) Slot() string { return s.cfg.slot }

// Publication returns the publication's name.
func (s *Source) Publication() string { return s.cfg.publication }

// runState is what survives reconnects within one Run; its position is
// the end LSN of the last committed (emitted) transaction.
type runState = cdc.Resume[pglogrepl.LSN]

// Run bootstraps (from == nil) or resumes after the LSN in from, then
// streams until ctx ends. Connection failures are retried with backoff
// (Status "retrying" with the error); configuration and privilege problems,
// a missing slot and similar permanent failures end Run with an error.
func (s *Source) Run(ctx context.Context, from []byte, emit sources.Emit) error {
	parse := func(from []byte) (pglogrepl.LSN, error) {
		lsn, err := pglogrepl.ParseLSN(string(from))
		if err != nil {
			return 0, fmt.Errorf("resume position %q is not a PostgreSQL LSN", from)
		}
		return lsn, nil
	}
	return cdc.Run(ctx, s.core, from, parse, func(ctx context.Context, st *runState) (bool, error) {
		return s.session(ctx, st, emit)
	})
}

// where names the server in errors.
func (s *Source) where() string {
	return fmt.Sprintf("postgres %s:%d/%s", s.cfg.host, s.cfg.port, s.cfg.database)
}

// session is one connection's worth of work; progressed reports whether it
// emitted anything (which resets the backoff).
func (s *Source) session(ctx context.Context, st *runState, emit sources.Emit) (progressed bool, err error) {
	conn, err := s.connect(ctx, false)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.Background())
	if err := s.checkServer(ctx, conn); err != nil {
		return false, err
	}
	dec := newDecoders(s.cfg.numericString, func(oids []uint32) (map[uint32]typeInfo, error) {
		return lookupTypes(ctx, conn, oids)
	})
	tables, err := s.loadTables(ctx, conn, dec)
	if err != nil {
		return false, err
	}
	if err := s.ensurePublication(ctx, conn); err != nil {
		return false, err
	}
	rconn, err := s.connect(ctx, true)
	if err != nil {
		return false, err
	}
	defer rconn.Close(context.Background())

	if !st.Resumed {
		s.core.Tracker.SetState("bootstrapping", nil)
		lsn, err := s.bootstrap(ctx, conn, rconn, tables, emit)
		if err != nil {
			return false, err
		}
		st.Bootstrapped(lsn)
		progressed = true
	} else {
		if err := s.checkSlot(ctx, conn, st.Pos); err != nil {
			return false, err
		}
		if st.NeedSeed {
			if err := s.seedKnown(ctx, conn, tables); err != nil {
				return false, err
			}
			st.NeedSeed = false
		}
	}
	s.core.Tracker.SetState("running", nil)
	p, err := s.stream(ctx, conn, rconn, tables, dec, st, emit)
	return progressed || p, err
}

// connect opens a regular or a logical replication connection. Session
// settings pin the text formats the decoders read, in snapshot queries and
// in the walsender's pgoutput alike.
func (s *Source) connect(ctx context.Context, replication bool) (*pgconn.PgConn, error) {
	c := s.cfg
	dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=%s connect_timeout=10",
		kv(c.host), c.port, kv(c.user), kv(c.database), c.sslmode)
	pc, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return nil, sources.Permanent(fmt.Errorf("%s: %v", s.where(), err))
	}
	if c.password != "" {
		pc.Password = c.password
	}
	for k, v := range map[string]string{
		"application_name": "vigil:" + s.core.Name, "TimeZone": "UTC", "DateStyle": "ISO, YMD",
		"IntervalStyle": "iso_8601", "extra_float_digits": "3", "bytea_output": "hex",
	} {
		pc.RuntimeParams[k] = v
	}
	if replication {
		pc.RuntimeParams["replication"] = "database"
	}
	conn, err := pgconn.ConnectConfig(ctx, pc)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			switch pe.Code {
			case "28P01", "28000":
				return nil, sources.Permanent(fmt.Errorf("%s: authentication failed for user %q: %s", s.where(), c.user, pe.Message))
			case "3D000":
				return nil, sources.Permanent(fmt.Errorf("%s: database %q does not exist", s.where(), c.database))
			case "42501":
				return nil, sources.Permanent(fmt.Errorf("%s: user %q may not open a replication connection (ALTER ROLE %s REPLICATION): %s", s.where(), c.user, c.user, pe.Message))
			}
		}
		return nil, fmt.Errorf("%s: cannot connect: %w", s.where(), err)
	}
	return conn, nil
}

// kv quotes a keyword/value connection string value.
func kv(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// query runs a statement with text parameters and returns its rows as
// text, keeping NULL (nil) apart from the empty string.
func query(ctx context.Context, conn *pgconn.PgConn, sql string, args ...string) ([][][]byte, error) {
	params := make([][]byte, len(args))
	for i, a := range args {
		params[i] = []byte(a)
	}
	rr := conn.ExecParams(ctx, sql, params, nil, nil, nil)
	var rows [][][]byte
	for rr.NextRow() {
		vals := rr.Values()
		row := make([][]byte, len(vals))
		for i, v := range vals {
			if v != nil {
				row[i] = append([]byte{}, v...)
			}
		}
		rows = append(rows, row)
	}
	_, err := rr.Close()
	return rows, err
}

func exec(ctx context.Context, conn *pgconn.PgConn, sql string) error {
	_, err := conn.Exec(ctx, sql).ReadAll()
	return err
}

// checkServer turns the usual misconfigurations into errors that say what
// to change, before the replication protocol reports them obscurely.
func (s *Source) checkServer(ctx context.Context, conn *pgconn.PgConn) error {
	rows, err := query(ctx, conn, `SELECT current_setting('wal_level'), current_user,
		COALESCE((SELECT rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user), false)`)
	if err != nil {
		return fmt.Errorf("%s: %w", s.where(), err)
	}
	if len(rows) != 1 {
		return fmt.Errorf("%s: server check returned no row", s.where())
	}
	if wl := string(rows[0][0]); wl != "logical" {
		return sources.Permanent(fmt.Errorf("%s: wal_level is %q, logical replication needs wal_level = logical (ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL)", s.where(), wl))
	}
	if string(rows[0][2]) != "t" {
		u := string(rows[0][1])
		return sources.Permanent(fmt.Errorf("%s: role %q lacks the REPLICATION privilege (ALTER ROLE %s REPLICATION)", s.where(), u, quoteIdent(u)))
	}
	return nil
}

// table is a followed table as the catalog describes it.
type table struct {
	name     tableName
	oid      uint32
	cols     []column
	keyNames []string // element id columns, in key order
}

type column struct {
	name string
	typ  uint32
	dec  decoder
}

// relation maps a row's columns (as a snapshot query or a pgoutput
// Relation message lists them) to an element.
type relation struct {
	t    *table
	cols []column
	key  []int // indexes into cols of t.keyNames
}

func (s *Source) loadTables(ctx context.Context, conn *pgconn.PgConn, dec *decoders) (map[string]*table, error) {
	out := map[string]*table{}
	for _, tn := range s.cfg.tables {
		rows, err := query(ctx, conn, `SELECT c.oid, c.relkind, c.relreplident FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, tn.schema, tn.name)
		if err != nil {
			return nil, fmt.Errorf("%s: reading table %s: %w", s.where(), tn, err)
		}
		if len(rows) == 0 {
			return nil, sources.Permanent(fmt.Errorf("%s: table %s does not exist", s.where(), tn))
		}
		t := &table{name: tn}
		fmt.Sscan(string(rows[0][0]), &t.oid)
		if k := string(rows[0][1]); k != "r" {
			return nil, sources.Permanent(fmt.Errorf("%s: %s is not an ordinary table (relkind %s)", s.where(), tn, k))
		}
		ident := string(rows[0][2])
		cols, err := query(ctx, conn, `SELECT attname, atttypid FROM pg_attribute
			WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`, fmt.Sprint(t.oid))
		if err != nil {
			return nil, fmt.Errorf("%s: reading columns of %s: %w", s.where(), tn, err)
		}
		for _, r := range cols {
			c := column{name: string(r[0])}
			fmt.Sscan(string(r[1]), &c.typ)
			if c.dec, err = dec.forType(c.typ); err != nil {
				return nil, fmt.Errorf("%s: type of %s.%s: %w", s.where(), tn, c.name, err)
			}
			t.cols = append(t.cols, c)
		}
		keys, err := query(ctx, conn, `SELECT i.indisprimary, a.attname
			FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(n, o)
			JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
			WHERE i.indrelid = $1 AND (i.indisprimary OR i.indisreplident)
			ORDER BY i.indisprimary DESC, i.indexrelid, k.o`, fmt.Sprint(t.oid))
		if err != nil {
			return nil, fmt.Errorf("%s: reading keys of %s: %w", s.where(), tn, err)
		}
		var pk, identIdx []string
		for _, r := range keys {
			if string(r[0]) == "t" {
				pk = append(pk, string(r[1]))
			} else {
				identIdx = append(identIdx, string(r[1]))
			}
		}
		fix := fmt.Sprintf("add a primary key, or ALTER TABLE %s REPLICA IDENTITY FULL", tn.quoted())
		switch {
		case ident == "n":
			return nil, sources.Permanent(fmt.Errorf("%s: table %s has REPLICA IDENTITY NOTHING, so its updates and deletes carry no key: %s", s.where(), tn, fix))
		case len(pk) > 0 && ident == "i" && strings.Join(identIdx, ",") != strings.Join(pk, ","):
			return nil, sources.Permanent(fmt.Errorf("%s: table %s has a replica identity index other than its primary key, so deletes do not carry the key: use REPLICA IDENTITY DEFAULT or FULL", s.where(), tn))
		case len(pk) > 0:
			t.keyNames = pk
		case ident == "i":
			t.keyNames = identIdx
		case ident == "f":
			// Without a key every column identifies the row; duplicate rows
			// collapse into one element.
			for _, c := range t.cols {
				t.keyNames = append(t.keyNames, c.name)
			}
		default:
			return nil, sources.Permanent(fmt.Errorf("%s: table %s has no primary key, so its rows have no id and PostgreSQL logs no before-image for updates and deletes: %s", s.where(), tn, fix))
		}
		out[tn.name] = t
	}
	return out, nil
}

func lookupTypes(ctx context.Context, conn *pgconn.PgConn, oids []uint32) (map[uint32]typeInfo, error) {
	list := make([]string, len(oids))
	for i, o := range oids {
		list[i] = fmt.Sprint(o)
	}
	rows, err := query(ctx, conn, `SELECT oid, typname, typtype, typcategory, typelem, typbasetype, typdelim
		FROM pg_type WHERE oid = ANY($1::oid[])`, "{"+strings.Join(list, ",")+"}")
	if err != nil {
		return nil, err
	}
	out := map[uint32]typeInfo{}
	for _, r := range rows {
		var ti typeInfo
		fmt.Sscan(string(r[0]), &ti.oid)
		ti.name = string(r[1])
		ti.typtype, ti.category = r[2][0], r[3][0]
		fmt.Sscan(string(r[4]), &ti.elem)
		fmt.Sscan(string(r[5]), &ti.base)
		if len(r[6]) > 0 {
			ti.delim = r[6][0]
		}
		out[ti.oid] = ti
	}
	return out, nil
}

// ensurePublication creates the publication, or adds tables it lacks.
func (s *Source) ensurePublication(ctx context.Context, conn *pgconn.PgConn) error {
	pub := s.cfg.publication
	rows, err := query(ctx, conn, `SELECT puballtables FROM pg_publication WHERE pubname = $1`, pub)
	if err != nil {
		return fmt.Errorf("%s: reading publication %s: %w", s.where(), pub, err)
	}
	var missing []string
	if len(rows) == 0 {
		for _, t := range s.cfg.tables {
			missing = append(missing, t.quoted())
		}
		err = exec(ctx, conn, fmt.Sprintf("CREATE PUBLICATION %s FOR TABLE %s", quoteIdent(pub), strings.Join(missing, ", ")))
	} else if string(rows[0][0]) != "t" {
		have, err := query(ctx, conn, `SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1`, pub)
		if err != nil {
			return fmt.Errorf("%s: reading publication %s: %w", s.where(), pub, err)
		}
		in := map[tableName]bool{}
		for _, r := range have {
			in[tableName{string(r[0]), string(r[1])}] = true
		}
		for _, t := range s.cfg.tables {
			if !in[t] {
				missing = append(missing, t.quoted())
			}
		}
		if len(missing) > 0 {
			err = exec(ctx, conn, fmt.Sprintf("ALTER PUBLICATION %s ADD TABLE %s", quoteIdent(pub), strings.Join(missing, ", ")))
		}
	}
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42501" {
			return sources.Permanent(fmt.Errorf("%s: cannot create publication %s (%s): the user must own the tables or a superuser must run CREATE PUBLICATION %s FOR TABLE %s", s.where(), pub, pe.Message, pub, strings.Join(missing, ", ")))
		}
		return fmt.Errorf("%s: publication %s: %w", s.where(), pub, err)
	}
	return nil
}

// checkSlot tells a dropped slot (changes lost: only a new bootstrap can
// recover) from one that is merely busy.
func (s *Source) checkSlot(ctx context.Context, conn *pgconn.PgConn, pos pglogrepl.LSN) error {
	rows, err := query(ctx, conn, `SELECT plugin, active, COALESCE(database, '') FROM pg_replication_slots WHERE slot_name = $1`, s.cfg.slot)
	if err != nil {
		return fmt.Errorf("%s: reading slot %s: %w", s.where(), s.cfg.slot, err)
	}
	if len(rows) == 0 {
		return sources.Permanent(fmt.Errorf("%s: replication slot %s does not exist (dropped?): the changes after position %s are lost; reset the source to bootstrap again", s.where(), s.cfg.slot, pos))
	}
	if p := string(rows[0][0]); p != "pgoutput" {
		return sources.Permanent(fmt.Errorf("%s: replication slot %s uses plugin %s, not pgoutput", s.where(), s.cfg.slot, p))
	}
	if db := string(rows[0][2]); db != s.cfg.database {
		return sources.Permanent(fmt.Errorf("%s: replication slot %s belongs to database %s", s.where(), s.cfg.slot, db))
	}
	if string(rows[0][1]) == "t" {
		return fmt.Errorf("%s: replication slot %s is in use by another connection", s.where(), s.cfg.slot)
	}
	return nil
}

// bootstrap (re)creates the slot, reads every table in the snapshot the
// slot exported and emits the rows; it returns the slot's consistent
// point, where the stream takes over.
func (s *Source) bootstrap(ctx context.Context, conn, rconn *pgconn.PgConn, tables map[string]*table, emit sources.Emit) (pglogrepl.LSN, error) {
	// An existing slot's exported snapshot is gone with the session that
	// created it, so a bootstrap always starts from a fresh slot.
	rows, err := query(ctx, conn, `SELECT active FROM pg_replication_slots WHERE slot_name = $1`, s.cfg.slot)
	if err != nil {
		return 0, fmt.Errorf("%s: reading slot %s: %w", s.where(), s.cfg.slot, err)
	}
	if len(rows) > 0 {
		if string(rows[0][0]) == "t" {
			return 0, fmt.Errorf("%s: replication slot %s is in use by another connection", s.where(), s.cfg.slot)
		}
		if _, err := query(ctx, conn, `SELECT pg_drop_replication_slot($1)`, s.cfg.slot); err != nil {
			return 0, fmt.Errorf("%s: dropping stale slot %s: %w", s.where(), s.cfg.slot, err)
		}
	}
	res, err := pglogrepl.CreateReplicationSlot(ctx, rconn, s.cfg.slot, "pgoutput",
		pglogrepl.CreateReplicationSlotOptions{Mode: pglogrepl.LogicalReplication, SnapshotAction: "EXPORT_SNAPSHOT"})
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "53400" {
			return 0, sources.Permanent(fmt.Errorf("%s: cannot create replication slot %s: %s (raise max_replication_slots)", s.where(), s.cfg.slot, pe.Message))
		}
		return 0, fmt.Errorf("%s: creating replication slot %s: %w", s.where(), s.cfg.slot, err)
	}
	lsn, err := pglogrepl.ParseLSN(res.ConsistentPoint)
	if err != nil {
		return 0, fmt.Errorf("%s: slot consistent point %q: %w", s.where(), res.ConsistentPoint, err)
	}

	// The snapshot stays valid while rconn stays idle, which it does
	// until the stream starts.
	if err := exec(ctx, conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); err != nil {
		return 0, fmt.Errorf("%s: %w", s.where(), err)
	}
	defer exec(context.Background(), conn, "ROLLBACK")
	if err := exec(ctx, conn, "SET TRANSACTION SNAPSHOT "+quoteLiteral(res.SnapshotName)); err != nil {
		return 0, fmt.Errorf("%s: importing snapshot %s: %w", s.where(), res.SnapshotName, err)
	}

	snap := s.core.Bootstrap(ctx, emit, s.cfg.bootstrapBatch)
	for _, tn := range s.cfg.tables {
		t := tables[tn.name]
		rel := &relation{t: t, cols: t.cols}
		if err := rel.bindKey(); err != nil {
			return 0, sources.Permanent(fmt.Errorf("%s: %w", s.where(), err))
		}
		names := make([]string, len(t.cols))
		for i, c := range t.cols {
			names[i] = quoteIdent(c.name)
		}
		rr := conn.ExecParams(ctx, fmt.Sprintf("SELECT %s FROM %s", strings.Join(names, ", "), tn.quoted()), nil, nil, nil, nil)
		for rr.NextRow() {
			el, err := rel.element(rr.Values(), nil)
			if err != nil {
				rr.Close()
				return 0, sources.Permanent(fmt.Errorf("%s: %w", s.where(), err))
			}
			if err := snap.Add(tn.name, el); err != nil {
				rr.Close()
				return 0, err
			}
		}
		if _, err := rr.Close(); err != nil {
			return 0, fmt.Errorf("%s: reading %s: %w", s.where(), tn, err)
		}
	}
	if err := exec(ctx, conn, "COMMIT"); err != nil {
		return 0, fmt.Errorf("%s: %w", s.where(), err)
	}
	if err := snap.Done(lsn.String()); err != nil {
		return 0, err
	}
	return lsn, nil
}

// seedKnown loads the ids a TRUNCATE will need after a resume (see
// cdc.Core.SeedKnown), reading a table's key columns when the server
// offered no ids.
func (s *Source) seedKnown(ctx context.Context, conn *pgconn.PgConn, tables map[string]*table) error {
	names := make([]string, len(s.cfg.tables))
	for i, tn := range s.cfg.tables {
		names[i] = tn.name
	}
	return s.core.SeedKnown(names, func(name string, add func(string)) error {
		t := tables[name]
		tn := t.name
		cols := make([]string, len(t.keyNames))
		for i, k := range t.keyNames {
			cols[i] = quoteIdent(k)
		}
		rows, err := query(ctx, conn, fmt.Sprintf("SELECT %s FROM %s", strings.Join(cols, ", "), tn.quoted()))
		if err != nil {
			return fmt.Errorf("%s: reading ids of %s: %w", s.where(), tn, err)
		}
		for _, r := range rows {
			add(elementID(tn.name, r))
		}
		return nil
	})
}

func elementID(table string, key [][]byte) string {
	var b strings.Builder
	b.WriteString(table)
	for _, k := range key {
		b.WriteByte(':')
		b.Write(k)
	}
	return b.String()
}

// bindKey finds the key columns among the relation's columns.
func (r *relation) bindKey() error {
	r.key = r.key[:0]
	for _, k := range r.t.keyNames {
		i := -1
		for j, c := range r.cols {
			if c.name == k {
				i = j
				break
			}
		}
		if i < 0 {
			return fmt.Errorf("table %s: key column %s is missing", r.t.name, k)
		}
		r.key = append(r.key, i)
	}
	return nil
}

// id builds the element id from a row's key cells.
func (r *relation) id(vals [][]byte) string {
	key := make([][]byte, len(r.key))
	for i, k := range r.key {
		key[i] = vals[k]
	}
	return elementID(r.t.name.name, key)
}

// element turns a row (text cells; nil is NULL) into a node. skip marks
// cells to leave out (unchanged TOAST values that could not be recovered).
func (r *relation) element(vals [][]byte, skip []bool) (engine.Element, error) {
	if len(vals) != len(r.cols) {
		return engine.Element{}, fmt.Errorf("table %s: row has %d columns, expected %d", r.t.name, len(vals), len(r.cols))
	}
	props := make(map[string]value.Value, len(vals))
	for i, v := range vals {
		if v == nil || (skip != nil && skip[i]) {
			continue
		}
		x, err := r.cols[i].dec(v)
		if err != nil {
			return engine.Element{}, fmt.Errorf("table %s column %s: %v", r.t.name, r.cols[i].name, err)
		}
		props[r.cols[i].name] = x
	}
	return engine.Element{ID: r.id(vals), Labels: []string{r.t.name.name}, Props: props}, nil
}

// stream consumes pgoutput from st.Pos until ctx ends or the connection
// fails.
func (s *Source) stream(ctx context.Context, conn, rconn *pgconn.PgConn, tables map[string]*table, dec *decoders, st *runState, emit sources.Emit) (progressed bool, err error) {
	err = pglogrepl.StartReplication(ctx, rconn, s.cfg.slot, st.Pos, pglogrepl.StartReplicationOptions{
		Mode:       pglogrepl.LogicalReplication,
		PluginArgs: []string{"proto_version '1'", "publication_names " + quoteLiteral(s.cfg.publication)},
	})
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42704" {
			return false, sources.Permanent(fmt.Errorf("%s: replication slot %s does not exist (dropped?): the changes after position %s are lost; reset the source to bootstrap again", s.where(), s.cfg.slot, st.Pos))
		}
		return false, fmt.Errorf("%s: starting replication: %w", s.where(), err)
	}
	rels := map[uint32]*relation{}
	confirmed, sent := st.Pos, pglogrepl.LSN(0)
	lastSent := time.Time{}
	var tx *cdc.Txn
	sendStatus := func() error {
		if err := pglogrepl.SendStandbyStatusUpdate(ctx, rconn, pglogrepl.StandbyStatusUpdate{WALWritePosition: confirmed}); err != nil {
			return fmt.Errorf("%s: sending status: %w", s.where(), err)
		}
		sent, lastSent = confirmed, time.Now()
		return nil
	}
	for {
		// Confirm promptly after a commit so the slot frees WAL, and at
		// least every 10 s as the keepalive wal_sender_timeout expects.
		deadline := lastSent.Add(10 * time.Second)
		if confirmed != sent {
			deadline = lastSent.Add(100 * time.Millisecond)
		}
		if !time.Now().Before(deadline) {
			if err := sendStatus(); err != nil {
				return progressed, err
			}
			continue
		}
		rctx, cancel := context.WithDeadline(ctx, deadline)
		msg, err := rconn.ReceiveMessage(rctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return progressed, ctx.Err()
			}
			if pgconn.Timeout(err) {
				continue
			}
			return progressed, fmt.Errorf("%s: replication stream: %w", s.where(), err)
		}
		var data []byte
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			data = m.Data
		case *pgproto3.ErrorResponse:
			return progressed, fmt.Errorf("%s: replication stream: %w", s.where(), pgconn.ErrorResponseToPgError(m))
		default:
			continue
		}
		if len(data) == 0 {
			continue
		}
		switch data[0] {
		case pglogrepl.PrimaryKeepaliveMessageByteID:
			ka, err := pglogrepl.ParsePrimaryKeepaliveMessage(data[1:])
			if err != nil {
				return progressed, fmt.Errorf("%s: %w", s.where(), err)
			}
			// Between transactions everything the walsender decoded up to
			// its position was delivered and committed, so confirming it
			// lets the slot release WAL written for other tables.
			if tx == nil && ka.ServerWALEnd > confirmed {
				confirmed, st.Pos = ka.ServerWALEnd, ka.ServerWALEnd
			}
			if ka.ReplyRequested {
				if err := sendStatus(); err != nil {
					return progressed, err
				}
			}
		case pglogrepl.XLogDataByteID:
			xld, err := pglogrepl.ParseXLogData(data[1:])
			if err != nil {
				return progressed, fmt.Errorf("%s: %w", s.where(), err)
			}
			lm, err := pglogrepl.Parse(xld.WALData)
			if err != nil {
				return progressed, fmt.Errorf("%s: decoding pgoutput: %w", s.where(), err)
			}
			switch m := lm.(type) {
			case *pglogrepl.RelationMessage:
				if err := s.onRelation(ctx, conn, tables, dec, rels, m); err != nil {
					return progressed, err
				}
			case *pglogrepl.BeginMessage:
				tx = s.core.Begin(m.CommitTime)
			case *pglogrepl.InsertMessage:
				if rel, ok := rels[m.RelationID]; ok && tx != nil {
					vals, _ := cells(m.Tuple)
					el, err := rel.element(vals, nil)
					if err != nil {
						return progressed, sources.Permanent(fmt.Errorf("%s: %w", s.where(), err))
					}
					tx.Insert(rel.t.name.name, el)
				}
			case *pglogrepl.UpdateMessage:
				if rel, ok := rels[m.RelationID]; ok && tx != nil {
					if err := s.onUpdate(ctx, conn, rel, tx, m); err != nil {
						return progressed, err
					}
				}
			case *pglogrepl.DeleteMessage:
				if rel, ok := rels[m.RelationID]; ok && tx != nil && m.OldTuple != nil {
					vals, _ := cells(m.OldTuple)
					tx.Delete(rel.t.name.name, rel.id(vals))
				}
			case *pglogrepl.TruncateMessage:
				if tx == nil {
					break
				}
				for _, rid := range m.RelationIDs {
					rel, ok := rels[rid]
					if !ok {
						continue
					}
					s.core.Truncate(tx, rel.t.name.name)
				}
			case *pglogrepl.CommitMessage:
				if tx == nil {
					break
				}
				// A transaction ending at or before st.Pos was committed
				// before a reconnect; the server may resend from the slot's
				// confirmed position.
				if end := m.TransactionEndLSN; end > st.Pos {
					p, err := s.core.Commit(ctx, emit, tx, end.String(), m.CommitTime)
					if err != nil {
						return progressed, err
					}
					st.Pos, confirmed = end, end
					progressed = progressed || p
				}
				tx = nil
			}
		}
	}
}

// cells converts a pgoutput tuple to text cells (nil for NULL) and marks
// unchanged TOAST values, which pgoutput leaves out.
func cells(td *pglogrepl.TupleData) ([][]byte, []bool) {
	vals := make([][]byte, len(td.Columns))
	var toast []bool
	for i, c := range td.Columns {
		switch c.DataType {
		case pglogrepl.TupleDataTypeText, pglogrepl.TupleDataTypeBinary:
			vals[i] = c.Data
			if vals[i] == nil {
				vals[i] = []byte{}
			}
		case pglogrepl.TupleDataTypeToast:
			if toast == nil {
				toast = make([]bool, len(td.Columns))
			}
			toast[i] = true
		}
	}
	return vals, toast
}

func (s *Source) onUpdate(ctx context.Context, conn *pgconn.PgConn, rel *relation, tx *cdc.Txn, m *pglogrepl.UpdateMessage) error {
	vals, toast := cells(m.NewTuple)
	var old [][]byte
	if m.OldTuple != nil {
		old, _ = cells(m.OldTuple)
	}
	if toast != nil {
		// An update that leaves a large (TOASTed) value alone does not
		// carry it; REPLICA IDENTITY FULL puts it in the old tuple,
		// otherwise the current row is read (it may be newer, which a
		// later change then confirms).
		var need []int
		for i, t := range toast {
			if !t {
				continue
			}
			if m.OldTupleType == pglogrepl.UpdateMessageTupleTypeOld && old != nil && i < len(old) && old[i] != nil {
				vals[i], toast[i] = old[i], false
			} else {
				need = append(need, i)
			}
		}
		if len(need) > 0 {
			if err := s.fetchToast(ctx, conn, rel, vals, toast, need); err != nil {
				return err
			}
		}
	}
	el, err := rel.element(vals, toast)
	if err != nil {
		return sources.Permanent(fmt.Errorf("%s: %w", s.where(), err))
	}
	var oldID string // "": no old key logged, the key did not change
	if old != nil {
		oldID = rel.id(old)
	}
	tx.Update(rel.t.name.name, oldID, el)
	return nil
}

func (s *Source) fetchToast(ctx context.Context, conn *pgconn.PgConn, rel *relation, vals [][]byte, toast []bool, need []int) error {
	sel := make([]string, len(need))
	for i, n := range need {
		sel[i] = quoteIdent(rel.cols[n].name) + "::text"
	}
	where := make([]string, len(rel.key))
	args := make([]string, len(rel.key))
	for i, k := range rel.key {
		where[i] = fmt.Sprintf("%s::text = $%d", quoteIdent(rel.cols[k].name), i+1)
		args[i] = string(vals[k])
	}
	rows, err := query(ctx, conn, fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(sel, ", "), rel.t.name.quoted(), strings.Join(where, " AND ")), args...)
	if err != nil {
		return fmt.Errorf("%s: reading unchanged TOAST values of %s: %w", s.where(), rel.t.name, err)
	}
	if len(rows) == 1 {
		for i, n := range need {
			vals[n], toast[n] = rows[0][i], false
		}
	}
	return nil
}

// onRelation binds a pgoutput relation to its table. The walsender sends
// one before a table's first change on a connection and again after its
// schema changed; the latter is followed or, with `schemaChanges: fail`,
// fails the source.
func (s *Source) onRelation(ctx context.Context, conn *pgconn.PgConn, tables map[string]*table, dec *decoders, rels map[uint32]*relation, m *pglogrepl.RelationMessage) error {
	t, ok := tables[m.RelationName]
	if !ok || t.name.schema != m.Namespace {
		return nil
	}
	cols := make([]column, len(m.Columns))
	for i, c := range m.Columns {
		d, err := dec.forType(c.DataType)
		if err != nil {
			return fmt.Errorf("%s: type of %s.%s: %w", s.where(), t.name, c.Name, err)
		}
		cols[i] = column{name: c.Name, typ: c.DataType, dec: d}
	}
	if diff := schemaDiff(t.cols, cols); diff != "" {
		if err := s.core.SchemaChanged(s.cfg.failOnSchemaChange, s.where(), t.name.String(), diff); err != nil {
			return err
		}
		t.cols = cols
	}
	rel := &relation{t: t, cols: cols}
	if err := rel.bindKey(); err != nil {
		return sources.Permanent(fmt.Errorf("%s: %w", s.where(), err))
	}
	rels[m.RelationID] = rel
	return nil
}

// schemaDiff describes how the columns changed, or returns "".
func schemaDiff(old, cur []column) string {
	byName := map[string]column{}
	for _, c := range old {
		byName[c.name] = c
	}
	var parts []string
	seen := map[string]bool{}
	for _, c := range cur {
		seen[c.name] = true
		o, ok := byName[c.name]
		switch {
		case !ok:
			parts = append(parts, "added column "+c.name)
		case o.typ != c.typ:
			parts = append(parts, "column "+c.name+" changed type")
		}
	}
	for _, c := range old {
		if !seen[c.name] {
			parts = append(parts, "dropped column "+c.name)
		}
	}
	return strings.Join(parts, ", ")
}

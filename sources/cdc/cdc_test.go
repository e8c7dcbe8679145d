package cdc

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/sources"
)

// pos is a position type for Run: a number.
type pos int

func (p pos) String() string { return fmt.Sprint(int(p)) }

func parsePos(b []byte) (pos, error) {
	var n int
	if _, err := fmt.Sscan(string(b), &n); err != nil {
		return 0, fmt.Errorf("resume position %q is not a number", b)
	}
	return pos(n), nil
}

func TestRun(t *testing.T) {
	transient := errors.New("cannot connect")
	permanent := sources.Permanent(errors.New("no such table"))
	tests := []struct {
		name     string
		from     []byte
		results  []error // one session each; after the last, wait for ctx
		wantErr  string  // "" : Run returns nil
		states   []string
		wantPos  string
		wantSeed bool
	}{
		{name: "bad resume position", from: []byte("x"), wantErr: `resume position "x" is not a number`, states: []string{"failed"}},
		{name: "permanent failure", results: []error{permanent}, wantErr: "no such table", states: []string{"starting", "failed"}},
		{name: "retried then permanent", results: []error{transient, permanent}, wantErr: "no such table", states: []string{"starting", "retrying: cannot connect", "failed"}},
		{name: "cancelled while streaming", results: nil, states: []string{"starting", "stopped"}},
		{name: "resume", from: []byte("42"), results: []error{permanent}, wantErr: "no such table", states: []string{"starting", "failed"}, wantPos: "42", wantSeed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New("src")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var states []string
			record := func() {
				st := c.Tracker.Get()
				s := st.State
				if st.Error != "" {
					s += ": " + st.Error
				}
				if len(states) == 0 || states[len(states)-1] != s {
					states = append(states, s)
				}
			}
			calls := 0
			var gotSt *Resume[pos]
			err := Run(ctx, c, tc.from, parsePos, func(ctx context.Context, st *Resume[pos]) (bool, error) {
				record()
				gotSt = st
				if calls < len(tc.results) {
					calls++
					return false, tc.results[calls-1]
				}
				cancel()
				return false, ctx.Err()
			})
			record()
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr) {
				t.Fatalf("Run = %v, want %q", err, tc.wantErr)
			}
			// The last state holds the final error; compare its name only.
			if last := states[len(states)-1]; strings.HasPrefix(last, "failed") {
				states[len(states)-1] = "failed"
			}
			if !reflect.DeepEqual(states, tc.states) {
				t.Fatalf("states %q, want %q", states, tc.states)
			}
			if got := c.Tracker.Get().Position; got != tc.wantPos {
				t.Fatalf("position %q, want %q", got, tc.wantPos)
			}
			if gotSt != nil && (gotSt.Resumed != (tc.from != nil) || gotSt.NeedSeed != tc.wantSeed) {
				t.Fatalf("resume state %+v", *gotSt)
			}
		})
	}
}

func TestSchemaChanged(t *testing.T) {
	for _, fail := range []bool{true, false} {
		c := New("src")
		err := c.SchemaChanged(fail, "db", "t", "added column w")
		var pe *sources.PermanentError
		st := c.Tracker.Get()
		switch {
		case fail && (!errors.As(err, &pe) || err.Error() != "db: table t changed schema (added column w); the source is configured with schemaChanges: fail — reset it to bootstrap with the new schema"):
			t.Fatalf("fail: %v", err)
		case !fail && (err != nil || !strings.HasSuffix(st.Notice, " table t changed schema (added column w); following it (schemaChanges: fail stops instead)")):
			t.Fatalf("follow: %v, notice %q", err, st.Notice)
		}
	}
}

func el(id string) engine.Element {
	return engine.Element{ID: id, Labels: []string{strings.Split(id, ":")[0]}}
}

// describe renders changes as "op id" for comparison.
func describe(cs []engine.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Op.String()+" "+c.Element.ID)
	}
	return out
}

func known(ids ...string) Known {
	k := Known{}
	for _, id := range ids {
		tbl := strings.Split(id, ":")[0]
		if k[tbl] == nil {
			k[tbl] = map[string]struct{}{}
		}
		k[tbl][id] = struct{}{}
	}
	return k
}

// TestTxn runs transactions against known ids and checks the changes they
// collect, what a truncate of table t deletes at their end, and the known
// ids once they are committed with that truncate (none of t, the others'
// as inserted).
func TestTxn(t *testing.T) {
	tests := []struct {
		name     string
		known    []string
		do       func(tx *Txn)
		changes  []string
		truncate []string // ids a truncate of t deletes after do
	}{
		{name: "insert", known: []string{"t:1"},
			do:      func(tx *Txn) { tx.Insert("t", el("t:2")) },
			changes: []string{"insert t:2"}, truncate: []string{"t:1", "t:2"}},
		{name: "update in place", known: []string{"t:1"},
			do:      func(tx *Txn) { tx.Update("t", "t:1", el("t:1")) },
			changes: []string{"update t:1"}, truncate: []string{"t:1"}},
		{name: "update without old key", known: []string{"t:1"},
			do:      func(tx *Txn) { tx.Update("t", "", el("t:1")) },
			changes: []string{"update t:1"}, truncate: []string{"t:1"}},
		{name: "key change is delete and insert", known: []string{"t:1"},
			do:      func(tx *Txn) { tx.Update("t", "t:1", el("t:9")) },
			changes: []string{"delete t:1", "insert t:9"}, truncate: []string{"t:9"}},
		{name: "delete", known: []string{"t:1", "t:2"},
			do:      func(tx *Txn) { tx.Delete("t", "t:1") },
			changes: []string{"delete t:1"}, truncate: []string{"t:2"}},
		{name: "insert then delete", known: nil,
			do:      func(tx *Txn) { tx.Insert("t", el("t:1")); tx.Delete("t", "t:1") },
			changes: []string{"insert t:1", "delete t:1"}, truncate: nil},
		{name: "other table untouched", known: []string{"t:1", "u:1"},
			do:      func(tx *Txn) { tx.Insert("u", el("u:2")) },
			changes: []string{"insert u:2"}, truncate: []string{"t:1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New("src")
			c.Known = known(tc.known...)
			before := fmt.Sprint(c.Known)
			at := time.Unix(100, 0)
			tx := c.Begin(at)
			tc.do(tx)
			if got := describe(tx.Changes); !reflect.DeepEqual(got, tc.changes) {
				t.Fatalf("changes %q, want %q", got, tc.changes)
			}
			for _, ch := range tx.Changes {
				if ch.Source != "src" || !ch.Time.Equal(at) || len(ch.Element.Labels) != 1 {
					t.Fatalf("change %+v", ch)
				}
			}
			if got := c.Known.IDs(tx, "t"); !reflect.DeepEqual(got, tc.truncate) {
				t.Fatalf("ids of t in tx %q, want %q", got, tc.truncate)
			}
			if fmt.Sprint(c.Known) != before {
				t.Fatalf("an uncommitted transaction changed the known ids: %v", c.Known)
			}
			n := len(tx.Changes)
			c.Truncate(tx, "t")
			if got := describe(tx.Changes[n:]); len(got) != len(tc.truncate) {
				t.Fatalf("truncate emitted %q, want deletes of %q", got, tc.truncate)
			}
			if ok, err := c.Commit(context.Background(), func(context.Context, engine.Batch) error { return nil }, tx, "7", at); !ok || err != nil {
				t.Fatalf("Commit = %v, %v", ok, err)
			}
			if got := c.Known.IDs(nil, "t"); len(got) != 0 {
				t.Fatalf("after a truncate t still has %q", got)
			}
			var others []string
			for tbl := range c.Known {
				others = append(others, c.Known.IDs(nil, tbl)...)
			}
			sort.Strings(others)
			var want []string
			for _, id := range append(append([]string{}, tc.known...), describeIDs(tc.changes)...) {
				if !strings.HasPrefix(id, "t:") {
					want = append(want, id)
				}
			}
			want = dedupe(want)
			if !reflect.DeepEqual(others, want) {
				t.Fatalf("known after commit %q, want %q", others, want)
			}
		})
	}
}

func describeIDs(changes []string) []string {
	var out []string
	for _, c := range changes {
		if f := strings.Fields(c); f[0] != "delete" {
			out = append(out, f[1])
		}
	}
	return out
}

func dedupe(s []string) []string {
	sort.Strings(s)
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func TestCommit(t *testing.T) {
	failed := errors.New("injected")
	tests := []struct {
		name     string
		tx       func(c *Core) *Txn
		emitErr  error
		want     bool
		wantErr  string
		batches  int
		known    []string
		changes  uint64
		position string
	}{
		{name: "nil", tx: func(*Core) *Txn { return nil }, known: []string{"t:1"}},
		{name: "empty", tx: func(c *Core) *Txn { return c.Begin(time.Time{}) }, known: []string{"t:1"}},
		{name: "emitted", tx: func(c *Core) *Txn {
			tx := c.Begin(time.Time{})
			tx.Insert("t", el("t:2"))
			return tx
		}, want: true, batches: 1, known: []string{"t:1", "t:2"}, changes: 1, position: "0/10"},
		{name: "emit fails", tx: func(c *Core) *Txn {
			tx := c.Begin(time.Time{})
			tx.Delete("t", "t:1")
			return tx
		}, emitErr: failed, wantErr: "emit: injected", batches: 1, known: []string{"t:1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New("src")
			c.Known = known("t:1")
			var got []engine.Batch
			emit := func(_ context.Context, b engine.Batch) error {
				got = append(got, b)
				return tc.emitErr
			}
			at := time.Unix(5, 0)
			ok, err := c.Commit(context.Background(), emit, tc.tx(c), "0/10", at)
			if ok != tc.want || (err == nil) != (tc.wantErr == "") || err != nil && (err.Error() != tc.wantErr || !errors.Is(err, failed)) {
				t.Fatalf("Commit = %v, %v", ok, err)
			}
			if len(got) != tc.batches {
				t.Fatalf("%d batches, want %d", len(got), tc.batches)
			}
			if len(got) == 1 && (got[0].Source != "src" || string(got[0].Position) != "0/10" || !got[0].Time.Equal(at) || got[0].Bootstrap) {
				t.Fatalf("batch %+v", got[0])
			}
			if ids := c.Known.IDs(nil, "t"); !reflect.DeepEqual(ids, tc.known) {
				t.Fatalf("known %q, want %q", ids, tc.known)
			}
			if st := c.Tracker.Get(); st.Changes != tc.changes || st.Position != tc.position {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

func TestSnapshot(t *testing.T) {
	tests := []struct {
		name    string
		prev    []string // known ids from an interrupted bootstrap
		rows    []string
		size    int
		emitErr int // fail the n-th emit (1-based); 0 never
		batches []string
		wantErr string
	}{
		{name: "empty", size: 2, batches: []string{"done@9:"}},
		{name: "one batch", rows: []string{"t:1"}, size: 2, batches: []string{"done@9:insert t:1"}},
		{name: "full batches", rows: []string{"t:1", "t:2", "t:3"}, size: 2,
			batches: []string{":insert t:1,insert t:2", "done@9:insert t:3"}},
		{name: "exactly full", rows: []string{"t:1", "t:2"}, size: 2,
			batches: []string{":insert t:1,insert t:2", "done@9:"}},
		{name: "rows gone since an interrupted bootstrap", prev: []string{"t:1", "t:2"}, rows: []string{"t:2"}, size: 5,
			batches: []string{"done@9:insert t:2,delete t:1"}},
		{name: "emit fails", rows: []string{"t:1", "t:2"}, size: 1, emitErr: 2,
			batches: []string{":insert t:1", ":insert t:2"}, wantErr: "emit: injected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New("src")
			c.Known = known(tc.prev...)
			var got []string
			emit := func(_ context.Context, b engine.Batch) error {
				s := ""
				if b.Done {
					s = "done@" + string(b.Position)
				} else if b.Position != nil {
					t.Fatalf("a batch before the last has a position: %+v", b)
				}
				if !b.Bootstrap || b.Source != "src" {
					t.Fatalf("batch %+v", b)
				}
				got = append(got, s+":"+strings.Join(describe(b.Changes), ","))
				if len(got) == tc.emitErr {
					return errors.New("injected")
				}
				return nil
			}
			snap := c.Bootstrap(context.Background(), emit, tc.size)
			var err error
			for _, id := range tc.rows {
				if err = snap.Add("t", el(id)); err != nil {
					break
				}
			}
			if err == nil {
				err = snap.Done("9")
			}
			if (err == nil) != (tc.wantErr == "") || err != nil && err.Error() != tc.wantErr {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.batches) {
				t.Fatalf("batches %q, want %q", got, tc.batches)
			}
			if err != nil {
				return
			}
			if ids := c.Known.IDs(nil, "t"); !reflect.DeepEqual(ids, tc.rows) {
				t.Fatalf("known %q, want the snapshot's rows %q", ids, tc.rows)
			}
			if st := c.Tracker.Get(); st.Position != "9" || st.Changes != uint64(len(tc.rows)+len(tc.prev)-countIn(tc.prev, tc.rows)) {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

// countIn counts the elements of a that are in b.
func countIn(a, b []string) int {
	n := 0
	for _, x := range a {
		for _, y := range b {
			if x == y {
				n++
				break
			}
		}
	}
	return n
}

// Two bootstraps fail in a row, the second after fewer rows than the
// first emitted: the bootstrap that completes still deletes every row an
// earlier attempt emitted and the snapshot no longer has.
func TestSnapshotAfterTwoInterruptedAttempts(t *testing.T) {
	c := New("src")
	var got []string
	fail := 0 // fail the emit when the batch holds this many changes
	emit := func(_ context.Context, b engine.Batch) error {
		if len(b.Changes) == fail {
			return errors.New("injected")
		}
		got = append(got, strings.Join(describe(b.Changes), ","))
		return nil
	}
	attempt := func(rows []string, size int) error {
		snap := c.Bootstrap(context.Background(), emit, size)
		for _, id := range rows {
			if err := snap.Add("t", el(id)); err != nil {
				return err
			}
		}
		return snap.Done("9")
	}
	// Attempt 1 emits t:1 and t:2, then fails on t:3.
	fail = 1
	if err := attempt([]string{"t:1", "t:2", "t:3"}, 2); err == nil {
		t.Fatal("attempt 1 did not fail")
	}
	// Attempt 2 fails on its first batch, having read only t:1.
	fail = 1
	if err := attempt([]string{"t:1"}, 1); err == nil {
		t.Fatal("attempt 2 did not fail")
	}
	// Attempt 3 completes: t:2 is gone upstream and must be deleted, and so
	// must t:3, whose failed batch the server may have committed.
	fail = -1
	got = nil
	if err := attempt([]string{"t:1"}, 5); err != nil {
		t.Fatal(err)
	}
	if want := []string{"insert t:1,delete t:2,delete t:3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("batches %q, want %q", got, want)
	}
	// A later bootstrap (a new slot, say) starts from what this one left.
	got = nil
	if err := attempt(nil, 5); err != nil {
		t.Fatal(err)
	}
	if want := []string{"delete t:1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after a completed bootstrap: batches %q, want %q", got, want)
	}
}

func TestSeedKnown(t *testing.T) {
	readErr := errors.New("reading ids of u: gone")
	tests := []struct {
		name    string
		seed    sources.KnownIDs
		tables  map[string][]string // what read finds
		want    map[string][]string
		wantErr error
	}{
		{name: "from the server's view", seed: func(label string) []string { return map[string][]string{"t": {"t:1"}}[label] },
			tables: map[string][]string{"t": {"t:1", "t:2"}, "u": {"u:1"}},
			want:   map[string][]string{"t": {"t:1"}, "u": nil}},
		{name: "from the tables", tables: map[string][]string{"t": {"t:2", "t:1"}, "u": nil},
			want: map[string][]string{"t": {"t:1", "t:2"}, "u": nil}},
		{name: "read fails", tables: map[string][]string{"t": {"t:1"}}, wantErr: readErr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New("src")
			c.Known = known("t:0", "v:1") // stale: replaced
			c.Seed = tc.seed
			err := c.SeedKnown([]string{"t", "u"}, func(table string, add func(string)) error {
				ids, ok := tc.tables[table]
				if !ok {
					return readErr
				}
				for _, id := range ids {
					add(id)
				}
				return nil
			})
			if err != tc.wantErr {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			got := map[string][]string{}
			for tbl := range c.Known {
				got[tbl] = c.Known.IDs(nil, tbl)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("known %q, want %q", got, tc.want)
			}
		})
	}
}

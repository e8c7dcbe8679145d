package ebpf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	kernel "github.com/vigilhq/vigil/enforce/ebpf"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
)

// target is one cgroup the reaction's rows name.
type target struct {
	key  string
	path string
	rows map[string]int // per query: rows naming this cgroup
	id   uint64         // nonzero while its entry is in the kernel map
	err  string         // why it is not (yet) in the state its rows ask for
}

func (t *target) total() int {
	n := 0
	for _, c := range t.rows {
		n += c
	}
	return n
}

// Run implements reactions.Reaction. It never fails the server: where
// enforcement cannot run, it reports why in Status and waits for ctx.
func (r *Reaction) Run(ctx context.Context, feed reactions.Feed) error {
	r.started.Store(true)
	defer close(r.done)
	r.hub.reactions.Put(r.name, r)
	defer r.hub.reactions.Remove(r.name, r)
	if err := kernel.Probe(); err != nil {
		r.setState("failed", err.Error())
		<-ctx.Done()
		return nil
	}
	enf, err := kernel.Open(kernel.Options{Name: r.pin, PinRoot: r.pinRoot, CgroupRoot: r.cgroupRoot})
	if err != nil {
		r.setState("failed", fmt.Sprintf("open eBPF enforcer %q: %v", r.pin, err))
		<-ctx.Done()
		return nil
	}
	r.mu.Lock()
	r.enf = enf
	r.cgroupRoot = enf.CgroupRoot()
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.enf = nil
		r.status.State = "stopped"
		r.mu.Unlock()
		enf.Close() // pins stay: agents stay cut off while Vigil is down
	}()
	// The allow list is the configured one exactly: entries an earlier
	// configuration pinned go.
	list := make([]kernel.Destination, len(r.allow))
	for i, a := range r.allow {
		list[i] = kernel.Destination{Port: a.port, Addr: a.addr}
	}
	allowErr := enf.SetAllowList(list)

	// Reconcile: every query's current result, then drop the pinned
	// blocks that no row justifies any more. A block already pinned is
	// not counted as applied again.
	r.setState("reconciling", "")
	if b, err := enf.Blocked(); err == nil {
		r.mu.Lock()
		r.pinned = make(map[uint64]bool, len(b))
		for id := range b {
			r.pinned[id] = true
		}
		r.mu.Unlock()
	}
	// The kernel map is left as it is until every query's result is
	// known: replaying a query's events from the start must not unblock,
	// even for a moment, an agent that a later event blocks again.
	r.mu.Lock()
	r.reconciling = true
	r.mu.Unlock()
	pos := map[string]uint64{}
	for _, q := range r.queries {
		p, ok := r.initial(ctx, feed, q)
		if !ok {
			return nil
		}
		pos[q] = p
	}
	r.mu.Lock()
	r.reconciling = false
	now := time.Now()
	for _, t := range r.targets {
		r.settleLocked(t, now)
	}
	r.pinned = nil
	r.mu.Unlock()
	if err := r.dropUnjustified(); err != nil {
		allowErr = errors.Join(allowErr, err)
	}
	r.mu.Lock()
	if allowErr != nil {
		r.status.Error = allowErr.Error()
		r.status.LastError = time.Now()
	}
	r.refreshLocked(allowErr)
	r.mu.Unlock()

	for {
		wait := feed.Changed()
		progressed := false
		for _, q := range r.queries {
			recs, err := feed.Read(q, pos[q], 256)
			if errors.Is(err, outbox.ErrCompacted) {
				snap, serr := feed.Snapshot(ctx, q)
				if serr != nil {
					r.noteError(fmt.Sprintf("query %s: events compacted and no snapshot: %v", q, serr))
					continue
				}
				recs, err = []outbox.Record{snap}, nil
			}
			if err != nil {
				r.noteError(fmt.Sprintf("query %s: %v", q, err))
				continue
			}
			read := time.Now()
			for _, rec := range recs {
				r.handle(q, rec, read)
				pos[q] = rec.Seq
			}
			if len(recs) > 0 {
				progressed = true
				r.mu.Lock()
				r.status.Positions[q] = pos[q]
				r.refreshLocked(allowErr)
				r.mu.Unlock()
			}
		}
		if progressed {
			continue
		}
		var tick <-chan time.Time
		stop := func() bool { return false }
		if r.pending() {
			t := time.NewTimer(r.retry)
			tick, stop = t.C, t.Stop
		}
		select {
		case <-ctx.Done():
			stop()
			return nil
		case <-wait:
			stop()
		case <-tick:
			r.mu.Lock()
			for _, t := range r.targets {
				r.settleLocked(t, time.Now())
			}
			r.refreshLocked(allowErr)
			r.mu.Unlock()
		}
	}
}

// initial reads q's current result: its snapshot, or, from a feed that
// has none, its retained events from the start. It waits while the query
// does not exist, so that a query created after the reaction does not
// read as "no rows" and unblock everything. false: ctx ended.
func (r *Reaction) initial(ctx context.Context, feed reactions.Feed, q string) (uint64, bool) {
	for {
		wait := feed.Changed()
		read := time.Now()
		snap, err := feed.Snapshot(ctx, q)
		if err == nil {
			r.handle(q, snap, read)
			r.setPosition(q, snap.Seq)
			return snap.Seq, true
		}
		var after uint64
		for {
			recs, rerr := feed.Read(q, after, 1024)
			if rerr != nil || len(recs) == 0 {
				break
			}
			read = time.Now()
			for _, rec := range recs {
				r.handle(q, rec, read)
				after = rec.Seq
			}
		}
		if after > 0 {
			r.setPosition(q, after)
			return after, true
		}
		if errors.Is(err, reactions.ErrNotFound) {
			err = errors.New("query not found")
		}
		r.setState("reconciling", fmt.Sprintf("waiting for query %s (%v): blocks already pinned stay until its result is known", q, err))
		t := time.NewTimer(r.retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, false
		case <-wait:
		case <-t.C:
		}
		t.Stop()
	}
}

// dropUnjustified unblocks every cgroup in the kernel map that no current
// row names (rows deleted while Vigil was down).
func (r *Reaction) dropUnjustified() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	blocked, err := r.enf.Blocked()
	if err != nil {
		return err
	}
	keep := map[uint64]bool{}
	for _, t := range r.targets {
		if t.id != 0 {
			keep[t.id] = true
		}
	}
	var errs []error
	for id := range blocked {
		if keep[id] {
			continue
		}
		if err := r.enf.UnblockID(id); err != nil {
			errs = append(errs, err)
			continue
		}
		r.status.Delivered++
		r.status.LastDelivery = time.Now()
		if r.onApply != nil {
			r.onApply("unblock", blocked[id].Path)
		}
	}
	return errors.Join(errs...)
}

// handle applies one event of q: rows added and deleted, or (a snapshot)
// q's whole result.
func (r *Reaction) handle(q string, rec outbox.Record, read time.Time) {
	if rec.Kind != outbox.KindChange && rec.Kind != outbox.KindSnapshot {
		return
	}
	ev, err := outbox.Decode(rec.Data)
	if err != nil {
		r.noteError(fmt.Sprintf("event %s:%d: %v", q, rec.Seq, err))
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []string
	touched := map[string]*target{}
	count := func(row map[string]json.RawMessage, d int, cols []string) {
		key, path, err := r.locate(row, cols)
		if err != nil {
			errs = append(errs, err.Error())
			return
		}
		t := r.targets[path]
		if t == nil {
			if d < 0 {
				return
			}
			t = &target{key: key, path: path, rows: map[string]int{}}
			r.targets[path] = t
		}
		t.rows[q] += d
		if t.rows[q] <= 0 {
			delete(t.rows, q)
		}
		touched[path] = t
	}
	if rec.Kind == outbox.KindSnapshot {
		for _, t := range r.targets {
			if t.rows[q] > 0 {
				delete(t.rows, q)
				touched[t.path] = t
			}
		}
		for _, row := range ev.Results {
			count(row, 1, ev.Columns)
		}
	} else {
		for _, row := range ev.Deleted {
			count(row, -1, nil)
		}
		for _, u := range ev.Updated {
			count(u.Before, -1, nil)
			count(u.After, 1, nil)
		}
		for _, row := range ev.Added {
			count(row, 1, nil)
		}
	}
	for _, t := range touched {
		r.settleLocked(t, read)
	}
	if len(errs) > 0 {
		r.status.Failures += uint64(len(errs))
		r.status.LastError = time.Now()
		r.status.Error = fmt.Sprintf("event %s:%d: %s", q, rec.Seq, strings.Join(errs, "; "))
	}
}

// locate returns the key and cgroup path a row names. cols are the
// query's columns in order, when known (a snapshot).
func (r *Reaction) locate(row map[string]json.RawMessage, cols []string) (key, path string, err error) {
	vals := make(map[string]string, len(row))
	for c, raw := range row {
		vals[c] = plain(raw)
	}
	keyCol := r.key
	switch {
	case keyCol != "":
	case len(cols) > 0:
		keyCol = cols[0]
	case len(row) == 1:
		for c := range row {
			keyCol = c
		}
	default:
		names := make([]string, 0, len(row))
		for c := range row {
			names = append(names, c)
		}
		sort.Strings(names)
		return "", "", fmt.Errorf("row has columns %v and a change event does not say which is first: set property key", names)
	}
	key, ok := vals[keyCol]
	if !ok {
		return "", "", fmt.Errorf("row lacks key column %q", keyCol)
	}
	if r.cgroup != nil {
		path, err = r.cgroup.render(vals, key)
		if err != nil {
			return "", "", err
		}
	} else {
		var ok bool
		if path, ok = vals[r.cgroupColumn]; !ok || path == "" {
			return "", "", fmt.Errorf("row of %s lacks cgroupColumn %q", key, r.cgroupColumn)
		}
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(r.cgroupRoot, path)
	}
	path = filepath.Clean(path)
	if root := filepath.Clean(r.cgroupRoot); !strings.HasPrefix(path, root+"/") {
		return "", "", fmt.Errorf("cgroup %q of %s is not below the cgroup v2 root %s", path, key, root)
	}
	return key, path, nil
}

// plain is a JSON value as text: a string unquoted, null empty, anything
// else as written.
func plain(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if string(raw) == "null" {
		return ""
	}
	return string(raw)
}

// settleLocked brings t's kernel entry in line with its rows: blocked
// while any row names it, gone when none does. r.mu held.
func (r *Reaction) settleLocked(t *target, read time.Time) {
	if r.enf == nil || r.reconciling {
		return
	}
	want := t.total() > 0
	switch {
	case want && t.id == 0:
		id, err := kernel.CgroupID(t.path)
		if err != nil {
			t.err = fmt.Sprintf("agent %s: cgroup %s: %v (blocking it when it appears)", t.key, t.path, err)
			return
		}
		if err := r.enf.BlockID(id); err != nil {
			t.err = fmt.Sprintf("agent %s: %v", t.key, err)
			return
		}
		t.id, t.err = id, ""
		if r.pinned[id] {
			return // in force since before this start
		}
		r.applied("block", t.path, read)
	case !want && t.id != 0:
		if err := r.enf.UnblockID(t.id); err != nil {
			t.err = fmt.Sprintf("agent %s: %v", t.key, err)
			return
		}
		t.id = 0
		delete(r.targets, t.path)
		r.applied("unblock", t.path, read)
	case !want:
		delete(r.targets, t.path) // never blocked (its cgroup never appeared)
	}
}

// applied counts a map update; r.mu held.
func (r *Reaction) applied(op, path string, read time.Time) {
	r.hub.apply.WithLabelValues(r.name).Observe(time.Since(read).Seconds())
	r.status.Delivered++
	r.status.LastDelivery = time.Now()
	if r.onApply != nil {
		r.onApply(op, path)
	}
}

// pending reports whether some target waits for its cgroup or a retry.
func (r *Reaction) pending() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range r.targets {
		if t.err != "" || (t.total() > 0) != (t.id != 0) {
			return true
		}
	}
	return false
}

// refreshLocked sets State from the targets: degraded (with the first
// target's error) while some target is not as its rows ask. r.mu held.
func (r *Reaction) refreshLocked(other error) {
	var errs []string
	for _, t := range r.targets {
		if t.err != "" {
			errs = append(errs, t.err)
		}
	}
	sort.Strings(errs)
	switch {
	case len(errs) > 0:
		r.status.State = "degraded"
		r.status.Error = errs[0]
		if len(errs) > 1 {
			r.status.Error += fmt.Sprintf(" (and %d more)", len(errs)-1)
		}
	case other != nil:
		r.status.State = "degraded"
		r.status.Error = other.Error()
	default:
		if r.status.State == "degraded" || r.status.State == "reconciling" {
			r.status.Error = ""
		}
		r.status.State = "running"
	}
}

func (r *Reaction) setState(state, msg string) {
	r.mu.Lock()
	r.status.State, r.status.Error = state, msg
	if msg != "" {
		r.status.LastError = time.Now()
	}
	r.mu.Unlock()
}

func (r *Reaction) setPosition(q string, seq uint64) {
	r.mu.Lock()
	r.status.Positions[q] = seq
	r.mu.Unlock()
}

func (r *Reaction) noteError(msg string) {
	r.mu.Lock()
	r.status.Failures++
	r.status.Error = msg
	r.status.LastError = time.Now()
	r.mu.Unlock()
}

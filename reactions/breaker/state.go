package breaker

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// The states of a breaker, as the API shows them and the Breaker nodes
// carry them.
const (
	Closed   = "CLOSED"
	Open     = "OPEN"
	HalfOpen = "HALF_OPEN"
)

// Errors of a probe, which the API maps to 404 and 409.
var (
	ErrUnknownKey  = errors.New("no breaker for this key")
	ErrNotHalfOpen = errors.New("breaker is not HALF_OPEN")
)

// rules are a reaction's state-machine settings.
type rules struct {
	recovery      time.Duration // OPEN -> HALF_OPEN after this long
	probes        int           // successful probes that close a HALF_OPEN breaker
	closeOnDelete bool          // a key whose rows all left the queries closes
}

// entry is one key's breaker. Times have millisecond precision, the
// precision of the events' sourceTimeMs, so that a breaker decoded from a
// position is equal to the one encoded.
type entry struct {
	key    string
	state  string
	since  time.Time
	reason string
	query  string
	probes int // successful probes so far while HALF_OPEN
}

// state is everything a CircuitBreaker reaction must keep across a
// restart: the breakers, which keys have rows in which query (to tell an
// added row from one already there when a snapshot replaces the stream),
// the last sequence folded per query, and the transitions made so far.
// Only the reaction's session goroutine touches it.
type state struct {
	breakers    map[string]*entry
	present     map[string]map[string]int // query -> key -> rows with that key
	cursors     map[string]uint64         // query -> last sequence folded
	transitions uint64
}

func newState() *state {
	return &state{breakers: map[string]*entry{}, present: map[string]map[string]int{}, cursors: map[string]uint64{}}
}

// transition is one state change of one key.
type transition struct {
	key, from, to string
}

// delta collects what one step (a read, a tick, a probe) did, so that the
// step is committed as one batch.
type delta struct {
	transitions []transition
	touched     []string // keys whose Breaker node changed, in order of first change
	changed     bool     // the encoded state changed: the step must be committed
}

func (d *delta) touch(key string) {
	d.changed = true
	if !slices.Contains(d.touched, key) {
		d.touched = append(d.touched, key)
	}
}

// move sets e's state, recording the transition. since never goes back:
// an event older than the breaker's current state (a late event) still
// moves it, but from the time it already has, so that times read in order.
func (s *state) move(d *delta, e *entry, to, reason string, at time.Time) {
	from := e.state
	if at.Before(e.since) {
		at = e.since
	}
	e.state, e.since, e.reason, e.probes = to, at, reason, 0
	s.transitions++
	d.transitions = append(d.transitions, transition{key: e.key, from: from, to: to})
	d.touch(e.key)
}

// trip opens key's breaker (created CLOSED if new) unless it is OPEN.
func (s *state) trip(d *delta, key, query, reason string, at time.Time) {
	e := s.breakers[key]
	if e == nil {
		e = &entry{key: key, state: Closed}
		s.breakers[key] = e
	}
	if e.state == Open {
		return
	}
	e.query = query
	s.move(d, e, Open, reason, at)
}

// clear closes key's breaker after its rows left the queries, when the
// reaction closes on delete and no subscribed query still has a row for it.
func (s *state) clear(r rules, d *delta, key, query string, at time.Time) {
	e := s.breakers[key]
	if !r.closeOnDelete || e == nil || e.state == Closed {
		return
	}
	for _, keys := range s.present {
		if keys[key] > 0 {
			return
		}
	}
	s.move(d, e, Closed, "cleared: its row left "+query, at)
}

// count adds n to the rows query has for key (never below zero: a stream
// read from its middle may delete a row never seen added).
func (s *state) count(d *delta, query, key string, n int) {
	keys := s.present[query]
	if keys == nil {
		keys = map[string]int{}
		s.present[query] = keys
	}
	old := keys[key]
	now := max(old+n, 0)
	if now == old {
		return
	}
	d.changed = true
	if now == 0 {
		delete(keys, key)
		if len(keys) == 0 {
			delete(s.present, query)
		}
		return
	}
	keys[key] = now
}

// keyed is a result row reduced to what the breaker needs: its key and
// the reason it gives when it trips.
type keyed struct {
	key    string
	reason string
}

// change is one change event of a query: the rows that arrived (added,
// and the after rows of updates) and the rows that left (deleted, and the
// before rows of updates).
type change struct {
	at      time.Time
	arrived []keyed
	left    []keyed
}

// apply folds a change event of query into the state. A key with a row
// that arrived trips (an update counts: the row is present, so its
// condition still holds); a key whose rows all left may close.
func (s *state) apply(r rules, d *delta, query string, c change) {
	reasons := map[string]string{}
	net := map[string]int{} // counted once per key, so an update is no change in rows
	var keys []string
	for _, k := range c.left {
		net[k.key]--
		keys = append(keys, k.key)
	}
	for _, k := range c.arrived {
		net[k.key]++
		reasons[k.key] = k.reason // the last row's reason wins
		keys = append(keys, k.key)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, key := range keys {
		s.count(d, query, key, net[key])
	}
	for _, key := range keys {
		if reason, ok := reasons[key]; ok {
			s.trip(d, key, query, reason, c.at)
		} else {
			s.clear(r, d, key, query, c.at)
		}
	}
}

// reconcile replaces query's rows by a snapshot of its whole result (the
// stream after the cursor was compacted away): keys that had no row and
// now have one trip, keys that lost all their rows may close, and keys
// present on both sides are left alone, since whether their rows changed
// in between cannot be known.
func (s *state) reconcile(r rules, d *delta, query string, rows []keyed, at time.Time) {
	now := map[string]int{}
	reasons := map[string]string{}
	for _, k := range rows {
		now[k.key]++
		reasons[k.key] = k.reason
	}
	old := maps.Clone(s.present[query]) // count changes s.present[query]
	var keys []string
	for k := range now {
		keys = append(keys, k)
	}
	for k := range old {
		if now[k] == 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		s.count(d, query, k, now[k]-old[k])
	}
	for _, k := range keys {
		switch {
		case old[k] == 0:
			s.trip(d, k, query, reasons[k], at)
		case now[k] == 0:
			s.clear(r, d, k, query, at)
		}
	}
}

// due is the earliest time an OPEN breaker turns HALF_OPEN.
func (s *state) due(r rules) (time.Time, bool) {
	var first time.Time
	found := false
	for _, e := range s.breakers {
		if e.state != Open {
			continue
		}
		if t := e.since.Add(r.recovery); !found || t.Before(first) {
			first, found = t, true
		}
	}
	return first, found
}

// tick turns the OPEN breakers whose recovery timeout has passed by now
// HALF_OPEN, as of the moment it passed (not now), so that a timeout that
// fell due while the server was down gets the same since as a live one.
func (s *state) tick(r rules, d *delta, now time.Time) {
	var keys []string
	for k, e := range s.breakers {
		if e.state == Open && !now.Before(e.since.Add(r.recovery)) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		e := s.breakers[k]
		s.move(d, e, HalfOpen, e.reason, e.since.Add(r.recovery))
	}
}

// probe records a probe result for a HALF_OPEN breaker: enough successes
// close it, one failure opens it again.
func (s *state) probe(r rules, d *delta, key string, ok bool, now time.Time) error {
	e := s.breakers[key]
	switch {
	case e == nil:
		return ErrUnknownKey
	case e.state != HalfOpen:
		return fmt.Errorf("%w (it is %s)", ErrNotHalfOpen, e.state)
	case !ok:
		s.move(d, e, Open, "probe failed", now)
	case e.probes+1 >= r.probes:
		s.move(d, e, Closed, fmt.Sprintf("recovered: %d successful probes", e.probes+1), now)
	default:
		e.probes++
		d.changed = true
	}
	return nil
}

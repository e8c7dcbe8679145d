package breaker

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// t0 is the tests' epoch; times in the tables are seconds after it.
var t0 = time.UnixMilli(1_700_000_000_000).UTC()

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

// op is one input to the state machine.
type op struct {
	name string
	run  func(s *state, r rules, d *delta) error
}

func rowsOf(keys ...string) []keyed {
	out := make([]keyed, len(keys))
	for i, k := range keys {
		out[i] = keyed{key: k, reason: "r-" + k}
	}
	return out
}

func add(q, key string, sec float64) op {
	return op{fmt.Sprintf("add %s/%s@%v", q, key, sec), func(s *state, r rules, d *delta) error {
		s.apply(r, d, q, change{at: at(sec), arrived: rowsOf(key)})
		return nil
	}}
}

func update(q, key string, sec float64) op {
	return op{fmt.Sprintf("update %s/%s@%v", q, key, sec), func(s *state, r rules, d *delta) error {
		s.apply(r, d, q, change{at: at(sec), arrived: rowsOf(key), left: rowsOf(key)})
		return nil
	}}
}

func del(q, key string, sec float64) op {
	return op{fmt.Sprintf("delete %s/%s@%v", q, key, sec), func(s *state, r rules, d *delta) error {
		s.apply(r, d, q, change{at: at(sec), left: rowsOf(key)})
		return nil
	}}
}

func tick(sec float64) op {
	return op{fmt.Sprintf("tick@%v", sec), func(s *state, r rules, d *delta) error {
		s.tick(r, d, at(sec))
		return nil
	}}
}

func probe(key string, ok bool, sec float64) op {
	return op{fmt.Sprintf("probe %s %v@%v", key, ok, sec), func(s *state, r rules, d *delta) error {
		return s.probe(r, d, key, ok, at(sec))
	}}
}

func snap(q string, sec float64, keys ...string) op {
	return op{fmt.Sprintf("snapshot %s %v@%v", q, keys, sec), func(s *state, r rules, d *delta) error {
		s.reconcile(r, d, q, rowsOf(keys...), at(sec))
		return nil
	}}
}

// describe is the state as "key=STATE@sec" sorted.
func describe(s *state) string {
	var out []string
	for k, e := range s.breakers {
		out = append(out, fmt.Sprintf("%s=%s@%v", k, e.state, e.since.Sub(t0).Seconds()))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

func TestStateMachine(t *testing.T) {
	base := rules{recovery: 30 * time.Second, probes: 2}
	onDelete := rules{recovery: 30 * time.Second, probes: 2, closeOnDelete: true}
	tests := []struct {
		name    string
		rules   rules
		ops     []op
		errs    map[int]error // op index -> the error it must return
		want    string
		changes []string // transitions "key:FROM>TO"
	}{
		{name: "an added row opens", rules: base, ops: []op{add("q", "a", 1)},
			want: "a=OPEN@1", changes: []string{"a:CLOSED>OPEN"}},
		{name: "an update while OPEN changes nothing", rules: base, ops: []op{add("q", "a", 1), update("q", "a", 5)},
			want: "a=OPEN@1", changes: []string{"a:CLOSED>OPEN"}},
		{name: "not HALF_OPEN before the timeout", rules: base, ops: []op{add("q", "a", 1), tick(30.999)},
			want: "a=OPEN@1", changes: []string{"a:CLOSED>OPEN"}},
		{name: "HALF_OPEN at since+timeout, however late the tick", rules: base, ops: []op{add("q", "a", 1), tick(500)},
			want: "a=HALF_OPEN@31", changes: []string{"a:CLOSED>OPEN", "a:OPEN>HALF_OPEN"}},
		{name: "enough probes close", rules: base, ops: []op{add("q", "a", 1), tick(31), probe("a", true, 32), probe("a", true, 33)},
			want: "a=CLOSED@33", changes: []string{"a:CLOSED>OPEN", "a:OPEN>HALF_OPEN", "a:HALF_OPEN>CLOSED"}},
		{name: "a failed probe reopens and restarts the count", rules: base,
			ops:     []op{add("q", "a", 1), tick(31), probe("a", true, 32), probe("a", false, 33), tick(63), probe("a", true, 64)},
			want:    "a=HALF_OPEN@63",
			changes: []string{"a:CLOSED>OPEN", "a:OPEN>HALF_OPEN", "a:HALF_OPEN>OPEN", "a:OPEN>HALF_OPEN"}},
		{name: "probes are refused unless HALF_OPEN", rules: base,
			ops:  []op{probe("x", true, 1), add("q", "a", 1), probe("a", true, 2)},
			errs: map[int]error{0: ErrUnknownKey, 2: ErrNotHalfOpen}, want: "a=OPEN@1", changes: []string{"a:CLOSED>OPEN"}},
		{name: "an updated row trips a HALF_OPEN breaker", rules: base, ops: []op{add("q", "a", 1), tick(31), update("q", "a", 40)},
			want: "a=OPEN@40", changes: []string{"a:CLOSED>OPEN", "a:OPEN>HALF_OPEN", "a:HALF_OPEN>OPEN"}},
		{name: "an updated row trips a CLOSED breaker", rules: base,
			ops:     []op{add("q", "a", 1), tick(31), probe("a", true, 32), probe("a", true, 33), update("q", "a", 50)},
			want:    "a=OPEN@50",
			changes: []string{"a:CLOSED>OPEN", "a:OPEN>HALF_OPEN", "a:HALF_OPEN>CLOSED", "a:CLOSED>OPEN"}},
		{name: "a late event does not move since back", rules: base, ops: []op{add("q", "a", 1), tick(31), update("q", "a", 20)},
			want: "a=OPEN@31", changes: []string{"a:CLOSED>OPEN", "a:OPEN>HALF_OPEN", "a:HALF_OPEN>OPEN"}},
		{name: "a delete leaves it OPEN without closeOnDelete", rules: base, ops: []op{add("q", "a", 1), del("q", "a", 2)},
			want: "a=OPEN@1", changes: []string{"a:CLOSED>OPEN"}},
		{name: "closeOnDelete closes when the row leaves", rules: onDelete, ops: []op{add("q", "a", 1), del("q", "a", 2)},
			want: "a=CLOSED@2", changes: []string{"a:CLOSED>OPEN", "a:OPEN>CLOSED"}},
		{name: "closeOnDelete waits for the key's last row in every query", rules: onDelete,
			ops:     []op{add("q", "a", 1), add("p", "a", 2), add("q", "a", 3), del("q", "a", 4), del("q", "a", 5), del("p", "a", 6)},
			want:    "a=CLOSED@6",
			changes: []string{"a:CLOSED>OPEN", "a:OPEN>CLOSED"}},
		{name: "a delete of an unknown row does nothing", rules: onDelete, ops: []op{del("q", "a", 1)}, want: ""},
		{name: "keys are independent", rules: base, ops: []op{add("q", "a", 1), add("q", "b", 10), tick(35)},
			want: "a=HALF_OPEN@31 b=OPEN@10", changes: []string{"a:CLOSED>OPEN", "b:CLOSED>OPEN", "a:OPEN>HALF_OPEN"}},
		{name: "a snapshot trips only keys that were not there", rules: onDelete,
			ops:     []op{add("q", "a", 1), tick(31), probe("a", true, 32), probe("a", true, 33), add("q", "b", 34), snap("q", 40, "a", "c")},
			want:    "a=CLOSED@33 b=CLOSED@40 c=OPEN@40",
			changes: []string{"a:CLOSED>OPEN", "a:OPEN>HALF_OPEN", "a:HALF_OPEN>CLOSED", "b:CLOSED>OPEN", "b:OPEN>CLOSED", "c:CLOSED>OPEN"}},
		{name: "one probe closes with probes 1", rules: rules{recovery: time.Second, probes: 1},
			ops: []op{add("q", "a", 0), tick(1), probe("a", true, 2)}, want: "a=CLOSED@2",
			changes: []string{"a:CLOSED>OPEN", "a:OPEN>HALF_OPEN", "a:HALF_OPEN>CLOSED"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newState()
			var changes []string
			for i, o := range tc.ops {
				d := &delta{}
				err := o.run(s, tc.rules, d)
				if want := tc.errs[i]; !errors.Is(err, want) || (want == nil && err != nil) {
					t.Fatalf("op %d (%s): error %v, want %v", i, o.name, err, want)
				}
				for _, tr := range d.transitions {
					changes = append(changes, fmt.Sprintf("%s:%s>%s", tr.key, tr.from, tr.to))
				}
				if len(d.transitions) > 0 && !d.changed {
					t.Fatalf("op %d (%s): transitions without changed", i, o.name)
				}
			}
			if got := describe(s); got != tc.want {
				t.Errorf("state %q, want %q", got, tc.want)
			}
			if !slices.Equal(changes, tc.changes) {
				t.Errorf("transitions %q, want %q", changes, tc.changes)
			}
			if s.transitions != uint64(len(tc.changes)) {
				t.Errorf("counted %d transitions, want %d", s.transitions, len(tc.changes))
			}
		})
	}
}

// A step that changes nothing is not committed; one that changes only the
// rows known (a second row for an OPEN key) is, since a snapshot later
// needs them.
func TestDeltaChanged(t *testing.T) {
	r := rules{recovery: time.Second, probes: 3}
	s := newState()
	s.apply(r, &delta{}, "q", change{at: at(1), arrived: rowsOf("a")})
	for _, tc := range []struct {
		name string
		c    change
		want bool
	}{
		{"an update of an OPEN key", change{at: at(2), arrived: rowsOf("a"), left: rowsOf("a")}, false},
		{"a second row for an OPEN key", change{at: at(3), arrived: rowsOf("a")}, true},
		{"nothing", change{at: at(4)}, false},
	} {
		d := &delta{}
		s.apply(r, d, "q", tc.c)
		if d.changed != tc.want {
			t.Errorf("%s: changed %v, want %v", tc.name, d.changed, tc.want)
		}
	}
	d := &delta{}
	s.tick(r, d, at(5))
	if err := s.probe(r, d, "a", true, at(6)); err != nil || !d.changed || len(d.transitions) != 1 {
		t.Fatalf("a successful probe short of closing: err %v, changed %v, transitions %v", err, d.changed, d.transitions)
	}
}

func TestReasonTemplate(t *testing.T) {
	r := row{"agent": []byte(`"bot-1"`), "denials": []byte(`4`), "note": []byte(`null`)}
	for _, tc := range []struct{ tmpl, want string }{
		{"", "q"},
		{"{agent} was denied {denials} times", "bot-1 was denied 4 times"},
		{"{missing} {note} {", "{missing} null {"},
		{"no placeholders", "no placeholders"},
	} {
		if got := reasonFor(tc.tmpl, "q", r); got != tc.want {
			t.Errorf("reasonFor(%q) = %q, want %q", tc.tmpl, got, tc.want)
		}
	}
}

func TestKeyRows(t *testing.T) {
	var skipped int
	rows := []row{
		{"agent": []byte(`"a"`)},
		{"agent": []byte(`7`)},
		{"agent": []byte(`null`)},
		{"other": []byte(`"x"`)},
		{"agent": []byte(`""`)},
		{"agent": []byte(`"bad\u001f"`)},
		nil,
	}
	got := keyRows(queryConf{id: "q"}, "agent", rows, &skipped)
	if len(got) != 2 || got[0].key != "a" || got[1].key != "7" || skipped != 4 {
		t.Fatalf("keys %v, skipped %d", got, skipped)
	}
}

func TestQueryConfs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		queries map[string]any
		want    string // id/key/reason, or the error
	}{
		{"defaults", map[string]any{"q": nil}, "q/agent/"},
		{"a reason", map[string]any{"q": "{agent} denied"}, "q/agent/{agent} denied"},
		{"a map", map[string]any{"q": map[string]any{"key": "who", "reason": "r"}}, "q/who/r"},
		{"an unknown setting", map[string]any{"q": map[string]any{"keys": "who"}}, `queries.q: unknown setting "keys" (want reason or key)`},
		{"no queries", map[string]any{}, "spec.queries: a CircuitBreaker needs at least one query whose rows trip it"},
	} {
		qs, err := queryConfs(tc.queries, "agent")
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = qs[0].id + "/" + qs[0].key + "/" + qs[0].reason
		}
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestThrottle(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{{"1/s", true}, {"10/m", true}, {"5/30s", true}, {"0.5/h", true}, {"1", false}, {"x/s", false}, {"0/s", false}, {"1/fortnight", false}} {
		if err := checkThrottle(tc.in); (err == nil) != tc.ok {
			t.Errorf("checkThrottle(%q) = %v", tc.in, err)
		}
	}
}

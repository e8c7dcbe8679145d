package governance

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

// The Google SRE Workbook's multiwindow, multi-burn-rate alerts ("Alerting
// on SLOs", table 5-8) against a 99.9 % SLO (error budget 0.001), driven
// through slo-burn-page and slo-burn-ticket (and their GQL twins, which
// must agree at every step) at a steady call rate.
//
// Each case runs steady successful calls long enough to fill every window
// (3 days), then makes every m-th call an error from t0 on (the first error
// at t0 + m·Δ, Δ the call interval), for a while, then succeeds again. All
// windows are full, so a window W holds exactly W/Δ calls and the burn rate
// over W is errors(W) / (W/Δ) / 0.001. The alert over W at rate B needs
//
//	errors(W) >= n(B, W) = ceil(B · 0.001 · W/Δ)
//
// and while errors continue errors(W) = floor(t / (m·Δ)) (t since t0, for
// t <= W), so the window's condition starts at t = m·Δ·n(B, W). A clause
// (two windows) starts at the later of its windows, the page at the earlier
// of its two clauses. After the J-th and last error, at T = J·m·Δ, the
// window holds J − floor((t − W)/(m·Δ)) errors, so its condition ends at
// t = W + m·Δ·(J − n(B, W) + 1); a clause ends at the earlier of its
// windows, the alert at the later of its clauses (these cases' clauses
// overlap, so the row stays from start to end). The Workbook's continuous
// figure, detection time = budget · W · B / error rate, is printed beside
// the discrete one: they differ by less than one error interval (m·Δ).

// nReq is n(B, W): the errors window w must hold for burn rate b, b given
// in tenths (14.4 -> 144) so that the ceiling is exact.
func nReq(bTenths int64, w, interval time.Duration) int64 {
	num := bTenths * int64(w/time.Second)
	den := int64(interval/time.Second) * 10 * 1000
	return (num + den - 1) / den
}

type window struct {
	b int64 // burn rate threshold, tenths
	w time.Duration
}

type clause [2]window

var (
	pageClauses   = []clause{{{144, time.Hour}, {144, 5 * time.Minute}}, {{60, 6 * time.Hour}, {60, 30 * time.Minute}}}
	ticketClauses = []clause{{{10, 72 * time.Hour}, {10, 6 * time.Hour}}}
)

// analytic returns when an alert (its clauses) starts and ends, in seconds
// since t0, for errors every m-th call at interval iv, J errors in all; ok
// false when it never starts (a window cannot hold the errors it needs).
func analytic(cs []clause, m int64, iv time.Duration, j int64) (start, end int64, ok bool) {
	step := m * int64(iv/time.Second)
	start, end = -1, -1
	for _, c := range cs {
		cStart, cEnd := int64(0), int64(-1)
		possible := true
		for _, w := range c {
			n := nReq(w.b, w.w, iv)
			// At most ceil(W / step) errors fit in the window, and at most J occur.
			if n > (int64(w.w/time.Second)+step-1)/step || n > j {
				possible = false
				break
			}
			cStart = max(cStart, step*n)
			e := int64(w.w/time.Second) + step*(j-n+1)
			if cEnd < 0 || e < cEnd {
				cEnd = e
			}
		}
		if !possible {
			continue
		}
		if start < 0 || cStart < start {
			start = cStart
		}
		end = max(end, cEnd)
	}
	return start, end, start >= 0
}

type transition struct {
	at  int64 // seconds since t0
	add bool
}

func (tr transition) String() string {
	if tr.add {
		return fmt.Sprintf("+%ds", tr.at)
	}
	return fmt.Sprintf("-%ds", tr.at)
}

func TestWorkbookBurnRates(t *testing.T) {
	if testing.Short() {
		t.Skip("drives about 200,000 calls")
	}
	// A run registers the page or the ticket query (or both) and fills
	// their longest window first: the page's 6 h at 1 call/s (the 51.84 s
	// case needs that resolution), the ticket's 3 days at 1 call/10 s
	// (259,200 calls at 1 call/s would only repeat the same instants: see
	// the discrete figures, equal at both rates for the ticket's start).
	type run struct {
		name     string
		alerts   []string // slo-burn-page and/or slo-burn-ticket
		interval time.Duration
		m        int64 // every m-th call is an error
		errors   int64 // J: how many errors before the calls succeed again
		until    time.Duration
		rate     float64 // the error rate, for the Workbook's continuous figures
		// the instants worked out by hand (docs/governance.md), checked
		// against analytic() and then against the engine
		want map[string][]transition
	}
	const page, ticket = "slo-burn-page", "slo-burn-ticket"
	runs := []run{
		{
			name: "100% errors for 10 min, page at 1 call/s", alerts: []string{page},
			interval: time.Second, m: 1, errors: 600, until: 2400 * time.Second, rate: 1,
			want: map[string][]transition{page: {{52, true}, {2390, false}}},
		},
		{
			name: "100% errors for 10 min, ticket at 1 call/10 s", alerts: []string{ticket},
			interval: 10 * time.Second, m: 1, errors: 60, until: 22200 * time.Second, rate: 1,
			want: map[string][]transition{ticket: {{260, true}, {22180, false}}},
		},
		{
			name: "10% errors for 1 h, page at 1 call/s", alerts: []string{page},
			interval: time.Second, m: 10, errors: 360, until: 5400 * time.Second, rate: 0.1,
			want: map[string][]transition{page: {{520, true}, {5300, false}}},
		},
		{
			name: "10% errors for 1 h, ticket at 1 call/10 s", alerts: []string{ticket},
			interval: 10 * time.Second, m: 10, errors: 36, until: 25100 * time.Second, rate: 0.1,
			want: map[string][]transition{ticket: {{2600, true}, {25000, false}}},
		},
		{
			name: "0.2% errors (slow burn) until the ticket fires, at 1 call/10 s", alerts: []string{page, ticket},
			interval: 10 * time.Second, m: 500, errors: 26, until: 141700 * time.Second, rate: 0.002,
			want: map[string][]transition{page: nil, ticket: {{130000, true}, {141600, false}}},
		},
	}
	clauses := map[string][]clause{page: pageClauses, ticket: ticketClauses}
	longest := map[string]time.Duration{page: 6 * time.Hour, ticket: 72 * time.Hour}
	pack := loadPack(t)
	for _, tc := range runs {
		t.Run(tc.name, func(t *testing.T) {
			var warmFor time.Duration
			for _, a := range tc.alerts {
				warmFor = max(warmFor, longest[a])
				// The analytic instants.
				s, e, ok := analytic(clauses[a], tc.m, tc.interval, tc.errors)
				var got []transition
				if ok {
					got = []transition{{s, true}, {e, false}}
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want[a]) {
					t.Fatalf("%s: analytic %v, hand-computed %v", a, got, tc.want[a])
				}
				for _, c := range clauses[a] {
					for _, w := range c {
						n := nReq(w.b, w.w, tc.interval)
						t.Logf("%s: burn >= %.1f over %v: %d errors of %d calls; Workbook detection time %.2f s, discrete %d s",
							a, float64(w.b)/10, w.w, n, int64(w.w/tc.interval),
							0.001*w.w.Seconds()*float64(w.b)/10/tc.rate, tc.m*int64(tc.interval/time.Second)*n)
					}
				}
				t.Logf("%s: computed %v", a, tc.want[a])
			}

			start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			e := engine.New(engine.Options{Start: start})
			qs := map[string]*engine.Query{}
			for _, a := range tc.alerts {
				for _, n := range []string{a, a + "-gql"} {
					q, err := e.AddQuery(spec(t, pack, n))
					if err != nil {
						t.Fatal(err)
					}
					qs[n] = q
				}
			}
			if _, err := e.Apply([]engine.Change{node(engine.OpInsert, start, "slo", "Slo", map[string]value.Value{
				"id": value.Str("slo"), "agent": value.Str("*"), "target": value.Float(0.999), "window": value.Str("P30D"),
			})}); err != nil {
				t.Fatal(err)
			}
			warm := int64(warmFor / tc.interval) // fills the longest window
			t0 := start.Add(time.Duration(warm) * tc.interval)
			seen := map[string][]transition{}
			present := map[string]bool{}
			total := warm + int64(tc.until/tc.interval)
			for i := int64(1); i <= total; i++ {
				at := start.Add(time.Duration(i) * tc.interval)
				k := i - warm // call number since t0
				outcome := "ok"
				if k > 0 && k%tc.m == 0 && k/tc.m <= tc.errors {
					outcome = "error"
				}
				if _, err := e.Apply([]engine.Change{node(engine.OpInsert, at, fmt.Sprintf("c%d", i), "ToolCall", map[string]value.Value{
					"agent": value.Str("a1"), "outcome": value.Str(outcome),
				})}); err != nil {
					t.Fatal(err)
				}
				for _, a := range tc.alerts {
					if err := qs[a].Err(); err != nil {
						t.Fatal(err)
					}
					rows := qs[a].Results()
					if now := len(rows) > 0; now != present[a] {
						present[a] = now
						if k <= 0 {
							t.Fatalf("%s changed during the warm-up, at call %d: %v", a, i, rows)
						}
						seen[a] = append(seen[a], transition{int64(at.Sub(t0) / time.Second), now})
					}
					// The GQL twin agrees at every step (the burn rates as well).
					if x, y := fmt.Sprint(resultSet(qs[a])), fmt.Sprint(resultSet(qs[a+"-gql"])); x != y {
						t.Fatalf("at t0%+ds %s %s, %s-gql %s", int64(at.Sub(t0)/time.Second), a, x, a, y)
					}
				}
			}
			for _, a := range tc.alerts {
				if fmt.Sprint(seen[a]) != fmt.Sprint(tc.want[a]) {
					t.Errorf("%s: observed %v, computed %v", a, seen[a], tc.want[a])
				}
				t.Logf("%s: observed %v (%d calls)", a, seen[a], total)
			}
		})
	}
}

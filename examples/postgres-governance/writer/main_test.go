package main

import (
	"errors"
	"testing"
	"time"
)

// TestProgressLine: each line gives the total, the rate over the interval
// since the previous line and the failures; the last error is shown as news
// in the line after it, and with its age in the lines after that.
func TestProgressLine(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	p := newProgress(t0)
	for _, step := range []struct {
		calls int      // writes since the previous step
		errs  []string // failures since the previous step
		at    time.Duration
		want  string
	}{
		{0, nil, 5 * time.Second, "0 tool calls written in 5s (0.0/s over the last 5s), 0 failed"},
		{25, nil, 10 * time.Second, "25 tool calls written in 10s (5.0/s over the last 5s), 0 failed"},
		{10, []string{"conn closed", "connection refused"}, 20 * time.Second,
			"35 tool calls written in 20s (1.0/s over the last 10s), 2 failed; last error: connection refused"},
		{5, nil, 25 * time.Second, "40 tool calls written in 25s (1.0/s over the last 5s), 2 failed; last error 7s ago: connection refused"},
	} {
		for range step.calls {
			p.wrote()
		}
		for _, e := range step.errs {
			p.failed(errors.New(e), t0.Add(step.at-2*time.Second))
		}
		got := p.line(t0.Add(step.at))
		if got != step.want {
			t.Errorf("at %v: %q, want %q", step.at, got, step.want)
		}
	}
}

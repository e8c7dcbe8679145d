package mysql

import (
	"context"
	"sync"
	"time"

	"github.com/vigilhq/vigil/sources"
)

// tracker holds the Status the API reads while Run updates it.
type tracker struct {
	mu sync.Mutex
	st sources.Status
}

func (t *tracker) get() sources.Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st
}

// state sets the state; entering a healthy state clears the last error.
func (t *tracker) state(s string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st.State = s
	t.st.Error = ""
	if err != nil {
		t.st.Error = err.Error()
	}
}

// notice records an event that did not stop the source (see
// sources.Status.Notice).
func (t *tracker) notice(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st.Notice = time.Now().UTC().Format(time.RFC3339) + " " + msg
}

func (t *tracker) emitted(n int, pos string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st.Changes += uint64(n)
	if pos != "" {
		t.st.Position = pos
	}
	t.st.LastEvent = time.Now()
}

func (t *tracker) position(pos string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st.Position = pos
}

// backoff doubles a retry delay from 250 ms to 30 s.
type backoff struct{ d time.Duration }

func (b *backoff) reset() { b.d = 0 }

// wait sleeps the next delay; false if ctx ended first.
func (b *backoff) wait(ctx context.Context) bool {
	switch {
	case b.d == 0:
		b.d = 250 * time.Millisecond
	case b.d < 30*time.Second:
		b.d *= 2
		if b.d > 30*time.Second {
			b.d = 30 * time.Second
		}
	}
	t := time.NewTimer(b.d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// permanentError marks failures that retrying cannot fix (configuration,
// privileges, a lost slot): Run returns them and the source is failed.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

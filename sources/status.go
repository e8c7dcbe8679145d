package sources

import (
	"context"
	"sync"
	"time"
)

// Tracker holds a source's Status, which the API reads while Run updates
// it. The zero value is ready to use.
type Tracker struct {
	mu sync.Mutex
	st Status
}

// Get returns the current status.
func (t *Tracker) Get() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st
}

// SetState sets the state; entering a healthy state clears the last error.
func (t *Tracker) SetState(s string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st.State = s
	t.st.Error = ""
	if err != nil {
		t.st.Error = err.Error()
	}
}

// Notice records an event that did not stop the source (see
// Status.Notice).
func (t *Tracker) Notice(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st.Notice = time.Now().UTC().Format(time.RFC3339) + " " + msg
}

// Emitted counts n emitted changes and records the position reached.
func (t *Tracker) Emitted(n int, pos string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st.Changes += uint64(n)
	if pos != "" {
		t.st.Position = pos
	}
	t.st.LastEvent = time.Now()
}

// Position records the position reached.
func (t *Tracker) Position(pos string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st.Position = pos
}

// Backoff doubles a retry delay from 250 ms to 30 s.
type Backoff struct{ d time.Duration }

// Reset starts the delays over (after progress).
func (b *Backoff) Reset() { b.d = 0 }

// Wait sleeps the next delay; false if ctx ended first.
func (b *Backoff) Wait(ctx context.Context) bool {
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

// PermanentError marks failures that retrying cannot fix (configuration,
// privileges, a lost slot): Run returns them and the source is failed.
type PermanentError struct{ err error }

func (e *PermanentError) Error() string { return e.err.Error() }
func (e *PermanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure retrying cannot fix (nil stays nil).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{err}
}

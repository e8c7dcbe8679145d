// Package sourcetest holds what the CDC sources' integration tests share: a
// collector that applies emitted batches to a map, as the server would, and
// helpers to run a source and wait for what it emits.
package sourcetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/sources"
)

// Collector applies emitted batches to a map, as the server would.
type Collector struct {
	Mu      sync.Mutex
	Batches []engine.Batch
	State   map[string]map[string]value.Value
	Pos     []byte
	Done    bool
	Changes int
	Fail    func(b engine.Batch) error // optional: make emit fail
}

func NewCollector() *Collector { return &Collector{State: map[string]map[string]value.Value{}} }

func (c *Collector) Emit(ctx context.Context, b engine.Batch) error {
	c.Mu.Lock()
	defer c.Mu.Unlock()
	if c.Fail != nil {
		if err := c.Fail(b); err != nil {
			return err
		}
	}
	for _, ch := range b.Changes {
		switch ch.Op {
		case engine.OpInsert, engine.OpUpdate:
			c.State[ch.Element.ID] = ch.Element.Props
		case engine.OpDelete:
			delete(c.State, ch.Element.ID)
		}
	}
	c.Changes += len(b.Changes)
	c.Batches = append(c.Batches, b)
	if b.Position != nil {
		c.Pos = b.Position
	}
	if b.Done {
		c.Done = true
	}
	return nil
}

func (c *Collector) Snapshot() (batches []engine.Batch, pos []byte, done bool) {
	c.Mu.Lock()
	defer c.Mu.Unlock()
	return append([]engine.Batch(nil), c.Batches...), c.Pos, c.Done
}

// Run starts src in the background; stop cancels it and returns Run's error.
func Run(t *testing.T, src sources.Source, from []byte, c *Collector) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx, from, c.Emit) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-errc:
			case <-time.After(10 * time.Second):
				err = errors.New("Run did not return within 10s of cancel")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

func WaitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (c *Collector) WaitBatches(t *testing.T, n int) []engine.Batch {
	t.Helper()
	WaitFor(t, fmt.Sprintf("%d batches", n), 15*time.Second, func() bool {
		c.Mu.Lock()
		defer c.Mu.Unlock()
		return len(c.Batches) >= n
	})
	b, _, _ := c.Snapshot()
	return b
}

func Describe(b engine.Batch) string {
	parts := []string{}
	for _, ch := range b.Changes {
		parts = append(parts, ch.Op.String()+" "+ch.Element.ID)
	}
	return strings.Join(parts, ", ")
}

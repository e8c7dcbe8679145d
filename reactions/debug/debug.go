// Package debug is the `Debug` reaction: it logs every event of its queries
// (one line each) and keeps the last few for the API. Use it to see what a
// query emits while writing it.
package debug

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/resources"
)

// Kind is the reaction kind this package registers.
const Kind = "Debug"

// Output is where Debug reactions write (the server's stderr by default).
var Output io.Writer = os.Stderr

// Factory builds a reaction of this kind (see reactions.Factory).
func Factory(name string, queries map[string]any, props map[string]any) (reactions.Reaction, error) {
	p := resources.NewProps(props)
	keep := p.Int("keep", 20)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return &Reaction{name: name, queries: reactions.QueryNames(queries), keep: keep,
		status: reactions.Status{State: "starting", Positions: map[string]uint64{}}}, nil
}

// Reaction is a running Debug reaction.
type Reaction struct {
	name    string
	queries []string
	keep    int

	mu     sync.Mutex
	status reactions.Status
	recent []string
}

// Name implements reactions.Reaction.
func (r *Reaction) Name() string { return r.name }

// Status implements reactions.Reaction.
func (r *Reaction) Status() reactions.Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.status
	st.Positions = map[string]uint64{}
	for q, p := range r.status.Positions {
		st.Positions[q] = p
	}
	return st
}

// Recent returns the last events printed, oldest first.
func (r *Reaction) Recent() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.recent...)
}

// Run implements reactions.Reaction.
func (r *Reaction) Run(ctx context.Context, feed reactions.Feed) error {
	r.mu.Lock()
	r.status.State = "running"
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, q := range r.queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var after uint64
			for {
				recs, err := reactions.Next(ctx, feed, q, after, 64)
				if err != nil {
					return
				}
				for _, rec := range recs {
					line := fmt.Sprintf("[%s] %s %s", r.name, time.Now().Format(time.TimeOnly), rec.Data)
					fmt.Fprintln(Output, line)
					after = rec.Seq
					r.mu.Lock()
					r.recent = append(r.recent, line)
					if len(r.recent) > r.keep {
						r.recent = r.recent[len(r.recent)-r.keep:]
					}
					r.status.Delivered++
					r.status.LastDelivery = time.Now()
					r.status.Positions[q] = after
					r.mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	r.mu.Lock()
	r.status.State = "stopped"
	r.mu.Unlock()
	return nil
}

// Package webhook is the `Http` reaction: it POSTs each change event of its
// queries, as JSON, to a URL.
//
// Delivery is at least once, in sequence order per query. Each request
// carries `Idempotency-Key: queryId:sequence` so the receiver can drop a
// repeat. A failed attempt (a transport error or a non-2xx status) is
// retried with exponential backoff and jitter; after maxAttempts the event
// is dead-lettered (kept in the status, counted in the metrics) and
// delivery moves on, so one poisonous event never blocks a query forever.
//
// Properties:
//
//	url          where to POST (required)
//	token        bearer token for the receiver (`env:NAME` reads it from the environment; never logged)
//	headers      extra request headers
//	maxAttempts  attempts per event before dead-lettering (default 8)
//	baseDelay    first retry delay (default 200ms); doubles per attempt
//	maxDelay     cap of the retry delay (default 30s)
//	timeout      per-request timeout (default 10s)
//	controlEvents also POST control events (default false: changes only)
//	startFrom    beginning (default: every retained event) or now
//	onAdded      a body template POSTed for each row added (see actions.go)
//	onDeleted    a body template POSTed for each row deleted
//
// With onAdded or onDeleted the webhook is an action: one request per row
// instead of one per event (Idempotency-Key: query:sequence:added|deleted:n).
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/rowtemplate"
	"github.com/vigilhq/vigil/resources"
)

// Kind is the reaction kind this package registers (Drasi's name for it).
const Kind = "Http"

// Factory builds a reaction of this kind (see reactions.Factory).
func Factory(name string, queries map[string]any, props map[string]any) (reactions.Reaction, error) {
	return New(name, reactions.QueryNames(queries), props)
}

// maxDeadLetters bounds the dead letters kept in memory (oldest dropped).
const maxDeadLetters = 100

// Webhook is a running Http reaction.
type Webhook struct {
	name        string
	queries     []string
	url         string
	token       string
	headers     map[string]string
	maxAttempts int
	baseDelay   time.Duration
	maxDelay    time.Duration
	control     bool
	fromNow     bool
	// onAdded and onDeleted make an action webhook (actions.go).
	onAdded, onDeleted *rowtemplate.Template
	client             *http.Client

	mu       sync.Mutex
	status   reactions.Status
	failing  map[string]bool // per query: the current event has failed at least once
	dead     []reactions.DeadLetter
	sleepFor func(ctx context.Context, d time.Duration) error // tests shorten waits
}

// New builds a webhook reaction for the given queries.
func New(name string, queries []string, props map[string]any) (*Webhook, error) {
	p := resources.NewProps(props)
	w := &Webhook{
		name:        name,
		queries:     queries,
		url:         p.String("url", ""),
		token:       p.String("token", ""),
		headers:     p.StringMap("headers"),
		maxAttempts: p.Int("maxAttempts", 8),
		baseDelay:   p.Duration("baseDelay", 200*time.Millisecond),
		maxDelay:    p.Duration("maxDelay", 30*time.Second),
		control:     p.Bool("controlEvents", false),
		failing:     map[string]bool{},
		sleepFor:    sleep,
	}
	timeout := p.Duration("timeout", 10*time.Second)
	start := p.String("startFrom", "beginning")
	onAdded, onDeleted := p.String("onAdded", ""), p.String("onDeleted", "")
	if err := p.Err(); err != nil {
		return nil, err
	}
	for _, t := range []struct {
		text string
		dst  **rowtemplate.Template
	}{{onAdded, &w.onAdded}, {onDeleted, &w.onDeleted}} {
		if t.text == "" {
			continue
		}
		*t.dst = rowtemplate.Parse(t.text)
	}
	u, err := url.Parse(w.url)
	switch {
	case w.url == "":
		return nil, errors.New("property url is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return nil, errors.New("property url: want an http(s) URL")
	case w.maxAttempts < 1:
		return nil, errors.New("property maxAttempts must be at least 1")
	case start != "beginning" && start != "now":
		return nil, errors.New("property startFrom: want beginning or now")
	}
	w.fromNow = start == "now"
	w.client = &http.Client{Timeout: timeout}
	w.status = reactions.Status{State: "starting", Positions: map[string]uint64{}, Durable: true}
	return w, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Name implements reactions.Reaction.
func (w *Webhook) Name() string { return w.name }

// Status implements reactions.Reaction.
func (w *Webhook) Status() reactions.Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.status
	st.Positions = make(map[string]uint64, len(w.status.Positions))
	for q, p := range w.status.Positions {
		st.Positions[q] = p
	}
	return st
}

// DeadLetters returns the events given up on, oldest first.
func (w *Webhook) DeadLetters() []reactions.DeadLetter {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]reactions.DeadLetter(nil), w.dead...)
}

// Run implements reactions.Reaction: one delivery loop per query, so a
// query whose events fail does not hold back the others.
func (w *Webhook) Run(ctx context.Context, feed reactions.Feed) error {
	w.mu.Lock()
	w.status.State = "running"
	w.mu.Unlock()
	var wg sync.WaitGroup
	for _, q := range w.queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.runQuery(ctx, feed, q)
		}()
	}
	wg.Wait()
	w.mu.Lock()
	w.status.State = "stopped"
	w.mu.Unlock()
	return nil
}

func (w *Webhook) runQuery(ctx context.Context, feed reactions.Feed, q string) {
	var after uint64
	cursors, _ := feed.(reactions.Cursors)
	if cursors != nil {
		if seq, ok := cursors.LoadCursor(w.name, q); ok {
			// Resume after what was delivered before a restart.
			after = seq
			w.mu.Lock()
			w.status.Positions[q] = after
			w.mu.Unlock()
		}
	}
	if w.fromNow && after == 0 {
		// Start after what is already there: the read returns nothing
		// for a position at the end, so find the end by reading through.
		for {
			recs, err := feed.Read(q, after, 1024)
			if errors.Is(err, outbox.ErrCompacted) {
				// The start of the stream is gone: the end is the
				// sequence a snapshot is consistent with (not posted).
				if snap, err := feed.Snapshot(ctx, q); err == nil {
					after = snap.Seq
				}
				break
			}
			if err != nil || len(recs) == 0 {
				break
			}
			after = recs[len(recs)-1].Seq
		}
	}
	for {
		recs, err := reactions.Next(ctx, feed, q, after, 64)
		if err != nil {
			return // ctx done or server stopping
		}
		for _, rec := range recs {
			if rec.Kind == outbox.KindChange || rec.Kind == outbox.KindSnapshot || w.control {
				if !w.deliver(ctx, rec) {
					return
				}
			}
			after = rec.Seq
			// Saved before the status shows it, so that a position the
			// status reports survives a restart.
			if cursors != nil {
				if err := cursors.SaveCursor(w.name, q, after); err != nil {
					w.mu.Lock()
					w.status.Error = fmt.Sprintf("saving the position of %s: %v", q, err)
					w.mu.Unlock()
				}
			}
			w.mu.Lock()
			w.status.Positions[q] = after
			w.mu.Unlock()
		}
	}
}

// deliver POSTs one event until it succeeds or is dead-lettered; false
// means ctx ended.
func (w *Webhook) deliver(ctx context.Context, rec outbox.Record) bool {
	if w.onAdded == nil && w.onDeleted == nil {
		return w.deliverOne(ctx, rec, actionRequest{rec.Data, rec.QueryID + ":" + strconv.FormatUint(rec.Seq, 10)})
	}
	if rec.Kind != outbox.KindChange && rec.Kind != outbox.KindSnapshot {
		return true // an action acts on rows; control events carry none
	}
	reqs, err := w.actionRequests(rec)
	if err != nil {
		w.mu.Lock()
		w.status.DeadLetters++
		w.dead = append(w.dead, reactions.DeadLetter{QueryID: rec.QueryID, Sequence: rec.Seq, Attempts: 0, Error: err.Error(), At: time.Now()})
		w.mu.Unlock()
		return true
	}
	for _, r := range reqs {
		if !w.deliverOne(ctx, rec, r) {
			return false
		}
	}
	return true
}

// deliverOne POSTs one request of rec until it succeeds or is
// dead-lettered; false means ctx ended.
func (w *Webhook) deliverOne(ctx context.Context, rec outbox.Record, r actionRequest) bool {
	var lastErr error
	for attempt := 1; attempt <= w.maxAttempts; attempt++ {
		if attempt > 1 {
			if w.sleepFor(ctx, w.backoff(attempt-1)) != nil {
				return false
			}
		}
		lastErr = w.post(ctx, rec, r)
		if ctx.Err() != nil {
			return false
		}
		w.mu.Lock()
		if lastErr == nil {
			w.status.Delivered++
			w.status.LastDelivery = time.Now()
			delete(w.failing, rec.QueryID)
			if len(w.failing) == 0 {
				w.status.State, w.status.Error = "running", ""
			}
			w.mu.Unlock()
			return true
		}
		w.status.Failures++
		w.status.LastError = time.Now()
		w.status.State = "failing"
		w.status.Error = fmt.Sprintf("%s:%d attempt %d/%d: %v", rec.QueryID, rec.Seq, attempt, w.maxAttempts, lastErr)
		w.failing[rec.QueryID] = true
		w.mu.Unlock()
	}
	w.mu.Lock()
	w.status.DeadLetters++
	w.dead = append(w.dead, reactions.DeadLetter{QueryID: rec.QueryID, Sequence: rec.Seq, Attempts: w.maxAttempts, Error: lastErr.Error(), At: time.Now()})
	if len(w.dead) > maxDeadLetters {
		w.dead = w.dead[len(w.dead)-maxDeadLetters:]
	}
	w.mu.Unlock()
	return true
}

// backoff is the delay before retry n (n >= 1): base·2^(n-1), capped, with
// "equal jitter" — half fixed, half random — so that retries of many events
// spread out but still grow.
func (w *Webhook) backoff(n int) time.Duration {
	d := w.baseDelay
	for i := 1; i < n && d < w.maxDelay; i++ {
		d *= 2
	}
	d = min(d, w.maxDelay)
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

func (w *Webhook) post(ctx context.Context, rec outbox.Record, r actionRequest) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", r.key)
	req.Header.Set("Vigil-Query", rec.QueryID)
	req.Header.Set("Vigil-Sequence", strconv.FormatUint(rec.Seq, 10))
	for k, v := range w.headers {
		req.Header.Set(k, v)
	}
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		// url.Error repeats the URL, which may carry credentials in its
		// query; keep only the cause.
		if ue, ok := err.(*url.Error); ok {
			return ue.Err
		}
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

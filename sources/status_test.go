package sources

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTracker(t *testing.T) {
	var tr Tracker
	tr.SetState("retrying", errors.New("cannot connect"))
	tr.Notice("schema changed")
	tr.Emitted(3, "0/10")
	if st := tr.Get(); st.State != "retrying" || st.Error != "cannot connect" || st.Changes != 3 || st.Position != "0/10" {
		t.Fatalf("%+v", st)
	}
	tr.SetState("running", nil)
	if st := tr.Get(); st.Error != "" || st.Notice == "" {
		t.Fatalf("a healthy state clears the error and keeps the notice: %+v", st)
	}
}

func TestBackoffDoublesUpToItsCap(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var b Backoff
	var got []time.Duration
	for i := 0; i < 10; i++ {
		if b.Wait(ctx) {
			t.Fatal("Wait returned true on a cancelled context")
		}
		got = append(got, b.d)
	}
	if got[0] != 250*time.Millisecond || got[1] != 500*time.Millisecond || got[9] != 30*time.Second {
		t.Fatalf("delays %v", got)
	}
	b.Reset()
	if b.d != 0 {
		t.Fatal("Reset kept the delay")
	}
	if !errors.As(Permanent(errors.New("x")), new(*PermanentError)) || Permanent(nil) != nil {
		t.Fatal("Permanent")
	}
}

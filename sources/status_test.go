package sources

import (
	"context"
	"errors"
	"os"
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

func TestResolvePassword(t *testing.T) {
	t.Setenv("VIGIL_TEST_PW", "from-env")
	file := t.TempDir() + "/pw"
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		inline, env, file, want string
		fails                   bool
	}{
		{inline: "x", want: "x"},
		{env: "VIGIL_TEST_PW", want: "from-env"},
		{file: file, want: "from-file"},
		{env: "VIGIL_NO_SUCH_PW", fails: true},
		{file: file + ".missing", fails: true},
		{inline: "x", env: "VIGIL_TEST_PW", fails: true},
	}
	for _, c := range cases {
		got, err := ResolvePassword(c.inline, c.env, c.file)
		if (err != nil) != c.fails || got != c.want {
			t.Errorf("%+v: %q, %v", c, got, err)
		}
	}
}

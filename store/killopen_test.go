package store

import (
	"bufio"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/sharedtest"
)

// TestKillDuringFirstOpen SIGKILLs a child process at a random moment of
// the very first Open of a store (and of the writes right after it), then
// opens the store here: it must open, as empty or with what the child
// committed. It found the MANIFEST-REWRITE and REWRITE-KEYREGISTRY left by
// a kill (TestOpenAfterCrashBeforeBadgerRenamed builds those states without
// timing). Timing-dependent and slow, so it runs only with VIGIL_KILL_OPEN=N
// (N iterations, at most five minutes); VIGIL_SEED repeats a run's delays.
func TestKillDuringFirstOpen(t *testing.T) {
	if dir := os.Getenv("VIGIL_KILL_OPEN_CHILD"); dir != "" {
		os.Stdout.WriteString("ready\n")
		s, err := Open(dir, Options{})
		if err != nil {
			os.Stderr.WriteString("child: " + err.Error() + "\n")
			os.Exit(3)
		}
		for i := 1; ; i++ {
			if _, err := s.Append("q", change("q", i)); err != nil {
				os.Exit(4)
			}
		}
	}
	n, _ := strconv.Atoi(os.Getenv("VIGIL_KILL_OPEN"))
	if n <= 0 {
		t.Skip("timing-dependent; set VIGIL_KILL_OPEN=<iterations> to run")
	}
	seed := sharedtest.Seed(t)
	rng := rand.New(rand.NewSource(seed))
	deadline := time.Now().Add(5 * time.Minute)
	states := map[string]int{}
	failed := 0
	for i := 0; i < n && time.Now().Before(deadline); i++ {
		dir := filepath.Join(t.TempDir(), "store")
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillDuringFirstOpen$")
		cmd.Env = append(os.Environ(), "VIGIL_KILL_OPEN_CHILD="+dir)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Intn(50000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		var names []string
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			fi, _ := e.Info()
			size := "0"
			if fi != nil && fi.Size() > 0 {
				size = "n"
			}
			names = append(names, e.Name()+":"+size)
		}
		state := strings.Join(names, " ")
		states[state]++
		s, err := Open(dir, Options{})
		if err != nil {
			failed++
			t.Errorf("iteration %d: after a kill during the first Open, the store [%s] does not open: %v", i, state, err)
			continue
		}
		_, last := s.Bounds("q")
		if recs, err := s.ReadFrom("q", 0, 0); err != nil || uint64(len(recs)) != last {
			t.Errorf("iteration %d: %d events read back of %d (%v)", i, len(recs), last, err)
		}
		s.Close()
	}
	for st, c := range states {
		t.Logf("%4d × [%s]", c, st)
	}
	if failed > 0 {
		t.Logf("%d failed", failed)
	}
}

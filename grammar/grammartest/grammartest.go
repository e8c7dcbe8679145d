// Package grammartest checks, for the tests of a grammar package, that its
// committed generated parser matches the grammar.
package grammartest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/sharedtest"
)

func hint(grammar string) string {
	dir, _ := os.Getwd()
	return "run make generate (grammar/generate.sh grammar/" + filepath.Base(dir) + " " + grammar + ")"
}

// Hash fails t when the grammar file (in the test's working directory, the
// grammar's package) changed since the parser was generated: the generator
// records the grammar's hash in GrammarSHA256. It needs no java.
func Hash(t *testing.T, grammar, recorded string) {
	t.Helper()
	data, err := os.ReadFile(grammar)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != recorded {
		t.Fatalf("%s changed since the parser was generated (sha256 %s, recorded %s): %s", grammar, got, recorded, hint(grammar))
	}
}

// UpToDate regenerates the parser of grammar (files prefix*.go and
// grammar_hash.go) into a temp dir and compares it byte for byte with the
// committed files, which also catches hand edits to generated code and
// generator drift. It needs java, gofmt and either a cached ANTLR jar or
// npm to fetch one; it skips, saying why, without them, or fails under
// CI=true, where a parser nobody checked must not pass as green.
func UpToDate(t *testing.T, grammar, prefix string) {
	t.Helper()
	const how = "install Java 17 (apt-get install openjdk-17-jre-headless) and npm, or cache the jar under $VIGIL_ANTLR_CACHE"
	for _, tool := range []string{"java", "gofmt", "bash"} {
		_, err := exec.LookPath(tool)
		sharedtest.Require(t, tool+" (to regenerate the parser)", err, how)
	}
	if !jarCached() {
		_, err := exec.LookPath("npm")
		sharedtest.Require(t, "the ANTLR jar (no cached jar, and npm to fetch one)", err, how)
	}
	out := t.TempDir()
	cmd := exec.Command("bash", "../generate.sh", ".", grammar, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		if !jarCached() {
			sharedtest.Require(t, "the ANTLR jar", fmt.Errorf("could not fetch it (offline?): %v\n%s", err, msg), how)
		}
		t.Fatalf("generate.sh failed: %v\n%s", err, msg)
	}

	want := generatedFiles(t, ".", prefix)
	got := generatedFiles(t, out, prefix)
	if strings.Join(want, ",") != strings.Join(got, ",") {
		t.Fatalf("generated file set differs: committed %v, regenerated %v: %s", want, got, hint(grammar))
	}
	for _, name := range want {
		a, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s is stale or hand-edited: %s", name, hint(grammar))
		}
	}
}

func jarCached() bool {
	dir := os.Getenv("VIGIL_ANTLR_CACHE")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return false
		}
		dir = filepath.Join(home, ".cache", "vigil", "antlr")
	}
	_, err := os.Stat(filepath.Join(dir, "antlr4-4.13.2-SNAPSHOT-complete.jar"))
	return err == nil
}

// generatedFiles lists the generator's outputs in dir: the prefix*.go files
// and grammar_hash.go, excluding tests.
func generatedFiles(t *testing.T, dir, prefix string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		if (strings.HasPrefix(n, prefix) && strings.HasSuffix(n, ".go")) || n == "grammar_hash.go" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

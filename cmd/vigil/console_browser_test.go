package main

// The console's browser test (and its model's unit tests): starts the real binary (twice: without and
// with a token) on testdata/console and runs
// server/console/test/console.spec.mjs in headless Chromium through
// playwright-core. It installs what it needs — playwright-core with npm into
// a cache directory outside the repository, Debian's chromium with apt-get
// when it is missing and we are root — and skips, saying why, only when
// that cannot be done; under CI=true that is a failure (sharedtest.Require).
//
// Environment: VIGIL_CHROMIUM (the browser executable to use, and no other:
// a path that is not there counts as no browser), VIGIL_PLAYWRIGHT_DIR (the
// npm prefix to use), VIGIL_CONSOLE_SCREENSHOT (save a PNG there).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/sharedtest"
)

// playwrightVersion is the playwright-core the test installs; it drives
// Debian's Chromium over CDP, so it needs no browser download of its own.
const playwrightVersion = "1.65.1"

func TestConsoleBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives a browser; skipped with -short")
	}
	node := need(t, "node", "nodejs")
	out, err := exec.Command(node, "-p", "process.versions.node.split('.')[0]").Output()
	if major, _ := strconv.Atoi(strings.TrimSpace(string(out))); err != nil || major < 20 {
		if err == nil {
			err = fmt.Errorf("%s is Node %s", node, strings.TrimSpace(string(out)))
		}
		sharedtest.Require(t, "Node 20 or later (for playwright-core "+playwrightVersion+")", err, "install Node.js 20 or later first in PATH")
	}
	chromium := ensureChromium(t)
	pwDir := ensurePlaywright(t)

	t0 := time.Now()
	plain := startServer(t, "-f", "testdata/console")
	const token = "console-test-token"
	guarded := startServer(t, "-f", "testdata/console", "-token", token)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	spec, err := filepath.Abs("../../server/console/test/console.spec.mjs")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, node, spec)
	cmd.Env = append(os.Environ(),
		"VIGIL_URL="+plain.url,
		"VIGIL_TOKEN_URL="+guarded.url,
		"VIGIL_TOKEN="+token,
		"CHROMIUM="+chromium,
		"PLAYWRIGHT_DIR="+pwDir,
		"SCREENSHOT="+os.Getenv("VIGIL_CONSOLE_SCREENSHOT"),
		"FIREFOX=", // Chromium here; see the spec for Firefox
	)
	out, err = cmd.CombinedOutput()
	t.Logf("console.spec.mjs (%v):\n%s", time.Since(t0).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
}

// TestConsoleModel runs the console's result-model unit tests in Node (no
// browser needed).
func TestConsoleModel(t *testing.T) {
	node := need(t, "node", "nodejs")
	spec, err := filepath.Abs("../../server/console/test/model.test.mjs")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "--test", spec).CombinedOutput()
	if err != nil {
		t.Fatalf("node --test model.test.mjs: %v\n%s", err, out)
	}
}

// need returns the path of the first of the commands found, installing the
// Debian package when none is and we are root; it skips otherwise (fails
// under CI).
func need(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	const how = "apt-get install nodejs npm (as root)"
	err := aptInstall(t, "nodejs", "npm")
	if err == nil {
		for _, n := range names {
			if p, err := exec.LookPath(n); err == nil {
				return p
			}
		}
		err = errors.New("not found after installing nodejs and npm")
	}
	sharedtest.Require(t, names[0], err, how)
	return ""
}

// ensureChromium finds the browser named by VIGIL_CHROMIUM, or else
// Debian's Chromium, installing it when missing; it skips when there is
// none (fails under CI).
func ensureChromium(t *testing.T) string {
	t.Helper()
	const how = "apt-get install chromium (as root), or set VIGIL_CHROMIUM=PATH"
	isFile := func(c string) bool { fi, err := os.Stat(c); return err == nil && !fi.IsDir() }
	if c := os.Getenv("VIGIL_CHROMIUM"); c != "" {
		// An explicit choice is used or reported, never replaced by another
		// browser that happens to be installed.
		if isFile(c) {
			return c
		}
		sharedtest.Require(t, "Chromium", fmt.Errorf("VIGIL_CHROMIUM=%s: no such file", c), how)
		return ""
	}
	candidates := []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"}
	find := func() string {
		for _, c := range candidates {
			if isFile(c) {
				return c
			}
		}
		return ""
	}
	if c := find(); c != "" {
		return c
	}
	err := aptInstall(t, "chromium")
	if err == nil {
		if c := find(); c != "" {
			return c
		}
		err = fmt.Errorf("none of %v after installing the chromium package", candidates)
	}
	sharedtest.Require(t, "Chromium", err, how)
	return ""
}

// aptInstall installs Debian packages, non-interactively, when we are root;
// it runs `apt-get update` and tries again if the first attempt fails.
func aptInstall(t *testing.T, pkgs ...string) error {
	t.Helper()
	if os.Geteuid() != 0 {
		return fmt.Errorf("not root, so not running apt-get install %s", strings.Join(pkgs, " "))
	}
	aptGet, err := exec.LookPath("apt-get")
	if err != nil {
		return fmt.Errorf("no apt-get on this machine")
	}
	run := func(args ...string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, aptGet, args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("apt-get %s: %v\n%s", strings.Join(args, " "), err, tail(out, 20))
		}
		return nil
	}
	install := append([]string{"install", "-y", "-q"}, pkgs...)
	t.Logf("installing %s with apt-get", strings.Join(pkgs, " "))
	if err := run(install...); err == nil {
		return nil
	}
	if err := run("update", "-q"); err != nil {
		return err
	}
	return run(install...)
}

// ensurePlaywright installs playwright-core into a cache directory outside
// the repository (once) and returns that npm prefix.
func ensurePlaywright(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VIGIL_PLAYWRIGHT_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir = filepath.Join(cache, "vigil", "playwright-core-"+playwrightVersion)
	}
	pkg := filepath.Join(dir, "node_modules", "playwright-core", "package.json")
	installed := func() bool {
		b, err := os.ReadFile(pkg)
		if err != nil {
			return false
		}
		var v struct{ Version string }
		return json.Unmarshal(b, &v) == nil && v.Version == playwrightVersion
	}
	if installed() {
		return dir
	}
	npm := need(t, "npm")
	const how = "let npm reach its registry, or install playwright-core@" + playwrightVersion + " under VIGIL_PLAYWRIGHT_DIR=DIR"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		sharedtest.Require(t, "playwright-core", err, how)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	t.Logf("installing playwright-core@%s into %s", playwrightVersion, dir)
	cmd := exec.CommandContext(ctx, npm, "install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock",
		"--prefix", dir, "playwright-core@"+playwrightVersion)
	if out, err := cmd.CombinedOutput(); err != nil || !installed() {
		sharedtest.Require(t, "playwright-core", fmt.Errorf("npm could not install it (registry unreachable?): %v\n%s", err, tail(out, 20)), how)
	}
	return dir
}

// tail returns the last n lines of out.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), " \t\r\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

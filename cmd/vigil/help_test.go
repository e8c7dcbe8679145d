package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestHelp runs the built binary: asking for help (`vigil --help`, `vigil
// help serve`, `vigil serve -h`) prints to stdout and exits 0; a mistake
// (no command, an unknown command or flag) prints to stderr and exits 2.
// For `CMD -h` a command would otherwise go on to run (serve would listen),
// so the expected flag in stdout and the exit also prove that it did not.
func TestHelp(t *testing.T) {
	bin := vigilBinary(t)
	const topUsage = "usage: vigil COMMAND [ARGS]"
	for _, tc := range []struct {
		args   []string
		code   int
		stdout []string // substrings of stdout; none means stdout must be empty
		stderr []string // substrings of stderr; none means stderr must be empty
	}{
		{args: nil, code: 2, stderr: []string{topUsage, "serve"}},
		{args: []string{"--help"}, code: 0, stdout: []string{topUsage, "serve", "vigil help COMMAND"}},
		{args: []string{"-h"}, code: 0, stdout: []string{topUsage, "apply"}},
		{args: []string{"-help"}, code: 0, stdout: []string{topUsage}},
		{args: []string{"help"}, code: 0, stdout: []string{topUsage, "bench"}},
		{args: []string{"help", "--help"}, code: 0, stdout: []string{topUsage}},
		{args: []string{"help", "serve"}, code: 0, stdout: []string{"vigil serve:", "-listen", "-data"}},
		{args: []string{"serve", "--help"}, code: 0, stdout: []string{"vigil serve:", "-listen"}},
		{args: []string{"serve", "-h"}, code: 0, stdout: []string{"-generate"}},
		{args: []string{"apply", "-h"}, code: 0, stdout: []string{"vigil apply:", "-f", "-server"}},
		{args: []string{"delete", "-h"}, code: 0, stdout: []string{"vigil delete:", "-server"}},
		{args: []string{"get", "--help"}, code: 0, stdout: []string{"vigil get:", "-o"}},
		{args: []string{"demo", "-h"}, code: 0, stdout: []string{"vigil demo:", "-events"}},
		{args: []string{"tck", "-h"}, code: 0, stdout: []string{"vigil tck:", "-run"}},
		{args: []string{"help", "tck"}, code: 0, stdout: []string{"vigil tck:", "-timeout"}},
		{args: []string{"test", "-h"}, code: 0, stdout: []string{"vigil test:", "-language"}},
		{args: []string{"bench", "--help"}, code: 0, stdout: []string{"vigil bench:", "-scenario"}},
		{args: []string{"nosuch"}, code: 2, stderr: []string{`unknown command "nosuch"`, topUsage}},
		{args: []string{"help", "nosuch"}, code: 2, stderr: []string{`unknown command "nosuch"`, topUsage}},
		{args: []string{"serve", "-nosuchflag"}, code: 2, stderr: []string{"flag provided but not defined: -nosuchflag", "-listen"}},
		{args: []string{"get", "-nosuchflag"}, code: 2, stderr: []string{"flag provided but not defined"}},
	} {
		t.Run(strings.Join(append([]string{"vigil"}, tc.args...), " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, tc.args...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Errorf("exit code %d, want %d", code, tc.code)
			}
			check := func(stream string, got string, want []string) {
				if len(want) == 0 && got != "" {
					t.Errorf("%s should be empty, got:\n%s", stream, got)
				}
				for _, w := range want {
					if !strings.Contains(got, w) {
						t.Errorf("%s lacks %q:\n%s", stream, w, got)
					}
				}
			}
			check("stdout", stdout.String(), tc.stdout)
			check("stderr", stderr.String(), tc.stderr)
		})
	}
}

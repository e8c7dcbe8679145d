// Command vigil is the one binary of the Vigil continuous-query engine:
// `vigil serve` runs the server, `vigil apply|delete|get` talk to it,
// `vigil tck DIR` runs openCypher TCK features through the engine,
// `vigil test PATH` runs continuous-query conformance scenarios.
// `vigil help [COMMAND]` (or `vigil COMMAND -h`) describes them.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand: its name, a one-line summary and its entry
// point, which returns the process exit code.
type command struct {
	name    string
	summary string
	run     func(args []string) int
}

func commands() []command {
	return []command{
		{"tck", "run openCypher TCK feature files through the engine: vigil tck [flags] DIR...", runTCK},
		{"test", "run continuous-query conformance scenarios: vigil test [flags] PATH...", runTest},
		{"demo", "run the agent-governance example on a generated stream: vigil demo [-events N]", runDemo},
		{"serve", "load resources and serve the API, SSE and console: vigil serve -f DIR [-listen ADDR] [-generate]", runServe},
		{"apply", "create or update resources on a running server: vigil apply -f FILE|DIR", runApply},
		{"delete", "delete resources: vigil delete (source|query|reaction) NAME | -f FILE", runDelete},
		{"get", "show sources, queries, reactions or results: vigil get queries | results QUERY", runGet},
		{"mcp", "serve a server's MCP reaction over stdin/stdout for desktop MCP clients: vigil mcp [-server URL] [-reaction NAME]", runMCP},
		{"bench", "run the benchmark scenarios: vigil bench [--scenario NAME|all] [--changes N] [--json]", runBench},
	}
}

// lookup returns the named command.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usage writes the list of commands: to stdout when it was asked for (exit
// 0), to stderr after a mistake (exit 2), so that `vigil --help | less`
// works and a script's misuse still shows on its terminal.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: vigil COMMAND [ARGS]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n`vigil help COMMAND` or `vigil COMMAND -h` lists a command's flags.")
}

// isHelp reports whether arg asks for help rather than naming a command.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// parseFlags parses a command's flags. Every run function uses it instead
// of fs.Parse so that `vigil CMD -h` behaves the same for all commands:
// the command's flags go to stdout and the exit code is 0 (flag.ErrHelp is
// a request, not a usage error). A real flag error prints the command's own
// usage to its output (stderr) and exits 2. ok is false when the command
// must return exit at once.
func parseFlags(fs *flag.FlagSet, args []string) (exit int, ok bool) {
	// The flag package calls Usage before Parse returns, when it is not yet
	// known whether -h or a mistake caused it; hold it until then.
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		commandHelp(os.Stdout, fs)
		return 0, false
	default:
		if usage != nil {
			usage()
		} else {
			fs.PrintDefaults()
		}
		return 2, false
	}
}

// commandHelp writes a command's summary and flags. It is built from the
// command table and the FlagSet rather than the command's own Usage, which
// some commands bind to stderr.
func commandHelp(w io.Writer, fs *flag.FlagSet) {
	name := strings.TrimPrefix(fs.Name(), "vigil ")
	if c, ok := lookup(name); ok {
		fmt.Fprintf(w, "vigil %s: %s\n", c.name, c.summary)
	} else {
		fmt.Fprintf(w, "vigil %s\n", name)
	}
	fmt.Fprintln(w, "\nflags:")
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// dispatch runs the command line (without the program name) and returns
// the exit code.
func dispatch(args []string) int {
	if len(args) == 0 {
		usage(os.Stderr)
		return 2
	}
	if isHelp(args[0]) {
		if args[0] != "help" || len(args) < 2 || isHelp(args[1]) {
			usage(os.Stdout)
			return 0
		}
		// `vigil help CMD` is `vigil CMD -h`: the command prints its own
		// flags, so the two cannot disagree.
		c, ok := lookup(args[1])
		if !ok {
			fmt.Fprintf(os.Stderr, "vigil: unknown command %q\n", args[1])
			usage(os.Stderr)
			return 2
		}
		return c.run([]string{"-h"})
	}
	if c, ok := lookup(args[0]); ok {
		return c.run(args[1:])
	}
	fmt.Fprintf(os.Stderr, "vigil: unknown command %q\n", args[0])
	usage(os.Stderr)
	return 2
}

func main() {
	os.Exit(dispatch(os.Args[1:]))
}

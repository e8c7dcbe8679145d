// Command vigil is the one binary of the Vigil continuous-query engine:
// `vigil tck DIR` runs openCypher TCK features through the engine,
// `vigil test PATH` runs continuous-query conformance scenarios.
package main

import (
	"fmt"
	"os"
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
		{"tck", "run openCypher TCK feature files through the engine: vigil tck DIR", runTCK},
		{"test", "run continuous-query conformance scenarios: vigil test PATH", runTest},
		{"demo", "run the agent-governance example on a generated stream: vigil demo [-events N]", runDemo},
		{"serve", "load resources and serve the API, SSE and console: vigil serve -f DIR [-listen ADDR] [-generate]", runServe},
		{"apply", "create or update resources on a running server: vigil apply -f FILE|DIR", runApply},
		{"delete", "delete resources: vigil delete (source|query|reaction) NAME | -f FILE", runDelete},
		{"get", "show sources, queries, reactions or results: vigil get queries | results QUERY", runGet},
		{"bench", "run the benchmark scenarios: vigil bench [--scenario NAME|all] [--changes N] [--json]", runBench},
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: vigil COMMAND [ARGS]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", c.name, c.summary)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	for _, c := range commands() {
		if c.name == os.Args[1] {
			os.Exit(c.run(os.Args[2:]))
		}
	}
	fmt.Fprintf(os.Stderr, "vigil: unknown command %q\n", os.Args[1])
	usage()
	os.Exit(2)
}

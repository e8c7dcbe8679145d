package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/vigilhq/vigil/reactions/mcp"
)

// runMCP serves an MCP reaction of a running server over stdin and stdout,
// for desktop MCP clients that launch their servers as commands.
func runMCP(args []string) int {
	fs := flag.NewFlagSet("mcp", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: vigil mcp [-server URL] [-reaction NAME] [-token TOKEN]\n\nServes the MCP reaction NAME of the server over stdin/stdout (newline-delimited JSON-RPC),\nfor MCP clients that launch servers as commands. Logs go to stderr.")
		fs.PrintDefaults()
	}
	client := clientFlags(fs)
	reaction := fs.String("reaction", "mcp", "the MCP reaction's name (its endpoint is SERVER/mcp/NAME)")
	if exit, ok := parseFlags(fs, args); !ok {
		return exit
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "vigil mcp: unexpected arguments %q\n", fs.Args())
		return 2
	}
	c := client()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	endpoint := c.base + "/mcp/" + url.PathEscape(strings.TrimPrefix(*reaction, "/"))
	err := mcp.Proxy(ctx, &sdk.StdioTransport{}, mcp.ProxyOptions{Endpoint: endpoint, Token: c.token})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "vigil mcp: %v\n", err)
		return 1
	}
	return 0
}

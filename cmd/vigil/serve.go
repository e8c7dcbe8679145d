package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vigilhq/vigil/durable"
	"github.com/vigilhq/vigil/resources"
	"github.com/vigilhq/vigil/server"
	"github.com/vigilhq/vigil/store"
)

// pathList is a repeatable -f flag.
type pathList []string

func (p *pathList) String() string     { return strings.Join(*p, ",") }
func (p *pathList) Set(v string) error { *p = append(*p, v); return nil }

// runServe loads resources and serves the API until interrupted.
func runServe(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var files pathList
	fs.Var(&files, "f", "resource file or directory (repeatable)")
	listen := fs.String("listen", "127.0.0.1:8080", "address to serve the API, SSE streams and console on")
	data := fs.String("data", "", "data directory for durable state (Badger); empty keeps state in memory")
	cacheMB := fs.Int("cache-mb", 64, "Badger block cache size in MiB (with -data)")
	syncWrites := fs.Bool("sync", false, "fsync every commit (survives power loss, not only process crashes)")
	batchChanges := fs.Int("batch-changes", 1000, "most changes the engine groups into one step (one commit)")
	batchWait := fs.Duration("batch-wait", 0, "how long a step waits for more batches (0: only those already waiting)")
	snapEvery := fs.Int("snapshot-every", durable.DefaultSnapshotEvery, "with -data: logged changes between engine snapshots, at least (and at least 4 × the element count); a restart replays the log after the last one (negative: never snapshot)")
	storeAll := fs.Bool("store-all-results", false, "keep the rows of every query's result; by default a query whose rows only repeat element values keeps a count and solves its result when read (less memory, slower reads of big results)")
	queryWorkers := fs.Int("query-workers", 1, "how many queries one change may run at once when it reaches several (results are the same; pays on real cores with many busy queries)")
	tokenFlag := fs.String("token", "", "bearer token required by the API (default: $VIGIL_TOKEN; none if empty)")
	generate := fs.Bool("generate", false, "feed the HTTP source with generated agent activity")
	generator := fs.String("generator", "quickstart", "the generated activity: quickstart (examples/quickstart's model) or governance (examples/governance's model, with a cycle of incidents)")
	genSource := fs.String("generate-source", "", "HTTP source the generator feeds (default: the only HTTP source)")
	genRate := fs.Float64("generate-rate", 4, "generated tool calls per second")
	retain := fs.Int("retain", 10000, "events kept per query for reconnecting clients")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "vigil serve: bad -log-level:", *logLevel)
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	token := *tokenFlag
	if token == "" {
		token = os.Getenv("VIGIL_TOKEN")
	}
	var st *store.Store
	if *data != "" {
		var err error
		st, err = store.Open(*data, store.Options{CacheBytes: int64(*cacheMB) << 20, SyncWrites: *syncWrites})
		if err != nil {
			fmt.Fprintln(os.Stderr, "vigil serve:", err)
			return 1
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.New(withPlugins(server.Options{Token: token, Logger: log, Retain: *retain, Store: st, MaxBatchChanges: *batchChanges, BatchWait: *batchWait, SnapshotEvery: *snapEvery, QueryWorkers: *queryWorkers, StoreAllResults: *storeAll}))
	if err != nil {
		fmt.Fprintln(os.Stderr, "vigil serve:", err)
		if st != nil {
			st.Close()
		}
		return 1
	}
	srv.Start(ctx)

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vigil serve:", err)
		return 1
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); token == "" && (ip == nil || !ip.IsLoopback()) {
		log.Warn("serving on a non-loopback address without a token: anyone who can reach it can read results and post changes", "addr", ln.Addr().String())
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)

	var all []*resources.Resource
	nerr := 0
	for _, f := range files {
		rs, errs := resources.LoadDir(f)
		results, err := srv.Apply(ctx, rs, errs)
		if err != nil {
			fmt.Fprintln(os.Stderr, "vigil serve:", err)
			return 1
		}
		for _, r := range results {
			if r.Action == "error" {
				nerr++
			}
		}
		all = append(all, rs...)
	}
	srv.SetReady()
	url := "http://" + ln.Addr().String() + "/"
	// The e2e tests and `make demo` read this line; keep its shape.
	fmt.Fprintf(os.Stderr, "vigil: listening on %s (%d resources, %d errors)\n", url, len(all), nerr)
	fmt.Fprintf(os.Stderr, "vigil: console %s\n", url)
	if token != "" {
		fmt.Fprintln(os.Stderr, "vigil: a bearer token is required (open the console once with ?token=...)")
	}
	if *generate {
		name, err := pickHTTPSource(all, *genSource)
		if err != nil {
			fmt.Fprintln(os.Stderr, "vigil serve: -generate:", err)
			return 1
		}
		switch *generator {
		case "quickstart":
			go runGenerator(ctx, srv, name, *genRate, log)
		case "governance":
			go runGovernanceGenerator(ctx, srv, name, *genRate, log)
		default:
			fmt.Fprintf(os.Stderr, "vigil serve: -generator: %q is neither quickstart nor governance\n", *generator)
			return 2
		}
		log.Info("generator feeding source", "generator", *generator, "source", name, "rate", *genRate)
	}

	code := 0
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case <-srv.Done():
		// The server stopped on its own: a storage failure. Exit non-zero
		// so that a supervisor restarts it, replaying the store.
		log.Error("server stopped", "err", srv.Err())
		code = 1
	}
	// Closing the server first ends the SSE streams, so Shutdown need not
	// wait for them.
	srv.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Warn("shutdown", "err", err)
	}
	return code
}

func pickHTTPSource(rs []*resources.Resource, want string) (string, error) {
	var names []string
	for _, r := range rs {
		if r.Source != nil && strings.EqualFold(r.Source.Kind, "HTTP") {
			if want == "" || r.Name == want {
				names = append(names, r.Name)
			}
		}
	}
	switch {
	case len(names) == 1:
		return names[0], nil
	case want != "":
		return "", fmt.Errorf("no HTTP source named %q", want)
	case len(names) == 0:
		return "", errors.New("no HTTP source among the resources")
	}
	return "", fmt.Errorf("several HTTP sources (%s): choose one with -generate-source", strings.Join(names, ", "))
}

package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigilhq/vigil/resources"
)

// client is what apply, delete and get share: where the server is and the
// token to present.
type client struct {
	base  string
	token string
	http  *http.Client
}

func clientFlags(fs *flag.FlagSet) func() *client {
	def := os.Getenv("VIGIL_SERVER")
	if def == "" {
		def = "http://127.0.0.1:8080"
	}
	srv := fs.String("server", def, "server URL (default $VIGIL_SERVER or http://127.0.0.1:8080)")
	tok := fs.String("token", "", "bearer token (default $VIGIL_TOKEN)")
	return func() *client {
		t := *tok
		if t == "" {
			t = os.Getenv("VIGIL_TOKEN")
		}
		return &client{base: strings.TrimRight(*srv, "/"), token: t, http: &http.Client{Timeout: 30 * time.Second}}
	}
}

// do sends one request. A 503 with Retry-After (the server is still
// loading its resources after a start) is retried for up to loadingWait, so
// that `vigil apply` right after `vigil serve` waits instead of failing.
func (c *client) do(method, path string, body []byte) (int, []byte, error) {
	deadline := time.Now().Add(loadingWait)
	for {
		code, b, retry, err := c.once(method, path, body)
		if err != nil || code != http.StatusServiceUnavailable || retry <= 0 || time.Now().Add(retry).After(deadline) {
			return code, b, err
		}
		time.Sleep(retry)
	}
}

// loadingWait bounds how long the client waits for a loading server.
const loadingWait = 30 * time.Second

func (c *client) once(method, path string, body []byte) (code int, b []byte, retry time.Duration, err error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/yaml")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	b, err = io.ReadAll(resp.Body)
	if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && s > 0 {
		retry = time.Duration(s) * time.Second
	}
	return resp.StatusCode, b, retry, err
}

// yamlFiles expands files and directories into the YAML files to send.
func yamlFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(f string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml")) {
				out = append(out, f)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

// runApply sends resource files to a running server.
func runApply(args []string) int {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	var files pathList
	fs.Var(&files, "f", "resource file or directory (repeatable)")
	mk := clientFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "usage: vigil apply -f FILE|DIR [-server URL]")
		return 2
	}
	c := mk()
	paths, err := yamlFiles(files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vigil apply:", err)
		return 1
	}
	failed := false
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "vigil apply:", err)
			return 1
		}
		code, body, err := c.do("POST", "/v1/apply?file="+url.QueryEscape(p), data)
		if err != nil {
			fmt.Fprintln(os.Stderr, "vigil apply:", err)
			return 1
		}
		var res struct {
			Results []struct{ Kind, Name, Action, Error string }
			Error   string
		}
		if json.Unmarshal(body, &res) != nil || (code >= 300 && res.Results == nil) {
			fmt.Fprintf(os.Stderr, "vigil apply: %s: HTTP %d %s %s\n", p, code, res.Error, strings.TrimSpace(string(body)))
			return 1
		}
		for _, r := range res.Results {
			if r.Action == "error" {
				failed = true
				fmt.Fprintf(os.Stderr, "error: %s\n", r.Error)
				continue
			}
			fmt.Printf("%s/%s %s\n", r.Kind, r.Name, r.Action)
		}
	}
	if failed {
		return 1
	}
	return 0
}

var kindPaths = map[string]string{
	"source": "sources", "sources": "sources", resources.KindSource: "sources",
	"query": "queries", "queries": "queries", "continuousquery": "queries", resources.KindContinuousQuery: "queries",
	"reaction": "reactions", "reactions": "reactions", resources.KindReaction: "reactions",
}

// runDelete removes resources: by kind and name, or those defined in files.
func runDelete(args []string) int {
	fs := flag.NewFlagSet("delete", flag.ContinueOnError)
	var files pathList
	fs.Var(&files, "f", "delete the resources defined in this file or directory")
	mk := clientFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	c := mk()
	type target struct{ path, name string }
	var targets []target
	if len(files) > 0 {
		for _, f := range files {
			rs, errs := resources.LoadDir(f)
			for _, e := range errs {
				fmt.Fprintln(os.Stderr, "vigil delete:", e)
			}
			// Reactions first, sources last: the reverse of creation.
			sort.SliceStable(rs, func(i, j int) bool { return rs[i].Kind > rs[j].Kind })
			for _, r := range rs {
				targets = append(targets, target{kindPaths[r.Kind], r.Name})
			}
		}
	} else {
		rest := fs.Args()
		if len(rest) != 2 || kindPaths[strings.ToLower(rest[0])] == "" {
			fmt.Fprintln(os.Stderr, "usage: vigil delete (source|query|reaction) NAME | vigil delete -f FILE")
			return 2
		}
		targets = append(targets, target{kindPaths[strings.ToLower(rest[0])], rest[1]})
	}
	rc := 0
	for _, t := range targets {
		code, body, err := c.do("DELETE", "/v1/"+t.path+"/"+url.PathEscape(t.name), nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "vigil delete:", err)
			return 1
		}
		if code != 200 {
			fmt.Fprintf(os.Stderr, "vigil delete: %s/%s: %s\n", t.path, t.name, errorText(body))
			rc = 1
			continue
		}
		fmt.Printf("%s/%s deleted\n", t.path, t.name)
	}
	return rc
}

func errorText(body []byte) string {
	var e struct{ Error string }
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return e.Error
	}
	return strings.TrimSpace(string(body))
}

// runGet shows sources, queries, reactions, a query's results or the
// server status.
func runGet(args []string) int {
	fs := flag.NewFlagSet("get", flag.ContinueOnError)
	out := fs.String("o", "table", "output: table or json")
	mk := clientFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	rest := fs.Args()
	usage := "usage: vigil get (sources|queries|reactions|status) [NAME] | vigil get results QUERY | vigil get breakers [KEY] | vigil get ebpf"
	if len(rest) < 1 || len(rest) > 2 {
		fmt.Fprintln(os.Stderr, usage)
		return 2
	}
	var path string
	what := strings.ToLower(rest[0])
	switch {
	case what == "status":
		path = "/v1/status"
	case what == "results" && len(rest) == 2:
		path = "/v1/queries/" + url.PathEscape(rest[1]) + "/results"
	case what == "breakers" || what == "breaker":
		what, path = "breakers", "/v1/breakers"
		if len(rest) == 2 {
			path += "/" + url.PathEscape(rest[1])
		}
	case what == "ebpf" && len(rest) == 1:
		path = "/v1/ebpf"
	case kindPaths[what] != "":
		path = "/v1/" + kindPaths[what]
		if len(rest) == 2 {
			path += "/" + url.PathEscape(rest[1])
		}
	default:
		fmt.Fprintln(os.Stderr, usage)
		return 2
	}
	c := mk()
	code, body, err := c.do("GET", path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vigil get:", err)
		return 1
	}
	if code != 200 {
		fmt.Fprintf(os.Stderr, "vigil get: %s\n", errorText(body))
		return 1
	}
	if *out == "json" || len(rest) == 2 && what != "results" || what == "status" {
		os.Stdout.Write(body)
		return 0
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	switch {
	case what == "breakers":
		var bs []struct{ Key, State, Query, Reason, Throttle string }
		json.Unmarshal(body, &bs)
		var since []struct {
			Since time.Time `json:"since"`
		}
		json.Unmarshal(body, &since)
		fmt.Fprintln(tw, "KEY\tSTATE\tSINCE\tQUERY\tTHROTTLE\tREASON")
		for i, b := range bs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", b.Key, b.State, since[i].Since.Format(time.RFC3339), b.Query, b.Throttle, b.Reason)
		}
	case what == "ebpf":
		var r struct {
			Enforced []struct {
				Reaction, Key, Cgroup, State, Error string
				Since                               time.Time
				Denied                              uint64
				Queries                             []string
			}
		}
		json.Unmarshal(body, &r)
		fmt.Fprintln(tw, "REACTION\tKEY\tCGROUP\tSTATE\tSINCE\tDENIED\tQUERIES\tERROR")
		for _, e := range r.Enforced {
			since := "—"
			if !e.Since.IsZero() {
				since = e.Since.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", e.Reaction, e.Key, e.Cgroup, e.State, since, e.Denied, strings.Join(e.Queries, ","), e.Error)
		}
	case what == "results":
		var r struct {
			Sequence uint64
			Columns  []string
			Results  []map[string]any
			Error    string
		}
		json.Unmarshal(body, &r)
		if r.Error != "" {
			fmt.Fprintln(os.Stderr, "error:", r.Error)
		}
		fmt.Fprintln(tw, strings.Join(r.Columns, "\t"))
		for _, row := range r.Results {
			vals := make([]string, len(r.Columns))
			for i, c := range r.Columns {
				b, _ := json.Marshal(row[c])
				vals[i] = string(b)
			}
			fmt.Fprintln(tw, strings.Join(vals, "\t"))
		}
		fmt.Fprintf(tw, "(%d rows at sequence %d)\n", len(r.Results), r.Sequence)
	case kindPaths[what] == "queries":
		var qs []struct {
			ID, State, Error string
			Rows             int
			Sequence         uint64
		}
		json.Unmarshal(body, &qs)
		fmt.Fprintln(tw, "QUERY\tSTATE\tROWS\tSEQUENCE\tERROR")
		for _, q := range qs {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", q.ID, q.State, q.Rows, q.Sequence, q.Error)
		}
	case kindPaths[what] == "sources":
		var ss []struct {
			Name, Kind, State, Error string
			Changes                  uint64
		}
		json.Unmarshal(body, &ss)
		fmt.Fprintln(tw, "SOURCE\tKIND\tSTATE\tCHANGES\tERROR")
		for _, s := range ss {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", s.Name, s.Kind, s.State, s.Changes, s.Error)
		}
	case kindPaths[what] == "reactions":
		var rs []struct {
			Name, Kind string
			Status     struct {
				State, Error                     string
				Delivered, Failures, DeadLetters uint64
			}
		}
		json.Unmarshal(body, &rs)
		fmt.Fprintln(tw, "REACTION\tKIND\tSTATE\tDELIVERED\tFAILURES\tDEAD\tERROR")
		for _, r := range rs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", r.Name, r.Kind, r.Status.State, r.Status.Delivered, r.Status.Failures, r.Status.DeadLetters, r.Status.Error)
		}
	}
	return 0
}

package plugin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"
)

// The tests run the real Vigil server (built from this repository) and
// drive the plugin as Grafana would, without a Grafana: through the SDK's
// datasourcetest harness (gRPC) for QueryData, CheckHealth and
// CallResource, and RunStream with a stream sender that records frames.

var vigilBin string

func TestMain(m *testing.M) {
	// The SDK logs every request at debug level; warnings (a stream
	// reconnecting) are what a reader of the test output needs.
	log.DefaultLogger = log.NewWithLevel(log.Warn)
	dir, err := os.MkdirTemp("", "vigil-grafana")
	if err != nil {
		panic(err)
	}
	vigilBin = filepath.Join(dir, "vigil")
	root, _ := filepath.Abs("../../../..")
	build := exec.Command("go", "build", "-o", vigilBin, "./cmd/vigil")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building vigil:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const resources = `apiVersion: v1
kind: Source
name: agents
spec: {kind: HTTP}
---
apiVersion: v1
kind: ContinuousQuery
name: trust
spec:
  sources: {subscriptions: [{id: agents}]}
  query: MATCH (a:Agent) RETURN a.id AS agent, a.trust AS trust, a.open AS open, a.seen AS seen
`

const token = "s3cret"

// vigil is a running `vigil serve -data` on a fixed address, so that a
// restart comes back where clients look for it.
type vigil struct {
	t    *testing.T
	dir  string
	data string
	addr string
	cmd  *exec.Cmd
}

func startVigil(t *testing.T) *vigil {
	t.Helper()
	return startVigilMode(t, true)
}

// startVigilMode starts vigil serve, durable (-data) or in memory.
func startVigilMode(t *testing.T, durable bool) *vigil {
	t.Helper()
	v := &vigil{t: t, dir: t.TempDir()}
	if durable {
		v.data = t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(v.dir, "r.yaml"), []byte(resources), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	v.addr = l.Addr().String()
	l.Close()
	v.start()
	t.Cleanup(v.stop)
	return v
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

func (v *vigil) start() {
	v.t.Helper()
	args := []string{"serve", "-f", v.dir, "-listen", v.addr, "-token", token}
	if v.data != "" {
		args = append(args, "-data", v.data)
	}
	v.cmd = exec.Command(vigilBin, args...)
	out, _ := v.cmd.StdoutPipe()
	v.cmd.Stderr = v.cmd.Stdout
	if err := v.cmd.Start(); err != nil {
		v.t.Fatal(err)
	}
	up := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if listening.MatchString(sc.Text()) {
				up <- true
			}
		}
	}()
	select {
	case <-up:
	case <-time.After(20 * time.Second):
		v.t.Fatal("vigil did not start")
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if resp, err := http.Get(v.url() + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			v.t.Fatal("vigil not ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (v *vigil) stop() {
	if v.cmd != nil && v.cmd.Process != nil {
		v.cmd.Process.Signal(syscall.SIGTERM)
		v.cmd.Wait()
		v.cmd = nil
	}
}

func (v *vigil) url() string { return "http://" + v.addr }

// agent upserts an Agent node.
func (v *vigil) agent(id string, trust float64, open bool) {
	v.t.Helper()
	body := fmt.Sprintf(`{"operation":"update","element":{"id":%q,"labels":["Agent"],"properties":{"id":%q,"trust":%v,"open":%v,"seen":"2026-12-05T10:00:00Z"}}}`, id, id, trust, open)
	req, _ := http.NewRequest("POST", v.url()+"/v1/sources/agents/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		v.t.Fatalf("POST agent %s: %d", id, resp.StatusCode)
	}
}

var edits atomic.Int64

func settings(url, tok string) backend.DataSourceInstanceSettings {
	js, _ := json.Marshal(Settings{URL: url})
	// The SDK keeps one instance per data source until its settings'
	// Updated time changes: each call is a data source edited anew.
	return backend.DataSourceInstanceSettings{UID: "vigil-uid", Name: "Vigil", JSONData: js, DecryptedSecureJSONData: map[string]string{"token": tok}, Updated: time.Unix(edits.Add(1), 0)}
}

// harness serves the plugin over gRPC as Grafana's plugin host does. The
// SDK registers its metrics globally, so one harness serves all tests.
var (
	harnessOnce sync.Once
	theHarness  datasourcetest.TestPlugin
	harnessErr  error
)

func harness(t *testing.T) datasourcetest.TestPlugin {
	t.Helper()
	harnessOnce.Do(func() {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			harnessErr = err
			return
		}
		addr := l.Addr().String()
		l.Close()
		theHarness, harnessErr = datasourcetest.Manage(NewDatasource, datasourcetest.ManageOpts{Address: addr})
	})
	if harnessErr != nil {
		t.Fatal(harnessErr)
	}
	return theHarness
}

func pluginContext(s backend.DataSourceInstanceSettings) backend.PluginContext {
	return backend.PluginContext{PluginID: ID, OrgID: 1, DataSourceInstanceSettings: &s}
}

func TestQueryDataTypesColumnsAndSetsTheChannel(t *testing.T) {
	v := startVigil(t)
	v.agent("a1", 0.9, false)
	v.agent("a2", 0.4, true)
	p := harness(t)
	resp, err := p.Client.QueryData(context.Background(), &backend.QueryDataRequest{
		PluginContext: pluginContext(settings(v.url(), token)),
		Queries: []backend.DataQuery{
			{RefID: "A", JSON: json.RawMessage(`{"queryId":"trust"}`)},
			{RefID: "B", JSON: json.RawMessage(`{"queryId":"trust","mode":"changes"}`)},
			{RefID: "C", JSON: json.RawMessage(`{"queryId":"nope"}`)},
			{RefID: "D", JSON: json.RawMessage(`{"queryId":""}`)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := resp.Responses["A"]
	if a.Error != nil || len(a.Frames) != 1 {
		t.Fatalf("A: %v %v", a.Error, a.Frames)
	}
	f := a.Frames[0]
	if got := fieldTypes(f); got != "time:time.Time agent:*string trust:*float64 open:*bool seen:*time.Time" {
		t.Errorf("fields %s", got)
	}
	if n, _ := f.RowLen(); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}
	if f.Meta == nil || f.Meta.Channel != "ds/vigil-uid/table/trust" {
		t.Errorf("channel %+v", f.Meta)
	}
	b := resp.Responses["B"].Frames[0]
	if got := fieldTypes(b); !strings.HasPrefix(got, "time:time.Time op:string sequence:float64 agent:*string") || b.Meta.Channel != "ds/vigil-uid/changes/trust" {
		t.Errorf("changes frame %s %+v", got, b.Meta)
	}
	if op, _ := b.Fields[1].ConcreteAt(0); op != "snapshot" {
		t.Errorf("changes mode starts with the result as snapshot rows, got op %v", op)
	}
	if c := resp.Responses["C"]; c.Error == nil || c.Status != backend.StatusNotFound {
		t.Errorf("an unknown query: %v %v", c.Status, c.Error)
	}
	if d := resp.Responses["D"]; d.Error == nil || !strings.Contains(d.Error.Error(), "queryId is empty") {
		t.Errorf("no query id: %v", d.Error)
	}
}

func fieldTypes(f *data.Frame) string {
	var out []string
	for _, fl := range f.Fields {
		out = append(out, fl.Name+":"+fl.Type().ItemTypeString())
	}
	return strings.Join(out, " ")
}

func TestCheckHealth(t *testing.T) {
	v := startVigil(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + l.Addr().String()
	l.Close()
	p := harness(t)
	for _, tc := range []struct {
		name, url, token string
		ok               bool
		msg              string
	}{
		{"good", v.url(), token, true, "1 queries"},
		{"wrong token", v.url(), "wrong", false, "refused the token"},
		{"no token", v.url(), "", false, "refused the token"},
		{"unreachable", closed, token, false, "unreachable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := p.Client.CheckHealth(context.Background(), &backend.CheckHealthRequest{PluginContext: pluginContext(settings(tc.url, tc.token))})
			if err != nil {
				t.Fatal(err)
			}
			if (res.Status == backend.HealthStatusOk) != tc.ok || !strings.Contains(res.Message, tc.msg) {
				t.Errorf("status %v %q, want ok=%v and %q", res.Status, res.Message, tc.ok, tc.msg)
			}
		})
	}
}

func TestQueriesResource(t *testing.T) {
	v := startVigil(t)
	p := harness(t)
	var got []*backend.CallResourceResponse
	err := p.Client.CallResource(context.Background(), &backend.CallResourceRequest{PluginContext: pluginContext(settings(v.url(), token)), Path: "queries", Method: "GET", URL: "queries"},
		backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error { got = append(got, r); return nil }))
	if err != nil || len(got) != 1 || got[0].Status != 200 || !strings.Contains(string(got[0].Body), `"id":"trust"`) {
		t.Fatalf("queries resource: %v %+v", err, got)
	}
}

// frames records what RunStream sends.
type frames struct {
	mu   sync.Mutex
	got  []*data.Frame
	read int
	ch   chan struct{}
}

func (f *frames) Send(p *backend.StreamPacket) error {
	var fr data.Frame
	if err := json.Unmarshal(p.Data, &fr); err != nil {
		return err
	}
	f.mu.Lock()
	f.got = append(f.got, &fr)
	f.mu.Unlock()
	f.ch <- struct{}{}
	return nil
}

func (f *frames) next(t *testing.T) *data.Frame {
	t.Helper()
	select {
	case <-f.ch:
	case <-time.After(15 * time.Second):
		t.Fatal("no frame within 15s")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.read++
	return f.got[f.read-1]
}

func runStream(t *testing.T, v *vigil, path string) *frames {
	t.Helper()
	inst, err := NewDatasource(context.Background(), settings(v.url(), token))
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*Datasource)
	ctx, cancel := context.WithCancel(context.Background())
	f := &frames{ch: make(chan struct{}, 100)}
	done := make(chan error, 1)
	go func() {
		done <- ds.RunStream(ctx, &backend.RunStreamRequest{PluginContext: pluginContext(settings(v.url(), token)), Path: path}, backend.NewStreamSender(f))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunStream: %v", err)
		}
	})
	return f
}

// rowsOf is a table frame's agent -> trust.
func rowsOf(t *testing.T, f *data.Frame) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	n, _ := f.RowLen()
	ai, _ := f.FieldByName("agent")
	ti, _ := f.FieldByName("trust")
	for i := 0; i < n; i++ {
		a, _ := ai.ConcreteAt(i)
		tr, _ := ti.ConcreteAt(i)
		out[a.(string)] = tr.(float64)
	}
	return out
}

// Table mode: the whole result after each change, before and after a
// restart of the (durable) server in the middle of the stream.
func TestRunStreamTableSurvivesRestart(t *testing.T) {
	v := startVigil(t)
	v.agent("a1", 0.9, false)
	f := runStream(t, v, "table/trust")
	if got := rowsOf(t, f.next(t)); fmt.Sprint(got) != "map[a1:0.9]" {
		t.Fatalf("first frame %v", got)
	}
	v.agent("a2", 0.5, true)
	if got := rowsOf(t, f.next(t)); fmt.Sprint(got) != "map[a1:0.9 a2:0.5]" {
		t.Fatalf("after a POSTed change %v", got)
	}
	v.stop()
	v.start()
	v.agent("a1", 0.7, false)
	got := rowsOf(t, f.next(t))
	if fmt.Sprint(got) != "map[a1:0.7 a2:0.5]" {
		t.Fatalf("after the restart %v", got)
	}
}

// Changes mode: each event's rows with op and sequence; across a restart
// the sequences continue with no change missed.
func TestRunStreamChangesMissNothingAcrossRestart(t *testing.T) {
	v := startVigil(t)
	f := runStream(t, v, "changes/trust")
	// The stream's first snapshot is not sent (QueryData answered with
	// it): the first frame is the first change.
	time.Sleep(200 * time.Millisecond)
	v.agent("a1", 0.9, false)
	v.agent("a1", 0.8, false)
	seqs := []float64{}
	ops := []string{}
	collect := func(n int) {
		for range n {
			fr := f.next(t)
			ops = append(ops, opsOf(fr))
			s, _ := fr.Fields[2].ConcreteAt(0)
			seqs = append(seqs, s.(float64))
		}
	}
	collect(2)
	v.stop()
	v.start()
	v.agent("a2", 0.1, true)
	v.agent("a1", 0.2, false)
	collect(2)
	if strings.Join(ops, " ") != "added updated added updated" {
		t.Errorf("ops %v", ops)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Errorf("sequences %v: a gap (a change missed) or a repeat", seqs)
			break
		}
	}
}

func opsOf(f *data.Frame) string {
	n, _ := f.RowLen()
	var out []string
	for i := 0; i < n; i++ {
		o, _ := f.Fields[1].ConcreteAt(i)
		out = append(out, o.(string))
	}
	return strings.Join(out, ",")
}

func TestSubscribeStreamPaths(t *testing.T) {
	d := &Datasource{}
	for path, ok := range map[string]bool{"table/q": true, "changes/q": true, "other/q": false, "table/": false, "q": false} {
		res, _ := d.SubscribeStream(context.Background(), &backend.SubscribeStreamRequest{Path: path})
		if (res.Status == backend.SubscribeStreamStatusOK) != ok {
			t.Errorf("%s: %v", path, res.Status)
		}
	}
}

// apply sends resources to the server.
func (v *vigil) apply(yaml string) {
	v.t.Helper()
	req, _ := http.NewRequest("POST", v.url()+"/v1/apply", strings.NewReader(yaml))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/yaml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		v.t.Fatalf("apply: %d", resp.StatusCode)
	}
}

func (v *vigil) deleteQuery(id string) {
	v.t.Helper()
	req, _ := http.NewRequest("DELETE", v.url()+"/v1/queries/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	resp.Body.Close()
}

// nextMatching waits for a frame satisfying ok.
func (f *frames) nextMatching(t *testing.T, what string, ok func(*data.Frame) bool) *data.Frame {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-f.ch:
		case <-time.After(time.Until(deadline)):
			t.Fatalf("no frame %s within 15s", what)
		}
		f.mu.Lock()
		fr := f.got[len(f.got)-1]
		f.read = len(f.got)
		f.mu.Unlock()
		if ok(fr) {
			return fr
		}
	}
	t.Fatalf("no frame %s within 15s", what)
	return nil
}

func fieldNames(f *data.Frame) string {
	var out []string
	for _, fl := range f.Fields {
		out = append(out, fl.Name)
	}
	return strings.Join(out, ",")
}

// A query replaced with other columns, and one deleted and created again,
// start the panel over (a memory server and a durable one alike): no
// stale rows, no old columns. A memory server restarted while its numbering
// runs on past the panel's position gives the panel its result, not a
// continuation of the old stream.
func TestRunStreamStartsOver(t *testing.T) {
	for _, durable := range []bool{true, false} {
		t.Run(fmt.Sprintf("durable=%v", durable), func(t *testing.T) {
			v := startVigilMode(t, durable)
			v.agent("a1", 0.9, false)
			f := runStream(t, v, "table/trust")
			f.nextMatching(t, "with a1", func(fr *data.Frame) bool { return fmt.Sprint(rowsOf(t, fr)) == "map[a1:0.9]" })
			v.apply(strings.Replace(resources[strings.Index(resources, "---"):], "RETURN a.id AS agent, a.trust AS trust, a.open AS open, a.seen AS seen", "RETURN a.id AS agent, a.trust * 100 AS pct", 1))
			fr := f.nextMatching(t, "with the new columns", func(fr *data.Frame) bool { return fieldNames(fr) == "time,agent,pct" })
			if n, _ := fr.RowLen(); n != 1 {
				t.Errorf("after the replacement: %d rows", n)
			}
			v.deleteQuery("trust")
			f.nextMatching(t, "empty after the deletion", func(fr *data.Frame) bool { n, _ := fr.RowLen(); return n == 0 })
			v.apply(resources[strings.Index(resources, "---"):])
			fr = f.nextMatching(t, "with the query back", func(fr *data.Frame) bool { return fieldNames(fr) == "time,agent,trust,open,seen" })
			if got := fmt.Sprint(rowsOf(t, fr)); got != "map[a1:0.9]" {
				t.Errorf("the re-created query: %s (stale or duplicate rows?)", got)
			}
			if durable {
				return
			}
			// A memory restart: the new server's numbering passes the
			// panel's position before it reconnects.
			v.stop()
			v.start()
			for i := range 12 {
				v.agent(fmt.Sprintf("b%d", i), 0.5, true)
			}
			fr = f.nextMatching(t, "the restarted server's result", func(fr *data.Frame) bool { n, _ := fr.RowLen(); return n == 12 })
			if _, stale := rowsOf(t, fr)["a1"]; stale {
				t.Errorf("a1 is no longer on the restarted server: %v", rowsOf(t, fr))
			}
		})
	}
}

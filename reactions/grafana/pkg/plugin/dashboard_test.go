package plugin

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// The provisioned dashboard reads the governance pack: served with the
// pack and the dashboard's own query (provisioning/vigil), every panel's
// query answers, in its mode, without an error.
func TestProvisionedDashboardAnswers(t *testing.T) {
	root, _ := filepath.Abs("../../../..")
	b, err := os.ReadFile("../../provisioning/dashboards/governance.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string            `json:"title"`
			Targets []json.RawMessage `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(vigilBin, "serve", "-f", filepath.Join(root, "examples/governance"), "-f", "../../provisioning/vigil",
		"-listen", "127.0.0.1:0", "-token", token, "-generate", "-generator", "governance")
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				url <- m[1]
			}
		}
	}()
	var base string
	select {
	case base = <-url:
	case <-time.After(20 * time.Second):
		t.Fatal("vigil did not start")
	}
	p := harness(t)
	var queries []backend.DataQuery
	for i, panel := range dash.Panels {
		for _, tg := range panel.Targets {
			queries = append(queries, backend.DataQuery{RefID: panel.Title, JSON: tg})
		}
		if len(panel.Targets) == 0 {
			t.Errorf("panel %d %q has no query", i, panel.Title)
		}
	}
	var resp *backend.QueryDataResponse
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err = p.Client.QueryData(context.Background(), &backend.QueryDataRequest{PluginContext: pluginContext(settings(base[:len(base)-1], token)), Queries: queries})
		if err != nil {
			t.Fatal(err)
		}
		failed := false
		for _, r := range resp.Responses {
			failed = failed || r.Error != nil
		}
		if !failed || time.Now().After(deadline) {
			break
		}
	}
	for title, r := range resp.Responses {
		if r.Error != nil || len(r.Frames) != 1 || r.Frames[0].Meta == nil || r.Frames[0].Meta.Channel == "" {
			t.Errorf("panel %q: %v %v", title, r.Error, r.Frames)
		}
	}
}

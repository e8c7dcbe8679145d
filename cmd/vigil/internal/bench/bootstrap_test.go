package bench

import "testing"

// bootstrap_large loads the governance model into a durable host, takes a
// snapshot, opens the store again and finds every query's result as it was.
func TestBootstrapLargeSmall(t *testing.T) {
	r, err := RunBootstrap(20000, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verified != "ok" || r.Elements < 19000 || r.Elements > 20000 || r.Agents != 20 || r.Sessions != 1000 {
		t.Fatalf("%+v", r)
	}
	if r.BytesPerElement <= 0 || r.PeakRSSMB <= 0 || r.StoreMB <= 0 || r.RestartSeconds <= 0 {
		t.Errorf("measurements missing: %+v", r)
	}
}

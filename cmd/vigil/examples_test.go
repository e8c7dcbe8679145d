package main

import (
	"path/filepath"
	"testing"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/resources"
)

// TestExamplesLoadCleanly: every example deployment parses, each query
// compiles, subscribes only to sources the example defines, and reads no
// label or relation type its subscriptions leave out (which would make
// part of its pattern silently never match).
func TestExamplesLoadCleanly(t *testing.T) {
	dirs, err := filepath.Glob("../../examples/*")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, dir := range dirs {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if len(matches) == 0 {
			continue
		}
		rs, errs := resources.LoadDir(dir)
		for _, err := range errs {
			t.Errorf("%s: %v", dir, err)
		}
		defined := map[string]bool{}
		for _, r := range rs {
			if r.Source != nil {
				defined[r.Name] = true
			}
		}
		e := engine.New(engine.Options{})
		for _, r := range rs {
			if r.Query == nil {
				continue
			}
			for _, sub := range r.Query.Subscriptions {
				if !defined[sub.ID] {
					t.Errorf("%s: query %s subscribes to %q, which the example does not define", r.Where(), r.Name, sub.ID)
				}
			}
			spec, err := r.QuerySpec()
			if err != nil {
				t.Errorf("%s: query %s: %v", r.Where(), r.Name, err)
				continue
			}
			q, err := e.AddQuery(spec)
			if err != nil {
				t.Errorf("%s: query %s: %v", r.Where(), r.Name, err)
				continue
			}
			if un := q.Unsubscribed(); len(un) > 0 {
				t.Errorf("%s: query %s reads %v, which its subscriptions leave out", r.Where(), r.Name, un)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no example query found under ../../examples")
	}
	t.Logf("%d example queries checked", checked)
}

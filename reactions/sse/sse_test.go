package sse

import (
	"reflect"
	"testing"
)

func TestCursor(t *testing.T) {
	for _, tc := range []struct {
		id      string
		queries []string
		want    map[string]uint64
		format  string
	}{
		{"", []string{"q"}, map[string]uint64{}, "0"},
		{"42", []string{"q"}, map[string]uint64{"q": 42}, "42"},
		{"42", []string{"a", "b"}, map[string]uint64{}, ""},
		{"b:7,a:3", []string{"a", "b"}, map[string]uint64{"a": 3, "b": 7}, "a:3,b:7"},
		{"a:3,zz:9,b:x", []string{"a", "b"}, map[string]uint64{"a": 3}, "a:3"},
		{"q:5", []string{"q"}, map[string]uint64{"q": 5}, "5"},
	} {
		cur, known := ParseCursor(tc.id, tc.queries)
		if !reflect.DeepEqual(cur, tc.want) || len(known) != len(tc.want) {
			t.Errorf("ParseCursor(%q) = %v %v, want %v", tc.id, cur, known, tc.want)
		}
		if got := FormatCursor(cur, tc.queries); got != tc.format {
			t.Errorf("FormatCursor(%v) = %q, want %q", cur, got, tc.format)
		}
	}
}

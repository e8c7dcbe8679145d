package plugin

import (
	"encoding/json"
	"math"
	"testing"
)

func TestValueKinds(t *testing.T) {
	for raw, want := range map[string]columnKind{
		`null`: kindNull, `3`: kindNumber, `-1.5e3`: kindNumber, `true`: kindBool, `"x"`: kindString,
		`"2015-07-21T21:40:32.142Z"`: kindTime, `"2015-07-21T21:40Z"`: kindTime, `"2015-07-21T21:40+01:00[Europe/London]"`: kindTime,
		`"2015-07-21T21:40"`: kindTime, `"2015-07-21"`: kindTime, `"2015-07"`: kindString,
		`"NaN"`: kindNumber, `"-Infinity"`: kindNumber, `[1]`: kindString, `{"a":1}`: kindString,
	} {
		if got := valueKind(json.RawMessage(raw)); got != want {
			t.Errorf("%s: kind %d, want %d", raw, got, want)
		}
	}
	rows := []row{{"x": json.RawMessage(`"NaN"`)}, {"x": json.RawMessage(`2`)}}
	f := field("x", columnKinds([]string{"x"}, rows)[0], rows)
	if v := f.At(0).(*float64); v == nil || !math.IsNaN(*v) {
		t.Errorf("NaN in a number column: %v", f.At(0))
	}
}

// A stream's column keeps its kind when an event has only nulls in it, and
// widens once to string on a conflict.
func TestKindsWidenOnce(t *testing.T) {
	cols := []string{"a"}
	k := widenKinds(cols, make([]columnKind, 1), []row{{"a": json.RawMessage(`1`)}})
	k = widenKinds(cols, k, []row{{"a": json.RawMessage(`null`)}})
	if k[0] != kindNumber {
		t.Fatalf("after nulls: %d", k[0])
	}
	k = widenKinds(cols, k, []row{{"a": json.RawMessage(`"x"`)}})
	k = widenKinds(cols, k, []row{{"a": json.RawMessage(`2`)}})
	if k[0] != kindString {
		t.Fatalf("after a string: %d", k[0])
	}
}

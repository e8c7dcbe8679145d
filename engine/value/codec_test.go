package value

import (
	"testing"
	"time"
)

func TestBinaryRoundTrip(t *testing.T) {
	dt, ok := ParseRFC3339DateTime("2026-11-22T10:15:30.5+01:00")
	if !ok {
		t.Fatal("cannot parse the datetime")
	}
	cases := []struct {
		name string
		v    Value
	}{
		{"null", Null},
		{"true", True},
		{"false", False},
		{"int", Int(-1234567890123)},
		{"float", Float(3.25)},
		{"string", Str("héllo")},
		{"empty string", Str("")},
		{"list", List([]Value{Int(1), Str("a"), Null, List([]Value{Float(-0.5)})})},
		{"map", Map(map[string]Value{"b": Int(2), "a": Map(map[string]Value{"x": True})})},
		{"datetime", dt},
		{"datetime of instant", NewDateTime(time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), "Europe/Stockholm")},
		{"duration", NewDuration(14, -3, 3600, 500)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := AppendBinary(nil, c.v)
			if err != nil {
				t.Fatal(err)
			}
			got, rest, err := DecodeBinary(append(b, 0xAB))
			if err != nil {
				t.Fatal(err)
			}
			if len(rest) != 1 || rest[0] != 0xAB {
				t.Fatalf("rest = %x, want ab", rest)
			}
			if !Identical(got, c.v) {
				t.Fatalf("round trip: got %v, want %v", got, c.v)
			}
			// Every strict prefix is a torn record: an error, never a panic.
			for i := 0; i < len(b); i++ {
				if _, _, err := DecodeBinary(b[:i]); err == nil {
					t.Fatalf("prefix %d of %d decoded without error", i, len(b))
				}
			}
		})
	}
}

func TestBinaryRejectsGraphValues(t *testing.T) {
	if _, err := AppendBinary(nil, NodeOf(&Node{ID: "n"})); err == nil {
		t.Fatal("a node encoded; want an error")
	}
}

func FuzzDecodeBinary(f *testing.F) {
	b, _ := AppendBinary(nil, List([]Value{Int(1), Map(map[string]Value{"k": Str("v")})}))
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, _, err := DecodeBinary(data)
		if err != nil {
			return
		}
		// Whatever decodes must encode again and decode to the same value.
		enc, err := AppendBinary(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		w, _, err := DecodeBinary(enc)
		if err != nil || !Identical(v, w) {
			t.Fatalf("re-decode: %v %v vs %v", err, v, w)
		}
	})
}

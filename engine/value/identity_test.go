package value

import "testing"

func TestQualifiedIDsRoundTrip(t *testing.T) {
	cases := []struct {
		source, id   string
		wantSource   string
		wantExternal string
	}{
		{"", "a1", "", "a1"},
		{"s1", "a1", "s1", "a1"},
		{"pg.main", "public.agents:7", "pg.main", "public.agents:7"},
		{"s-2", "", "s-2", ""},
	}
	for _, c := range cases {
		q := QualifyID(c.source, c.id)
		if got := SourceOfID(q); got != c.wantSource {
			t.Errorf("SourceOfID(%q) = %q, want %q", q, got, c.wantSource)
		}
		if got := ExternalID(q); got != c.wantExternal {
			t.Errorf("ExternalID(%q) = %q, want %q", q, got, c.wantExternal)
		}
	}
}

func TestSyntheticIDsHaveNoSourceAndShowBareEnds(t *testing.T) {
	id := "join:SAME:" + QualifyID("s1", "a1") + ":" + QualifyID("s2", "b:2")
	if got := SourceOfID(id); got != "" {
		t.Errorf("SourceOfID(join) = %q, want none", got)
	}
	// b:2's own ':' is kept: only a source, before its separator, is dropped.
	if got, want := ExternalID(id), "join:SAME:a1:b:2"; got != want {
		t.Errorf("ExternalID(join) = %q, want %q", got, want)
	}
	if got, want := ExternalID("join:SAME:a1:b1"), "join:SAME:a1:b1"; got != want {
		t.Errorf("ExternalID(bare join) = %q, want %q", got, want)
	}
}

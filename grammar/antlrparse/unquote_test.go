package antlrparse

import "testing"

func TestUnquote(t *testing.T) {
	cases := []struct {
		text    string
		doubled bool
		want    string
		problem string
	}{
		{`'plain'`, false, "plain", ""},
		{`"a\tb\nc"`, false, "a\tb\nc", ""},
		{`'it\'s'`, false, "it's", ""},
		{`'it''s'`, true, "it's", ""},
		{`'it''s'`, false, "it''s", ""},
		{`'\u00e9'`, false, "é", ""},
		{`'\U0001F600'`, false, "😀", ""},
		{`'\uD83D\uDE00'`, false, "😀", ""},
		{`'\d+'`, false, `\d+`, ""},
		{`'\u12'`, false, "", "invalid unicode escape"},
		{`'\uD83D'`, false, "", "unpaired surrogate"},
	}
	for _, c := range cases {
		got, problem := Unquote(c.text, c.doubled)
		if got != c.want || problem != c.problem {
			t.Errorf("Unquote(%s, %v) = %q, %q; want %q, %q", c.text, c.doubled, got, problem, c.want, c.problem)
		}
	}
}

package reactions

import (
	"slices"
	"testing"
)

func TestInstances(t *testing.T) {
	var s Instances[*int]
	a, b, c := new(int), new(int), new(int)
	s.Put("b", b)
	s.Put("a", a)
	if got := s.All(); !slices.Equal(got, []*int{a, b}) {
		t.Fatalf("All: %v", got)
	}
	s.Put("a", c) // a successor
	s.Remove("a", a)
	if got, ok := s.Get("a"); !ok || got != c {
		t.Fatalf("the predecessor's Remove took out its successor")
	}
	s.Remove("a", c)
	if _, ok := s.Get("a"); ok || len(s.All()) != 1 {
		t.Fatalf("Remove left %v", s.All())
	}
}

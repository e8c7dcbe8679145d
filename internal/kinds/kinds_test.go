package kinds

import (
	"reflect"
	"testing"
)

func TestRegistry(t *testing.T) {
	r := New[int]("things")
	r.Register("PostgreSQL", 1)
	r.Register("HTTP", 2)
	if f, ok := r.Lookup("postgresql"); !ok || f != 1 {
		t.Fatalf("lookup is case-insensitive: %d %v", f, ok)
	}
	if _, ok := r.Lookup("Kafka"); ok {
		t.Fatal("unknown kind found")
	}
	if got := r.Kinds(); !reflect.DeepEqual(got, []string{"http", "postgresql"}) {
		t.Fatalf("kinds %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a duplicate kind did not panic")
		}
	}()
	r.Register("http", 3)
}

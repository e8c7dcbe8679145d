package value

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand"
	"testing"

	"github.com/vigilhq/vigil/internal/sharedtest"
)

// AppendJSON writes exactly what json.Marshal(ToGo(v)) writes.
func TestAppendJSONMatchesToGo(t *testing.T) {
	rng := rand.New(rand.NewSource(sharedtest.Seed(t)))
	strs := []string{"", "x", `q"b\`, "<a>&", "\x01\n", "é😀", "\u2028", "\xff"}
	floats := []float64{0, 1.5, -2e-7, 1e21, 123.456, math.NaN(), math.Inf(-1)}
	dt, _ := ParseRFC3339DateTime("2026-12-01T10:00:00.5+01:00")
	var gen func(int) Value
	gen = func(d int) Value {
		switch k := rng.Intn(11); {
		case k == 0:
			return Null
		case k == 1:
			return Bool(rng.Intn(2) == 0)
		case k == 2:
			return Int(rng.Int63() - rng.Int63())
		case k == 3:
			return Float(floats[rng.Intn(len(floats))])
		case k == 4:
			return Str(strs[rng.Intn(len(strs))])
		case k == 5 && d < 3:
			l := make([]Value, rng.Intn(4))
			for i := range l {
				l[i] = gen(d + 1)
			}
			return List(l)
		case k == 6 && d < 3:
			m := map[string]Value{}
			for i := rng.Intn(4); i > 0; i-- {
				m[strs[rng.Intn(len(strs))]] = gen(d + 1)
			}
			return Map(m)
		case k == 7:
			return dt
		case k == 8:
			return NewDuration(1, 2, 3, 4)
		case k == 9 && d < 3:
			return NodeOf(&Node{ID: "n", Props: PropsOf(map[string]Value{"a": gen(d + 1), "b": Int(1)})})
		}
		return Str("leaf")
	}
	for i := 0; i < 5000; i++ {
		v := gen(0)
		want, err := json.Marshal(ToGo(v))
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendJSON(nil, v); !bytes.Equal(got, want) {
			t.Fatalf("%v:\n got %s\nwant %s", v, got, want)
		}
	}
}

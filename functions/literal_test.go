package functions

import (
	"strconv"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

// lit parses the Cypher literal subset the TCK tables use (numbers, quoted
// strings, booleans, null, lists, maps with bare keys), so that expectations
// can be copied from the feature files verbatim.
func lit(t testing.TB, src string) value.Value {
	t.Helper()
	p := &litParser{s: src}
	v := p.value(t)
	p.ws()
	if p.i != len(p.s) {
		t.Fatalf("literal %q: trailing input at %d", src, p.i)
	}
	return v
}

type litParser struct {
	s string
	i int
}

func (p *litParser) ws() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *litParser) value(t testing.TB) value.Value {
	p.ws()
	if p.i >= len(p.s) {
		t.Fatalf("literal %q: unexpected end", p.s)
	}
	switch c := p.s[p.i]; {
	case c == '[':
		p.i++
		out := []value.Value{}
		for p.ws(); p.s[p.i] != ']'; p.ws() {
			out = append(out, p.value(t))
			p.ws()
			if p.s[p.i] == ',' {
				p.i++
			}
		}
		p.i++
		return value.List(out)
	case c == '{':
		p.i++
		out := map[string]value.Value{}
		for p.ws(); p.s[p.i] != '}'; p.ws() {
			j := strings.IndexByte(p.s[p.i:], ':')
			k := strings.TrimSpace(p.s[p.i : p.i+j])
			p.i += j + 1
			out[k] = p.value(t)
			p.ws()
			if p.s[p.i] == ',' {
				p.i++
			}
		}
		p.i++
		return value.Map(out)
	case c == '\'':
		var b strings.Builder
		for p.i++; p.s[p.i] != '\''; p.i++ {
			if p.s[p.i] == '\\' {
				p.i++
				switch p.s[p.i] {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				default:
					b.WriteByte(p.s[p.i])
				}
				continue
			}
			b.WriteByte(p.s[p.i])
		}
		p.i++
		return value.Str(b.String())
	}
	j := p.i
	for j < len(p.s) && !strings.ContainsRune(",]} ", rune(p.s[j])) {
		j++
	}
	tok := p.s[p.i:j]
	p.i = j
	switch tok {
	case "null":
		return value.Null
	case "true":
		return value.True
	case "false":
		return value.False
	}
	if n, err := strconv.ParseInt(tok, 10, 64); err == nil {
		return value.Int(n)
	}
	x, err := strconv.ParseFloat(tok, 64)
	if err != nil {
		t.Fatalf("literal %q: bad token %q", p.s, tok)
	}
	return value.Float(x)
}

// TestInTCK is TCK List5 verbatim.
func TestInTCK(t *testing.T) {
	table := `1 IN ['1', 2] => false
[1, 2] IN [1, [1, '2']] => false
[1] IN [1, 2] => false
[1, 2] IN [1, 2] => false
[1] IN [1, 2, [1]] => true
[1, 2] IN [1, [1, 2]] => true
[1, 2] IN [1, [2, 1]] => false
[1, 2] IN [1, [1, 2, 3]] => false
[1, 2] IN [1, [[1, 2]]] => false
[[1, 2], [3, 4]] IN [5, [[1, 2], [3, 4]]] => true
[[1, 2], 3] IN [1, [[1, 2], 3]] => true
[[1]] IN [2, [[1]]] => true
[[1, 3]] IN [2, [[1, 3]]] => true
[[1]] IN [2, [1]] => false
[[1, 3]] IN [2, [1, 3]] => false
null IN [null] => null
[null] IN [[null]] => null
[null] IN [null] => null
[1] IN [[1, null]] => false
3 IN [1, null, 3] => true
4 IN [1, null, 3] => null
[1, 2] IN [[null, 'foo'], [1, 2]] => true
[1, 2] IN [1, [1, 2], null] => true
[1, 2] IN [[null, 'foo']] => false
[1, 2] IN [[null, 2]] => null
[1, 2] IN [1, [1, 2, null]] => false
[1, 2, null] IN [1, [1, 2, null]] => null
[1, 2] IN [[null, 2], [1, 2]] => true
[[1, 2], [3, 4]] IN [5, [[1, 2], [3, 4], null]] => false
[1, 2] IN [[null, 2], [1, 3]] => null
[] IN [[]] => true
[] IN [] => false
[] IN [1, []] => true
[] IN [1, 2] => false
[[]] IN [1, [[]]] => true
[] IN [1, 2, null] => null
[[], []] IN [1, [[], []]] => true`
	for _, line := range strings.Split(table, "\n") {
		expr, want, _ := strings.Cut(line, " => ")
		a, b, _ := strings.Cut(expr, " IN ")
		got, err := In(lit(t, a), lit(t, b))
		if err != nil || !same(got, lit(t, want)) {
			t.Errorf("%s = %s, %v; want %s", expr, got, err, want)
		}
	}
}

package cypher

import (
	"errors"
	"testing"

	"github.com/vigilhq/vigil/grammar/ast"
)

// FuzzParse checks that no input makes Parse panic and that every failure is
// a positioned *ast.Error. Seeds are the TCK queries plus corner cases; the
// corpus of past findings lives in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, q := range loadTCK(f) {
		f.Add(q.Text)
	}
	for _, s := range []string{
		"", ";", "RETURN", "RETURN 1", "RETURN -9223372036854775808", "RETURN 0x", "RETURN '\\u",
		"RETURN '\\uD83D\\u'", "MATCH (a)-[*..]-(b) RETURN a", "MATCH p=(a)<-->(b) RETURN p",
		"RETURN [x IN l WHERE x | x]", "RETURN reduce(a = 0, x IN l | a + x)",
		"MATCH (n) WHERE EXISTS { MATCH (n)-->() } RETURN n", "RETURN 1 UNION ALL RETURN 2 UNION RETURN 3",
		"RETURN `a``b`", "RETURN /* x */ 1 // y", "RETURN 1e999", "RETURN $0",
	} {
		f.Add(s)
	}
	recoverPanics = false
	f.Cleanup(func() { recoverPanics = true })
	f.Fuzz(func(t *testing.T, text string) {
		q, err := Parse(text)
		if err == nil {
			if q == nil || len(q.Parts) == 0 {
				t.Fatalf("nil query without error for %q", text)
			}
			_ = renderQuery(q) // walks the whole tree: nil holes would panic here
			return
		}
		var ae *ast.Error
		if !errors.As(err, &ae) {
			t.Fatalf("error %T is not *ast.Error: %v", err, err)
		}
		if ae.Line < 1 || ae.Col < 1 || ae.Code == "" || ae.Code == codeInternal {
			t.Fatalf("bad error for %q: %#v", text, ae)
		}
	})
}

// BenchmarkParse parses every TCK query once per iteration, a realistic mix
// of sizes and constructs.
func BenchmarkParse(b *testing.B) {
	var texts []string
	for _, q := range loadTCK(b) {
		texts = append(texts, q.Text)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, t := range texts {
			_, _ = Parse(t)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/query")
}

package cypher

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

// tckQuery is one query found in a feature file.
type tckQuery struct {
	Where     string // file:line of the scenario, for failure messages
	Text      string
	Setup     bool   // a "having executed" setup query, not the query under test
	ErrorKind string // e.g. "SyntaxError", "" when the scenario expects success
	ErrorCode string // e.g. "IntegerOverflow"
}

var raisedRe = regexp.MustCompile(`Then an? (\w+) should be raised at ([a-z ]+): (\w+)`)

// loadTCK extracts every docstring query from the feature files, expanding
// Scenario Outlines with each of their Examples rows.
func loadTCK(tb testing.TB) []tckQuery {
	tb.Helper()
	tckDir := sharedtest.Dir(tb, "tck/features")
	var files []string
	err := filepath.WalkDir(tckDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".feature") {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		tb.Fatalf("no TCK feature in %s: %v", tckDir, err)
	}
	var out []tckQuery
	for _, f := range files {
		out = append(out, parseFeature(tb, f)...)
	}
	return out
}

func parseFeature(tb testing.TB, path string) []tckQuery {
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}

	type scenario struct {
		where    string
		queries  []tckQuery
		examples []map[string]string
	}
	var all []*scenario
	var cur *scenario
	var header []string
	inExamples := false
	for i := 0; i < len(lines); i++ {
		trim := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(trim, "#"):
			continue
		case strings.HasPrefix(trim, "Scenario"):
			cur = &scenario{where: filepath.Base(path) + ":" + itoa(i+1)}
			all = append(all, cur)
			inExamples, header = false, nil
		case cur == nil:
			continue
		case strings.HasPrefix(trim, "Examples:"):
			inExamples, header = true, nil
		case inExamples && strings.HasPrefix(trim, "|"):
			cells := tableCells(trim)
			if header == nil {
				header = cells
				continue
			}
			row := map[string]string{}
			for j, h := range header {
				if j < len(cells) {
					row[h] = cells[j]
				}
			}
			cur.examples = append(cur.examples, row)
		case strings.HasSuffix(trim, "executing query:") || strings.HasSuffix(trim, "having executed:"):
			setup := strings.HasSuffix(trim, "having executed:")
			// The docstring follows; its indentation is stripped.
			j := i + 1
			for j < len(lines) && strings.TrimSpace(lines[j]) != `"""` {
				j++
			}
			if j >= len(lines) {
				continue
			}
			indent := len(lines[j]) - len(strings.TrimLeft(lines[j], " "))
			var body []string
			k := j + 1
			for ; k < len(lines) && strings.TrimSpace(lines[k]) != `"""`; k++ {
				l := lines[k]
				if len(l) >= indent && strings.TrimSpace(l[:indent]) == "" {
					l = l[indent:]
				}
				body = append(body, l)
			}
			cur.queries = append(cur.queries, tckQuery{Where: cur.where, Text: strings.Join(body, "\n"), Setup: setup})
			i = k
		default:
			if m := raisedRe.FindStringSubmatch(trim); m != nil {
				for q := range cur.queries {
					if !cur.queries[q].Setup {
						cur.queries[q].ErrorKind, cur.queries[q].ErrorCode = m[1], m[3]
					}
				}
			}
		}
	}

	var out []tckQuery
	for _, s := range all {
		if len(s.examples) == 0 {
			out = append(out, s.queries...)
			continue
		}
		for _, row := range s.examples {
			for _, q := range s.queries {
				for k, v := range row {
					q.Text = strings.ReplaceAll(q.Text, "<"+k+">", v)
				}
				out = append(out, q)
			}
		}
	}
	return out
}

func tableCells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	row = strings.TrimSuffix(row, "|")
	var cells []string
	var cur strings.Builder
	// A backslash escapes a pipe (or itself) inside a Gherkin table cell.
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && (row[i+1] == '|' || row[i+1] == '\\'):
			cur.WriteByte(row[i+1])
			i++
		case row[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// TestTCKQueries parses every query of the TCK. Queries under test that the
// scenario expects to compile must parse unless they use a write clause;
// queries expected to fail with a SyntaxError are only counted, since most
// of those codes (UndefinedVariable, ...) are the semantic checker's job.
func TestTCKQueries(t *testing.T) {
	queries := loadTCK(t)
	var ok, writes, failed, setupOK, setupTotal, synTotal, synRejected, synSameCode int
	for _, q := range queries {
		_, err := Parse(q.Text)
		var ae *ast.Error
		if err != nil && !errors.As(err, &ae) {
			t.Errorf("%s: error is %T, not *ast.Error: %v", q.Where, err, err)
			continue
		}
		switch {
		case q.Setup:
			setupTotal++
			if err == nil {
				setupOK++
			}
		case q.ErrorKind == "SyntaxError":
			synTotal++
			if err != nil {
				synRejected++
				if ae.Code == q.ErrorCode {
					synSameCode++
				}
			}
		case err == nil:
			ok++
		case ae.Code == codeUnsupported:
			writes++
		default:
			failed++
			t.Errorf("%s: query should parse:\n%s\n=> %v", q.Where, q.Text, err)
		}
	}
	t.Logf("TCK: %d/%d read-only queries under test parse (%d use write clauses, %d failed)",
		ok, ok+failed, writes, failed)
	t.Logf("TCK: %d/%d setup queries parse", setupOK, setupTotal)
	t.Logf("TCK: %d/%d queries expecting a SyntaxError are rejected by the parser (%d with the expected code)",
		synRejected, synTotal, synSameCode)
}

// parserCodes are the TCK error codes this package is responsible for; the
// others (UndefinedVariable, ...) belong to semantic analysis.
var parserCodes = map[string]bool{
	"UnexpectedSyntax":           true,
	"IntegerOverflow":            true,
	"InvalidNumberLiteral":       true,
	"FloatingPointOverflow":      true,
	"InvalidUnicodeLiteral":      true,
	"InvalidUnicodeCharacter":    true,
	"InvalidClauseComposition":   true,
	"InvalidRelationshipPattern": true,
}

// TestTCKParserErrors checks that every TCK scenario expecting a parser-level
// SyntaxError gets exactly that code from Parse.
func TestTCKParserErrors(t *testing.T) {
	n := 0
	for _, q := range loadTCK(t) {
		if q.Setup || q.ErrorKind != "SyntaxError" || !parserCodes[q.ErrorCode] {
			continue
		}
		n++
		_, err := Parse(q.Text)
		var ae *ast.Error
		if !errors.As(err, &ae) || ae.Code != q.ErrorCode {
			t.Errorf("%s: want %s, got %v\n%s", q.Where, q.ErrorCode, err, q.Text)
		}
	}
	t.Logf("TCK: %d scenarios expecting a parser-level SyntaxError checked", n)
}

package ast_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/grammar/cypher"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

// parserCodes are the compile-time errors raised by the parser, not by Check.
var parserCodes = map[string]bool{
	"UnexpectedSyntax": true, "IntegerOverflow": true, "InvalidNumberLiteral": true,
	"FloatingPointOverflow": true, "InvalidUnicodeLiteral": true, "InvalidUnicodeCharacter": true,
}

// tckQuery is one query under test of a TCK scenario (outlines expanded).
type tckQuery struct {
	Where string // file:line of the scenario
	Text  string
	When  string // "compile time", "runtime", "any time"; "" when no error is expected
	Code  string // the expected error detail
}

var raisedRe = regexp.MustCompile(`Then an? (\w+) should be raised at ([a-z ]+): (\w+)`)

// loadTCK returns every query under test of the TCK features.
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
		queries  []tckQuery
		examples []map[string]string
	}
	var all []*scenario
	var cur *scenario
	var header []string
	where := ""
	inExamples := false
	for i := 0; i < len(lines); i++ {
		trim := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(trim, "#"):
		case strings.HasPrefix(trim, "Scenario"):
			cur = &scenario{}
			where = filepath.Base(path) + ":" + strconv.Itoa(i+1)
			all = append(all, cur)
			inExamples, header = false, nil
		case cur == nil:
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
		case strings.HasSuffix(trim, "executing query:"):
			j := i + 1
			for j < len(lines) && strings.TrimSpace(lines[j]) != `"""` {
				j++
			}
			k := j + 1
			var body []string
			for ; k < len(lines) && strings.TrimSpace(lines[k]) != `"""`; k++ {
				body = append(body, lines[k])
			}
			cur.queries = append(cur.queries, tckQuery{Where: where, Text: strings.Join(body, "\n")})
			i = k
		default:
			if m := raisedRe.FindStringSubmatch(trim); m != nil {
				for q := range cur.queries {
					cur.queries[q].When, cur.queries[q].Code = m[2], m[3]
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
	row = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(row), "|"), "|")
	var cells []string
	var cur strings.Builder
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

// TestCheckTCKCompileTimeErrors runs every TCK scenario that expects a
// semantic compile-time error through Parse and Check and asserts the code.
func TestCheckTCKCompileTimeErrors(t *testing.T) {
	var total, pass, parserLevel, parserOther int
	for _, q := range loadTCK(t) {
		if q.When != "compile time" || parserCodes[q.Code] {
			continue
		}
		total++
		parsed, err := cypher.Parse(q.Text)
		if err != nil {
			var ae *ast.Error
			switch {
			case !errors.As(err, &ae):
				t.Errorf("%s: parse error %T is not *ast.Error: %v", q.Where, err, err)
			case ae.Code == q.Code:
				parserLevel++ // the builder already reports it (clause composition, ...)
				pass++
			default:
				// Rejected by the parser with another code than the TCK
				// expects: a wrong error code is a wrong answer.
				parserOther++
				t.Errorf("%s: parser reports %v, TCK wants %s", q.Where, err, q.Code)
			}
			continue
		}
		err = ast.Check(parsed, tckFuncs)
		var ae *ast.Error
		switch {
		case err == nil:
			t.Errorf("%s: no error, want %s\n%s", q.Where, q.Code, q.Text)
		case !errors.As(err, &ae):
			t.Errorf("%s: error %T is not *ast.Error: %v", q.Where, err, err)
		case ae.Code != q.Code:
			t.Errorf("%s: got %v, want %s\n%s", q.Where, err, q.Code, q.Text)
		default:
			pass++
		}
	}
	t.Logf("compile-time error scenarios: %d/%d pass (%d raised by the parser, %d rejected by the parser with another code)",
		pass, total, parserLevel, parserOther)
}

// TestCheckTCKNoFalsePositives runs every TCK query under test that must not
// fail at compile time (and that the parser accepts) through Check.
func TestCheckTCKNoFalsePositives(t *testing.T) {
	var total, unparsed int
	for _, q := range loadTCK(t) {
		if q.When == "compile time" {
			continue
		}
		parsed, err := cypher.Parse(q.Text)
		if err != nil {
			unparsed++ // write clauses and procedure calls are out of scope
			continue
		}
		total++
		if err := ast.Check(parsed, tckFuncs); err != nil {
			t.Errorf("%s: unexpected %v\n%s", q.Where, err, q.Text)
		}
	}
	t.Logf("%d queries checked without error expected (%d not parsed)", total, unparsed)
}

// stubFuncs is a FuncInfo over fixed name lists (lower case), with the
// argument types of the Cypher registry: both TCK tests then hold the
// compile-time signature checks to the TCK, the expected errors and the
// absence of false positives.
type stubFuncs struct{ scalars, aggregates map[string]bool }

func (s stubFuncs) AcceptsArg(name string, i int, typ string) (ok, declared bool) {
	return functions.Cypher().AcceptsArg(name, i, typ)
}

func (s stubFuncs) IsAggregate(name string) bool { return s.aggregates[strings.ToLower(name)] }

func (s stubFuncs) Exists(name string) bool {
	n := strings.ToLower(name)
	return s.scalars[n] || s.aggregates[n]
}

func set(names string) map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(names) {
		m[strings.ToLower(n)] = true
	}
	return m
}

// tckFuncs lists the openCypher functions the TCK uses.
var tckFuncs = stubFuncs{
	scalars: set(`abs ceil floor round sign rand sqrt exp log log10 e pi sin cos tan cot asin acos
		atan atan2 degrees radians haversin toInteger toFloat toString toBoolean toUpper toLower
		trim ltrim rtrim replace substring left right split reverse size length head last tail
		range keys labels type types id nodes relationships properties startNode endNode
		coalesce exists timestamp randomUUID
		date time localtime datetime localdatetime duration
		date.truncate time.truncate localtime.truncate localdatetime.truncate datetime.truncate
		datetime.fromepoch datetime.fromepochmillis
		duration.between duration.inMonths duration.inDays duration.inSeconds
		date.transaction date.statement date.realtime time.transaction time.statement time.realtime
		localtime.transaction localtime.statement localtime.realtime
		datetime.transaction datetime.statement datetime.realtime
		localdatetime.transaction localdatetime.statement localdatetime.realtime`),
	aggregates: set(`count sum avg min max collect stDev stDevP percentileCont percentileDisc`),
}

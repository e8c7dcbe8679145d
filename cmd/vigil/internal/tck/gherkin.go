// Package tck runs openCypher Technology Compatibility Kit feature files
// through Vigil's engine: a small Gherkin reader for the TCK's subset of the
// language, a parser and comparator for the TCK's value notation, the
// translation of setup queries (CREATE ...) into engine inserts, and the
// runner that executes each scenario against a fresh engine.
package tck

import (
	"fmt"
	"os"
	"strings"
)

// Feature is one parsed .feature file, with its scenario outlines already
// expanded into one Scenario per Examples row.
type Feature struct {
	Path       string     // file the feature was read from
	Name       string     // the text after "Feature:"
	Background []Step     // steps run before every scenario
	Scenarios  []Scenario // in file order
}

// Scenario is one runnable scenario.
type Scenario struct {
	Name  string // the scenario name, placeholders substituted
	Line  int    // 1-based line of the Scenario (or Examples row) in the file
	Steps []Step // without the background steps
}

// Step is one Given/When/Then/And/But step.
type Step struct {
	Keyword   string     // Given, When, Then, And, But or *
	Text      string     // the step text after the keyword
	Line      int        // 1-based line in the file
	DocString string     // content of a """ doc string, "" when absent
	HasDoc    bool       // whether the step has a doc string
	Table     [][]string // data table rows (cells unescaped), nil when absent
}

// ReadFeatureFile reads and parses one feature file.
func ReadFeatureFile(path string) (*Feature, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := ParseFeature(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.Path = path
	return f, nil
}

var stepKeywords = []string{"Given ", "When ", "Then ", "And ", "But ", "* "}

// outline is a scenario (outline) while it is being read.
type outline struct {
	name     string
	line     int
	isOut    bool
	steps    []Step
	examples []examplesBlock
}

type examplesBlock struct {
	header []string
	rows   [][]string
	lines  []int
}

// ParseFeature parses the text of a feature file. It supports the subset of
// Gherkin used by the openCypher TCK: Feature, Background, Scenario,
// Scenario Outline (or Template) with Examples tables, steps, doc strings
// and data tables; tags and comments are ignored.
func ParseFeature(text string) (*Feature, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	f := &Feature{}
	var (
		cur        *outline // scenario being read
		inBack     bool     // reading the background
		inExamples bool
		outlines   []*outline
	)
	lastStep := func() *Step {
		if inBack && cur == nil {
			if len(f.Background) == 0 {
				return nil
			}
			return &f.Background[len(f.Background)-1]
		}
		if cur == nil || len(cur.steps) == 0 {
			return nil
		}
		return &cur.steps[len(cur.steps)-1]
	}
	for i := 0; i < len(lines); i++ {
		raw := lines[i]
		line := strings.TrimSpace(raw)
		lineNo := i + 1
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "@"):
			continue
		case strings.HasPrefix(line, `"""`) || strings.HasPrefix(line, "```"):
			delim := line[:3]
			indent := len(raw) - len(strings.TrimLeft(raw, " \t"))
			var body []string
			closed := false
			for i++; i < len(lines); i++ {
				if strings.TrimSpace(lines[i]) == delim {
					closed = true
					break
				}
				body = append(body, stripIndent(lines[i], indent))
			}
			if !closed {
				return nil, fmt.Errorf("line %d: unterminated doc string", lineNo)
			}
			s := lastStep()
			if s == nil {
				return nil, fmt.Errorf("line %d: doc string outside a step", lineNo)
			}
			s.DocString = strings.Join(body, "\n")
			s.HasDoc = true
		case strings.HasPrefix(line, "|"):
			cells := splitRow(line)
			if inExamples {
				ex := &cur.examples[len(cur.examples)-1]
				if ex.header == nil {
					ex.header = cells
				} else {
					ex.rows = append(ex.rows, cells)
					ex.lines = append(ex.lines, lineNo)
				}
				continue
			}
			s := lastStep()
			if s == nil {
				return nil, fmt.Errorf("line %d: table outside a step", lineNo)
			}
			s.Table = append(s.Table, cells)
		case strings.HasPrefix(line, "Feature:"):
			f.Name = strings.TrimSpace(strings.TrimPrefix(line, "Feature:"))
		case strings.HasPrefix(line, "Background:"):
			inBack, cur, inExamples = true, nil, false
		case strings.HasPrefix(line, "Scenario Outline:") || strings.HasPrefix(line, "Scenario Template:"):
			name := strings.TrimSpace(line[strings.Index(line, ":")+1:])
			cur = &outline{name: name, line: lineNo, isOut: true}
			outlines = append(outlines, cur)
			inBack, inExamples = false, false
		case strings.HasPrefix(line, "Scenario:") || strings.HasPrefix(line, "Example:"):
			name := strings.TrimSpace(line[strings.Index(line, ":")+1:])
			cur = &outline{name: name, line: lineNo}
			outlines = append(outlines, cur)
			inBack, inExamples = false, false
		case strings.HasPrefix(line, "Examples:") || strings.HasPrefix(line, "Scenarios:"):
			if cur == nil || !cur.isOut {
				return nil, fmt.Errorf("line %d: Examples outside a scenario outline", lineNo)
			}
			cur.examples = append(cur.examples, examplesBlock{})
			inExamples = true
		default:
			kw := ""
			for _, k := range stepKeywords {
				if strings.HasPrefix(line, k) || line == strings.TrimSpace(k) {
					kw = strings.TrimSpace(k)
					break
				}
			}
			if kw == "" {
				if cur == nil && !inBack {
					continue // free-form feature description
				}
				return nil, fmt.Errorf("line %d: unexpected %q", lineNo, line)
			}
			st := Step{Keyword: kw, Text: strings.TrimSpace(line[len(kw):]), Line: lineNo}
			switch {
			case cur != nil:
				if inExamples {
					return nil, fmt.Errorf("line %d: step after Examples", lineNo)
				}
				cur.steps = append(cur.steps, st)
			case inBack:
				f.Background = append(f.Background, st)
			default:
				return nil, fmt.Errorf("line %d: step outside a scenario", lineNo)
			}
		}
	}
	for _, o := range outlines {
		if !o.isOut {
			f.Scenarios = append(f.Scenarios, Scenario{Name: o.name, Line: o.line, Steps: o.steps})
			continue
		}
		seen := map[string]int{}
		n := 0
		for _, ex := range o.examples {
			for ri, row := range ex.rows {
				n++
				sub := map[string]string{}
				for ci, h := range ex.header {
					if ci < len(row) {
						sub[h] = row[ci]
					}
				}
				name := substitute(o.name, sub)
				seen[name]++
				if seen[name] > 1 || !strings.Contains(o.name, "<") {
					name = fmt.Sprintf("%s (example %d)", name, n)
				}
				steps := make([]Step, len(o.steps))
				for si, s := range o.steps {
					s.Text = substitute(s.Text, sub)
					s.DocString = substitute(s.DocString, sub)
					if s.Table != nil {
						t := make([][]string, len(s.Table))
						for r, cells := range s.Table {
							t[r] = make([]string, len(cells))
							for c, cell := range cells {
								t[r][c] = substitute(cell, sub)
							}
						}
						s.Table = t
					}
					steps[si] = s
				}
				f.Scenarios = append(f.Scenarios, Scenario{Name: name, Line: ex.lines[ri], Steps: steps})
			}
		}
	}
	return f, nil
}

// substitute replaces every <name> placeholder by its example value.
func substitute(s string, sub map[string]string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	for k, v := range sub {
		s = strings.ReplaceAll(s, "<"+k+">", v)
	}
	return s
}

// stripIndent removes up to indent leading whitespace characters.
func stripIndent(s string, indent int) string {
	i := 0
	for i < len(s) && i < indent && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return s[i:]
}

// splitRow splits a table row "| a | b |" into unescaped, trimmed cells.
// Within a cell, \| is a vertical bar, \\ a backslash and \n a newline; any
// other backslash is kept as is.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	var cells []string
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			switch line[i+1] {
			case '|':
				b.WriteByte('|')
				i++
			case '\\':
				b.WriteByte('\\')
				i++
			case 'n':
				b.WriteByte('\n')
				i++
			default:
				b.WriteByte(c)
			}
		case c == '|':
			cells = append(cells, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	if rest := strings.TrimSpace(b.String()); rest != "" {
		cells = append(cells, rest) // row without a closing bar
	}
	return cells
}

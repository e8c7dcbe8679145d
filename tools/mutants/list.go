package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
)

// defaultLimit is a mutant's time limit when its entry gives none: the
// issue's "fails within a minute".
const defaultLimit = 60 * time.Second

// Mutant is one deliberate bug of the list.
type Mutant struct {
	Name     string
	Line     int      // where its entry starts in the list
	File     string   // slash path from the repository root
	Pkgs     []string // the packages `go test` runs
	Run      string   // the -run pattern
	Args     []string // extra `go test` arguments (rare)
	Limit    time.Duration
	Area     string // index, joins, stages, aggregates, temporal, isolation, ...
	Bug      string // what the mutant breaks, in a sentence
	Gap      string // a known test gap: why it may survive today (reported, still a failure)
	Original string // exact text that must occur exactly once in File
	Mutated  string // what replaces it

	hasMutated bool // the entry has a --- mutant section (it may be empty)
}

// testArgs is the `go test` command line of the mutant (without "go").
func (m *Mutant) testArgs(extra ...string) []string {
	args := append([]string{"test"}, extra...)
	args = append(args, "-count=1", "-run", m.Run)
	args = append(args, m.Args...)
	return append(args, m.Pkgs...)
}

// Command is the command a developer runs to see the mutant's tests.
func (m *Mutant) Command() string {
	parts := []string{"go"}
	for _, a := range m.testArgs() {
		if a == "" || strings.ContainsAny(a, " |*?[]()$^\\'\"&;<>") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// testKey identifies the test command, for the baseline runs.
func (m *Mutant) testKey() string { return strings.Join(m.testArgs(), "\x00") }

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// ReadList reads a mutant list file (see parseList for the format).
func ReadList(path string) ([]*Mutant, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ms, err := parseList(f)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	return ms, nil
}

// parseList parses the list format:
//
//	# a comment (only outside the code sections)
//	=== name-of-the-mutant
//	file: engine/index.go
//	pkg: ./engine/
//	run: ^TestDifferentialAgainstOracle$
//	limit: 60s
//	area: index
//	bug: deleteNode keeps the node under its labels
//	gap: (optional) the test gap that lets it survive today
//	--- original
//	<lines copied verbatim from the file, tabs and all>
//	--- mutant
//	<the lines that replace them; none deletes them>
//
// A code section runs to the next line starting with "--- " or "=== "
// (which Go source never has at column 0); its trailing blank lines are
// dropped, and its text has no final newline, so that it can also be a
// fragment of one line.
func parseList(r io.Reader) ([]*Mutant, error) {
	var (
		out     []*Mutant
		cur     *Mutant
		section string // "", "original" or "mutant"
		code    []string
		lineNo  int
		seen    = map[string]int{}
	)
	closeSection := func() {
		for len(code) > 0 && strings.TrimSpace(code[len(code)-1]) == "" {
			code = code[:len(code)-1]
		}
		text := strings.Join(code, "\n")
		switch section {
		case "original":
			cur.Original = text
		case "mutant":
			cur.Mutated = text
		}
		code, section = nil, ""
	}
	finish := func() error {
		if cur == nil {
			return nil
		}
		closeSection()
		if err := cur.validate(); err != nil {
			return fmt.Errorf("%d: mutant %s: %w", cur.Line, cur.Name, err)
		}
		out = append(out, cur)
		return nil
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		lineNo++
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "=== "):
			if err := finish(); err != nil {
				return nil, err
			}
			name := strings.TrimSpace(line[4:])
			if !nameRE.MatchString(name) {
				return nil, fmt.Errorf("%d: mutant name %q: use lower case letters, digits and dashes", lineNo, name)
			}
			if at, dup := seen[name]; dup {
				return nil, fmt.Errorf("%d: mutant %s is already defined at line %d", lineNo, name, at)
			}
			seen[name] = lineNo
			cur = &Mutant{Name: name, Line: lineNo, Limit: defaultLimit}
			continue
		case strings.HasPrefix(line, "--- "):
			if cur == nil {
				return nil, fmt.Errorf("%d: %q before the first === line", lineNo, line)
			}
			closeSection()
			switch s := strings.TrimSpace(line[4:]); s {
			case "original":
				if cur.Original != "" {
					return nil, fmt.Errorf("%d: mutant %s: a second original section", lineNo, cur.Name)
				}
				section = s
			case "mutant":
				if cur.hasMutated {
					return nil, fmt.Errorf("%d: mutant %s: a second mutant section", lineNo, cur.Name)
				}
				cur.hasMutated = true
				section = s
			default:
				return nil, fmt.Errorf("%d: unknown section %q (want --- original or --- mutant)", lineNo, s)
			}
			continue
		}
		if section != "" {
			code = append(code, line)
			continue
		}
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("%d: %q before the first === line", lineNo, line)
		}
		key, val, ok := strings.Cut(t, ":")
		if !ok {
			return nil, fmt.Errorf("%d: want key: value, got %q", lineNo, line)
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "file":
			cur.File = val
		case "pkg", "pkgs":
			cur.Pkgs = strings.Fields(val)
		case "run":
			cur.Run = val
		case "args":
			cur.Args = strings.Fields(val)
		case "limit":
			d, err := time.ParseDuration(val)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("%d: limit %q: want a positive duration such as 60s", lineNo, val)
			}
			cur.Limit = d
		case "area":
			cur.Area = val
		case "bug":
			cur.Bug = val
		case "gap":
			cur.Gap = val
		default:
			return nil, fmt.Errorf("%d: unknown key %q (file, pkg, run, args, limit, area, bug, gap)", lineNo, key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := finish(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%d: no mutants", lineNo)
	}
	return out, nil
}

func (m *Mutant) validate() error {
	switch {
	case m.File == "":
		return fmt.Errorf("no file:")
	case strings.HasPrefix(m.File, "/") || strings.Contains("/"+m.File+"/", "/../"):
		return fmt.Errorf("file %q must be a path inside the repository", m.File)
	case len(m.Pkgs) == 0:
		return fmt.Errorf("no pkg:")
	case m.Run == "":
		return fmt.Errorf("no run: (a -run pattern keeps the test command narrow)")
	case m.Original == "":
		return fmt.Errorf("no --- original section")
	case !m.hasMutated:
		return fmt.Errorf("no --- mutant section (an empty one deletes the original)")
	case m.Original == m.Mutated:
		return fmt.Errorf("the mutant is the original")
	}
	if _, err := regexp.Compile(m.Run); err != nil {
		// go test splits the pattern on unbracketed slashes; each part
		// must still be a regexp.
		for _, p := range strings.Split(m.Run, "/") {
			if _, err := regexp.Compile(p); err != nil {
				return fmt.Errorf("run: %v", err)
			}
		}
	}
	for _, p := range m.Pkgs {
		if !strings.HasPrefix(p, "./") {
			return fmt.Errorf("pkg %q: give packages as ./dir/ paths", p)
		}
	}
	return nil
}

// Apply returns src with the mutant applied, or an error saying why the
// mutant is stale: its original text occurs in src not exactly once.
func (m *Mutant) Apply(src string) (string, error) {
	switch n := strings.Count(src, m.Original); n {
	case 1:
		return strings.Replace(src, m.Original, m.Mutated, 1), nil
	case 0:
		return "", fmt.Errorf("stale: its original text is not in %s (was the code changed? update the mutant at line %d of the list)", m.File, m.Line)
	default:
		return "", fmt.Errorf("stale: its original text occurs %d times in %s (add context lines to make it unique)", n, m.File)
	}
}

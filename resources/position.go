package resources

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Positions in this package are 1-based lines and 1-based columns counted
// in characters, as yaml.Node reports them, so that a position computed
// from the raw bytes and one read off a node agree. The leading byte-order
// mark, which the YAML reader drops before counting, is skipped for the
// same reason.

var bom = []byte("\ufeff")

// lineStart returns the byte offset of line (1-based) in data, or -1.
func lineStart(data []byte, line int) int {
	off := 0
	if bytes.HasPrefix(data, bom) {
		off = len(bom)
	}
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	return off
}

// offsetOf returns the byte offset of a line and column, or -1.
func offsetOf(data []byte, line, col int) int {
	off := lineStart(data, line)
	if off < 0 {
		return -1
	}
	for c := 1; c < col; c++ {
		if off >= len(data) || data[off] == '\n' {
			return -1
		}
		_, w := utf8.DecodeRune(data[off:])
		off += w
	}
	return off
}

// positionOf returns the line and column of a byte offset.
func positionOf(data []byte, off int) (line, col int) {
	start := 0
	if bytes.HasPrefix(data, bom) {
		start = len(bom)
	}
	off = max(off, start)
	line = 1 + bytes.Count(data[start:off], []byte("\n"))
	if i := bytes.LastIndexByte(data[:off], '\n'); i >= 0 {
		start = i + 1
	}
	return line, 1 + utf8.RuneCount(data[start:off])
}

// decodeAll decodes every document of data and returns the first error.
func decodeAll(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// syntaxErrorAt finds where a YAML syntax error really is, as a byte
// offset into data.
//
// The line in a yaml.v3 syntax error cannot be trusted: when the parser
// failed inside a block ("while parsing a block mapping") the message
// names the line where that block began, not the offending token, and for
// parser errors it prints the 0-based line as if it were 1-based. That is
// how an indentation mistake on line 8 came out as "line 4" (the 0-based
// line of the enclosing spec mapping). The marks that hold the true
// position are not exported, and errors such as an unknown anchor carry no
// position at all.
//
// The parser reads its input as a stream and fails as soon as it meets the
// offending character, so a prefix of data that reaches that character
// fails with exactly the same message (which names the same enclosing
// block) while a shorter prefix either parses or fails differently. The
// shortest failing prefix therefore ends on the offending character; it is
// found by bisection, at a cost of a few re-parses on the error path only.
func syntaxErrorAt(data []byte, err error) (int, bool) {
	want := err.Error()
	if e := decodeAll(data); e == nil || e.Error() != want {
		return 0, false
	}
	lo, hi := 0, len(data) // the prefix of length hi fails as data does; lo's does not
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if e := decodeAll(data[:mid]); e != nil && e.Error() == want {
			hi = mid
		} else {
			lo = mid
		}
	}
	return tokenStart(data, hi-1), true
}

// tokenStart moves from the character the parser failed on to the place a
// reader should look at.
func tokenStart(data []byte, off int) int {
	for off > 0 && !utf8.RuneStart(data[off]) {
		off-- // the prefix had to hold the whole character
	}
	ls := bytes.LastIndexByte(data[:off], '\n') + 1
	switch c := data[off]; {
	case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		return off
	case c == ':':
		// "mapping values are not allowed in this context" on the first
		// key of a line means that line continues the plain scalar above
		// it: it is indented more than its siblings. The mistake is the
		// indentation, so point at the line's first character, not at the
		// colon.
		head := strings.TrimLeft(string(data[ls:off]), " \t")
		if head != "" && !strings.Contains(head, ": ") && !strings.HasPrefix(head, "- ") &&
			!strings.ContainsAny(head, "{}[],#\"'") {
			return off - len(head)
		}
		return off
	}
	// An unknown alias shows only once its whole name has been read:
	// point at its *, not at its last letter.
	start := off
	for start > ls && !strings.ContainsRune(" \t,[]{}", rune(data[start-1])) {
		start--
	}
	if data[start] == '*' {
		return start
	}
	return off
}

// unclosed finds the bracket a flow collection that was never closed
// opened with: the parser only notices at the next token it cannot use
// (often the end of the input), but the bracket is what needs fixing.
// Brackets inside quoted scalars are not told apart; when the count does
// not work out, the parser's own position stands.
func unclosed(data []byte, off int, open, close byte) (int, bool) {
	depth := 0
	for i := off; i >= 0; i-- {
		switch data[i] {
		case close:
			depth++
		case open:
			if depth == 0 {
				return i, true
			}
			depth--
		}
	}
	return off, false
}

// yamlLineRE matches the position yaml.v3 puts in its messages.
var yamlLineRE = regexp.MustCompile(`^line (\d+): `)

// indentationProblem reports whether the YAML problem msg, found at off,
// almost certainly means that its line is indented wrongly: these messages
// name the grammar's expectation, which says little to someone who only
// mistyped the indentation.
func indentationProblem(data []byte, off int, msg string) bool {
	ls := bytes.LastIndexByte(data[:off], '\n') + 1
	if strings.Trim(string(data[ls:off]), " ") != "" {
		return false // not at the start of the line
	}
	switch msg {
	case "did not find expected key", "did not find expected '-' indicator",
		"mapping values are not allowed in this context", "found a tab character that violates indentation":
		return true
	case "found character that cannot start any token":
		return data[off] == '\t'
	}
	return false
}

// syntaxError turns a YAML syntax error into an *Error at the offending
// character of the file.
func syntaxError(file string, data []byte, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	yamlLine := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		yamlLine, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	off, ok := syntaxErrorAt(data, err)
	if !ok {
		// Not reproducible from data alone (should not happen): the
		// parser's own line is better than none.
		return &Error{File: file, Line: yamlLine, Reason: "invalid YAML: " + msg}
	}
	for _, b := range [][2]byte{{'[', ']'}, {'{', '}'}} {
		if msg == "did not find expected ',' or '"+string(b[1])+"'" {
			if i, ok := unclosed(data, off, b[0], b[1]); ok {
				off = i
				msg += " to close the " + string(b[0]) + " here"
			}
		}
	}
	line, col := positionOf(data, off)
	if indentationProblem(data, off, msg) {
		msg += " (check the indentation of this line)"
	}
	return &Error{File: file, Line: line, Col: col, Reason: "invalid YAML: " + msg}
}

// textSpan is a run of a scalar's value that is spelled character for
// character on one line of the file.
type textSpan struct {
	off, n    int // rune offset in the value, and length in runes
	line, col int // file position of the first rune
}

// noRune is what an escaped line break in a double-quoted scalar produces.
const noRune = -1

// sourceRune decodes the character at data[i] as the scalar's style spells
// it: in a double-quoted scalar an escape sequence is one character.
func sourceRune(data []byte, i int, style yaml.Style) (rune, int) {
	if style == yaml.DoubleQuotedStyle && data[i] == '\\' && i+1 < len(data) {
		hex := func(n int) (rune, int) {
			if i+2+n > len(data) {
				return utf8.RuneError, 2
			}
			v, err := strconv.ParseUint(string(data[i+2:i+2+n]), 16, 32)
			if err != nil {
				return utf8.RuneError, 2
			}
			return rune(v), 2 + n
		}
		switch e := data[i+1]; e {
		case 'x':
			return hex(2)
		case 'u':
			return hex(4)
		case 'U':
			return hex(8)
		case '\n':
			return noRune, 2
		case '\r':
			if i+2 < len(data) && data[i+2] == '\n' {
				return noRune, 3
			}
			return noRune, 2
		default:
			if r, ok := yamlEscapes[e]; ok {
				return r, 2
			}
		}
	}
	return utf8.DecodeRune(data[i:])
}

var yamlEscapes = map[byte]rune{
	'0': 0, 'a': '\a', 'b': '\b', 't': '\t', '\t': '\t', 'n': '\n', 'v': '\v', 'f': '\f',
	'r': '\r', 'e': 0x1b, ' ': ' ', '"': '"', '/': '/', '\\': '\\', 'N': 0x85, '_': 0xa0,
	'L': 0x2028, 'P': 0x2029,
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// mapScalar finds where each character of a scalar's value is written in
// data, so that a position inside the value (a query parser's line and
// column) can be reported as a position in the file. The value differs
// from its source by indentation, folded line breaks, quote doubling and
// escapes; walking both side by side and skipping only such differences
// keeps them aligned. Line breaks and other whitespace the value does not
// share with the source are left unmapped: errors point at tokens.
func mapScalar(data []byte, n *yaml.Node) []textSpan {
	start := offsetOf(data, n.Line, n.Column)
	if start < 0 {
		return nil
	}
	// A tag or an anchor (query: !!str |) comes first: skip it.
	for start < len(data) && (data[start] == '!' || data[start] == '&') {
		for start < len(data) && !isSpace(rune(data[start])) {
			start++
		}
		for start < len(data) && (data[start] == ' ' || data[start] == '\t') {
			start++
		}
	}
	block := n.Style == yaml.LiteralStyle || n.Style == yaml.FoldedStyle
	indent := 0
	switch {
	case block:
		// The node's position is the | or > header, which may carry
		// indicators and a comment: the content starts on the next line.
		i := bytes.IndexByte(data[start:], '\n')
		if i < 0 {
			return nil
		}
		start += i + 1
		for _, l := range strings.Split(string(data[start:]), "\n") {
			if t := strings.TrimLeft(l, " "); strings.TrimSpace(t) != "" {
				indent = len(l) - len(t)
				break
			}
		}
	case n.Style == yaml.DoubleQuotedStyle || n.Style == yaml.SingleQuotedStyle:
		start++
	}
	var hits [][2]int // rune offset in the value, byte offset in data
	si, k := start, 0
	afterBreak := block
	for _, t := range n.Value {
		for si < len(data) {
			if afterBreak {
				// Block indentation is not part of the value; a space
				// of the value that is more indented comes after it.
				for j := 0; j < indent && si < len(data) && data[si] == ' '; j++ {
					si++
				}
				afterBreak = false
				continue
			}
			r, w := sourceRune(data, si, n.Style)
			if r == t {
				if t != '\n' && t != '\r' {
					hits = append(hits, [2]int{k, si})
				}
				si += w
				afterBreak = block && r == '\n'
				break
			}
			if isSpace(t) {
				break // a folded line break: the source spells it otherwise
			}
			if !isSpace(r) && r != noRune && !(n.Style == yaml.SingleQuotedStyle && r == '\'') {
				return spansOf(data, hits)
			}
			si += w
			afterBreak = block && r == '\n'
		}
		k++
	}
	return spansOf(data, hits)
}

// spansOf turns increasing (value offset, byte offset) pairs into runs.
func spansOf(data []byte, hits [][2]int) []textSpan {
	var out []textSpan
	line, col, at := 1, 1, 0
	if bytes.HasPrefix(data, bom) {
		at = len(bom)
	}
	for _, h := range hits {
		for at < h[1] {
			if data[at] == '\n' {
				line, col = line+1, 1
				at++
				continue
			}
			_, w := utf8.DecodeRune(data[at:])
			at += w
			col++
		}
		if i := len(out) - 1; i >= 0 && out[i].off+out[i].n == h[0] && out[i].line == line && out[i].col+out[i].n == col {
			out[i].n++
			continue
		}
		out = append(out, textSpan{off: h[0], n: 1, line: line, col: col})
	}
	return out
}

// filePos maps a 1-based line and column of value (lines split at \n,
// columns in characters, as the query parsers count) to the file.
func filePos(spans []textSpan, value string, line, col int) (int, int, bool) {
	if len(spans) == 0 {
		return 0, 0, false
	}
	// The rune offset of line:col in value.
	k, l, c := 0, 1, 1
	for _, r := range value {
		if l > line || l == line && c >= col {
			break
		}
		if r == '\n' {
			if l == line {
				break // col is past the end of the line
			}
			l, c = l+1, 1
		} else {
			c++
		}
		k++
	}
	i := sort.Search(len(spans), func(i int) bool { return spans[i].off > k }) - 1
	switch {
	case i < 0:
		return spans[0].line, spans[0].col, true
	case k < spans[i].off+spans[i].n:
		return spans[i].line, spans[i].col + k - spans[i].off, true
	case i+1 < len(spans):
		// Whitespace the file spells otherwise: the next token.
		return spans[i+1].line, spans[i+1].col, true
	}
	// Past the last token (the parser's end of input): just after it.
	last := spans[len(spans)-1]
	return last.line, last.col + last.n, true
}

package antlrparse

import (
	"strconv"
	"strings"
	"unicode/utf16"
)

// Unquote strips the quotes of a string literal token and resolves its
// escapes. With doubledQuotes (GQL), a doubled quote character stands for
// one. The lexers accept a backslash before any character; only here is
// enough known to report a malformed \u escape precisely: problem is then
// "invalid unicode escape" or "unpaired surrogate", else "".
func Unquote(text string, doubledQuotes bool) (s, problem string) {
	raw := []rune(text)
	quote := raw[0]
	raw = raw[1 : len(raw)-1]
	var sb strings.Builder
	for i := 0; i < len(raw); i++ {
		r := raw[i]
		if doubledQuotes && r == quote && i+1 < len(raw) && raw[i+1] == quote {
			sb.WriteRune(r)
			i++
			continue
		}
		if r != '\\' || i+1 >= len(raw) {
			sb.WriteRune(r)
			continue
		}
		i++
		switch raw[i] {
		case '\\', '\'', '"':
			sb.WriteRune(raw[i])
		case 'b', 'B':
			sb.WriteByte('\b')
		case 'f', 'F':
			sb.WriteByte('\f')
		case 'n', 'N':
			sb.WriteByte('\n')
		case 'r', 'R':
			sb.WriteByte('\r')
		case 't', 'T':
			sb.WriteByte('\t')
		case 'u', 'U':
			cp, n, ok := hexRun(raw[i+1:], raw[i] == 'U')
			if !ok {
				return "", "invalid unicode escape"
			}
			i += n
			if utf16.IsSurrogate(cp) {
				// Java-style surrogate pairs (\uD83D\uDE00) are how many
				// clients escape characters outside the BMP.
				lo, m, ok := rune(0), 0, false
				if i+2 < len(raw) && raw[i+1] == '\\' && (raw[i+2] == 'u' || raw[i+2] == 'U') {
					lo, m, ok = hexRun(raw[i+3:], false)
				}
				pair := utf16.DecodeRune(cp, lo)
				if !ok || pair == '\uFFFD' {
					return "", "unpaired surrogate"
				}
				cp = pair
				i += 2 + m
			}
			sb.WriteRune(cp)
		default:
			// Unknown escapes are kept verbatim rather than rejected, as
			// Neo4j does, so that regex escapes like '\d' survive.
			sb.WriteRune('\\')
			sb.WriteRune(raw[i])
		}
	}
	return sb.String(), ""
}

// hexRun reads the hex digits of a \u (4) or \U (8, or 4 if only 4 follow)
// escape, returning the code point and how many runes it used.
func hexRun(rs []rune, allowEight bool) (rune, int, bool) {
	isHex := func(n int) bool {
		if len(rs) < n {
			return false
		}
		for _, r := range rs[:n] {
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
		return true
	}
	n := 0
	switch {
	case allowEight && isHex(8):
		n = 8
	case isHex(4):
		n = 4
	default:
		return 0, 0, false
	}
	v, err := strconv.ParseUint(string(rs[:n]), 16, 32)
	if err != nil || v > 0x10FFFF {
		return 0, 0, false
	}
	return rune(v), n, true
}

package functions

import (
	"regexp"
	"sync/atomic"

	"github.com/vigilhq/vigil/engine/value"
)

// CompileRegex compiles a Cypher regular expression with =~'s whole-string
// semantics. Patterns use Go's RE2 syntax, which is Java's minus
// backreferences and lookaround; an invalid pattern is an ArgumentError.
func CompileRegex(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, ArgErr(CodeInvalidArgumentValue, "invalid regular expression %q: %v", pattern, err)
	}
	return re, nil
}

// RegexMatch is =~ without caching: null unless both sides are strings.
// Expression compilers should prefer NewRegexMatcher, which reuses the
// compiled pattern.
func RegexMatch(s, pattern value.Value) (value.Value, error) {
	if s.Kind() != value.KindString || pattern.Kind() != value.KindString {
		return value.Null, nil
	}
	re, err := CompileRegex(pattern.AsString())
	if err != nil {
		return value.Null, err
	}
	return value.Bool(re.MatchString(s.AsString())), nil
}

type compiledRegex struct {
	pattern string
	re      *regexp.Regexp
}

// NewRegexMatcher returns an =~ implementation for one occurrence of the
// operator in a query. It remembers the last pattern compiled, which makes a
// literal or parameter pattern compile once; the cache belongs to the call
// site rather than the package so there is no global state to bound or
// lock. The returned function is safe for concurrent use.
func NewRegexMatcher() func(s, pattern value.Value) (value.Value, error) {
	var last atomic.Pointer[compiledRegex]
	return func(s, pattern value.Value) (value.Value, error) {
		if s.Kind() != value.KindString || pattern.Kind() != value.KindString {
			return value.Null, nil
		}
		p := pattern.AsString()
		c := last.Load()
		if c == nil || c.pattern != p {
			re, err := CompileRegex(p)
			if err != nil {
				return value.Null, err
			}
			c = &compiledRegex{pattern: p, re: re}
			last.Store(c)
		}
		return value.Bool(c.re.MatchString(s.AsString())), nil
	}
}

package resources

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Props reads typed values out of a `spec.properties` map, so that every
// source and reaction reports a bad property the same way: by its name.
// The first error is kept; check Err after reading.
type Props struct {
	m   map[string]any
	err error
}

// NewProps wraps a properties map (nil is an empty map).
func NewProps(m map[string]any) *Props { return &Props{m: m} }

// Err is the first error met while reading.
func (p *Props) Err() error { return p.err }

func (p *Props) fail(key string, format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("property %s: %s", key, fmt.Sprintf(format, args...))
	}
}

// String returns a string property; values of the form `env:NAME` are read
// from the environment, so that secrets need not sit in resource files.
func (p *Props) String(key, def string) string {
	v, ok := p.m[key]
	if !ok || v == nil {
		return def
	}
	s, ok := v.(string)
	if !ok {
		s = fmt.Sprint(v)
	}
	if name, ok := strings.CutPrefix(s, "env:"); ok {
		return os.Getenv(name)
	}
	return s
}

// Int returns an integer property.
func (p *Props) Int(key string, def int) int {
	v, ok := p.m[key]
	if !ok || v == nil {
		return def
	}
	switch t := v.(type) {
	case int:
		return t
	case int64:
		return int(t)
	case float64:
		if t == float64(int(t)) {
			return int(t)
		}
	case string:
		if n, err := strconv.Atoi(t); err == nil {
			return n
		}
	}
	p.fail(key, "want an integer, got %v", v)
	return def
}

// Bool returns a boolean property.
func (p *Props) Bool(key string, def bool) bool {
	v, ok := p.m[key]
	if !ok || v == nil {
		return def
	}
	switch t := v.(type) {
	case bool:
		return t
	case string:
		if b, err := strconv.ParseBool(t); err == nil {
			return b
		}
	}
	p.fail(key, "want true or false, got %v", v)
	return def
}

// Duration returns a duration property: a Go duration string ("250ms",
// "5s") or a number of milliseconds.
func (p *Props) Duration(key string, def time.Duration) time.Duration {
	v, ok := p.m[key]
	if !ok || v == nil {
		return def
	}
	switch t := v.(type) {
	case int:
		return time.Duration(t) * time.Millisecond
	case int64:
		return time.Duration(t) * time.Millisecond
	case float64:
		return time.Duration(t * float64(time.Millisecond))
	case string:
		if d, err := time.ParseDuration(t); err == nil {
			return d
		}
	}
	p.fail(key, "want a duration such as 250ms or 5s, got %v", v)
	return def
}

// StringMap returns a map of strings (e.g. extra HTTP headers).
func (p *Props) StringMap(key string) map[string]string {
	v, ok := p.m[key]
	if !ok || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(key, "want a mapping")
		return nil
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		s := fmt.Sprint(x)
		if name, ok := strings.CutPrefix(s, "env:"); ok {
			s = os.Getenv(name)
		}
		out[k] = s
	}
	return out
}

package value

import "strings"

// An element's identity is its source plus the id the source gave it: two
// sources may both hold an "a1", and neither may overwrite the other's.
// The engine keys its index by the qualified id, source + IDSeparator + id;
// elements without a source (the engine API used directly, tests) keep
// their bare id. Resource names cannot contain the separator (nor ':'), so
// the first separator always ends the source name.

// IDSeparator separates the source from the source's id in a qualified
// element id. It is the ASCII unit separator, which no resource name and
// no sensible id contains.
const IDSeparator = '\x1f'

// QualifyID returns the identity of element id of source in the index.
func QualifyID(source, id string) string {
	if source == "" {
		return id
	}
	return source + string(IDSeparator) + id
}

// SourceOfID returns the source a qualified id names, or "" for an element
// without a source (a bare id, or a synthetic join relation, whose id is
// built from qualified ids but which belongs to no source).
func SourceOfID(id string) string {
	i := strings.IndexByte(id, IDSeparator)
	if i < 0 || strings.IndexByte(id[:i], ':') >= 0 {
		return ""
	}
	return id[:i]
}

// ExternalID returns the id as its source gave it: the qualified id without
// its source. A synthetic relation's id ("join:TYPE:FROM:TO") loses the
// sources of both ends. Ids without a source come back unchanged, without
// allocating.
func ExternalID(id string) string {
	i := strings.IndexByte(id, IDSeparator)
	if i < 0 {
		return id
	}
	if strings.IndexByte(id[:i], ':') < 0 {
		return id[i+1:]
	}
	// A synthetic id: drop the source before each separator, back to the
	// ':' that starts its part.
	var b strings.Builder
	b.Grow(len(id))
	for {
		i := strings.IndexByte(id, IDSeparator)
		if i < 0 {
			b.WriteString(id)
			return b.String()
		}
		start := strings.LastIndexByte(id[:i], ':') + 1
		b.WriteString(id[:start])
		id = id[i+1:]
	}
}

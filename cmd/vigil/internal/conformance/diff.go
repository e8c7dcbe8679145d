package conformance

import (
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

// Combine nets a sequence of diffs of one query, in the order they were
// emitted, into the single diff of the whole sequence: each row as it stood
// before the first against how it stands after the last. Rows are
// identified by value equality: a row added and then updated is one added
// row with its final values; added then deleted is nothing; an update
// followed by an update of its after-row is one update (nothing if it comes
// back to its before); a row deleted and then added again unchanged is
// nothing. The QueryID of the result is that of the first diff.
func Combine(diffs ...engine.Diff) engine.Diff {
	var acc engine.Diff
	for i, d := range diffs {
		if i == 0 {
			acc.QueryID = d.QueryID
		}
		acc = combine2(acc, d)
	}
	return acc
}

// combine2 nets d, which follows acc, into acc. Entries of d net only
// against entries of acc, never against each other: one diff is already net.
func combine2(acc, d engine.Diff) engine.Diff {
	added := append([]engine.Row(nil), acc.Added...)
	updated := append([]engine.Update(nil), acc.Updated...)
	deleted := append([]engine.Row(nil), acc.Deleted...)
	var newAdded, newDeleted []engine.Row
	var newUpdated []engine.Update
	for _, r := range d.Deleted {
		if i := indexRow(added, r); i >= 0 {
			added = removeRow(added, i)
		} else if i := indexAfter(updated, r); i >= 0 {
			newDeleted = append(newDeleted, updated[i].Before)
			updated = removeUpdate(updated, i)
		} else {
			newDeleted = append(newDeleted, r)
		}
	}
	for _, u := range d.Updated {
		if i := indexRow(added, u.Before); i >= 0 {
			added = removeRow(added, i)
			newAdded = append(newAdded, u.After)
		} else if i := indexAfter(updated, u.Before); i >= 0 {
			before := updated[i].Before
			updated = removeUpdate(updated, i)
			if !sameRow(before, u.After) {
				newUpdated = append(newUpdated, engine.Update{Before: before, After: u.After})
			}
		} else {
			newUpdated = append(newUpdated, u)
		}
	}
	for _, r := range d.Added {
		if i := indexRow(deleted, r); i >= 0 {
			deleted = removeRow(deleted, i)
		} else {
			newAdded = append(newAdded, r)
		}
	}
	return engine.Diff{
		QueryID: acc.QueryID,
		Added:   append(added, newAdded...),
		Updated: append(updated, newUpdated...),
		Deleted: append(deleted, newDeleted...),
	}
}

// sameRow reports whether two engine rows hold the same values (of the same
// kinds) column by column.
func sameRow(a, b engine.Row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind() != b[i].Kind() || !value.Equivalent(a[i], b[i]) {
			return false
		}
	}
	return true
}

func indexRow(rows []engine.Row, r engine.Row) int {
	for i, x := range rows {
		if sameRow(x, r) {
			return i
		}
	}
	return -1
}

func indexAfter(us []engine.Update, r engine.Row) int {
	for i, u := range us {
		if sameRow(u.After, r) {
			return i
		}
	}
	return -1
}

func removeRow(rows []engine.Row, i int) []engine.Row {
	return append(rows[:i:i], rows[i+1:]...)
}

func removeUpdate(us []engine.Update, i int) []engine.Update {
	return append(us[:i:i], us[i+1:]...)
}

// rowMatches reports whether an actual row (values in column order) matches
// an expected row (column -> value).
func rowMatches(exp ExpectedRow, act engine.Row, columns []string) bool {
	if len(act) != len(columns) {
		return false
	}
	return mapsMatch(exp, act.Map(columns))
}

// multisetMatch reports whether there is a one-to-one pairing of the n
// expected and m actual items under match (a bipartite matching, so that
// float tolerance cannot mislead a greedy pairing).
func multisetMatch(n, m int, match func(i, j int) bool) bool {
	if n != m {
		return false
	}
	owner := make([]int, m) // actual j -> expected i, or -1
	for j := range owner {
		owner[j] = -1
	}
	var try func(i int, seen []bool) bool
	try = func(i int, seen []bool) bool {
		for j := 0; j < m; j++ {
			if seen[j] || !match(i, j) {
				continue
			}
			seen[j] = true
			if owner[j] < 0 || try(owner[j], seen) {
				owner[j] = i
				return true
			}
		}
		return false
	}
	for i := 0; i < n; i++ {
		if !try(i, make([]bool, m)) {
			return false
		}
	}
	return true
}

// rowsMatch compares expected and actual rows as multisets.
func rowsMatch(exp []ExpectedRow, act []engine.Row, columns []string) bool {
	return multisetMatch(len(exp), len(act), func(i, j int) bool {
		return rowMatches(exp[i], act[j], columns)
	})
}

// DiffMatches reports whether the actual net diff of a step equals the
// expected one exactly (each list compared as a multiset; absent expected
// lists are empty).
func DiffMatches(exp *ExpectedDiff, act engine.Diff, columns []string) bool {
	if !rowsMatch(exp.Added, act.Added, columns) || !rowsMatch(exp.Deleted, act.Deleted, columns) {
		return false
	}
	return multisetMatch(len(exp.Updated), len(act.Updated), func(i, j int) bool {
		e, a := exp.Updated[i], act.Updated[j]
		return rowMatches(e.Before, a.Before, columns) && rowMatches(e.After, a.After, columns)
	})
}

// ResultMatches reports whether the query's whole current result equals the
// expected rows as a multiset.
func ResultMatches(exp []ExpectedRow, act []engine.Row, columns []string) bool {
	return rowsMatch(exp, act, columns)
}

// FormatDiff renders an actual diff as {added: [...], updated: [{before:
// ..., after: ...}], deleted: [...]}, omitting empty lists ({} when empty).
func FormatDiff(d engine.Diff, columns []string) string {
	conv := func(rows []engine.Row) []ExpectedRow {
		out := make([]ExpectedRow, len(rows))
		for i, r := range rows {
			out[i] = rowMap(r, columns)
		}
		return out
	}
	e := &ExpectedDiff{Added: conv(d.Added), Deleted: conv(d.Deleted)}
	for _, u := range d.Updated {
		e.Updated = append(e.Updated, ExpectedUpdate{Before: rowMap(u.Before, columns), After: rowMap(u.After, columns)})
	}
	return FormatExpected(e, columns)
}

// rowMap is Row.Map, but keeps values beyond the columns (under "#N") so
// that a malformed row shows in messages.
func rowMap(r engine.Row, columns []string) ExpectedRow {
	m := ExpectedRow(r.Map(columns))
	for i := len(columns); i < len(r); i++ {
		m["#"+strconv.Itoa(i)] = r[i]
	}
	return m
}

// FormatExpected renders an expected diff like FormatDiff.
func FormatExpected(e *ExpectedDiff, columns []string) string {
	var parts []string
	if len(e.Added) > 0 {
		parts = append(parts, "added: "+FormatRows(e.Added, columns))
	}
	if len(e.Updated) > 0 {
		us := make([]string, len(e.Updated))
		for i, u := range e.Updated {
			us[i] = "{before: " + formatRow(u.Before, columns) + ", after: " + formatRow(u.After, columns) + "}"
		}
		parts = append(parts, "updated: ["+strings.Join(us, ", ")+"]")
	}
	if len(e.Deleted) > 0 {
		parts = append(parts, "deleted: "+FormatRows(e.Deleted, columns))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// FormatRows renders rows as [{col: value, ...}, ...].
func FormatRows(rows []ExpectedRow, columns []string) string {
	rs := make([]string, len(rows))
	for i, r := range rows {
		rs[i] = formatRow(r, columns)
	}
	return "[" + strings.Join(rs, ", ") + "]"
}

// formatEngineRows renders engine rows like FormatRows.
func formatEngineRows(rows []engine.Row, columns []string) string {
	rs := make([]ExpectedRow, len(rows))
	for i, r := range rows {
		rs[i] = rowMap(r, columns)
	}
	return FormatRows(rs, columns)
}

package engine

import "github.com/vigilhq/vigil/engine/value"

// Row is one result row: values in the order of the query's columns.
type Row []value.Value

// Map returns the row as column -> value.
func (r Row) Map(columns []string) map[string]value.Value {
	m := make(map[string]value.Value, len(columns))
	for i, c := range columns {
		if i < len(r) {
			m[c] = r[i]
		}
	}
	return m
}

// Update is a result row that stayed (same identity) but whose values changed.
type Update struct {
	Before Row
	After  Row
}

// Diff is the net change of one query's result over one step (a batch of
// changes or a clock move).
type Diff struct {
	QueryID string
	Added   []Row
	Updated []Update
	Deleted []Row
}

// Empty reports whether the diff changes nothing.
func (d *Diff) Empty() bool {
	return len(d.Added) == 0 && len(d.Updated) == 0 && len(d.Deleted) == 0
}

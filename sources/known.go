package sources

// KnownIDs lists the ids of the elements with the given label that the
// server holds, as committed from this source (the state at the position
// Run is resumed from).
type KnownIDs func(label string) []string

// IDSeeder is implemented by sources that turn a table-wide delete (a
// TRUNCATE) into one delete per row. A truncate names no rows, so such a
// source tracks the ids it has emitted; after a restart that memory is gone,
// and only the server knows exactly which elements exist at the checkpoint.
// The server calls SeedIDs before Run when resuming. Without it the sources
// fall back to the table's current rows, which misses rows that were
// truncated after the checkpoint but before the restart.
type IDSeeder interface {
	SeedIDs(KnownIDs)
}

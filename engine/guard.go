package engine

import (
	"fmt"
	"runtime/debug"
)

// A bug in one query's evaluation must not take the engine down with it:
// the server runs every query in one process, and a durable server would
// replay the same change into the same panic after each restart. A panic
// inside one query's work stops that query (it is in an error state naming
// the panic, as for any runtime error) and leaves the others running. The
// deferred recover costs nothing measurable on the hot path: it is an
// open-coded defer whose closure stays on the stack.

// InternalError is the error of a query stopped by a panic in its
// evaluation: a Vigil bug, reported with the stack so it can be fixed.
type InternalError struct {
	Panic any
	Stack string
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("internal error (a Vigil bug; please report it with the server log): %v", e.Panic)
}

// contain turns a panic in q's evaluation into q's error.
func contain(q *Query) {
	if p := recover(); p != nil {
		q.fail(&InternalError{Panic: p, Stack: string(debug.Stack())})
	}
}

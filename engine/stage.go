package engine

import (
	"fmt"
)

// stage is one operator of a query pipeline. push receives the input delta
// of one element change (or of the bootstrap) and returns its output delta.
// Every stage is called on every change, even with an empty input, because
// a match stage also reacts to the graph change itself.
type stage interface {
	push(c *evalCtx, in []delta) ([]delta, error)
}

// keepsRowIdentity reports whether a stage passes each row on under the
// identity it came in with.
func keepsRowIdentity(st stage) bool {
	switch st := st.(type) {
	case *projectStage, *filterStage, *orderStage, *trimStage:
		return true
	case *reevalStage:
		return keepsRowIdentity(st.inner)
	}
	return false
}

// ---- snapshots --------------------------------------------------------------

// Stage kinds in a snapshot, checked against the compiled query on restore.
const (
	tagMatch = iota + 1
	tagFilter
	tagUnwind
	tagProject
	tagAggregate
	tagDistinct
	tagOrder
	tagTrim
	tagReeval
)

func stageTag(st stage) int {
	switch st.(type) {
	case *matchStage:
		return tagMatch
	case *filterStage:
		return tagFilter
	case *unwindStage:
		return tagUnwind
	case *projectStage:
		return tagProject
	case *aggregateStage:
		return tagAggregate
	case *distinctStage:
		return tagDistinct
	case *orderStage:
		return tagOrder
	case *trimStage:
		return tagTrim
	case *reevalStage:
		return tagReeval
	}
	return 0
}

// stageState is a stage that keeps state between steps, which a snapshot
// holds: each writes and reads its own in its file (stage_*.go).
// Stateless stages (filter, unwind, trim) have only their tag stored.
type stageState interface {
	save(s *stateWriter)
	load(s *stateReader)
}

// The stages that keep state.
var (
	_ stageState = (*matchStage)(nil)
	_ stageState = (*projectStage)(nil)
	_ stageState = (*aggregateStage)(nil)
	_ stageState = (*distinctStage)(nil)
	_ stageState = (*orderStage)(nil)
	_ stageState = (*reevalStage)(nil)
)

// saveStage writes a stage's tag and state.
func saveStage(s *stateWriter, st stage) {
	tag := stageTag(st)
	if tag == 0 {
		s.w.Fail(fmt.Errorf("engine snapshot: stage %T has no snapshot form", st))
		return
	}
	s.w.Int(tag)
	if ss, ok := st.(stageState); ok {
		ss.save(s)
	}
}

// loadStage reads a stage's state into the compiled stage st, after
// checking that the stored stage is of st's kind.
func loadStage(s *stateReader, st stage) {
	r := s.r
	if tag := r.Int(); tag != stageTag(st) {
		r.Failf("stage kind %d stored, the compiled query has %T", tag, st)
		return
	}
	if ss, ok := st.(stageState); ok {
		ss.load(s)
	}
}

package value

import "time"

// shimInstant is a placeholder datetime payload used until the temporal
// value types land; DateTimeOf will build the real DateTime.
type shimInstant struct{ t time.Time }

func (s shimInstant) Instant() time.Time { return s.t }
func (s shimInstant) ExtCompare(o Ext) (int, bool) {
	ot, ok := o.(shimInstant)
	if !ok {
		return 0, false
	}
	return s.t.Compare(ot.t), true
}
func (s shimInstant) ExtEqual(o Ext) bool { c, ok := s.ExtCompare(o); return ok && c == 0 }
func (s shimInstant) ExtHash() uint64     { return uint64(s.t.UnixNano()) }
func (s shimInstant) String() string      { return s.t.UTC().Format(time.RFC3339Nano) }

// DateTimeOf returns the datetime value of t.
func DateTimeOf(t time.Time) Value { return Make(KindDateTime, 0, "", shimInstant{t}) }

package engine

import (
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// dateTimeOf is the datetime value of an engine time (UTC).
func dateTimeOf(t time.Time) value.Value { return value.DateTimeOf(t) }

package engine

import (
	"fmt"
	"math/rand"
	"time"

	"github.com/vigilhq/vigil/engine/oracle"
	"github.com/vigilhq/vigil/engine/value"
)

// changeGen draws the random changes of the differential tests over a
// small universe of ids, so that inserts, updates and deletes of the same
// elements collide often. The universe spans two sources and a few
// elements without a source, and its values are wide on purpose: null
// properties, ints and floats that are equal (1 and 1.0), lists, temporal
// values, values of the wrong type for some queries (v), join keys of
// several types (k); and now and then a change the engine must refuse.
//
// The generator reads what exists from the oracle's model, never from the
// engine, so a broken index cannot steer what is tested.
type changeGen struct {
	rng *rand.Rand
	m   *oracle.Model
	// equalNumbers draws floats equal to ints (1.0 beside 1, [1.0, 2]
	// beside [1, 2]); without it every float drawn is non-integral.
	equalNumbers bool
}

// Property meanings, for the shapes: x is numeric (mostly ints, some
// floats, some null), y a string, k a join key of mixed types, l a list, t
// a temporal value, v sometimes of a type that makes a query fail; w is
// the relationship property.
const (
	genNodeIDs = 8  // n0..n7 per source
	genRelIDs  = 12 // r0..r11 per source
)

// genSource draws a source: two named ones, and sometimes none.
func (g *changeGen) genSource() string {
	switch k := g.rng.Intn(20); {
	case k < 9:
		return "s1"
	case k < 18:
		return "s2"
	}
	return ""
}

func (g *changeGen) nodeID(src string) string {
	n := genNodeIDs
	if src == "" {
		n = 3
	}
	return fmt.Sprintf("n%d", g.rng.Intn(n))
}

func (g *changeGen) relID(src string) string {
	n := genRelIDs
	if src == "" {
		n = 3
	}
	return fmt.Sprintf("r%d", g.rng.Intn(n))
}

func (g *changeGen) pick(vs ...value.Value) value.Value { return vs[g.rng.Intn(len(vs))] }

// float returns f, or when g does not draw floats equal to ints and f is
// integral, f + 0.5.
func (g *changeGen) float(f float64) value.Value {
	if !g.equalNumbers && f == float64(int64(f)) {
		f += 0.5
	}
	return value.Float(f)
}

// set puts a drawn value under key with probability p (an explicit null
// now and then: a null property is an absent one).
func (g *changeGen) set(m map[string]value.Value, key string, p float64, draw func() value.Value) {
	switch f := g.rng.Float64(); {
	case f < p:
		m[key] = draw()
	case f < p+0.05:
		m[key] = value.Null
	}
}

var genDay = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (g *changeGen) nodeProps() map[string]value.Value {
	rng := g.rng
	m := map[string]value.Value{}
	g.set(m, "x", 0.8, func() value.Value {
		if rng.Intn(6) == 0 {
			return g.pick(g.float(0.5), g.float(1), g.float(2), g.float(2.5), g.float(3))
		}
		return value.Int(int64(rng.Intn(5)))
	})
	g.set(m, "y", 0.6, func() value.Value { return g.pick(value.Str("p"), value.Str("q")) })
	g.set(m, "k", 0.4, func() value.Value {
		switch rng.Intn(12) {
		case 0:
			return g.pick(g.float(1), g.float(2), g.float(2.5))
		case 1:
			return g.pick(value.Str("1"), value.List([]value.Value{value.Int(1)}), value.List([]value.Value{g.float(1)}))
		}
		return value.Int(int64(rng.Intn(6)))
	})
	g.set(m, "l", 0.25, func() value.Value {
		return g.pick(
			value.List([]value.Value{}),
			value.List([]value.Value{value.Int(1)}),
			value.List([]value.Value{value.Int(1), value.Int(2)}),
			value.List([]value.Value{g.float(1), value.Int(2)}),
			value.List([]value.Value{value.Str("a")}),
			value.List([]value.Value{value.Int(1), value.Null}),
			value.List([]value.Value{value.List([]value.Value{value.Int(1)})}),
			value.List([]value.Value{value.NewDate(2026, 1, 2)}),
		)
	})
	g.set(m, "t", 0.25, func() value.Value {
		d := int64(1 + rng.Intn(4))
		switch rng.Intn(4) {
		case 0:
			return value.NewDate(2026, 1, d)
		case 1:
			return value.DateTimeOf(genDay.Add(time.Duration(d)*24*time.Hour + time.Duration(rng.Intn(3))*time.Hour))
		case 2:
			return value.NewLocalDateTime(value.NewDate(2026, 1, d).Ref().(value.Temporal).EpochDay(), int64(rng.Intn(3))*int64(time.Hour))
		}
		return value.NewDuration(0, d, int64(rng.Intn(2))*3600, 0)
	})
	g.set(m, "v", 0.1, func() value.Value {
		switch rng.Intn(12) {
		case 0:
			return value.Int(0) // 6 / 0 fails
		case 1:
			return value.Str("a") // sum fails
		case 2:
			return value.List([]value.Value{value.Int(1)}) // toInteger fails
		case 3:
			return value.Float(1.5)
		}
		return value.Int(int64(1 + rng.Intn(3)))
	})
	return m
}

func (g *changeGen) relProps() map[string]value.Value {
	m := map[string]value.Value{}
	g.set(m, "w", 0.75, func() value.Value {
		if g.rng.Intn(8) == 0 {
			return value.Float(1.5)
		}
		return value.Int(int64(g.rng.Intn(4)))
	})
	return m
}

// op is the usual operation for an element that exists or not, and
// sometimes the other one (an insert of an existing id replaces it, an
// update of an unknown one inserts it).
func (g *changeGen) op(exists bool) Op {
	if (g.rng.Intn(10) == 0) != exists {
		return OpUpdate
	}
	return OpInsert
}

// change draws one change at time at.
func (g *changeGen) change(at time.Time) Change {
	rng := g.rng
	src := g.genSource()
	switch k := rng.Intn(100); {
	case k < 38: // node insert or update
		id := g.nodeID(src)
		var ls []string
		for _, l := range []string{"A", "B", "C"} {
			if rng.Intn(2) == 0 {
				ls = append(ls, l)
			}
		}
		if len(ls) > 0 && rng.Intn(20) == 0 {
			ls = append(ls, ls[0]) // a duplicate label counts once
		}
		return Change{Op: g.op(g.m.Node(src, id) != nil), Time: at, Source: src,
			Element: Element{ID: id, Labels: ls, Props: g.nodeProps()}}
	case k < 48:
		return Change{Op: OpDelete, Time: at, Source: src, Element: Element{ID: g.nodeID(src)}}
	case k < 86: // relation insert or update (its ends may not exist yet)
		id := g.relID(src)
		from, to := g.nodeID(src), g.nodeID(src)
		old := g.m.Rel(src, id)
		if old != nil && rng.Intn(2) == 0 {
			// A property-only update: the same ends, as the source names them.
			from, to = value.ExternalID(old.From), value.ExternalID(old.To)
		}
		return Change{Op: g.op(old != nil), Time: at, Source: src,
			Element: Element{ID: id, Type: g.pick(value.Str("T"), value.Str("U")).AsString(), From: from, To: to, Props: g.relProps()}}
	case k < 97:
		return Change{Op: OpDelete, Time: at, Source: src, Element: Element{ID: g.relID(src)}}
	}
	return g.malformed(src, at)
}

// malformed draws a change the engine must refuse (or, for an id used as
// the other kind of element while that one does not exist, accept).
func (g *changeGen) malformed(src string, at time.Time) Change {
	switch g.rng.Intn(6) {
	case 0:
		return Change{Op: OpInsert, Time: at, Source: src, Element: Element{Labels: []string{"A"}}}
	case 1:
		return Change{Op: OpUpdate, Time: at, Source: src, Element: Element{ID: "n1\x1fx", Labels: []string{"A"}}}
	case 2:
		return Change{Op: OpInsert, Time: at, Source: src, Element: Element{ID: g.relID(src), Type: "T", From: g.nodeID(src)}}
	case 3: // a node id as a relationship: refused while the node exists
		return Change{Op: OpInsert, Time: at, Source: src, Element: Element{ID: g.nodeID(src), Type: "T", From: g.nodeID(src), To: g.nodeID(src)}}
	case 4: // a relationship id as a node: refused while the relationship exists
		return Change{Op: OpUpdate, Time: at, Source: src, Element: Element{ID: g.relID(src), Labels: []string{"B"}, Props: g.nodeProps()}}
	}
	return Change{Op: Op(7), Time: at, Source: src, Element: Element{ID: g.nodeID(src), Labels: []string{"C"}}}
}

// modelChange is the oracle's form of an engine change. It copies the
// labels and properties: the engine owns the change's maps once applied,
// and whatever it does to them must not reach the model.
func modelChange(ch Change) oracle.Change {
	el := ch.Element
	props := make(map[string]value.Value, len(el.Props))
	for k, v := range el.Props {
		props[k] = v
	}
	return oracle.Change{Op: oracle.Op(ch.Op), Source: ch.Source, ID: el.ID, Labels: append([]string(nil), el.Labels...),
		Type: el.Type, From: el.From, To: el.To, Props: props, Time: ch.Time}
}

// modelChanges converts a batch (before the engine sees it).
func modelChanges(batch []Change) []oracle.Change {
	out := make([]oracle.Change, len(batch))
	for i, ch := range batch {
		out[i] = modelChange(ch)
	}
	return out
}

// describe renders a change for a failure report.
func describe(ch Change) string {
	el := ch.Element
	src := ch.Source
	if src == "" {
		src = "-"
	}
	s := fmt.Sprintf("%s %s/%q", ch.Op, src, el.ID)
	if el.IsRel() {
		s += fmt.Sprintf(" :%s (%s->%s)", el.Type, el.From, el.To)
	} else if ch.Op != OpDelete {
		s += fmt.Sprintf(" %v", el.Labels)
	}
	if len(el.Props) > 0 {
		s += " " + value.Map(el.Props).String()
	}
	return s + " at " + ch.Time.Format("15:04:05")
}

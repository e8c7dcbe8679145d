package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vigilhq/vigil/engine/value"
)

// Apply processes the changes as one step (one source batch) and returns the
// net result diff of every query whose result changed, in query registration
// order. The engine stores copies of each element's properties and labels,
// so the caller may reuse an element's Props map and Labels slice once
// Apply returns. The clock moves to each change's Time (never backwards)
// before it is processed. An error means a change was malformed; the changes before it
// were applied and their diffs are returned.
func (e *Engine) Apply(changes []Change) ([]Diff, error) {
	var err error
	for i := range changes {
		ch := &changes[i]
		if ch.Time.After(e.now) {
			// Futures due before this change fire first, at their due time.
			if err = e.fireDue(ch.Time); err != nil {
				break
			}
			e.now = ch.Time
		}
		if err = e.applyChange(ch); err != nil {
			err = fmt.Errorf("change %d (%s %q): %w", i, ch.Op, ch.Element.ID, err)
			break
		}
	}
	return e.flush(), err
}

func (e *Engine) applyChange(ch *Change) error {
	el := &ch.Element
	if el.ID == "" {
		return fmt.Errorf("element has no id")
	}
	if strings.IndexByte(el.ID, value.IDSeparator) >= 0 || strings.IndexByte(el.From, value.IDSeparator) >= 0 || strings.IndexByte(el.To, value.IDSeparator) >= 0 {
		return fmt.Errorf("element id %q contains the reserved byte 0x1f", el.ID)
	}
	if ch.Source != "" {
		// The element's identity is its source and its id; a relationship
		// connects nodes of its own source.
		qualified := *el
		qualified.ID = e.qualify(ch.Source, el.ID)
		if el.IsRel() {
			// A missing end stays missing, for the check below.
			if el.From != "" {
				qualified.From = e.qualify(ch.Source, el.From)
			}
			if el.To != "" {
				qualified.To = e.qualify(ch.Source, el.To)
			}
		}
		el = &qualified
	}
	switch ch.Op {
	case OpDelete:
		if n := e.index.Node(el.ID); n != nil {
			for _, rid := range e.index.attached(el.ID) {
				e.deleteRel(rid)
			}
			e.deleteNode(n)
			return nil
		}
		if e.index.Rel(el.ID) != nil {
			e.deleteRel(el.ID)
		}
		return nil
	case OpInsert, OpUpdate:
		if el.IsRel() {
			if el.From == "" || el.To == "" {
				return fmt.Errorf("relationship needs from and to")
			}
			if e.index.Node(el.ID) != nil {
				return fmt.Errorf("id is already a node")
			}
			e.putRel(e.index.keys.NewRel(el.ID, e.index.name(el.Type), el.From, el.To, el.Props, e.now.UnixNano()))
			return nil
		}
		if e.index.Rel(el.ID) != nil {
			return fmt.Errorf("id is already a relationship")
		}
		e.putNode(e.index.keys.NewNode(el.ID, e.index.labelSet(el.Labels), el.Props, e.now.UnixNano()))
		return nil
	}
	return fmt.Errorf("unknown operation %d", ch.Op)
}

// qualify returns value.QualifyID(source, id), reusing the string of the
// element already stored under it: an update or delete of a known element
// then allocates no new id.
//
// Hot path.
func (e *Engine) qualify(source, id string) string {
	b := append(e.idBuf[:0], source...)
	b = append(b, value.IDSeparator)
	b = append(b, id...)
	e.idBuf = b
	if id, ok := e.index.storedID(b); ok {
		return id
	}
	return string(b)
}

func dedupLabels(ls []string) []string {
	dup := false
	for i := range ls {
		for j := 0; j < i; j++ {
			dup = dup || ls[i] == ls[j]
		}
	}
	if !dup {
		return ls
	}
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		dup := false
		for _, x := range out {
			if x == l {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, l)
		}
	}
	return out
}

// putNode stores a node (insert or update), keeping synthetic relations in
// step with its join keys.
func (e *Engine) putNode(n *value.Node) {
	old := e.index.Node(n.ID)
	joins := len(e.index.joins) > 0 && e.index.joinKeysChanged(old, n)
	var want map[string]*value.Rel
	if joins {
		e.index.postJoinKeys(old, false)
		want = map[string]*value.Rel{}
		for _, r := range e.index.joinEdges(n) {
			want[r.ID] = r
		}
		for _, rid := range e.index.attached(n.ID) {
			if isJoinRelID(rid) && want[rid] == nil {
				e.deleteRel(rid)
			}
		}
	}
	e.step(old, n, nil, nil, func() {
		e.index.putNode(n)
		e.index.record(n.ID, n.ChangedAt, n, nil)
		if joins {
			e.index.postJoinKeys(n, true)
		}
	})
	if joins {
		ids := make([]string, 0, len(want))
		for id := range want {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if e.index.Rel(id) == nil {
				e.putRel(want[id])
			}
		}
	}
}

func (e *Engine) deleteNode(n *value.Node) {
	e.step(n, nil, nil, nil, func() {
		e.index.postJoinKeys(n, false)
		e.index.deleteNode(n.ID)
		e.index.record(n.ID, e.now.UnixNano(), nil, nil)
	})
}

func (e *Engine) putRel(r *value.Rel) {
	old := e.index.Rel(r.ID)
	e.step(nil, nil, old, r, func() {
		e.index.putRel(r)
		e.index.record(r.ID, r.ChangedAt, nil, r)
	})
}

func (e *Engine) deleteRel(id string) {
	old := e.index.Rel(id)
	if old == nil {
		return
	}
	e.step(nil, nil, old, nil, func() {
		e.index.deleteRel(id)
		e.index.record(id, e.now.UnixNano(), nil, nil)
	})
}

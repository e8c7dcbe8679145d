package resources

import (
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

// QuerySpec is the engine's registration of a ContinuousQuery resource:
// its text, parameters, synthetic joins and subscriptions. It fails when a
// parameter has no engine value or when the query subscribes to no source
// (it would see no data); whether the subscribed sources exist is the
// caller's to check.
func (r *Resource) QuerySpec() (engine.QuerySpec, error) {
	q := r.Query
	if q == nil {
		return engine.QuerySpec{}, fmt.Errorf("%s %q is not a ContinuousQuery", r.Kind, r.Name)
	}
	spec := engine.QuerySpec{ID: r.Name, Text: q.Text, Language: q.Language}
	if len(q.Params) > 0 {
		spec.Params = map[string]value.Value{}
		for k, x := range q.Params {
			v, err := value.FromGo(x)
			if err != nil {
				return spec, fmt.Errorf("spec.params.%s: %v", k, err)
			}
			spec.Params[k] = v
		}
	}
	// A query reads the sources (and labels) it subscribes to and nothing
	// else: an element's identity is its source and its id.
	if len(q.Subscriptions) == 0 {
		return spec, errors.New("spec.sources.subscriptions: the query subscribes to no source, so it can see no data (name the sources it reads)")
	}
	for _, sub := range q.Subscriptions {
		spec.Subscriptions = append(spec.Subscriptions, engine.Subscription{Source: sub.ID, Nodes: sub.Nodes, Relations: sub.Relations})
	}
	for _, j := range q.Joins {
		ej := engine.Join{ID: j.ID}
		for _, k := range j.Keys {
			ej.Keys = append(ej.Keys, engine.JoinKey{Label: k.Label, Property: k.Property})
		}
		spec.Joins = append(spec.Joins, ej)
	}
	return spec, nil
}

package graph

import (
	"context"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/graph/generated"
	"github.com/geotimeline/geotimeline/graph/loader"
	"github.com/geotimeline/geotimeline/graph/model"
	"github.com/geotimeline/geotimeline/graph/relay"
)

// nodeTypes maps the global ID types that are graph nodes to node types.
var nodeTypes = map[string]db.NodeType{
	relay.TypeActor:     db.NodeActor,
	relay.TypeCountry:   db.NodeCountry,
	relay.TypeEvent:     db.NodeEvent,
	relay.TypeStatement: db.NodeStatement,
}

// keyPrefixes are the references by key that graph queries take besides
// global IDs: an analyst knows "actor:marco-rubio", not an opaque ID.
var keyPrefixes = map[string]db.NodeType{
	"actor:":     db.NodeActor,
	"country:":   db.NodeCountry,
	"event:":     db.NodeEvent,
	"statement:": db.NodeStatement,
}

// nodeRef reads a global ID, or a reference "actor:KEY", "event:KEY",
// "statement:KEY" or "country:CODE" (alpha-2 or alpha-3), that must name a
// graph node. A reference's key is resolved by the store.
func nodeRef(arg, id string) (db.NodeRef, error) {
	for prefix, t := range keyPrefixes {
		key, ok := strings.CutPrefix(id, prefix)
		if !ok {
			continue
		}
		if err := db.CheckBytes(arg, key, db.MaxKeyLength); err != nil {
			return db.NodeRef{}, err
		}
		if key == "" {
			return db.NodeRef{}, db.Errorf(db.CodeInvalid, "%s: %q names no key after the colon", arg, id)
		}
		if t == db.NodeCountry {
			if a2, ok := iso3166.Normalize(key); ok {
				key = a2
			}
		}
		return db.NodeRef{Type: t, Key: key}, nil
	}
	typ, rowID, err := relay.ParseID(id)
	if err != nil {
		return db.NodeRef{}, db.Errorf(db.CodeInvalid, "%s: %s", arg, db.ErrorMessage(err))
	}
	t, ok := nodeTypes[typ]
	if !ok {
		return db.NodeRef{}, db.Errorf(db.CodeInvalid, "%s: a %s is not a node of the graph (actors, countries, events and statements are)", arg, typ)
	}
	return db.NodeRef{Type: t, ID: rowID}, nil
}

// loadNodes loads the records behind node references, queueing every key
// on its loader before awaiting any, so each type costs one batch. A node
// that no longer exists is nil.
func loadNodes(ctx context.Context, refs []db.NodeRef) ([]model.Node, error) {
	l := loader.For(ctx)
	thunks := make([]func() (model.Node, error), len(refs))
	for i, ref := range refs {
		switch ref.Type {
		case db.NodeActor:
			th := l.ActorByID.LoadThunk(ctx, ref.ID)
			thunks[i] = func() (model.Node, error) { return nodeOrNil(maybe(th())) }
		case db.NodeCountry:
			th := l.CountryByID.LoadThunk(ctx, ref.ID)
			thunks[i] = func() (model.Node, error) { return nodeOrNil(maybe(th())) }
		case db.NodeEvent:
			th := l.EventByID.LoadThunk(ctx, ref.ID)
			thunks[i] = func() (model.Node, error) { return nodeOrNil(maybe(th())) }
		case db.NodeStatement:
			th := l.StatementByID.LoadThunk(ctx, ref.ID)
			thunks[i] = func() (model.Node, error) { return nodeOrNil(maybe(th())) }
		default:
			thunks[i] = func() (model.Node, error) { return nil, nil }
		}
	}
	out := make([]model.Node, len(refs))
	for i, th := range thunks {
		n, err := th()
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// maybe turns a loader's "not found" into a nil record.
func maybe[V any](v *V, err error) (*V, error) {
	if loader.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}

func graphFilter(f *generated.GraphFilter) (db.GraphFilter, error) {
	if f == nil {
		return db.GraphFilter{}, nil
	}
	if err := boundFilter(nil, nil, enumList{"edgeKinds", len(f.EdgeKinds)}); err != nil {
		return db.GraphFilter{}, err
	}
	return db.GraphFilter{EdgeKinds: f.EdgeKinds, From: f.From, To: f.To}, nil
}

func edgePointers(edges []db.Edge) []*db.Edge {
	return pointers(edges)
}

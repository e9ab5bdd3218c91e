package graph

import (
	"context"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

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

// loadNodes loads the records behind node references with one batch per
// type, and what sel, the selection of the nodes, asks below them. A node
// that no longer exists is nil.
func loadNodes(ctx context.Context, refs []db.NodeRef, sel ast.SelectionSet) ([]model.Node, error) {
	l := loader.For(ctx)
	out := make([]model.Node, len(refs))
	if err := nodesOf(ctx, l.ActorByID, db.NodeActor, refs, out, sel, prefetchActors); err != nil {
		return nil, err
	}
	if err := nodesOf(ctx, l.CountryByID, db.NodeCountry, refs, out, sel, nil); err != nil {
		return nil, err
	}
	if err := nodesOf(ctx, l.EventByID, db.NodeEvent, refs, out, sel, prefetchEvents); err != nil {
		return nil, err
	}
	if err := nodesOf(ctx, l.StatementByID, db.NodeStatement, refs, out, sel, prefetchStatements); err != nil {
		return nil, err
	}
	return out, nil
}

// nodesOf loads the references of type typ with l into their places in
// out, leaving a record not found nil, and then what sel asks below them
// with prefetch, if any.
func nodesOf[V any](ctx context.Context, l *loader.Loader[int64, *V], typ db.NodeType, refs []db.NodeRef, out []model.Node,
	sel ast.SelectionSet, prefetch func(context.Context, ast.SelectionSet, []*V) error) error {
	ids := make([]int64, len(refs))
	for i, ref := range refs {
		if ref.Type == typ {
			ids[i] = ref.ID
		}
	}
	recs, err := loader.Each(ctx, l, ids)
	if err != nil {
		return err
	}
	for i, rec := range recs {
		if rec != nil {
			out[i] = rec
		}
	}
	if prefetch == nil {
		return nil
	}
	return prefetch(ctx, sel, found(recs))
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

// subgraph is sub with its nodes loaded, and what the query asks below them.
func subgraph(ctx context.Context, sub db.Subgraph) (*model.Subgraph, error) {
	nodes, err := loadNodes(ctx, sub.Nodes, nodeSelections(ctx, "Subgraph", "nodes"))
	if err != nil {
		return nil, err
	}
	return &model.Subgraph{Nodes: nodes, Edges: edgePointers(sub.Edges), Truncated: sub.Truncated}, nil
}

func edgePointers(edges []db.Edge) []*db.Edge {
	return pointers(edges)
}

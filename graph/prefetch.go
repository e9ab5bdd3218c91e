package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/graph/loader"
	"github.com/geotimeline/geotimeline/graph/model"
)

// Prefetching: gqlgen batches a field over the siblings of one list only.
// Below a list of lists (the participants of each event of a page) it calls
// a batch resolver once per inner list, and below single objects (each
// participant's actor) once per object. A loader that waited for the other
// calls would batch them, at the cost of a timer per level; instead, the
// resolver that reads a page walks the page's selection and loads each
// level below it for the whole page with one loader call, so that the
// per-list and per-object resolvers that follow find their records loaded.
// Only what the selection asks for is read.
//
// The walk follows the fields that fan out through loaders: lists of
// records and references to records. A field it does not follow still
// works, with one statement per parent list.

// Selections of the types records are returned as: a fragment on any type
// a record satisfies applies to it.
var (
	eventTypes       = []string{"Event", "Node", "TimelineItem", "SearchItem"}
	statementTypes   = []string{"Statement", "Node", "TimelineItem", "SearchItem"}
	actorTypes       = []string{"Actor", "Node", "RelationshipObject", "SearchItem"}
	participantTypes = []string{"Participant"}
	linkTypes        = []string{"EventLink"}
)

// selections is the selection set of the fields of sel named name, on an
// object of one of types, merged over aliases; ok is false when sel does
// not select the field.
func selections(ctx context.Context, sel ast.SelectionSet, types []string, name string) (sub ast.SelectionSet, ok bool) {
	if len(sel) == 0 {
		return nil, false
	}
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), sel, types) {
		if f.Name == name {
			sub, ok = append(sub, f.Selections...), true
		}
	}
	return sub, ok
}

// fieldSelections is the selection set of the field being resolved.
func fieldSelections(ctx context.Context) ast.SelectionSet {
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		return fc.Field.Selections
	}
	return nil
}

// pageSelections is what a connection selects of its items: its nodes and
// its edges' nodes.
func pageSelections(ctx context.Context, connection string) ast.SelectionSet {
	sel := fieldSelections(ctx)
	nodes, _ := selections(ctx, sel, []string{connection}, "nodes")
	if edges, ok := selections(ctx, sel, []string{connection}, "edges"); ok {
		edgeType := connection[:len(connection)-len("Connection")] + "Edge"
		node, _ := selections(ctx, edges, []string{edgeType}, "node")
		nodes = append(nodes, node...)
	}
	return nodes
}

// nodeSelections is what the field being resolved, of type typ, selects
// of its field name.
func nodeSelections(ctx context.Context, typ, name string) ast.SelectionSet {
	sel, _ := selections(ctx, fieldSelections(ctx), []string{typ}, name)
	return sel
}

// prefetchEvents loads what sel asks of events below them.
func prefetchEvents(ctx context.Context, sel ast.SelectionSet, events []*db.Event) error {
	if len(events) == 0 {
		return nil
	}
	l := loader.For(ctx)
	ids := eventIDs(events)
	if sub, ok := selections(ctx, sel, eventTypes, "participants"); ok {
		parts, err := loader.Each(ctx, l.Participants, ids)
		if err != nil {
			return err
		}
		if actorSel, ok := selections(ctx, sub, participantTypes, "actor"); ok {
			if err := prefetchActorKeys(ctx, actorSel, actorKeys(parts)); err != nil {
				return err
			}
		}
	}
	for _, f := range []struct {
		name string
		l    *loader.Loader[int64, []db.Link]
	}{{"links", l.Links}, {"linkedFrom", l.LinkedFrom}} {
		sub, ok := selections(ctx, sel, eventTypes, f.name)
		if !ok {
			continue
		}
		links, err := loader.Each(ctx, f.l, ids)
		if err != nil {
			return err
		}
		if eventSel, ok := selections(ctx, sub, linkTypes, "event"); ok {
			var keys []string
			for _, ls := range links {
				for _, k := range ls {
					keys = append(keys, k.Event)
				}
			}
			linked, err := loader.Each(ctx, l.EventByKey, keys)
			if err != nil {
				return err
			}
			if err := prefetchEvents(ctx, eventSel, found(linked)); err != nil {
				return err
			}
		}
	}
	if sub, ok := selections(ctx, sel, eventTypes, "statements"); ok {
		if err := prefetchVia(ctx, l.StatementsAbout, l.StatementByKey, ids, sub, prefetchStatements); err != nil {
			return err
		}
	}
	if sub, ok := selections(ctx, sel, eventTypes, "location"); ok {
		if _, ok := selections(ctx, sub, []string{"Location"}, "country"); ok {
			codes := collect(events, func(e *db.Event) string { return e.Location.Country })
			if _, err := loader.Each(ctx, l.CountryByCode, codes); err != nil {
				return err
			}
		}
	}
	if _, ok := selections(ctx, sel, eventTypes, "sources"); ok {
		if _, err := loader.Each(ctx, l.EventSources, ids); err != nil {
			return err
		}
	}
	// The estimates come with the events; their sources are records.
	if sub, ok := selections(ctx, sel, eventTypes, "estimates"); ok {
		if _, ok := selections(ctx, sub, []string{"Estimate"}, "source"); ok {
			var keys []string
			for _, e := range events {
				for _, est := range e.Estimates {
					keys = append(keys, est.Source)
				}
			}
			if _, err := loader.Each(ctx, l.SourceByKey, keys); err != nil {
				return err
			}
		}
	}
	return nil
}

// prefetchStatements loads what sel asks of statements below them.
func prefetchStatements(ctx context.Context, sel ast.SelectionSet, statements []*db.Statement) error {
	if len(statements) == 0 {
		return nil
	}
	l := loader.For(ctx)
	for _, f := range []struct {
		name string
		key  func(*db.Statement) string
	}{{"speaker", func(st *db.Statement) string { return st.Speaker }}, {"deliveredBy", func(st *db.Statement) string { return st.DeliveredBy }}} {
		if sub, ok := selections(ctx, sel, statementTypes, f.name); ok {
			if err := prefetchActorKeys(ctx, sub, collect(statements, f.key)); err != nil {
				return err
			}
		}
	}
	if sub, ok := selections(ctx, sel, statementTypes, "coSpeakers"); ok {
		var keys []string
		for _, st := range statements {
			keys = append(keys, st.CoSpeakers...)
		}
		if err := prefetchActorKeys(ctx, sub, keys); err != nil {
			return err
		}
	}
	ids := statementIDs(statements)
	if sub, ok := selections(ctx, sel, statementTypes, "addressees"); ok {
		if err := prefetchVia(ctx, l.Addressees, l.ActorByKey, ids, sub, prefetchActors); err != nil {
			return err
		}
	}
	if sub, ok := selections(ctx, sel, statementTypes, "about"); ok {
		if err := prefetchVia(ctx, l.About, l.EventByKey, ids, sub, prefetchEvents); err != nil {
			return err
		}
	}
	if _, ok := selections(ctx, sel, statementTypes, "sources"); ok {
		if _, err := loader.Each(ctx, l.StatementSources, ids); err != nil {
			return err
		}
	}
	return nil
}

// prefetchVia loads the lists of keys of ids with lists, the records of
// those keys with records, and what sel asks below those records.
func prefetchVia[V any](ctx context.Context, lists *loader.Loader[int64, []string], records *loader.Loader[string, *V],
	ids []int64, sel ast.SelectionSet, below func(context.Context, ast.SelectionSet, []*V) error) error {
	keys, err := loader.Each(ctx, lists, ids)
	if err != nil {
		return err
	}
	groups, err := loader.EachList(ctx, records, keys)
	if err != nil {
		return err
	}
	var flat []*V
	for _, g := range groups {
		flat = append(flat, g...)
	}
	return below(ctx, sel, flat)
}

// prefetchActorKeys loads the actors with keys and what sel asks of them.
func prefetchActorKeys(ctx context.Context, sel ast.SelectionSet, keys []string) error {
	actors, err := loader.Each(ctx, loader.For(ctx).ActorByKey, keys)
	if err != nil {
		return err
	}
	return prefetchActors(ctx, sel, found(actors))
}

// prefetchActors loads what sel asks of actors below them.
func prefetchActors(ctx context.Context, sel ast.SelectionSet, actors []*db.Actor) error {
	if len(actors) == 0 {
		return nil
	}
	l := loader.For(ctx)
	if _, ok := selections(ctx, sel, actorTypes, "country"); ok {
		if _, err := loader.Each(ctx, l.CountryByCode, collect(actors, func(a *db.Actor) string { return a.Country })); err != nil {
			return err
		}
	}
	if _, ok := selections(ctx, sel, actorTypes, "sources"); ok {
		if _, err := loader.Each(ctx, l.ActorSources, collect(actors, func(a *db.Actor) int64 { return a.ID })); err != nil {
			return err
		}
	}
	return nil
}

// participantsOf loads the participants of events, with their actors when
// the field's selection asks for them, all in one batch each.
func participantsOf(ctx context.Context, events []*db.Event) ([][]*model.Participant, error) {
	l := loader.For(ctx)
	parts, err := loader.Each(ctx, l.Participants, eventIDs(events))
	if err != nil {
		return nil, err
	}
	keys := actorKeys(parts)
	var actors []*db.Actor
	if _, ok := selections(ctx, fieldSelections(ctx), participantTypes, "actor"); ok {
		if actors, err = loader.Each(ctx, l.ActorByKey, keys); err != nil {
			return nil, err
		}
	}
	flat := make([]model.Participant, len(keys))
	ptrs := make([]*model.Participant, len(keys))
	out := make([][]*model.Participant, len(parts))
	i := 0
	for j, ps := range parts {
		out[j] = ptrs[i : i+len(ps) : i+len(ps)]
		for _, p := range ps {
			flat[i].Role, flat[i].As = p.Role, p.As
			if actors != nil {
				flat[i].Actor = actors[i]
			}
			ptrs[i] = &flat[i]
			i++
		}
	}
	return out, nil
}

// actorKeys is the actor key of each participant of parts, in order.
func actorKeys(parts [][]db.Participant) []string {
	var keys []string
	for _, ps := range parts {
		for _, p := range ps {
			keys = append(keys, p.Actor)
		}
	}
	return keys
}

// prefetched runs prefetch below the record a root field returns.
func prefetched[T any](ctx context.Context, rec *T, err error, prefetch func(context.Context, ast.SelectionSet, []*T) error) (*T, error) {
	if err != nil || rec == nil {
		return rec, err
	}
	return rec, prefetch(ctx, fieldSelections(ctx), []*T{rec})
}

// found drops the nils of records not found.
func found[T any](recs []*T) []*T {
	out := recs[:0:0]
	for _, r := range recs {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

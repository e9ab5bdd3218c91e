package graph

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/suggest"
	"github.com/geotimeline/geotimeline/graph/generated"
	"github.com/geotimeline/geotimeline/graph/loader"
	"github.com/geotimeline/geotimeline/graph/model"
	"github.com/geotimeline/geotimeline/graph/relay"
)

// Helpers shared by the resolvers: argument translation and connection
// building. gqlgen moves unknown functions out of *.resolvers.go, so they
// live here.

// nonEmpty turns "" into null for optional text fields.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// countryCodes normalises the codes of a filter to alpha-2. A code that is
// not shaped like one is an error; a well-formed one ISO lacks is kept, since
// a fixture may have added it.
func countryCodes(arg string, codes []string) ([]string, error) {
	if err := db.CheckList(arg, "codes", len(codes)); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(codes))
	for i, c := range codes {
		if err := db.CheckBytes(fmt.Sprintf("%s[%d]", arg, i), c, db.MaxCodeBytes); err != nil {
			return nil, err
		}
		if a2, ok := iso3166.Normalize(c); ok {
			out = append(out, a2)
			continue
		}
		if !isAlpha2(c) {
			return nil, db.Errorf(db.CodeInvalid, "%s: %q is not an ISO 3166-1 alpha-2 or alpha-3 country code%s",
				arg, c, suggest.Hint(iso3166.Suggest(c)))
		}
		out = append(out, c)
	}
	return out, nil
}

func isAlpha2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func sortOrder(o *db.SortOrder) db.SortOrder {
	if o == nil {
		return db.Ascending
	}
	return *o
}

// boundFilter checks the arguments of a filter that countryCodes does not
// against the bounds of db/limit.go, before anything is looked up: its actor
// keys, its text and the lengths of its enum lists, each named filter.NAME.
func boundFilter(actors []string, text *string, enums ...enumList) error {
	if err := db.CheckKeys("filter.actors", actors); err != nil {
		return err
	}
	for _, e := range enums {
		if err := db.CheckList("filter."+e.name, "values", e.n); err != nil {
			return err
		}
	}
	if text != nil {
		return db.CheckBytes("filter.text", *text, db.MaxTextBytes)
	}
	return nil
}

// enumList is the name and length of a list of enum values.
type enumList struct {
	name string
	n    int
}

func timelineFilter(f *generated.TimelineFilter) (db.TimelineFilter, error) {
	if f == nil {
		return db.TimelineFilter{}, nil
	}
	if err := boundFilter(f.Actors, f.Text, enumList{"eventTypes", len(f.EventTypes)}, enumList{"include", len(f.Include)}); err != nil {
		return db.TimelineFilter{}, err
	}
	countries, err := countryCodes("filter.countries", f.Countries)
	if err != nil {
		return db.TimelineFilter{}, err
	}
	if err := db.CheckKeys("filter.sources", f.Sources); err != nil {
		return db.TimelineFilter{}, err
	}
	if err := db.CheckKeys("filter.tags", f.Tags); err != nil {
		return db.TimelineFilter{}, err
	}
	codes, err := db.CheckCodes("filter.codes", f.Codes)
	if err != nil {
		return db.TimelineFilter{}, err
	}
	if err := boundFilter(nil, nil, enumList{"statementKinds", len(f.StatementKinds)}, enumList{"stances", len(f.Stances)},
		enumList{"precisions", len(f.Precisions)}); err != nil {
		return db.TimelineFilter{}, err
	}
	about, err := aboutFilter(f.About)
	if err != nil {
		return db.TimelineFilter{}, err
	}
	return db.TimelineFilter{Actors: f.Actors, Countries: countries, EventTypes: f.EventTypes,
		Include: f.Include, From: f.From, To: f.To, Text: stringOr(f.Text), Sources: f.Sources,
		Tags: f.Tags, Codes: codes, StatementKinds: f.StatementKinds, Stances: f.Stances, About: about,
		TimeMatch: timeMatch(f.TimeMatch), Precisions: f.Precisions}, nil
}

func eventFilter(f *generated.EventFilter) (db.TimelineFilter, error) {
	out := db.TimelineFilter{Include: []db.ItemKind{db.ItemEvent}}
	if f == nil {
		return out, nil
	}
	if err := boundFilter(f.Actors, f.Text, enumList{"roles", len(f.Roles)}, enumList{"eventTypes", len(f.EventTypes)},
		enumList{"precisions", len(f.Precisions)}); err != nil {
		return out, err
	}
	countries, err := countryCodes("filter.countries", f.Countries)
	if err != nil {
		return out, err
	}
	if err := db.CheckKeys("filter.sources", f.Sources); err != nil {
		return out, err
	}
	if err := db.CheckKeys("filter.tags", f.Tags); err != nil {
		return out, err
	}
	if out.Codes, err = db.CheckCodes("filter.codes", f.Codes); err != nil {
		return out, err
	}
	out.Actors, out.Roles, out.Countries, out.EventTypes, out.From, out.To, out.Text, out.Sources, out.Tags =
		f.Actors, f.Roles, countries, f.EventTypes, f.From, f.To, stringOr(f.Text), f.Sources, f.Tags
	out.TimeMatch, out.Precisions = timeMatch(f.TimeMatch), f.Precisions
	return out, nil
}

// aboutFilter is the event filter a statement filter's about gives, nil
// when there is none. Its problems are named under filter.about.
func aboutFilter(f *generated.EventFilter) (*db.TimelineFilter, error) {
	if f == nil {
		return nil, nil
	}
	out, err := eventFilter(f)
	if err != nil {
		return nil, db.Errorf(db.ErrorCode(err), "%s", strings.Replace(db.ErrorMessage(err), "filter.", "filter.about.", 1))
	}
	return &out, nil
}

func statementFilter(f *generated.StatementFilter) (db.TimelineFilter, error) {
	out := db.TimelineFilter{Include: []db.ItemKind{db.ItemStatement}}
	if f == nil {
		return out, nil
	}
	if err := boundFilter(f.Actors, f.Text, enumList{"statementKinds", len(f.StatementKinds)}, enumList{"stances", len(f.Stances)},
		enumList{"precisions", len(f.Precisions)}); err != nil {
		return out, err
	}
	countries, err := countryCodes("filter.countries", f.Countries)
	if err != nil {
		return out, err
	}
	out.Actors, out.Countries, out.From, out.To, out.Text = f.Actors, countries, f.From, f.To, stringOr(f.Text)
	out.StatementKinds, out.Stances = f.StatementKinds, f.Stances
	out.TimeMatch, out.Precisions = timeMatch(f.TimeMatch), f.Precisions
	if out.About, err = aboutFilter(f.About); err != nil {
		return out, err
	}
	return out, nil
}

func actorFilter(f *generated.ActorFilter) (db.ActorFilter, error) {
	if f == nil {
		return db.ActorFilter{}, nil
	}
	if err := boundFilter(nil, nil, enumList{"kinds", len(f.Kinds)}); err != nil {
		return db.ActorFilter{}, err
	}
	countries, err := countryCodes("filter.countries", f.Countries)
	if err != nil {
		return db.ActorFilter{}, err
	}
	return db.ActorFilter{Kinds: f.Kinds, Countries: countries}, nil
}

func pageInfo(hasNext, hasPrev bool, cursors []string) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrev}
	if len(cursors) > 0 {
		pi.StartCursor, pi.EndCursor = &cursors[0], &cursors[len(cursors)-1]
	}
	return pi
}

// page is one page of a list, its records loaded, with a cursor for each.
type page[T any] struct {
	nodes            []T
	cursors          []string
	hasNext, hasPrev bool
}

// connectionOf and edgeOf are the shapes the schema's connection and edge
// types share. gqlgen wants a Go type of its own for each schema type, and
// these let one builder fill them all; a type that strays from the shape
// stops compiling at its call of connection.
type connectionOf[E, T any] interface {
	~struct {
		*model.Total
		Edges    []*E
		Nodes    []T
		PageInfo *model.PageInfo
	}
}

type edgeOf[T any] interface {
	~struct {
		Cursor string
		Node   T
	}
}

// connection builds the connection C of one page of a list: its cursors
// decode with parse, fetch reads the page, and count counts the whole list,
// only if totalCount is selected. E and T follow from C.
func connection[C connectionOf[E, T], E edgeOf[T], T any](ctx context.Context, args relay.Args,
	parse func(arg, s string) (*db.Position, error), fetch func(context.Context, db.Page) (page[T], error), count model.Counter) (*C, error) {
	p, err := args.Page(parse)
	if err != nil {
		return nil, err
	}
	pg, err := fetch(ctx, p)
	if err != nil {
		return nil, err
	}
	edges := make([]*E, len(pg.nodes))
	for i, n := range pg.nodes {
		edges[i] = &E{Cursor: pg.cursors[i], Node: n}
	}
	return &C{Total: model.NewTotal(count), Edges: edges, Nodes: pg.nodes,
		PageInfo: pageInfo(pg.hasNext, pg.hasPrev, pg.cursors)}, nil
}

// timelinePage reads pages of the timeline under f and loads the records
// behind them. T is what the list holds: the event and statement lists are
// filtered to their kind, so each of their items is a T.
// connection names the connection's type, whose selection of its items
// the page prefetches below them.
func timelinePage[T any](r *Resolver, connection string, f db.TimelineFilter, order *db.SortOrder) func(context.Context, db.Page) (page[T], error) {
	return func(ctx context.Context, p db.Page) (page[T], error) {
		ip, err := r.Store.Timeline(ctx, f, sortOrder(order), p)
		if err != nil {
			return page[T]{}, err
		}
		l := loader.For(ctx)
		eventIDs, statementIDs := ip.IDs()
		events, err := loader.All(ctx, l.EventByID, eventIDs)
		if err != nil {
			return page[T]{}, err
		}
		statements, err := loader.All(ctx, l.StatementByID, statementIDs)
		if err != nil {
			return page[T]{}, err
		}
		sel := pageSelections(ctx, connection)
		if err := prefetchEvents(ctx, sel, events); err != nil {
			return page[T]{}, err
		}
		if err := prefetchStatements(ctx, sel, statements); err != nil {
			return page[T]{}, err
		}
		pg := page[T]{nodes: make([]T, 0, len(ip.Items)), cursors: make([]string, 0, len(ip.Items)),
			hasNext: ip.HasNextPage, hasPrev: ip.HasPreviousPage}
		for _, it := range ip.Items {
			var item model.TimelineItem
			if it.Kind == db.ItemEvent {
				item, events = events[0], events[1:]
			} else {
				item, statements = statements[0], statements[1:]
			}
			pg.nodes = append(pg.nodes, item.(T))
			pg.cursors = append(pg.cursors, relay.TimeCursor(it.Pos))
		}
		return pg, nil
	}
}

// keyPage loads the records of a page of a key-ordered list (actors,
// countries) with l.
func keyPage[T any](ctx context.Context, l *loader.Loader[int64, T], kp db.KeyPage, err error) (page[T], error) {
	if err != nil {
		return page[T]{}, err
	}
	nodes, err := loader.All(ctx, l, kp.IDs)
	if err != nil {
		return page[T]{}, err
	}
	cursors := make([]string, len(nodes))
	for i := range nodes {
		cursors[i] = relay.KeyCursor(kp.Positions[i].Key)
	}
	return page[T]{nodes: nodes, cursors: cursors, hasNext: kp.HasNextPage, hasPrev: kp.HasPreviousPage}, nil
}

func (r *Resolver) timelineConnection(ctx context.Context, f db.TimelineFilter, order *db.SortOrder, args relay.Args) (*model.TimelineConnection, error) {
	return connection[model.TimelineConnection](ctx, args, relay.ParseTimeCursor, timelinePage[model.TimelineItem](r, "TimelineConnection", f, order), r.timelineCount(f))
}

func (r *Resolver) eventConnection(ctx context.Context, f db.TimelineFilter, order *db.SortOrder, args relay.Args) (*model.EventConnection, error) {
	return connection[model.EventConnection](ctx, args, relay.ParseTimeCursor, timelinePage[*db.Event](r, "EventConnection", f, order), r.timelineCount(f))
}

func (r *Resolver) statementConnection(ctx context.Context, f db.TimelineFilter, order *db.SortOrder, args relay.Args) (*model.StatementConnection, error) {
	return connection[model.StatementConnection](ctx, args, relay.ParseTimeCursor, timelinePage[*db.Statement](r, "StatementConnection", f, order), r.timelineCount(f))
}

func (r *Resolver) timelineCount(f db.TimelineFilter) model.Counter {
	return func(ctx context.Context) (int, error) { return r.Store.CountTimeline(ctx, f) }
}

func (r *Resolver) actorConnection(ctx context.Context, f db.ActorFilter, args relay.Args) (*model.ActorConnection, error) {
	fetch := func(ctx context.Context, p db.Page) (page[*db.Actor], error) {
		kp, err := r.Store.Actors(ctx, f, p)
		pg, err := keyPage(ctx, loader.For(ctx).ActorByID, kp, err)
		if err != nil {
			return pg, err
		}
		return pg, prefetchActors(ctx, pageSelections(ctx, "ActorConnection"), pg.nodes)
	}
	return connection[model.ActorConnection](ctx, args, relay.ParseKeyCursor, fetch,
		func(ctx context.Context) (int, error) { return r.Store.CountActors(ctx, f) })
}

func (r *Resolver) countryConnection(ctx context.Context, args relay.Args) (*model.CountryConnection, error) {
	fetch := func(ctx context.Context, p db.Page) (page[*db.Country], error) {
		kp, err := r.Store.Countries(ctx, p)
		return keyPage(ctx, loader.For(ctx).CountryByID, kp, err)
	}
	return connection[model.CountryConnection](ctx, args, relay.ParseKeyCursor, fetch, r.Store.CountCountries)
}

// runConnection pages the runs, newest first; a cursor holds the run's
// number.
func (r *Resolver) runConnection(ctx context.Context, args relay.Args) (*model.RunConnection, error) {
	fetch := func(ctx context.Context, p db.Page) (page[*db.Run], error) {
		var before int64
		if p.After != nil {
			n, err := strconv.ParseInt(p.After.Key, 10, 64)
			if err != nil || n < 1 {
				return page[*db.Run]{}, db.Errorf(db.CodeInvalid, "after: not a cursor of this list")
			}
			before = n
		}
		runs, more, err := r.Store.Runs(ctx, before, p.Limit)
		if err != nil {
			return page[*db.Run]{}, err
		}
		pg := page[*db.Run]{nodes: pointers(runs), cursors: make([]string, len(runs)), hasNext: more, hasPrev: before > 0}
		for i, run := range runs {
			pg.cursors[i] = relay.KeyCursor(strconv.FormatInt(run.ID, 10))
		}
		return pg, nil
	}
	return connection[model.RunConnection](ctx, args, relay.ParseKeyCursor, fetch, r.Store.CountRuns)
}

// pointers is the list of pointers gqlgen wants for a list of records.
func pointers[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}

// nodeOrNil turns a typed nil record into a nil Node.
func nodeOrNil[T any](rec *T, err error) (model.Node, error) {
	if err != nil || rec == nil {
		return nil, err
	}
	return rec, nil
}

// collect maps each parent of a batch to the key its field reads.
func collect[P any, K any](parents []*P, key func(*P) K) []K {
	out := make([]K, len(parents))
	for i, p := range parents {
		out[i] = key(p)
	}
	return out
}

func eventIDs(events []*db.Event) []int64 {
	return collect(events, func(e *db.Event) int64 { return e.ID })
}

func statementIDs(statements []*db.Statement) []int64 {
	return collect(statements, func(s *db.Statement) int64 { return s.ID })
}

// lists makes every per-parent list non-nil: a parent without any gets [].
func lists[V any](groups [][]V, err error) ([][]V, error) {
	if err != nil {
		return nil, err
	}
	for i := range groups {
		if groups[i] == nil {
			groups[i] = []V{}
		}
	}
	return groups, nil
}

// pointerLists is pointers applied to each parent's list.
func pointerLists[T any](groups [][]T) [][]*T {
	out := make([][]*T, len(groups))
	for i, g := range groups {
		out[i] = pointers(g)
	}
	return out
}

// intOr is *n, or def when the argument was not given.
func intOr(n *int, def int) int {
	if n == nil {
		return def
	}
	return *n
}

// timeMatch is the filter's TimeMatch, "" when it gives none: START for a
// list, and what eventCounts counts by for its buckets.
func timeMatch(m *db.TimeMatch) db.TimeMatch {
	if m == nil {
		return ""
	}
	return *m
}

func stringOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// byKey loads the record with key, nil when there is none. A key longer
// than any a record may hold is refused with BAD_USER_INPUT rather than
// looked up (and then quoted in no error).
func byKey[V any](ctx context.Context, l *loader.Loader[string, V], key string) (V, error) {
	if err := db.CheckBytes("key", key, db.MaxKeyLength); err != nil {
		var zero V
		return zero, err
	}
	return loader.Maybe(ctx, l, key)
}

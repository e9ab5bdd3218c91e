// Package loader batches the API's nested reads: each loader takes the
// keys that a level of a query asks for (gqlgen's batch resolvers hand over
// every sibling key at once) and fetches the ones it does not have with one
// store call, so a page of 50 timeline items costs a handful of SQL
// statements rather than hundreds, and nothing waits on a timer.
//
// It replaced github.com/vikstrous/dataloadgen, which collects keys during
// a time window: with batch resolvers the window has nothing left to
// collect, and on this machine a 100 µs window slept about 1.1 ms per
// nesting level, most of a small query's time.
package loader

import (
	"context"
	"net/http"

	"github.com/geotimeline/geotimeline/db"
)

// BatchReader is what the loaders read with: reads of many records at once,
// by ID or key, missing ones absent, and the lists of many records by their
// owners' IDs.
type BatchReader interface {
	ActorsByID(ctx context.Context, ids []int64) ([]*db.Actor, error)
	ActorsByKey(ctx context.Context, keys []string) ([]*db.Actor, error)
	CountriesByID(ctx context.Context, ids []int64) ([]*db.Country, error)
	CountriesByCode(ctx context.Context, codes []string) ([]*db.Country, error)
	EventsByID(ctx context.Context, ids []int64) ([]*db.Event, error)
	EventsByKey(ctx context.Context, keys []string) ([]*db.Event, error)
	StatementsByID(ctx context.Context, ids []int64) ([]*db.Statement, error)
	StatementsByKey(ctx context.Context, keys []string) ([]*db.Statement, error)
	SourcesByID(ctx context.Context, ids []int64) ([]*db.Source, error)
	SourcesByKey(ctx context.Context, keys []string) ([]*db.Source, error)
	RelationshipsByID(ctx context.Context, ids []int64) ([]*db.Relationship, error)
	Participants(ctx context.Context, eventIDs []int64) (map[int64][]db.Participant, error)
	Links(ctx context.Context, eventIDs []int64) (map[int64][]db.Link, error)
	LinkedFrom(ctx context.Context, eventIDs []int64) (map[int64][]db.Link, error)
	StatementsAbout(ctx context.Context, eventIDs []int64) (map[int64][]string, error)
	Addressees(ctx context.Context, statementIDs []int64) (map[int64][]string, error)
	About(ctx context.Context, statementIDs []int64) (map[int64][]string, error)
	SourcesOf(ctx context.Context, owner db.SourceOwner, ids []int64) (map[int64][]*db.Source, error)
}

// Loaders holds one request's loaders. Its caches live as long as the
// request, so a record read twice in one answer is fetched once.
type Loaders struct {
	ActorByID        *Loader[int64, *db.Actor]
	ActorByKey       *Loader[string, *db.Actor]
	CountryByID      *Loader[int64, *db.Country]
	CountryByCode    *Loader[string, *db.Country]
	EventByID        *Loader[int64, *db.Event]
	EventByKey       *Loader[string, *db.Event]
	StatementByID    *Loader[int64, *db.Statement]
	StatementByKey   *Loader[string, *db.Statement]
	SourceByID       *Loader[int64, *db.Source]
	SourceByKey      *Loader[string, *db.Source]
	RelationshipByID *Loader[int64, *db.Relationship]

	Participants    *Loader[int64, []db.Participant]
	Links           *Loader[int64, []db.Link]
	LinkedFrom      *Loader[int64, []db.Link]
	StatementsAbout *Loader[int64, []string]
	Addressees      *Loader[int64, []string]
	About           *Loader[int64, []string]

	ActorSources        *Loader[int64, []*db.Source]
	EventSources        *Loader[int64, []*db.Source]
	StatementSources    *Loader[int64, []*db.Source]
	RelationshipSources *Loader[int64, []*db.Source]
}

// byField turns a store read that returns records into a mapped fetch.
func byField[K comparable, V any](read func(context.Context, []K) ([]V, error), field func(V) K) func(context.Context, []K) (map[K]V, error) {
	return func(ctx context.Context, keys []K) (map[K]V, error) {
		recs, err := read(ctx, keys)
		if err != nil {
			return nil, err
		}
		out := make(map[K]V, len(recs))
		for _, r := range recs {
			out[field(r)] = r
		}
		return out, nil
	}
}

func sourcesOf(s BatchReader, owner db.SourceOwner) *Loader[int64, []*db.Source] {
	return newLoader(func(ctx context.Context, ids []int64) (map[int64][]*db.Source, error) {
		return s.SourcesOf(ctx, owner, ids)
	})
}

// New returns fresh loaders reading from s.
func New(s BatchReader) *Loaders {
	return &Loaders{
		ActorByID:        newLoader(byField(s.ActorsByID, func(a *db.Actor) int64 { return a.ID })),
		ActorByKey:       newLoader(byField(s.ActorsByKey, func(a *db.Actor) string { return a.Key })),
		CountryByID:      newLoader(byField(s.CountriesByID, func(c *db.Country) int64 { return c.ID })),
		CountryByCode:    newLoader(byField(s.CountriesByCode, func(c *db.Country) string { return c.Code })),
		EventByID:        newLoader(byField(s.EventsByID, func(e *db.Event) int64 { return e.ID })),
		EventByKey:       newLoader(byField(s.EventsByKey, func(e *db.Event) string { return e.Key })),
		StatementByID:    newLoader(byField(s.StatementsByID, func(st *db.Statement) int64 { return st.ID })),
		StatementByKey:   newLoader(byField(s.StatementsByKey, func(st *db.Statement) string { return st.Key })),
		SourceByID:       newLoader(byField(s.SourcesByID, func(src *db.Source) int64 { return src.ID })),
		SourceByKey:      newLoader(byField(s.SourcesByKey, func(src *db.Source) string { return src.Key })),
		RelationshipByID: newLoader(byField(s.RelationshipsByID, func(r *db.Relationship) int64 { return r.ID })),

		Participants:    newLoader(s.Participants),
		Links:           newLoader(s.Links),
		LinkedFrom:      newLoader(s.LinkedFrom),
		StatementsAbout: newLoader(s.StatementsAbout),
		Addressees:      newLoader(s.Addressees),
		About:           newLoader(s.About),

		ActorSources:        sourcesOf(s, db.OwnerActor),
		EventSources:        sourcesOf(s, db.OwnerEvent),
		StatementSources:    sourcesOf(s, db.OwnerStatement),
		RelationshipSources: sourcesOf(s, db.OwnerRelationship),
	}
}

type ctxKey struct{}

// With returns a context carrying fresh loaders for s.
func With(ctx context.Context, s BatchReader) context.Context {
	return context.WithValue(ctx, ctxKey{}, New(s))
}

// For returns the loaders of ctx. It panics when there are none: every
// GraphQL request passes through Middleware, so a miss is a wiring bug.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loader: no loaders in context; wrap the handler in loader.Middleware")
	}
	return l
}

// Middleware gives every request its own loaders.
func Middleware(s BatchReader, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(With(r.Context(), s)))
	})
}

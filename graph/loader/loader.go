// Package loader batches the API's nested reads: each loader collects the
// keys that resolvers ask for during one request and fetches them with one
// store call, so a page of 50 timeline items costs a handful of SQL
// statements rather than hundreds. It uses github.com/vikstrous/dataloadgen,
// the fastest maintained Go dataloader in measurements (../shared/NOTES.md).
package loader

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// wait is how long a loader collects keys before it fetches. dataloadgen's
// default of 16 ms would add 16 ms per nesting level. The batch resolvers
// queue all the keys of a level at once, so the window only has to cover
// the few loads that come from elsewhere; each level of a nested page pays
// it, which is why it is short.
const wait = 100 * time.Microsecond

// Loaders holds one request's loaders. Its caches live as long as the
// request, so a record read twice in one answer is fetched once.
type Loaders struct {
	ActorByID        *dataloadgen.Loader[int64, *db.Actor]
	ActorByKey       *dataloadgen.Loader[string, *db.Actor]
	CountryByID      *dataloadgen.Loader[int64, *db.Country]
	CountryByCode    *dataloadgen.Loader[string, *db.Country]
	EventByID        *dataloadgen.Loader[int64, *db.Event]
	EventByKey       *dataloadgen.Loader[string, *db.Event]
	StatementByID    *dataloadgen.Loader[int64, *db.Statement]
	StatementByKey   *dataloadgen.Loader[string, *db.Statement]
	SourceByID       *dataloadgen.Loader[int64, *db.Source]
	SourceByKey      *dataloadgen.Loader[string, *db.Source]
	RelationshipByID *dataloadgen.Loader[int64, *db.Relationship]

	Participants    *dataloadgen.Loader[int64, []db.Participant]
	Links           *dataloadgen.Loader[int64, []db.Link]
	LinkedFrom      *dataloadgen.Loader[int64, []db.Link]
	StatementsAbout *dataloadgen.Loader[int64, []string]
	Addressees      *dataloadgen.Loader[int64, []string]
	About           *dataloadgen.Loader[int64, []string]

	ActorSources        *dataloadgen.Loader[int64, []*db.Source]
	EventSources        *dataloadgen.Loader[int64, []*db.Source]
	StatementSources    *dataloadgen.Loader[int64, []*db.Source]
	RelationshipSources *dataloadgen.Loader[int64, []*db.Source]
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

func newLoader[K comparable, V any](fetch func(context.Context, []K) (map[K]V, error)) *dataloadgen.Loader[K, V] {
	return dataloadgen.NewMappedLoader(fetch, dataloadgen.WithWait(wait))
}

func sourcesOf(s *sqlite.Store, owner sqlite.Owner) *dataloadgen.Loader[int64, []*db.Source] {
	return newLoader(func(ctx context.Context, ids []int64) (map[int64][]*db.Source, error) {
		return s.SourcesOf(ctx, owner, ids)
	})
}

// New returns fresh loaders reading from s.
func New(s *sqlite.Store) *Loaders {
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

		ActorSources:        sourcesOf(s, sqlite.OwnerActor),
		EventSources:        sourcesOf(s, sqlite.OwnerEvent),
		StatementSources:    sourcesOf(s, sqlite.OwnerStatement),
		RelationshipSources: sourcesOf(s, sqlite.OwnerRelationship),
	}
}

type ctxKey struct{}

// With returns a context carrying fresh loaders for s.
func With(ctx context.Context, s *sqlite.Store) context.Context {
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
func Middleware(s *sqlite.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(With(r.Context(), s)))
	})
}

// Maybe loads one key and turns "not found" into a nil result: references
// that may dangle (an optional link) and lists that may be empty.
func Maybe[K comparable, V any](ctx context.Context, l *dataloadgen.Loader[K, V], key K) (V, error) {
	v, err := l.Load(ctx, key)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		var zero V
		return zero, nil
	}
	return v, err
}

// Each loads one value per key for a batch resolver: every key is queued
// before any is awaited, so the loader fetches them all in one batch. Zero
// keys ("", 0) and keys not found give the zero value at their position.
func Each[K comparable, V any](ctx context.Context, l *dataloadgen.Loader[K, V], keys []K) ([]V, error) {
	var zero K
	thunks := make([]func() (V, error), len(keys))
	for i, k := range keys {
		if k != zero {
			thunks[i] = l.LoadThunk(ctx, k)
		}
	}
	out := make([]V, len(keys))
	for i, th := range thunks {
		if th == nil {
			continue
		}
		v, err := th()
		if errors.Is(err, dataloadgen.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// EachList loads a list of keys per parent in one batch and returns the
// values found, grouped as the keys were; each group is non-nil.
func EachList[K comparable, V comparable](ctx context.Context, l *dataloadgen.Loader[K, V], groups [][]K) ([][]V, error) {
	var flat []K
	for _, g := range groups {
		flat = append(flat, g...)
	}
	vals, err := Each(ctx, l, flat)
	if err != nil {
		return nil, err
	}
	var zero V
	out := make([][]V, len(groups))
	for i, g := range groups {
		out[i] = make([]V, 0, len(g))
		for range g {
			if vals[0] != zero {
				out[i] = append(out[i], vals[0])
			}
			vals = vals[1:]
		}
	}
	return out, nil
}

// IsNotFound reports whether err is a loader's "no record for that key".
func IsNotFound(err error) bool { return errors.Is(err, dataloadgen.ErrNotFound) }

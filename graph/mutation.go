package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/graph/generated"
)

// Mutations write through exactly the path `geotimeline seed` takes: the
// input becomes a one-record fixture document and seed.Load validates it
// with every rule of FIXTURES.md and writes it in one transaction. There is
// no second set of rules to drift apart.

// inputName is the file name fixture problems carry for a mutation's input;
// problems are then reported as "input.field".
const inputName = "input"

// apply validates and writes one fixture document given as JSON, and
// returns what was decoded. name is what problems are reported against
// ("input", "fixture").
func (r *Resolver) apply(ctx context.Context, name string, doc []byte) (*fixture.Set, db.Summary, error) {
	return r.applyRun(ctx, name, doc, nil)
}

// applyRun is apply recording run (unless nil) as seed.Loader.Record does.
func (r *Resolver) applyRun(ctx context.Context, name string, doc []byte, run *db.Run) (*fixture.Set, db.Summary, error) {
	loader := &seed.Loader{Record: run}
	set, sum, err := loader.Load(ctx, r.Store, []fixture.File{{Name: name, Data: doc}})
	if err != nil {
		return nil, db.Summary{}, renameProblems(err, name)
	}
	return set, sum, nil
}

// upsert writes one record given as a mutation input: list is the fixture
// list it belongs to ("actors"), record its JSON form. It returns the
// decoded batch, which holds the record as stored (codes normalised).
func (r *Resolver) upsert(ctx context.Context, list string, record any) (*db.Batch, error) {
	doc, err := json.Marshal(map[string]any{"version": fixture.Version, list: []any{record}})
	if err != nil {
		return nil, fmt.Errorf("encode %s input: %w", list, err)
	}
	set, _, err := r.apply(ctx, inputName, doc)
	if err != nil {
		return nil, err
	}
	return &set.Batch, nil
}

// loadFixture applies a fixture document given as a GraphQL JSON value.
func (r *Resolver) loadFixture(ctx context.Context, fixture any) (*db.Summary, error) {
	doc, err := json.Marshal(fixture)
	if err != nil {
		return nil, db.Errorf(db.CodeInvalid, "fixture: not a JSON document: %v", err)
	}
	// A loadFixture is a run, like a seed; an upsert of one record is not.
	run := &db.Run{Command: "loadFixture", Client: r.client(ctx), StartedAt: time.Now().UTC()}
	_, sum, err := r.applyRun(ctx, "fixture", doc, run)
	if err != nil {
		return nil, err
	}
	return &sum, nil
}

// stored reads back the record a mutation wrote, bypassing the request's
// loaders, whose caches may hold what was there before.
func stored[T any](recs []*T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		// The write committed a moment ago; only a concurrent delete
		// can have removed it since.
		return nil, db.Errorf(db.CodeNotFound, "the record was deleted by another request after it was written")
	}
	return recs[0], nil
}

// renameProblems rewrites where fixture problems point so they read as
// GraphQL argument paths: "input: actors[0].name" becomes "input.name" and
// "fixture: events[3].title" becomes "fixture.events[3].title".
func renameProblems(err error, name string) error {
	ps, ok := errors.AsType[db.Problems](err)
	if !ok {
		return err
	}
	out := make(db.Problems, len(ps))
	for i, p := range ps {
		where := strings.TrimPrefix(p.Where, name+": ")
		if name == inputName {
			// The one record of the document is the input itself.
			if _, rest, found := strings.Cut(where, "[0]"); found {
				where = rest
			}
		} else if where != "" {
			where = "." + where
		}
		out[i] = db.Problem{Where: name + where, What: p.What}
	}
	return out
}

// relationshipRecord is a RelationshipInput in fixture form: the object is
// an actor key or {"country": code}.
func relationshipRecord(in generated.RelationshipInput) (map[string]any, error) {
	raw, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	var rec map[string]any
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	switch o := in.Object; {
	case o.Actor != nil && o.Country == nil:
		rec["object"] = *o.Actor
	case o.Country != nil && o.Actor == nil:
		rec["object"] = map[string]any{"country": *o.Country}
	default:
		return nil, db.Problems{{Where: "input.object", What: "give exactly one of actor and country"}}
	}
	return rec, nil
}

// recordKind names a db.RefKind as the API's RecordKind enum.
func recordKind(k db.RefKind) generated.RecordKind {
	return generated.RecordKind(strings.ToUpper(string(k)))
}

package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// Report is what a dry run found: what the write would change, and for
// each record it would update (as many as the store reports: SQLite's
// MaxDryRunRecords), the fixture fields whose values would change.
type Report struct {
	db.Summary
	Updates []Update
}

// Update is one record a run would update.
type Update struct {
	// List is the fixture list the record belongs to ("actors"), Key its
	// key (a relationship's identity when it has none).
	List, Key string
	// Fields are the fixture fields that would change, sorted.
	Fields []string
}

// DryRun reports what Write would do, writing nothing: the same checks,
// then the write in a transaction that is rolled back. It returns the same
// problems Write would.
func (d *Decoded) DryRun(ctx context.Context, store DryRunner) (Report, error) {
	if d.err != nil {
		return Report{}, d.Check(ctx, store)
	}
	var sum db.Summary
	var updated *db.Batch
	var err error
	if d.spill == nil {
		sum, updated, err = store.DryRun(ctx, &d.set.Batch, d.set.Refs)
	} else {
		sum, updated, err = store.DryRunStream(ctx, d.set.Refs, d.feed(ctx))
	}
	if ps := problems(err); ps != nil {
		return Report{}, d.writeProblems(ctx, store, ps)
	}
	if err != nil {
		return Report{}, err
	}
	updates, err := diff(ctx, store, updated)
	if err != nil {
		return Report{}, err
	}
	return Report{Summary: sum, Updates: updates}, nil
}

// diff compares each updated record with the stored one, both written in
// the fixture format, member by member: the names are the fixture's, and
// what counts as a change is what the export would show.
func diff(ctx context.Context, store DryRunner, updated *db.Batch) ([]Update, error) {
	var out []Update
	steps := []func() error{
		func() error {
			return diffList(ctx, &out, "countries", updated.Countries, func(c db.Country) string { return c.Code },
				store.CountriesByCode, func(cs []db.Country) db.Batch { return db.Batch{Countries: cs} })
		},
		func() error {
			return diffList(ctx, &out, "sources", updated.Sources, func(s db.Source) string { return s.Key },
				store.SourcesByKey, func(ss []db.Source) db.Batch { return db.Batch{Sources: ss} })
		},
		func() error {
			return diffList(ctx, &out, "actors", updated.Actors, func(a db.Actor) string { return a.Key },
				store.ActorsByKey, func(as []db.Actor) db.Batch { return db.Batch{Actors: as} })
		},
		func() error {
			// A relationship may have no key: its identity names it.
			byIdentity := func(ctx context.Context, ids []string) ([]*db.Relationship, error) {
				r, err := store.RelationshipByIdentity(ctx, ids[0])
				if err != nil || r == nil {
					return nil, err
				}
				return []*db.Relationship{r}, nil
			}
			return diffList(ctx, &out, "relationships", updated.Relationships, func(r db.Relationship) string { return r.Identity() },
				byIdentity, func(rs []db.Relationship) db.Batch { return db.Batch{Relationships: rs} })
		},
		func() error {
			return diffList(ctx, &out, "events", updated.Events, func(e db.Event) string { return e.Key },
				store.EventsByKey, func(es []db.Event) db.Batch { return db.Batch{Events: es} })
		},
		func() error {
			return diffList(ctx, &out, "statements", updated.Statements, func(s db.Statement) string { return s.Key },
				store.StatementsByKey, func(ss []db.Statement) db.Batch { return db.Batch{Statements: ss} })
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// diffList adds to out an Update for each record of recs, one list of the
// fixture format: key names it, read reads the stored record by that key
// and batch wraps one record as a batch for the encoder.
func diffList[T any](ctx context.Context, out *[]Update, list string, recs []T, key func(T) string,
	read func(context.Context, []string) ([]*T, error), batch func([]T) db.Batch) error {
	for _, rec := range recs {
		k := key(rec)
		old, err := read(ctx, []string{k})
		if err != nil {
			return err
		}
		if len(old) == 0 {
			continue // deleted since the dry run read it
		}
		now, before := batch([]T{rec}), batch([]T{*old[0]})
		fields, err := changedFields(list, &now, &before)
		if err != nil {
			return fmt.Errorf("dry run: compare %s %q: %w", list, k, err)
		}
		*out = append(*out, Update{List: list, Key: k, Fields: fields})
	}
	return nil
}

// changedFields encodes the one record of list in now and in before as
// fixture documents and names the members that differ.
func changedFields(list string, now, before *db.Batch) ([]string, error) {
	a, err := member(list, now)
	if err != nil {
		return nil, err
	}
	b, err := member(list, before)
	if err != nil {
		return nil, err
	}
	var fields []string
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			fields = append(fields, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			fields = append(fields, k)
		}
	}
	slices.Sort(fields)
	return fields, nil
}

// member is the one record of list in b's fixture encoding, by member.
func member(list string, b *db.Batch) (map[string]json.RawMessage, error) {
	var buf bytes.Buffer
	if err := fixture.Encode(&buf, b); err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return nil, err
	}
	var recs []map[string]json.RawMessage
	if err := json.Unmarshal(doc[list], &recs); err != nil || len(recs) != 1 {
		return nil, fmt.Errorf("encode %s: want one record, got %s", list, doc[list])
	}
	return recs[0], nil
}

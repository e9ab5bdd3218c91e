package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// Report is what a dry run found: what the write would change, and for
// each record it would update (the first sqlite.MaxDryRunRecords), the
// fixture fields whose values would change.
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
func (d *Decoded) DryRun(ctx context.Context, store *sqlite.Store) (Report, error) {
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
		if again, rerr := store.UnknownRefs(ctx, d.set.Refs, d.set.Defined); rerr == nil && len(again) > 0 {
			ps = again
		}
		return Report{}, fixture.Truncate(ps, 0)
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
func diff(ctx context.Context, store *sqlite.Store, updated *db.Batch) ([]Update, error) {
	var out []Update
	add := func(list, key string, now, before db.Batch) error {
		fields, err := changedFields(list, &now, &before)
		if err != nil {
			return fmt.Errorf("dry run: compare %s %q: %w", list, key, err)
		}
		out = append(out, Update{List: list, Key: key, Fields: fields})
		return nil
	}
	for _, c := range updated.Countries {
		old, err := store.CountriesByCode(ctx, []string{c.Code})
		if err != nil || len(old) == 0 {
			return nil, err
		}
		if err := add("countries", c.Code, db.Batch{Countries: []db.Country{c}}, db.Batch{Countries: []db.Country{*old[0]}}); err != nil {
			return nil, err
		}
	}
	for _, s := range updated.Sources {
		old, err := store.SourcesByKey(ctx, []string{s.Key})
		if err != nil || len(old) == 0 {
			return nil, err
		}
		if err := add("sources", s.Key, db.Batch{Sources: []db.Source{s}}, db.Batch{Sources: []db.Source{*old[0]}}); err != nil {
			return nil, err
		}
	}
	for _, a := range updated.Actors {
		old, err := store.ActorsByKey(ctx, []string{a.Key})
		if err != nil || len(old) == 0 {
			return nil, err
		}
		if err := add("actors", a.Key, db.Batch{Actors: []db.Actor{a}}, db.Batch{Actors: []db.Actor{*old[0]}}); err != nil {
			return nil, err
		}
	}
	for _, r := range updated.Relationships {
		old, err := store.RelationshipByIdentity(ctx, r.Identity())
		if err != nil || old == nil {
			return nil, err
		}
		key := r.Key
		if key == "" {
			key = r.Identity()
		}
		if err := add("relationships", key, db.Batch{Relationships: []db.Relationship{r}}, db.Batch{Relationships: []db.Relationship{*old}}); err != nil {
			return nil, err
		}
	}
	for _, e := range updated.Events {
		old, err := store.EventsByKey(ctx, []string{e.Key})
		if err != nil || len(old) == 0 {
			return nil, err
		}
		if err := add("events", e.Key, db.Batch{Events: []db.Event{e}}, db.Batch{Events: []db.Event{*old[0]}}); err != nil {
			return nil, err
		}
	}
	for _, st := range updated.Statements {
		old, err := store.StatementsByKey(ctx, []string{st.Key})
		if err != nil || len(old) == 0 {
			return nil, err
		}
		if err := add("statements", st.Key, db.Batch{Statements: []db.Statement{st}}, db.Batch{Statements: []db.Statement{*old[0]}}); err != nil {
			return nil, err
		}
	}
	return out, nil
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

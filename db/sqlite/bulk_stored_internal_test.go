package sqlite

import (
	"context"
	"errors"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// newRecords is set's records under new keys ("n-" + key), each reference
// renamed too but every third, which keeps naming the record of base
// (stored before): new events with stored participants, sources and link
// targets, statements by stored speakers about stored events.
func newRecords(set *fixture.Set) *db.Batch { return newRecordsBut(set, nil) }

// newRecordsBut is newRecords whose references never keep naming a key of
// gone (a record deleted from base's database).
func newRecordsBut(set *fixture.Set, gone map[string]bool) *db.Batch {
	b := set.Batch
	n := 0
	ref := func(key string) string {
		n++
		if key == "" || (n%3 == 0 && !gone[key]) {
			return key
		}
		return "n-" + key
	}
	refs := func(keys []string) []string {
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = ref(k)
		}
		return out
	}
	var out db.Batch
	for _, s := range b.Sources {
		s.Key = "n-" + s.Key
		out.Sources = append(out.Sources, s)
	}
	for _, a := range b.Actors {
		a.Key, a.Sources = "n-"+a.Key, refs(a.Sources)
		out.Actors = append(out.Actors, a)
	}
	for _, r := range b.Relationships {
		if r.Key != "" {
			r.Key = "n-" + r.Key
		}
		r.Subject = "n-" + r.Subject
		if r.Object.Actor != "" {
			r.Object.Actor = ref(r.Object.Actor)
		}
		r.Sources = refs(r.Sources)
		out.Relationships = append(out.Relationships, r)
	}
	for _, e := range b.Events {
		e.Key = "n-" + e.Key
		e.Participants = append([]db.Participant(nil), e.Participants...)
		for i := range e.Participants {
			e.Participants[i].Actor = ref(e.Participants[i].Actor)
		}
		e.Links = append([]db.Link(nil), e.Links...)
		for i := range e.Links {
			e.Links[i].Event = ref(e.Links[i].Event)
		}
		e.Estimates = append([]db.Estimate(nil), e.Estimates...)
		for i := range e.Estimates {
			e.Estimates[i].Source = ref(e.Estimates[i].Source)
		}
		e.Sources = refs(e.Sources)
		out.Events = append(out.Events, e)
	}
	for _, st := range b.Statements {
		st.Key, st.Speaker, st.DeliveredBy = "n-"+st.Key, ref(st.Speaker), ref(st.DeliveredBy)
		st.CoSpeakers, st.Addressees, st.About, st.Sources = refs(st.CoSpeakers), refs(st.Addressees), refs(st.About), refs(st.Sources)
		out.Statements = append(out.Statements, st)
	}
	return &out
}

// moreRecords is newRecords(set) with its events given a second time under
// other new keys ("m-" + key): more records than set's, so that a bulk
// load of them into set's database drops and creates the indexes again.
func moreRecords(set *fixture.Set) *db.Batch {
	b := newRecords(set)
	for _, e := range b.Events[:len(b.Events)] {
		e.Key = "m-" + e.Key
		b.Events = append(b.Events, e)
	}
	return b
}

// TestBulkLoadIntoStoredMatchesNormalPath loads a run of new records that
// refer to stored ones into a database that holds records, through the
// bulk path and the normal path, and compares every row of every table,
// as TestBulkLoadMatchesNormalPath does for an empty database: with the
// indexes dropped (the run is larger than what is stored) and kept (it is
// smaller).
func TestBulkLoadIntoStoredMatchesNormalPath(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		base, next func(testing.TB) *fixture.Set
	}{
		{"demo then synth", func(tb testing.TB) *fixture.Set { return readFixture(tb, "../demo/demo.json") },
			func(tb testing.TB) *fixture.Set { return synthSet(tb, 2000) }},
		{"synth then larger", func(tb testing.TB) *fixture.Set { return synthSet(tb, 1500) }, nil},
		{"synth then smaller", func(tb testing.TB) *fixture.Set { return synthSet(tb, 3000) }, nil},
		{"synth, its last records deleted, then larger", func(tb testing.TB) *fixture.Set { return synthSet(tb, 1500) }, nil},
		{"full then itself", func(tb testing.TB) *fixture.Set { return readFixture(tb, "../fixture/testdata/full.json") }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base(t)
			var batch *db.Batch
			var gone map[string]bool
			var deletes []db.Ref
			switch tc.name {
			case "demo then synth":
				batch = &tc.next(t).Batch
			case "synth then larger":
				batch = moreRecords(base)
			case "synth, its last records deleted, then larger":
				// The largest ids are gone: the next are still max + 1,
				// as SQLite gives them.
				last := base.Batch.Events[len(base.Batch.Events)-1].Key
				lastSt := base.Batch.Statements[len(base.Batch.Statements)-1].Key
				lastSrc := base.Batch.Sources[len(base.Batch.Sources)-1].Key
				gone = map[string]bool{last: true, lastSt: true, lastSrc: true}
				deletes = []db.Ref{{Kind: db.RefStatement, Key: lastSt}, {Kind: db.RefEvent, Key: last}, {Kind: db.RefSource, Key: lastSrc}}
				batch = newRecordsBut(base, gone)
			case "synth then smaller":
				batch = newRecords(base)
				batch.Events, batch.Statements = batch.Events[:300], nil
			default:
				batch = newRecords(base)
			}
			// Both bases are written alike (the bulk path into an empty
			// database), so that what differs is the second load's path
			// alone, down to the full-text index's segments.
			normal, bulk := openBulkTest(t, "normal.db", false), openBulkTest(t, "bulk.db", false)
			normal.flushEvery, normal.maxCachedIDs = 700, 300
			bulk.bulkRange = 400
			var sums [2]db.Summary
			for i, s := range []*Store{normal, bulk} {
				if _, err := s.Apply(ctx, &base.Batch, base.Refs); err != nil {
					t.Fatalf("store %d, base: %v", i, err)
				}
				for _, r := range deletes {
					if _, err := s.Delete(ctx, r.Kind, r.Key, true); err != nil {
						t.Fatalf("store %d, delete %s %s: %v", i, r.Kind, r.Key, err)
					}
				}
				s.noBulk = s == normal
				run := db.Run{Command: "import", Client: "test", StartedAt: bulkClock}
				sum, err := s.ApplyRun(ctx, &run, batch, nil)
				if err != nil {
					t.Fatalf("store %d: %v", i, err)
				}
				sums[i] = sum
			}
			if !bulk.lastBulk.Load() {
				t.Error("the load of new records took the normal path")
			}
			if sums[0] != sums[1] || sums[1].Inserted == 0 {
				t.Errorf("summaries: normal %+v, bulk %+v", sums[0], sums[1])
			}
			compareDumps(t, dumpDatabase(t, normal), dumpDatabase(t, bulk))
		})
	}
}

// TestBulkLoadIntoStoredNotAllNew checks that a run one of whose keys is
// stored takes the normal path, and leaves what it leaves.
func TestBulkLoadIntoStoredNotAllNew(t *testing.T) {
	ctx := context.Background()
	base := synthSet(t, 500)
	for _, tc := range []struct {
		name  string
		stale func(b *db.Batch, base *db.Batch)
	}{
		{"source", func(b, base *db.Batch) { b.Sources = append(b.Sources, base.Sources[0]) }},
		{"actor", func(b, base *db.Batch) { b.Actors = append(b.Actors, base.Actors[1]) }},
		{"relationship", func(b, base *db.Batch) { b.Relationships = append(b.Relationships, base.Relationships[0]) }},
		{"event", func(b, base *db.Batch) {
			e := base.Events[len(base.Events)-1]
			e.Title += " (revised)"
			b.Events = append(b.Events, e)
		}},
		{"statement", func(b, base *db.Batch) { b.Statements = append(b.Statements, base.Statements[0]) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batch := newRecords(base)
			tc.stale(batch, &base.Batch)
			normal, bulk := openBulkTest(t, "normal.db", true), openBulkTest(t, "bulk.db", false)
			for i, s := range []*Store{normal, bulk} {
				if _, err := s.Apply(ctx, &base.Batch, base.Refs); err != nil {
					t.Fatalf("store %d, base: %v", i, err)
				}
				if _, err := s.Apply(ctx, batch, nil); err != nil {
					t.Fatalf("store %d: %v", i, err)
				}
			}
			if bulk.lastBulk.Load() {
				t.Error("a run with a stored key took the bulk path")
			}
			compareDumps(t, dumpDatabase(t, normal), dumpDatabase(t, bulk))
		})
	}
}

// TestBulkLoadIntoStoredFailsWhole checks that a failing bulk load into a
// database that holds records leaves it as it was, indexes included.
func TestBulkLoadIntoStoredFailsWhole(t *testing.T) {
	ctx := context.Background()
	for _, more := range []bool{false, true} {
		s := openBulkTest(t, "bulk.db", false)
		base := synthSet(t, 1000)
		if _, err := s.Apply(ctx, &base.Batch, base.Refs); err != nil {
			t.Fatal(err)
		}
		before := dumpDatabase(t, s)
		batch := newRecords(base)
		if more {
			batch = moreRecords(base)
		}
		batch.Events[len(batch.Events)-1].Participants[0].Actor = "no-such-actor"
		_, err := s.Apply(ctx, batch, nil)
		var ps db.Problems
		if !errors.As(err, &ps) || len(ps) != 1 || ps[0].What != `unknown actor "no-such-actor"` {
			t.Fatalf("Apply (more %v) = %v, want one problem naming no-such-actor", more, err)
		}
		if !s.lastBulk.Load() {
			t.Errorf("the load of new records (more %v) took the normal path", more)
		}
		compareDumps(t, before, dumpDatabase(t, s))
	}
}

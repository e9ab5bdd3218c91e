package postgres

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// The fixtures and checks of db/sqlite's TestApply, on PostgreSQL. The
// checks that need the timeline, the export or the relationship reads wait
// for those reads.

var (
	t1 = time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	t2 = time.Date(2025, 6, 2, 11, 30, 0, 0, time.UTC)
	t3 = time.Date(2025, 6, 3, 12, 45, 0, 0, time.UTC)
)

// applyBase holds 2 sources, 3 actors, 1 relationship, 2 events and 1
// statement: 9 records.
const applyBase = `{
  "version": 1,
  "sources": [
    {"key": "src-a", "url": "https://example.org/a", "title": "A"},
    {"key": "src-b", "url": "https://example.org/b", "title": "B"}
  ],
  "actors": [
    {"key": "india", "name": "India", "kind": "STATE", "country": "IN", "aliases": ["Bharat"], "sources": ["src-a"]},
    {"key": "pakistan", "name": "Pakistan", "kind": "STATE", "country": "PK"},
    {"key": "usa", "name": "United States", "kind": "STATE", "country": "US"}
  ],
  "relationships": [
    {"kind": "OPPOSES", "subject": "india", "object": "pakistan", "from": "1947", "sources": ["src-a"]}
  ],
  "events": [
    {"key": "attack", "type": "ATTACK", "title": "Attack", "occurredAt": "2025-04-22",
      "participants": [{"actor": "india", "role": "TARGET"}]},
    {"key": "strike", "type": "STRIKE", "title": "Strike", "occurredAt": "2025-05-07",
      "participants": [{"actor": "india", "role": "INITIATOR"}, {"actor": "pakistan", "role": "TARGET"}],
      "links": [{"kind": "RESPONSE_TO", "event": "attack"}],
      "tags": ["a", "b"], "sources": ["src-a"]}
  ],
  "statements": [
    {"key": "warning", "kind": "QUOTE", "speaker": "india", "addressees": ["pakistan"], "madeAt": "2025-05-08",
      "text": "We will respond.", "about": ["strike"], "stances": ["THREAT"], "sources": ["src-a"]}
  ]
}`

// applyChanged is applyBase with other values in india, strike, warning and
// the relationship's sources, and every list of those replaced.
const applyChanged = `{
  "version": 1,
  "sources": [
    {"key": "src-a", "url": "https://example.org/a", "title": "A"},
    {"key": "src-b", "url": "https://example.org/b", "title": "B"}
  ],
  "actors": [
    {"key": "india", "name": "Republic of India", "kind": "STATE", "country": "IN", "aliases": ["Hindustan"], "sources": ["src-b"]},
    {"key": "pakistan", "name": "Pakistan", "kind": "STATE", "country": "PK"},
    {"key": "usa", "name": "United States", "kind": "STATE", "country": "US"}
  ],
  "relationships": [
    {"kind": "OPPOSES", "subject": "india", "object": "pakistan", "from": "1947", "sources": ["src-b", "src-a"]}
  ],
  "events": [
    {"key": "attack", "type": "ATTACK", "title": "Attack", "occurredAt": "2025-04-22",
      "participants": [{"actor": "india", "role": "TARGET"}]},
    {"key": "strike", "type": "STRIKE", "title": "Strikes", "occurredAt": "2025-05-07",
      "participants": [{"actor": "usa", "role": "MEDIATOR"}, {"actor": "india", "role": "PARTICIPANT"}],
      "links": [{"kind": "FOLLOWS", "event": "attack"}],
      "tags": ["c"], "sources": ["src-b"]}
  ],
  "statements": [
    {"key": "warning", "kind": "QUOTE", "speaker": "india", "addressees": ["usa"], "madeAt": "2025-05-08",
      "text": "We will respond.", "about": ["attack"], "stances": ["DEMAND", "SUPPORT"]}
  ]
}`

func decode(tb testing.TB, files ...string) *fixture.Set {
	tb.Helper()
	fs := make([]fixture.File, len(files))
	for i, f := range files {
		fs[i] = fixture.File{Name: "x.json", Data: []byte(f)}
	}
	set, err := fixture.Decode(fs)
	if err != nil {
		tb.Fatalf("Decode: %v", err)
	}
	return set
}

func tryLoad(tb testing.TB, s *Store, fixture string) (db.Summary, error) {
	tb.Helper()
	set := decode(tb, fixture)
	return s.Apply(context.Background(), &set.Batch, set.Refs)
}

func load(tb testing.TB, s *Store, fixture string) db.Summary {
	tb.Helper()
	sum, err := tryLoad(tb, s, fixture)
	if err != nil {
		tb.Fatalf("Apply: %v", err)
	}
	return sum
}

func setClock(s *Store, t time.Time) { s.Now = func() time.Time { return t } }

func checkStamps(tb testing.TB, what string, st db.Stamps, created, updated time.Time) {
	tb.Helper()
	if got, want := st.CreatedAt, created; !got.Equal(want) {
		tb.Errorf("%s createdAt = %v, want %v", what, got, want)
	}
	if got, want := st.UpdatedAt, updated; !got.Equal(want) {
		tb.Errorf("%s updatedAt = %v, want %v", what, got, want)
	}
}

func actorByKey(tb testing.TB, s *Store, key string) *db.Actor {
	tb.Helper()
	as, err := s.ActorsByKey(context.Background(), []string{key})
	if err != nil || len(as) != 1 {
		tb.Fatalf("ActorsByKey(%q) = %v, %v; want one actor", key, as, err)
	}
	return as[0]
}

func eventByKey(tb testing.TB, s *Store, key string) *db.Event {
	tb.Helper()
	es, err := s.EventsByKey(context.Background(), []string{key})
	if err != nil || len(es) != 1 {
		tb.Fatalf("EventsByKey(%q) = %v, %v; want one event", key, es, err)
	}
	return es[0]
}

// stampsOf reads a record's clocks by its key column, for the kinds this
// store cannot read back yet (sources, statements, relationships).
func stampsOf(tb testing.TB, s *Store, table, keyCol, key string) db.Stamps {
	tb.Helper()
	var created, updated int64
	if err := s.pool.QueryRow(context.Background(), `SELECT created_at, updated_at FROM `+table+` WHERE `+keyCol+` = $1`,
		key).Scan(&created, &updated); err != nil {
		tb.Fatalf("stamps of %s %q: %v", table, key, err)
	}
	return stamps(created, updated)
}

// list reads one list column of the rows owned by key, in position order,
// as text: the check of the lists that EventsByKey does not return.
func list(tb testing.TB, s *Store, query, key string) []string {
	tb.Helper()
	rows, err := s.pool.Query(context.Background(), query, key)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			tb.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

const (
	participantsQuery = `SELECT a.key || ':' || p.role FROM event_participants p JOIN events e ON e.id = p.event_id
		JOIN actors a ON a.id = p.actor_id WHERE e.key = $1 ORDER BY p.position`
	linksQuery = `SELECT l.kind || ':' || t.key FROM event_links l JOIN events e ON e.id = l.event_id
		JOIN events t ON t.id = l.target_id WHERE e.key = $1 ORDER BY l.position`
	eventSourcesQuery = `SELECT s.key FROM event_sources x JOIN events e ON e.id = x.event_id
		JOIN sources s ON s.id = x.source_id WHERE e.key = $1 ORDER BY x.position`
	actorSourcesQuery = `SELECT s.key FROM actor_sources x JOIN actors a ON a.id = x.actor_id
		JOIN sources s ON s.id = x.source_id WHERE a.key = $1 ORDER BY x.position`
	relationshipSourcesQuery = `SELECT s.key FROM relationship_sources x JOIN relationships r ON r.id = x.relationship_id
		JOIN sources s ON s.id = x.source_id WHERE r.identity = $1 ORDER BY x.position`
	addresseesQuery = `SELECT a.key FROM statement_addressees x JOIN statements st ON st.id = x.statement_id
		JOIN actors a ON a.id = x.actor_id WHERE st.key = $1 ORDER BY x.position`
	aboutQuery = `SELECT e.key FROM statement_about x JOIN statements st ON st.id = x.statement_id
		JOIN events e ON e.id = x.event_id WHERE st.key = $1 ORDER BY x.position`
	stancesQuery = `SELECT x.stance FROM statement_stances x JOIN statements st ON st.id = x.statement_id
		WHERE st.key = $1 ORDER BY x.position`
	statementSourcesQuery = `SELECT s.key FROM statement_sources x JOIN statements st ON st.id = x.statement_id
		JOIN sources s ON s.id = x.source_id WHERE st.key = $1 ORDER BY x.position`
)

func relationshipIdentity(tb testing.TB, s *Store) string {
	tb.Helper()
	ids := list(tb, s, `SELECT identity FROM relationships WHERE $1 = $1 ORDER BY identity`, "")
	if len(ids) != 1 {
		tb.Fatalf("relationships %q, want one", ids)
	}
	return ids[0]
}

func isEmpty(tb testing.TB, s *Store) bool {
	tb.Helper()
	empty, err := s.IsEmpty(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return empty
}

func openClocked(t *testing.T) *Store {
	t.Helper()
	s := openTest(t)
	setClock(s, t1)
	return s
}

func TestApply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("Insert", func(t *testing.T) {
		t.Parallel()
		s := openClocked(t)
		if got, want := load(t, s, applyBase), (db.Summary{Inserted: 9}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		checkStamps(t, "actor india", actorByKey(t, s, "india").Stamps, t1, t1)
		checkStamps(t, "event strike", eventByKey(t, s, "strike").Stamps, t1, t1)
		checkStamps(t, "statement warning", stampsOf(t, s, "statements", "key", "warning"), t1, t1)
		checkStamps(t, "source src-a", stampsOf(t, s, "sources", "key", "src-a"), t1, t1)
		checkStamps(t, "relationship", stampsOf(t, s, "relationships", "identity", relationshipIdentity(t, s)), t1, t1)

		india := actorByKey(t, s, "india")
		if india.Name != "India" || india.Kind != db.ActorState || india.Country != "IN" ||
			!slices.Equal(india.Aliases, []string{"Bharat"}) {
			t.Errorf("india = %+v", india)
		}
		strike := eventByKey(t, s, "strike")
		if got, want := strike.OccurredAt.String(), "2025-05-07"; got != want {
			t.Errorf("strike occurredAt = %q, want %q", got, want)
		}
		if got, want := strike.Tags, []string{"a", "b"}; !slices.Equal(got, want) {
			t.Errorf("strike tags = %q, want %q", got, want)
		}
		if got, want := eventByKey(t, s, "attack").Tags, []string{}; got == nil || !slices.Equal(got, want) {
			t.Errorf("attack tags = %#v, want an empty, non-nil list", got)
		}
		if got, want := list(t, s, participantsQuery, "strike"), []string{"india:INITIATOR", "pakistan:TARGET"}; !slices.Equal(got, want) {
			t.Errorf("strike participants = %q, want %q", got, want)
		}
		if got, want := list(t, s, linksQuery, "strike"), []string{"RESPONSE_TO:attack"}; !slices.Equal(got, want) {
			t.Errorf("strike links = %q, want %q", got, want)
		}
		// Every event and statement written is in the change log, numbered
		// at commit in the order written.
		if got, want := list(t, s, `SELECT seq || ':' || kind || ':' || item_id FROM changes WHERE $1 = $1 ORDER BY seq`, ""),
			[]string{"1:0:1", "2:0:2", "3:1:1"}; !slices.Equal(got, want) {
			t.Errorf("change log = %q, want %q", got, want)
		}
	})

	t.Run("LoadingTwiceChangesNothing", func(t *testing.T) {
		t.Parallel()
		s := openClocked(t)
		load(t, s, applyBase)
		setClock(s, t2)
		if got, want := load(t, s, applyBase), (db.Summary{Unchanged: 9}); got != want {
			t.Errorf("Summary of the second load = %v, want %v", got, want)
		}
		checkStamps(t, "actor india", actorByKey(t, s, "india").Stamps, t1, t1)
		checkStamps(t, "event strike", eventByKey(t, s, "strike").Stamps, t1, t1)
		checkStamps(t, "statement warning", stampsOf(t, s, "statements", "key", "warning"), t1, t1)
		checkStamps(t, "source src-a", stampsOf(t, s, "sources", "key", "src-a"), t1, t1)
		checkStamps(t, "relationship", stampsOf(t, s, "relationships", "identity", relationshipIdentity(t, s)), t1, t1)
		var feed int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM change_feed`).Scan(&feed); err != nil {
			t.Fatal(err)
		}
		if feed != 9 {
			t.Errorf("changes feed rows after two loads = %d, want the first load's 9", feed)
		}
	})

	t.Run("ReloadWithOtherValuesReplaces", func(t *testing.T) {
		t.Parallel()
		s := openClocked(t)
		load(t, s, applyBase)
		setClock(s, t2)
		// india, the relationship, strike and warning changed; 2 sources,
		// pakistan, usa and attack did not.
		if got, want := load(t, s, applyChanged), (db.Summary{Updated: 4, Unchanged: 5}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		india := actorByKey(t, s, "india")
		if got, want := india.Name, "Republic of India"; got != want {
			t.Errorf("india name = %q, want %q", got, want)
		}
		if got, want := india.Aliases, []string{"Hindustan"}; !slices.Equal(got, want) {
			t.Errorf("india aliases = %q, want %q", got, want)
		}
		if got, want := list(t, s, actorSourcesQuery, "india"), []string{"src-b"}; !slices.Equal(got, want) {
			t.Errorf("india sources = %q, want %q", got, want)
		}
		if got, want := list(t, s, relationshipSourcesQuery, relationshipIdentity(t, s)), []string{"src-b", "src-a"}; !slices.Equal(got, want) {
			t.Errorf("relationship sources = %q, want %q", got, want)
		}
		strike := eventByKey(t, s, "strike")
		if got, want := strike.Title, "Strikes"; got != want {
			t.Errorf("strike title = %q, want %q", got, want)
		}
		if got, want := list(t, s, participantsQuery, "strike"), []string{"usa:MEDIATOR", "india:PARTICIPANT"}; !slices.Equal(got, want) {
			t.Errorf("strike participants = %q, want %q", got, want)
		}
		if got, want := list(t, s, linksQuery, "strike"), []string{"FOLLOWS:attack"}; !slices.Equal(got, want) {
			t.Errorf("strike links = %q, want %q", got, want)
		}
		if got, want := strike.Tags, []string{"c"}; !slices.Equal(got, want) {
			t.Errorf("strike tags = %q, want %q", got, want)
		}
		if got, want := list(t, s, eventSourcesQuery, "strike"), []string{"src-b"}; !slices.Equal(got, want) {
			t.Errorf("strike sources = %q, want %q", got, want)
		}
		if got, want := list(t, s, addresseesQuery, "warning"), []string{"usa"}; !slices.Equal(got, want) {
			t.Errorf("warning addressees = %q, want %q", got, want)
		}
		if got, want := list(t, s, aboutQuery, "warning"), []string{"attack"}; !slices.Equal(got, want) {
			t.Errorf("warning about = %q, want %q", got, want)
		}
		if got, want := list(t, s, stancesQuery, "warning"), []string{"DEMAND", "SUPPORT"}; !slices.Equal(got, want) {
			t.Errorf("warning stances = %q, want %q", got, want)
		}
		if got := list(t, s, statementSourcesQuery, "warning"); len(got) != 0 {
			t.Errorf("warning sources = %q, want none", got)
		}
		checkStamps(t, "actor india", actorByKey(t, s, "india").Stamps, t1, t2)
		checkStamps(t, "actor pakistan", actorByKey(t, s, "pakistan").Stamps, t1, t1)
		checkStamps(t, "event strike", eventByKey(t, s, "strike").Stamps, t1, t2)
		checkStamps(t, "event attack", eventByKey(t, s, "attack").Stamps, t1, t1)
		checkStamps(t, "statement warning", stampsOf(t, s, "statements", "key", "warning"), t1, t2)
		checkStamps(t, "source src-a", stampsOf(t, s, "sources", "key", "src-a"), t1, t1)
		checkStamps(t, "relationship", stampsOf(t, s, "relationships", "identity", relationshipIdentity(t, s)), t1, t2)

		// Loading the changed fixture again changes nothing more.
		setClock(s, t3)
		if got, want := load(t, s, applyChanged), (db.Summary{Unchanged: 9}); got != want {
			t.Errorf("Summary of the third load = %v, want %v", got, want)
		}
		checkStamps(t, "event strike", eventByKey(t, s, "strike").Stamps, t1, t2)
	})

	t.Run("RunRecordedWithTheWrite", func(t *testing.T) {
		t.Parallel()
		s := openClocked(t)
		set := decode(t, applyBase)
		run := &db.Run{StartedAt: t1.Add(-time.Minute), Command: "seed", Client: "alice",
			Files: []db.RunFile{{Name: "x.json", SHA256: "abc"}}}
		if _, err := s.ApplyRun(ctx, run, &set.Batch, set.Refs); err != nil {
			t.Fatal(err)
		}
		runs, more, err := s.Runs(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := db.Run{ID: 1, StartedAt: t1.Add(-time.Minute), FinishedAt: t1, Command: "seed", Client: "alice",
			Files: []db.RunFile{{Name: "x.json", SHA256: "abc"}}, Summary: db.Summary{Inserted: 9}}
		if len(runs) != 1 || more || !reflect.DeepEqual(runs[0], want) || run.ID != 1 {
			t.Errorf("Runs = %+v (more %v), run.ID %d; want [%+v]", runs, more, run.ID, want)
		}
	})

	t.Run("UnknownReferenceWritesNothing", func(t *testing.T) {
		t.Parallel()
		s := openClocked(t)
		bad := `{"version": 1,
			"actors": [{"key": "a", "name": "A", "kind": "PERSON"}],
			"events": [{"key": "e", "type": "OTHER", "title": "E", "occurredAt": "2025",
				"participants": [{"actor": "nobody", "role": "PARTICIPANT"}]}]}`
		sum, err := tryLoad(t, s, bad)
		var probs db.Problems
		if !errors.As(err, &probs) {
			t.Fatalf("Apply error = %v (%T), want db.Problems", err, err)
		}
		if got, want := err.Error(), `x.json: events[0].participants[0].actor: unknown actor "nobody"`; got != want {
			t.Errorf("error = %q, want %q", got, want)
		}
		if got, want := db.ErrorCode(err), db.CodeInvalid; got != want {
			t.Errorf("ErrorCode = %q, want %q", got, want)
		}
		if got, want := sum, (db.Summary{}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		if !isEmpty(t, s) {
			t.Errorf("database not empty after a failed load")
		}
	})

	t.Run("UnknownReferenceHasAHint", func(t *testing.T) {
		t.Parallel()
		s := openClocked(t)
		lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "geotimeline.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer lite.Close()
		bad := `{"version": 1, "events": [{"key": "e", "type": "OTHER", "title": "E", "occurredAt": "2025",
			"participants": [{"actor": "indai", "role": "PARTICIPANT"}], "sources": ["src-c"]}]}`
		for _, f := range []string{applyBase, bad} {
			set := decode(t, f)
			_, want := lite.Apply(ctx, &set.Batch, set.Refs)
			_, err := tryLoad(t, s, f)
			if fmt.Sprint(err) != fmt.Sprint(want) {
				t.Errorf("error = %v, want SQLite's %v", err, want)
			}
			if f == bad && err == nil {
				t.Error("the bad fixture loaded")
			}
		}
	})

	t.Run("FailureAfterWritesRollsBack", func(t *testing.T) {
		t.Parallel()
		s := openClocked(t)
		b := &db.Batch{
			Actors: []db.Actor{{Key: "a", Name: "A", Kind: db.ActorPerson}},
			Events: []db.Event{{Key: "e", Type: db.EventOther, Title: "E",
				OccurredAt:   db.Date{At: t1, Precision: db.PrecisionDay},
				Participants: []db.Participant{{Actor: "nobody", Role: db.RoleVictim}}}},
		}
		if _, err := s.Apply(ctx, b, nil); err == nil {
			t.Fatal("Apply succeeded, want an error")
		}
		if !isEmpty(t, s) {
			t.Errorf("database not empty after a failed load")
		}
	})
}

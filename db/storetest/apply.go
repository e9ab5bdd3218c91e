package storetest

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
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

func findActor(tb testing.TB, b *db.Batch, key string) db.Actor {
	tb.Helper()
	for _, a := range b.Actors {
		if a.Key == key {
			return a
		}
	}
	tb.Fatalf("export has no actor %q", key)
	return db.Actor{}
}

func findEvent(tb testing.TB, b *db.Batch, key string) db.Event {
	tb.Helper()
	for _, e := range b.Events {
		if e.Key == key {
			return e
		}
	}
	tb.Fatalf("export has no event %q", key)
	return db.Event{}
}

func findStatement(tb testing.TB, b *db.Batch, key string) db.Statement {
	tb.Helper()
	for _, st := range b.Statements {
		if st.Key == key {
			return st
		}
	}
	tb.Fatalf("export has no statement %q", key)
	return db.Statement{}
}

func testApply(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("Insert", func(t *testing.T) {
		s := mustOpen(t, open)
		if got, want := load(t, s, applyBase), (db.Summary{Inserted: 9}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		checkStamps(t, "actor india", actorByKey(t, s, "india").Stamps, t1, t1)
		checkStamps(t, "event strike", eventByKey(t, s, "strike").Stamps, t1, t1)
		checkStamps(t, "statement warning", statementByKey(t, s, "warning").Stamps, t1, t1)
		checkStamps(t, "source src-a", sourceByKey(t, s, "src-a").Stamps, t1, t1)
		rels := relationshipsOf(t, s, "india", nil, nil)
		if got, want := len(rels), 1; got != want {
			t.Fatalf("relationships of india: %d, want %d", got, want)
		}
		checkStamps(t, "relationship", rels[0].Stamps, t1, t1)
	})

	t.Run("LoadingTwiceChangesNothing", func(t *testing.T) {
		s := mustOpen(t, open)
		load(t, s, applyBase)
		before := exportBytes(t, s)
		setClock(s, t2)
		if got, want := load(t, s, applyBase), (db.Summary{Unchanged: 9}); got != want {
			t.Errorf("Summary of the second load = %v, want %v", got, want)
		}
		if got, want := exportBytes(t, s), before; !bytes.Equal(got, want) {
			t.Errorf("export after the second load:\n%s\nwant:\n%s", got, want)
		}
		checkStamps(t, "actor india", actorByKey(t, s, "india").Stamps, t1, t1)
		checkStamps(t, "event strike", eventByKey(t, s, "strike").Stamps, t1, t1)
		checkStamps(t, "statement warning", statementByKey(t, s, "warning").Stamps, t1, t1)
		checkStamps(t, "source src-a", sourceByKey(t, s, "src-a").Stamps, t1, t1)
		checkStamps(t, "relationship", relationshipsOf(t, s, "india", nil, nil)[0].Stamps, t1, t1)
		if got, want := countTimeline(t, s, db.TimelineFilter{}), 3; got != want {
			t.Errorf("timeline count = %d, want %d", got, want)
		}
	})

	t.Run("ReloadWithOtherValuesReplaces", func(t *testing.T) {
		s := mustOpen(t, open)
		load(t, s, applyBase)
		setClock(s, t2)
		// india, the relationship, strike and warning changed; 2 sources,
		// pakistan, usa and attack did not.
		if got, want := load(t, s, applyChanged), (db.Summary{Updated: 4, Unchanged: 5}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		b := mustExport(t, s)

		india := findActor(t, b, "india")
		if got, want := india.Name, "Republic of India"; got != want {
			t.Errorf("india name = %q, want %q", got, want)
		}
		if got, want := india.Aliases, []string{"Hindustan"}; !slices.Equal(got, want) {
			t.Errorf("india aliases = %q, want %q", got, want)
		}
		if got, want := india.Sources, []string{"src-b"}; !slices.Equal(got, want) {
			t.Errorf("india sources = %q, want %q", got, want)
		}

		if got, want := len(b.Relationships), 1; got != want {
			t.Fatalf("relationships = %d, want %d", got, want)
		}
		if got, want := b.Relationships[0].Sources, []string{"src-b", "src-a"}; !slices.Equal(got, want) {
			t.Errorf("relationship sources = %q, want %q", got, want)
		}

		strike := findEvent(t, b, "strike")
		if got, want := strike.Title, "Strikes"; got != want {
			t.Errorf("strike title = %q, want %q", got, want)
		}
		wantParts := []db.Participant{{Actor: "usa", Role: db.RoleMediator}, {Actor: "india", Role: db.RoleParticipant}}
		if got, want := strike.Participants, wantParts; !slices.Equal(got, want) {
			t.Errorf("strike participants = %v, want %v", got, want)
		}
		if got, want := strike.Links, []db.Link{{Kind: db.LinkFollows, Event: "attack"}}; !slices.Equal(got, want) {
			t.Errorf("strike links = %v, want %v", got, want)
		}
		if got, want := strike.Tags, []string{"c"}; !slices.Equal(got, want) {
			t.Errorf("strike tags = %q, want %q", got, want)
		}
		if got, want := strike.Sources, []string{"src-b"}; !slices.Equal(got, want) {
			t.Errorf("strike sources = %q, want %q", got, want)
		}

		warning := findStatement(t, b, "warning")
		if got, want := warning.Addressees, []string{"usa"}; !slices.Equal(got, want) {
			t.Errorf("warning addressees = %q, want %q", got, want)
		}
		if got, want := warning.About, []string{"attack"}; !slices.Equal(got, want) {
			t.Errorf("warning about = %q, want %q", got, want)
		}
		if got, want := warning.Stances, []db.Stance{db.StanceDemand, db.StanceSupport}; !slices.Equal(got, want) {
			t.Errorf("warning stances = %q, want %q", got, want)
		}
		if got, want := len(warning.Sources), 0; got != want {
			t.Errorf("warning sources = %q, want none", warning.Sources)
		}

		checkStamps(t, "actor india", actorByKey(t, s, "india").Stamps, t1, t2)
		checkStamps(t, "actor pakistan", actorByKey(t, s, "pakistan").Stamps, t1, t1)
		checkStamps(t, "event strike", eventByKey(t, s, "strike").Stamps, t1, t2)
		checkStamps(t, "event attack", eventByKey(t, s, "attack").Stamps, t1, t1)
		checkStamps(t, "statement warning", statementByKey(t, s, "warning").Stamps, t1, t2)
		checkStamps(t, "source src-a", sourceByKey(t, s, "src-a").Stamps, t1, t1)
		checkStamps(t, "relationship", relationshipsOf(t, s, "india", nil, nil)[0].Stamps, t1, t2)

		// The timeline index follows the replaced lists.
		for _, tt := range []struct {
			actor string
			want  string
		}{
			{"pakistan", ""},
			{"usa", "e:strike s:warning"},
			{"india", "e:attack e:strike s:warning"},
		} {
			if got := timeline(t, s, db.TimelineFilter{Actors: []string{tt.actor}}, db.Ascending); got != tt.want {
				t.Errorf("timeline of %s = %q, want %q", tt.actor, got, tt.want)
			}
		}
		if got, want := timeline(t, s, db.TimelineFilter{Roles: []db.ParticipantRole{db.RoleInitiator}, Include: []db.ItemKind{db.ItemEvent}}, db.Ascending), ""; got != want {
			t.Errorf("timeline of initiators = %q, want %q", got, want)
		}

		// Loading the changed fixture again changes nothing more.
		setClock(s, t3)
		if got, want := load(t, s, applyChanged), (db.Summary{Unchanged: 9}); got != want {
			t.Errorf("Summary of the third load = %v, want %v", got, want)
		}
		checkStamps(t, "event strike", eventByKey(t, s, "strike").Stamps, t1, t2)
	})

	t.Run("AbsentRecordsAreLeftAlone", func(t *testing.T) {
		s := mustOpen(t, open)
		load(t, s, applyBase)
		setClock(s, t2)
		sum := load(t, s, `{"version": 1, "actors": [{"key": "china", "name": "China", "kind": "STATE", "country": "CN"}]}`)
		if got, want := sum, (db.Summary{Inserted: 1}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		b := mustExport(t, s)
		var actors, events []string
		for _, a := range b.Actors {
			actors = append(actors, a.Key)
		}
		for _, e := range b.Events {
			events = append(events, e.Key)
		}
		if got, want := actors, []string{"china", "india", "pakistan", "usa"}; !slices.Equal(got, want) {
			t.Errorf("actors = %q, want %q", got, want)
		}
		if got, want := events, []string{"attack", "strike"}; !slices.Equal(got, want) {
			t.Errorf("events = %q, want %q", got, want)
		}
		if got, want := len(b.Statements)+len(b.Sources)+len(b.Relationships), 4; got != want {
			t.Errorf("statements, sources and relationships = %d, want %d", got, want)
		}
		checkStamps(t, "actor india", actorByKey(t, s, "india").Stamps, t1, t1)
		checkStamps(t, "actor china", actorByKey(t, s, "china").Stamps, t2, t2)
	})

	t.Run("ReferencesToStoredRecordsResolve", func(t *testing.T) {
		s := mustOpen(t, open)
		load(t, s, `{"version": 1,
			"sources": [{"key": "src", "url": "https://example.org/"}],
			"actors": [{"key": "a", "name": "A", "kind": "PERSON"}, {"key": "b", "name": "B", "kind": "PERSON"}],
			"events": [{"key": "first", "type": "OTHER", "title": "First", "occurredAt": "2025"}]}`)
		set := decode(t, `{"version": 1,
			"relationships": [{"kind": "ALLIED_WITH", "subject": "a", "object": "b"}],
			"events": [{"key": "second", "type": "MEETING", "title": "Second", "occurredAt": "2026",
				"participants": [{"actor": "a", "role": "PARTICIPANT"}, {"actor": "b", "role": "MEDIATOR"}],
				"links": [{"kind": "FOLLOWS", "event": "first"}], "sources": ["src"]}],
			"statements": [{"key": "said", "kind": "QUOTE", "speaker": "a", "addressees": ["b"], "madeAt": "2026",
				"text": "Hello.", "about": ["first"], "sources": ["src"]}]}`)
		if got, want := len(set.Refs), 10; got != want {
			t.Errorf("refs left to the store = %d, want %d", got, want)
		}
		sum, err := s.Apply(ctx, &set.Batch, set.Refs)
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if got, want := sum, (db.Summary{Inserted: 3}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		b := mustExport(t, s)
		second := findEvent(t, b, "second")
		wantParts := []db.Participant{{Actor: "a", Role: db.RoleParticipant}, {Actor: "b", Role: db.RoleMediator}}
		if got, want := second.Participants, wantParts; !slices.Equal(got, want) {
			t.Errorf("participants = %v, want %v", got, want)
		}
		if got, want := second.Links, []db.Link{{Kind: db.LinkFollows, Event: "first"}}; !slices.Equal(got, want) {
			t.Errorf("links = %v, want %v", got, want)
		}
		said := findStatement(t, b, "said")
		if got, want := said.About, []string{"first"}; !slices.Equal(got, want) {
			t.Errorf("about = %q, want %q", got, want)
		}
		if got, want := timeline(t, s, db.TimelineFilter{Actors: []string{"b"}}, db.Ascending), "s:said e:second"; got != want {
			t.Errorf("timeline of b = %q, want %q", got, want)
		}
	})

	t.Run("UnknownReferenceWritesNothing", func(t *testing.T) {
		s := mustOpen(t, open)
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
		if got, want := len(probs), 1; got != want {
			t.Errorf("problems = %d, want %d", got, want)
		}
		if got, want := db.ErrorCode(err), db.CodeInvalid; got != want {
			t.Errorf("ErrorCode = %q, want %q", got, want)
		}
		if got, want := sum, (db.Summary{}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		if got, want := isEmpty(t, s), true; got != want {
			t.Errorf("IsEmpty after a failed load = %v, want %v", got, want)
		}

		// On a database that holds records, a failed load leaves it as it was.
		load(t, s, applyBase)
		before := exportBytes(t, s)
		setClock(s, t2)
		badUpdate := `{"version": 1,
			"countries": [{"code": "XZ", "name": "Zedland"}],
			"actors": [{"key": "india", "name": "Changed", "kind": "STATE"}, {"key": "new", "name": "New", "kind": "PERSON", "country": "XZ"}],
			"events": [{"key": "strike", "type": "STRIKE", "title": "Changed", "occurredAt": "2025-05-07",
				"participants": [{"actor": "nobody", "role": "PARTICIPANT"}, {"actor": "new", "role": "TARGET"}]}],
			"statements": [{"key": "s", "kind": "QUOTE", "speaker": "india", "madeAt": "2025", "text": "t",
				"sources": ["no-source"], "about": ["no-event"]}]}`
		_, err = tryLoad(t, s, badUpdate)
		want := `x.json: events[0].participants[0].actor: unknown actor "nobody"` + "\n" +
			`x.json: statements[0].about[0]: unknown event "no-event"` + "\n" +
			`x.json: statements[0].sources[0]: unknown source "no-source"`
		if err == nil {
			t.Fatal("Apply succeeded, want unknown references")
		}
		if got := err.Error(); got != want {
			t.Errorf("error = %q, want %q", got, want)
		}
		if got, want := exportBytes(t, s), before; !bytes.Equal(got, want) {
			t.Errorf("export after a failed load:\n%s\nwant:\n%s", got, want)
		}
		checkStamps(t, "actor india", actorByKey(t, s, "india").Stamps, t1, t1)
	})

	t.Run("FailureAfterWritesRollsBack", func(t *testing.T) {
		// A batch whose bad reference the caller did not list in refs fails
		// only after earlier records were written: those must be rolled back.
		s := mustOpen(t, open)
		b := &db.Batch{
			Actors: []db.Actor{{Key: "a", Name: "A", Kind: db.ActorPerson}},
			Events: []db.Event{{Key: "e", Type: db.EventOther, Title: "E",
				OccurredAt:   db.Date{At: t1, Precision: db.PrecisionDay},
				Participants: []db.Participant{{Actor: "nobody", Role: db.RoleVictim}}}},
		}
		if _, err := s.Apply(ctx, b, nil); err == nil {
			t.Fatal("Apply succeeded, want an error")
		}
		if got, want := isEmpty(t, s), true; got != want {
			t.Errorf("IsEmpty after a failed load = %v, want %v", got, want)
		}
		if got, want := countTimeline(t, s, db.TimelineFilter{}), 0; got != want {
			t.Errorf("timeline count = %d, want %d", got, want)
		}
	})

	t.Run("KeylessRelationshipIdentity", func(t *testing.T) {
		s := mustOpen(t, open)
		const actors = `{"version": 1, "actors": [
			{"key": "rubio", "name": "Marco Rubio", "kind": "PERSON", "country": "US"},
			{"key": "state-dept", "name": "State Department", "kind": "GOVERNMENT_BODY", "country": "US"}]}`
		rel := func(title, to string) string {
			r := `{"kind": "HOLDS_POSITION", "subject": "rubio", "object": "state-dept", "title": "` + title + `", "from": "2025-01-21"`
			if to != "" {
				r += `, "to": "` + to + `"`
			}
			return `{"version": 1, "relationships": [` + r + `}]}`
		}
		load(t, s, actors)
		if got, want := load(t, s, rel("Secretary of State", "")), (db.Summary{Inserted: 1}); got != want {
			t.Errorf("first load: Summary = %v, want %v", got, want)
		}
		first := relationshipsOf(t, s, "rubio", nil, nil)

		setClock(s, t2)
		if got, want := load(t, s, rel("Secretary of State", "")), (db.Summary{Unchanged: 1}); got != want {
			t.Errorf("same again: Summary = %v, want %v", got, want)
		}
		if got, want := len(relationshipsOf(t, s, "rubio", nil, nil)), 1; got != want {
			t.Errorf("relationships after loading the same one = %d, want %d", got, want)
		}

		if got, want := load(t, s, rel("Secretary of State", "2025-12")), (db.Summary{Updated: 1}); got != want {
			t.Errorf("other to: Summary = %v, want %v", got, want)
		}
		rels := relationshipsOf(t, s, "rubio", nil, nil)
		if got, want := len(rels), 1; got != want {
			t.Fatalf("relationships after changing to = %d, want %d", got, want)
		}
		if got, want := rels[0].ID, first[0].ID; got != want {
			t.Errorf("id after changing to = %d, want %d (updated in place)", got, want)
		}
		if got, want := rels[0].To.String(), "2025-12"; got != want {
			t.Errorf("to = %q, want %q", got, want)
		}
		if got, want := rels[0].Key, ""; got != want {
			t.Errorf("key = %q, want none", got)
		}
		checkStamps(t, "relationship", rels[0].Stamps, t1, t2)

		setClock(s, t3)
		if got, want := load(t, s, rel("Secretary of State and National Security Advisor", "2025-12")), (db.Summary{Inserted: 1}); got != want {
			t.Errorf("other title: Summary = %v, want %v", got, want)
		}
		rels = relationshipsOf(t, s, "rubio", nil, nil)
		if got, want := len(rels), 2; got != want {
			t.Fatalf("relationships after changing the title = %d, want %d", got, want)
		}
		titles := []string{rels[0].Title, rels[1].Title}
		slices.Sort(titles)
		if got, want := titles, []string{"Secretary of State", "Secretary of State and National Security Advisor"}; !slices.Equal(got, want) {
			t.Errorf("titles = %q, want %q", got, want)
		}
	})

	t.Run("KeyedRelationshipUpdatesInPlace", func(t *testing.T) {
		s := mustOpen(t, open)
		load(t, s, `{"version": 1, "actors": [{"key": "a", "name": "A", "kind": "PERSON"}],
			"relationships": [{"key": "r", "kind": "BASED_IN", "subject": "a", "object": {"country": "IN"}, "title": "x", "from": "2020"}]}`)
		setClock(s, t2)
		sum := load(t, s, `{"version": 1,
			"relationships": [{"key": "r", "kind": "BASED_IN", "subject": "a", "object": {"country": "PK"}, "title": "y", "from": "2021"}]}`)
		if got, want := sum, (db.Summary{Updated: 1}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		rels := relationshipsOf(t, s, "a", nil, nil)
		if got, want := len(rels), 1; got != want {
			t.Fatalf("relationships = %d, want %d", got, want)
		}
		if got, want := *rels[0], (db.Relationship{ID: rels[0].ID, Key: "r", Kind: db.RelBasedIn, Subject: "a",
			Object: db.RelationshipObject{Country: "PK"}, Title: "y",
			From:   db.Date{At: *at(t, "2021-01-01T00:00:00Z"), Precision: db.PrecisionYear},
			Stamps: db.Stamps{CreatedAt: t1, UpdatedAt: t2}}); !reflect.DeepEqual(got, want) {
			t.Errorf("relationship = %+v, want %+v", got, want)
		}
	})

	t.Run("FixtureCountries", func(t *testing.T) {
		s := mustOpen(t, open)
		sum := load(t, s, `{"version": 1,
			"countries": [{"code": "XZ", "name": "Zedland", "region": "Nowhere"}, {"code": "IN", "name": "Republic of India"}],
			"actors": [{"key": "zed", "name": "Zed", "kind": "STATE", "country": "XZ"}]}`)
		// XZ is new, IN an update of the built-in row.
		if got, want := sum, (db.Summary{Inserted: 2, Updated: 1}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		if got, want := actorByKey(t, s, "zed").Country, "XZ"; got != want {
			t.Errorf("zed country = %q, want %q", got, want)
		}
		cs, err := s.CountriesByCode(ctx, []string{"IN", "XZ"})
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]db.Country{}
		for _, c := range cs {
			c.ID = 0
			names[c.Code] = *c
		}
		if got, want := names["XZ"], (db.Country{Code: "XZ", Name: "Zedland", Region: "Nowhere"}); got != want {
			t.Errorf("XZ = %+v, want %+v", got, want)
		}
		iso, _ := iso3166.Lookup("IN")
		if got, want := names["IN"], (db.Country{Code: "IN", Alpha3: "IND", Name: "Republic of India", Region: iso.Region}); got != want {
			t.Errorf("IN = %+v, want %+v", got, want)
		}
		n, err := s.CountCountries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := n, len(iso3166.All())+1; got != want {
			t.Errorf("CountCountries = %d, want %d", got, want)
		}
		b := mustExport(t, s)
		wantCountries := []db.Country{
			{Code: "IN", Alpha3: "IND", Name: "Republic of India", Region: iso.Region},
			{Code: "XZ", Name: "Zedland", Region: "Nowhere"},
		}
		if got, want := b.Countries, wantCountries; !slices.Equal(got, want) {
			t.Errorf("exported countries = %+v, want %+v", got, want)
		}
		if got, want := countTimeline(t, s, db.TimelineFilter{Countries: []string{"XZ"}}), 0; got != want {
			t.Errorf("timeline count for XZ = %d, want %d", got, want)
		}

		setClock(s, t2)
		if got, want := load(t, s, `{"version": 1, "countries": [{"code": "XZ", "name": "Zedland", "region": "Nowhere"},
			{"code": "IN", "name": "Republic of India"}]}`), (db.Summary{Unchanged: 2}); got != want {
			t.Errorf("same countries again: Summary = %v, want %v", got, want)
		}
		if got, want := load(t, s, `{"version": 1, "countries": [{"code": "XZ", "name": "Zedland Republic"}]}`), (db.Summary{Updated: 1}); got != want {
			t.Errorf("renamed XZ: Summary = %v, want %v", got, want)
		}
		cs, err = s.CountriesByCode(ctx, []string{"XZ"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cs[0].Name, "Zedland Republic"; got != want {
			t.Errorf("XZ name = %q, want %q", got, want)
		}
		if got, want := cs[0].Region, ""; got != want {
			t.Errorf("XZ region = %q, want %q (replaced, not merged)", got, want)
		}
	})

	t.Run("ActorCountryChangeMovesItems", func(t *testing.T) {
		s := mustOpen(t, open)
		load(t, s, `{"version": 1,
			"actors": [
				{"key": "mover", "name": "Mover", "kind": "NGO", "country": "IN"},
				{"key": "india", "name": "India", "kind": "STATE", "country": "IN"}],
			"events": [
				{"key": "alone", "type": "PROTEST", "title": "Alone", "occurredAt": "2025-05-01",
					"participants": [{"actor": "mover", "role": "INITIATOR"}]},
				{"key": "shared", "type": "MEETING", "title": "Shared", "occurredAt": "2025-05-02",
					"participants": [{"actor": "mover", "role": "PARTICIPANT"}, {"actor": "india", "role": "PARTICIPANT"}]}],
			"statements": [
				{"key": "said", "kind": "QUOTE", "speaker": "mover", "madeAt": "2025-05-03", "text": "t"},
				{"key": "heard", "kind": "QUOTE", "speaker": "india", "addressees": ["mover"], "madeAt": "2025-05-04", "text": "t"}]}`)
		in := db.TimelineFilter{Countries: []string{"IN"}}
		pk := db.TimelineFilter{Countries: []string{"PK"}}
		if got, want := timeline(t, s, in, db.Ascending), "e:alone e:shared s:said s:heard"; got != want {
			t.Errorf("IN before the move = %q, want %q", got, want)
		}
		if got, want := countTimeline(t, s, in), 4; got != want {
			t.Errorf("IN count before the move = %d, want %d", got, want)
		}
		if got, want := countTimeline(t, s, pk), 0; got != want {
			t.Errorf("PK count before the move = %d, want %d", got, want)
		}

		setClock(s, t2)
		sum := load(t, s, `{"version": 1, "actors": [{"key": "mover", "name": "Mover", "kind": "NGO", "country": "PK"}]}`)
		if got, want := sum, (db.Summary{Updated: 1}); got != want {
			t.Errorf("Summary = %v, want %v", got, want)
		}
		if got, want := timeline(t, s, in, db.Ascending), "e:shared s:heard"; got != want {
			t.Errorf("IN after the move = %q, want %q", got, want)
		}
		if got, want := countTimeline(t, s, in), 2; got != want {
			t.Errorf("IN count after the move = %d, want %d", got, want)
		}
		if got, want := timeline(t, s, pk, db.Ascending), "e:alone e:shared s:said"; got != want {
			t.Errorf("PK after the move = %q, want %q", got, want)
		}
		if got, want := countTimeline(t, s, pk), 3; got != want {
			t.Errorf("PK count after the move = %d, want %d", got, want)
		}
		// The events and statements themselves did not change.
		checkStamps(t, "event alone", eventByKey(t, s, "alone").Stamps, t1, t1)
		checkStamps(t, "statement said", statementByKey(t, s, "said").Stamps, t1, t1)

		// Losing the country takes the items out of every country.
		load(t, s, `{"version": 1, "actors": [{"key": "mover", "name": "Mover", "kind": "NGO"}]}`)
		if got, want := countTimeline(t, s, pk), 0; got != want {
			t.Errorf("PK count after losing the country = %d, want %d", got, want)
		}
		if got, want := timeline(t, s, in, db.Ascending), "e:shared s:heard"; got != want {
			t.Errorf("IN after losing the country = %q, want %q", got, want)
		}
		if err := s.IntegrityCheck(ctx); err != nil {
			t.Errorf("IntegrityCheck: %v", err)
		}
	})

	t.Run("ActorMovedInTheSameBatchAsNewEvent", func(t *testing.T) {
		s := mustOpen(t, open)
		load(t, s, `{"version": 1, "actors": [{"key": "mover", "name": "Mover", "kind": "NGO", "country": "IN"}],
			"events": [{"key": "old", "type": "OTHER", "title": "Old", "occurredAt": "2025-01",
				"participants": [{"actor": "mover", "role": "PARTICIPANT"}]}]}`)
		load(t, s, `{"version": 1, "actors": [{"key": "mover", "name": "Mover", "kind": "NGO", "country": "PK"}],
			"events": [{"key": "new", "type": "OTHER", "title": "New", "occurredAt": "2025-02",
				"participants": [{"actor": "mover", "role": "PARTICIPANT"}]}]}`)
		if got, want := timeline(t, s, db.TimelineFilter{Countries: []string{"PK"}}, db.Ascending), "e:old e:new"; got != want {
			t.Errorf("PK = %q, want %q", got, want)
		}
		if got, want := countTimeline(t, s, db.TimelineFilter{Countries: []string{"IN"}}), 0; got != want {
			t.Errorf("IN count = %d, want %d", got, want)
		}
	})
}

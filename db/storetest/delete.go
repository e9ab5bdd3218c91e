package storetest

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// DeleteFixture is the graph the delete tests work on; exported for the
// backends' own delete tests. What refers to what:
//
//	india     participant of attack, strike, ceasefire; speaker of india-readout;
//	          addressee of pakistan-reply; subject of rivals; object of
//	          modi-leads-india and of the keyless MEMBER_OF envoy → india
//	envoy     deliverer of india-readout; subject of both keyless relationships
//	modi      speaker of modi-speech; addressee of india-readout; subject of modi-leads-india
//	loner     nothing refers to it
//	strike    linked from ceasefire; about of india-readout, modi-speech, pakistan-reply
//	quake     nothing refers to it
//	src-a     sources of india, attack, strike, modi-speech, BASED_IN envoy → IN
//	src-unused nothing refers to it
//
// Timeline: quake 01-15, attack 04-22, strike 05-07, india-readout 05-08,
// ceasefire 05-10, modi-speech 05-12, pakistan-reply 05-13.
const DeleteFixture = `{
  "version": 1,
  "sources": [
    {"key": "src-a", "url": "https://example.org/a"},
    {"key": "src-b", "url": "https://example.org/b"},
    {"key": "src-unused", "url": "https://example.org/unused"}
  ],
  "actors": [
    {"key": "india", "name": "India", "kind": "STATE", "country": "IN", "sources": ["src-a"]},
    {"key": "pakistan", "name": "Pakistan", "kind": "STATE", "country": "PK"},
    {"key": "modi", "name": "Narendra Modi", "kind": "PERSON", "country": "IN"},
    {"key": "envoy", "name": "Envoy Sharma", "kind": "PERSON"},
    {"key": "loner", "name": "Lonely Hermit", "kind": "PERSON", "country": "NP"}
  ],
  "relationships": [
    {"key": "modi-leads-india", "kind": "LEADS", "subject": "modi", "object": "india"},
    {"key": "rivals", "kind": "OPPOSES", "subject": "india", "object": "pakistan", "sources": ["src-b"]},
    {"kind": "MEMBER_OF", "subject": "envoy", "object": "india"},
    {"kind": "BASED_IN", "subject": "envoy", "object": {"country": "IN"}, "title": "Embassy", "from": "2025",
      "sources": ["src-a"]}
  ],
  "events": [
    {"key": "attack", "type": "ATTACK", "title": "Pahalgam attack", "occurredAt": "2025-04-22",
      "location": {"country": "IN"}, "tags": ["kashmir"], "sources": ["src-a", "src-b"],
      "participants": [{"actor": "pakistan", "role": "INITIATOR"}, {"actor": "india", "role": "VICTIM"}]},
    {"key": "strike", "type": "STRIKE", "title": "Operation Sindoor", "occurredAt": "2025-05-07", "sources": ["src-a"],
      "participants": [{"actor": "india", "role": "INITIATOR"}, {"actor": "pakistan", "role": "TARGET"}],
      "links": [{"kind": "RESPONSE_TO", "event": "attack"}]},
    {"key": "ceasefire", "type": "CEASEFIRE", "title": "Ceasefire agreed", "occurredAt": "2025-05-10",
      "participants": [{"actor": "india", "role": "PARTICIPANT"}, {"actor": "pakistan", "role": "PARTICIPANT"}],
      "links": [{"kind": "FOLLOWS", "event": "strike"}]},
    {"key": "quake", "type": "OTHER", "title": "Lonely quake", "occurredAt": "2025-01-15", "location": {"country": "NP"}}
  ],
  "statements": [
    {"key": "modi-speech", "kind": "SPEECH", "speaker": "modi", "addressees": ["pakistan"], "madeAt": "2025-05-12",
      "text": "Terror and talks cannot go together.", "about": ["strike"], "sources": ["src-a"]},
    {"key": "india-readout", "kind": "READOUT", "speaker": "india", "deliveredBy": "envoy",
      "addressees": ["pakistan", "modi"], "madeAt": "2025-05-08", "text": "Measured and non-escalatory.",
      "about": ["attack", "strike"]},
    {"key": "pakistan-reply", "kind": "PRESS_RELEASE", "speaker": "pakistan", "addressees": ["india"],
      "madeAt": "2025-05-13", "text": "An act of war.", "about": ["strike"]}
  ]
}`

// The delete tests work on DeleteFixture, loaded at t1; deletes run at t2.

// The keyless relationships of the fixture, as deletions name them.
const (
	memberOf = "MEMBER_OF envoy → india"
	basedIn  = `BASED_IN envoy → IN "Embassy" from 2025`
)

const fullTimeline = "e:quake e:attack e:strike s:india-readout e:ceasefire s:modi-speech s:pakistan-reply"

func openDelete(tb testing.TB, open Opener) *testStore {
	tb.Helper()
	s := mustOpen(tb, open)
	load(tb, s, DeleteFixture)
	setClock(s, t2)
	return s
}

func ref(kind db.RefKind, key string) db.Ref { return db.Ref{Kind: kind, Key: key} }

func refs(rs ...db.Ref) []db.Ref { return rs }

func mustDelete(tb testing.TB, s *testStore, kind db.RefKind, key string, cascade bool) db.Deletion {
	tb.Helper()
	d, err := s.Delete(context.Background(), kind, key, cascade)
	if err != nil {
		tb.Fatalf("Delete(%s, %q, %v): %v", kind, key, cascade, err)
	}
	return d
}

func checkDeletion(tb testing.TB, got, want db.Deletion) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("Deletion =\n%+v\nwant\n%+v", got, want)
	}
}

// checkError fails unless err has exactly this code and message.
func checkError(tb testing.TB, err error, code db.Code, msg string) {
	tb.Helper()
	if got := db.ErrorCode(err); got != code {
		tb.Errorf("error %v has code %q, want %q", err, got, code)
	}
	if got := db.ErrorMessage(err); got != msg {
		tb.Errorf("message =\n%s\nwant\n%s", got, msg)
	}
}

// checkSound fails unless the database passes its integrity check and its
// export, seeded into an empty database, exports the same bytes.
func checkSound(tb testing.TB, s *testStore) {
	tb.Helper()
	ctx := context.Background()
	if err := s.IntegrityCheck(ctx); err != nil {
		tb.Error(err)
	}
	first := exportBytes(tb, s)
	set, err := fixture.Decode([]fixture.File{{Name: "export.json", Data: first}})
	if err != nil {
		tb.Fatalf("Decode(export): %v", err)
	}
	s2 := mustOpen(tb, s.open)
	if _, err := s2.Apply(ctx, &set.Batch, set.Refs); err != nil {
		tb.Fatalf("Apply(export): %v", err)
	}
	if got := exportBytes(tb, s2); !bytes.Equal(got, first) {
		tb.Errorf("export after a round trip:\n%s\nwant\n%s", got, first)
	}
	if got, want := timeline(tb, s2, db.TimelineFilter{}, db.Ascending), timeline(tb, s, db.TimelineFilter{}, db.Ascending); got != want {
		tb.Errorf("timeline after a round trip = %q, want %q", got, want)
	}
}

// inventory lists every record of the export by kind, keyless relationships
// by label.
func inventory(tb testing.TB, s *testStore) string {
	tb.Helper()
	b := mustExport(tb, s)
	var lines []string
	add := func(kind string, keys []string) { lines = append(lines, kind+": "+strings.Join(keys, " ")) }
	var keys []string
	for _, x := range b.Sources {
		keys = append(keys, x.Key)
	}
	add("sources", keys)
	keys = nil
	for _, x := range b.Actors {
		keys = append(keys, x.Key)
	}
	add("actors", keys)
	keys = nil
	for _, x := range b.Relationships {
		keys = append(keys, "["+x.Label()+"]")
	}
	add("relationships", keys)
	keys = nil
	for _, x := range b.Events {
		keys = append(keys, x.Key)
	}
	add("events", keys)
	keys = nil
	for _, x := range b.Statements {
		keys = append(keys, x.Key)
	}
	add("statements", keys)
	return strings.Join(lines, "\n")
}

const fullInventory = `sources: src-a src-b src-unused
actors: envoy india loner modi pakistan
relationships: [modi-leads-india] [rivals] [BASED_IN envoy → IN "Embassy" from 2025] [MEMBER_OF envoy → india]
events: attack ceasefire quake strike
statements: india-readout modi-speech pakistan-reply`

// without is the inventory inv with keys removed, given as kind, key pairs.
func without(inv string, pairs ...string) string {
	for i := 0; i < len(pairs); i += 2 {
		kind, key := pairs[i], pairs[i+1]
		lines := strings.Split(inv, "\n")
		for j, l := range lines {
			if strings.HasPrefix(l, kind+":") {
				lines[j] = strings.Replace(l, " "+key, "", 1)
			}
		}
		inv = strings.Join(lines, "\n")
	}
	return inv
}

// labels joins the relationships' labels with ", ".
func labels(rels []*db.Relationship) string {
	out := make([]string, len(rels))
	for i, r := range rels {
		out[i] = r.Label()
	}
	return strings.Join(out, ", ")
}

func testDeleteNotFound(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openDelete(t, open)
	before := exportBytes(t, s)
	for _, kind := range []db.RefKind{db.RefActor, db.RefEvent, db.RefStatement, db.RefSource, db.RefRelationship} {
		t.Run(string(kind), func(t *testing.T) {
			for _, cascade := range []bool{false, true} {
				_, err := s.Delete(ctx, kind, "nobody", cascade)
				checkError(t, err, db.CodeNotFound, fmt.Sprintf("no %s %q", kind, "nobody"))
			}
		})
	}
	t.Run("RelationshipID", func(t *testing.T) {
		_, err := s.DeleteRelationship(ctx, 9999, true)
		checkError(t, err, db.CodeNotFound, "no relationship 9999")
	})
	t.Run("Country", func(t *testing.T) {
		_, err := s.Delete(ctx, db.RefCountry, "IN", true)
		checkError(t, err, db.CodeInvalid, "countries are built in and cannot be deleted")
	})
	t.Run("UnknownKind", func(t *testing.T) {
		_, err := s.Delete(ctx, "planet", "mars", true)
		checkError(t, err, db.CodeInvalid, `cannot delete a record of kind "planet"`)
	})
	if got := exportBytes(t, s); !bytes.Equal(got, before) {
		t.Errorf("export changed:\n%s\nwant\n%s", got, before)
	}
}

func testDeleteUnreferenced(t *testing.T, open Opener) {
	t.Run("Actor", func(t *testing.T) {
		s := openDelete(t, open)
		if got, want := hoodNodes(t, s, "c:NP", 1, all), "c:NP e:quake a:loner"; got != want {
			t.Fatalf("before: neighbourhood of NP = %q, want %q", got, want)
		}
		if got, want := searchSet(t, s, "hermit"), "a:loner"; got != want {
			t.Fatalf("before: search hermit = %q, want %q", got, want)
		}
		checkDeletion(t, mustDelete(t, s, db.RefActor, "loner", false),
			db.Deletion{Kind: db.RefActor, Key: "loner", Deleted: refs(ref(db.RefActor, "loner"))})
		if as, err := s.ActorsByKey(context.Background(), []string{"loner"}); err != nil || len(as) != 0 {
			t.Errorf("ActorsByKey(loner) = %v, %v; want none", as, err)
		}
		if got, want := hoodNodes(t, s, "c:NP", 1, all), "c:NP e:quake"; got != want {
			t.Errorf("neighbourhood of NP = %q, want %q", got, want)
		}
		if got := searchSet(t, s, "hermit"); got != "" {
			t.Errorf("search hermit = %q, want nothing", got)
		}
		if got, want := inventory(t, s), without(fullInventory, "actors", "loner"); got != want {
			t.Errorf("export:\n%s\nwant\n%s", got, want)
		}
		checkSound(t, s)
	})

	t.Run("Event", func(t *testing.T) {
		s := openDelete(t, open)
		checkDeletion(t, mustDelete(t, s, db.RefEvent, "quake", false),
			db.Deletion{Kind: db.RefEvent, Key: "quake", Deleted: refs(ref(db.RefEvent, "quake"))})
		if es, err := s.EventsByKey(context.Background(), []string{"quake"}); err != nil || len(es) != 0 {
			t.Errorf("EventsByKey(quake) = %v, %v; want none", es, err)
		}
		if got, want := countTimeline(t, s, db.TimelineFilter{}), 6; got != want {
			t.Errorf("CountTimeline = %d, want %d", got, want)
		}
		if got, want := timeline(t, s, db.TimelineFilter{}, db.Ascending), strings.TrimPrefix(fullTimeline, "e:quake "); got != want {
			t.Errorf("timeline = %q, want %q", got, want)
		}
		if got, want := countTimeline(t, s, db.TimelineFilter{Countries: []string{"NP"}}), 0; got != want {
			t.Errorf("CountTimeline(NP) = %d, want %d", got, want)
		}
		if got, want := hoodNodes(t, s, "c:NP", 1, all), "c:NP a:loner"; got != want {
			t.Errorf("neighbourhood of NP = %q, want %q", got, want)
		}
		if got := searchSet(t, s, "quake"); got != "" {
			t.Errorf("search quake = %q, want nothing", got)
		}
		if got, want := inventory(t, s), without(fullInventory, "events", "quake"); got != want {
			t.Errorf("export:\n%s\nwant\n%s", got, want)
		}
		checkSound(t, s)
	})

	// Nothing refers to a statement: it never needs cascade.
	t.Run("Statement", func(t *testing.T) {
		s := openDelete(t, open)
		if got, want := searchSet(t, s, "war"), "s:pakistan-reply"; got != want {
			t.Fatalf("before: search war = %q, want %q", got, want)
		}
		checkDeletion(t, mustDelete(t, s, db.RefStatement, "pakistan-reply", false),
			db.Deletion{Kind: db.RefStatement, Key: "pakistan-reply", Deleted: refs(ref(db.RefStatement, "pakistan-reply"))})
		if ss, err := s.StatementsByKey(context.Background(), []string{"pakistan-reply"}); err != nil || len(ss) != 0 {
			t.Errorf("StatementsByKey(pakistan-reply) = %v, %v; want none", ss, err)
		}
		if got, want := timeline(t, s, db.TimelineFilter{}, db.Ascending), strings.TrimSuffix(fullTimeline, " s:pakistan-reply"); got != want {
			t.Errorf("timeline = %q, want %q", got, want)
		}
		if got, want := countTimeline(t, s, db.TimelineFilter{}), 6; got != want {
			t.Errorf("CountTimeline = %d, want %d", got, want)
		}
		if got, want := hoodNodes(t, s, "e:strike", 1, only(db.EdgeAbout)), "e:strike s:modi-speech s:india-readout"; got != want {
			t.Errorf("statements about strike = %q, want %q", got, want)
		}
		if got := searchSet(t, s, "war"); got != "" {
			t.Errorf("search war = %q, want nothing", got)
		}
		if got, want := inventory(t, s), without(fullInventory, "statements", "pakistan-reply"); got != want {
			t.Errorf("export:\n%s\nwant\n%s", got, want)
		}
		checkSound(t, s)
	})

	t.Run("Source", func(t *testing.T) {
		s := openDelete(t, open)
		checkDeletion(t, mustDelete(t, s, db.RefSource, "src-unused", false),
			db.Deletion{Kind: db.RefSource, Key: "src-unused", Deleted: refs(ref(db.RefSource, "src-unused"))})
		if ss, err := s.SourcesByKey(context.Background(), []string{"src-unused"}); err != nil || len(ss) != 0 {
			t.Errorf("SourcesByKey(src-unused) = %v, %v; want none", ss, err)
		}
		if got, want := inventory(t, s), without(fullInventory, "sources", "src-unused"); got != want {
			t.Errorf("export:\n%s\nwant\n%s", got, want)
		}
		checkSound(t, s)
	})

	// Nothing refers to a relationship either, with or without a key.
	t.Run("RelationshipByID", func(t *testing.T) {
		s := openDelete(t, open)
		var id int64
		for _, r := range relationshipsOf(t, s, "envoy", []db.RelationshipKind{db.RelMemberOf}, nil) {
			id = r.ID
		}
		if got, want := path(t, s, "a:envoy", "a:india", 3, only(db.EdgeRelationship)), "a:envoy >RELATIONSHIP> a:india"; got != want {
			t.Fatalf("before: path = %q, want %q", got, want)
		}
		d, err := s.DeleteRelationship(context.Background(), id, false)
		if err != nil {
			t.Fatal(err)
		}
		checkDeletion(t, d, db.Deletion{Kind: db.RefRelationship, Key: memberOf, Deleted: refs(ref(db.RefRelationship, memberOf))})
		if got, want := labels(relationshipsOf(t, s, "envoy", nil, nil)), basedIn; got != want {
			t.Errorf("relationships of envoy = %q, want %q", got, want)
		}
		if got, want := path(t, s, "a:envoy", "a:india", 3, only(db.EdgeRelationship)), "none"; got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
		if got, want := inventory(t, s), without(fullInventory, "relationships", "["+memberOf+"]"); got != want {
			t.Errorf("export:\n%s\nwant\n%s", got, want)
		}
		checkSound(t, s)
	})

	t.Run("RelationshipByKey", func(t *testing.T) {
		s := openDelete(t, open)
		checkDeletion(t, mustDelete(t, s, db.RefRelationship, "rivals", false),
			db.Deletion{Kind: db.RefRelationship, Key: "rivals", Deleted: refs(ref(db.RefRelationship, "rivals"))})
		if got, want := path(t, s, "a:india", "a:pakistan", 3, only(db.EdgeRelationship)), "none"; got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
		if got, want := inventory(t, s), without(fullInventory, "relationships", "[rivals]"); got != want {
			t.Errorf("export:\n%s\nwant\n%s", got, want)
		}
		checkSound(t, s)
	})
}

// Without cascade a referenced record is refused, with a message naming what
// refers to it, and nothing changes.
func testDeleteReferencedWithoutCascade(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openDelete(t, open)
	load(t, s, hubFixture(7))
	before := exportBytes(t, s)
	for _, tt := range []struct {
		kind db.RefKind
		key  string
		want string
	}{
		{db.RefActor, "india", `actor "india" is referred to by 3 events (attack, ceasefire, strike), ` +
			`2 statements (india-readout, pakistan-reply) and 3 relationships (modi-leads-india, rivals, ` + memberOf + `); ` +
			`delete with cascade: true to remove those references`},
		{db.RefActor, "envoy", `actor "envoy" is referred to by 1 statement (india-readout) and 2 relationships (` +
			basedIn + `, ` + memberOf + `); delete with cascade: true to remove those references`},
		{db.RefActor, "hub", `actor "hub" is referred to by 7 events (hub-1, hub-2, hub-3, hub-4, hub-5 and 2 more); ` +
			`delete with cascade: true to remove those references`},
		{db.RefEvent, "strike", `event "strike" is referred to by 1 event (ceasefire) and ` +
			`3 statements (india-readout, modi-speech, pakistan-reply); delete with cascade: true to remove those references`},
		{db.RefSource, "src-a", `source "src-a" is referred to by 1 actor (india), 2 events (attack, strike), ` +
			`1 statement (modi-speech) and 1 relationship (` + basedIn + `); delete with cascade: true to remove those references`},
	} {
		t.Run(string(tt.kind)+"/"+tt.key, func(t *testing.T) {
			_, err := s.Delete(ctx, tt.kind, tt.key, false)
			checkError(t, err, db.CodeInvalid, tt.want)
		})
	}
	if got := exportBytes(t, s); !bytes.Equal(got, before) {
		t.Errorf("export changed:\n%s\nwant\n%s", got, before)
	}
	checkStamps(t, "event strike", eventByKey(t, s, "strike").Stamps, t1, t1)
	checkStamps(t, "statement india-readout", statementByKey(t, s, "india-readout").Stamps, t1, t1)
}

// hubFixture is an actor "hub" taking part in n events hub-1 … hub-n.
func hubFixture(n int) string {
	var events []string
	for i := 1; i <= n; i++ {
		events = append(events, fmt.Sprintf(`{"key": "hub-%d", "type": "OTHER", "title": "Hub %d", "occurredAt": "2024-01-%02d",
			"participants": [{"actor": "hub", "role": "PARTICIPANT"}]}`, i, i, i))
	}
	return `{"version": 1, "actors": [{"key": "hub", "name": "Hub", "kind": "OTHER"}], "events": [` +
		strings.Join(events, ",\n") + `]}`
}

func testDeleteCascadeActor(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openDelete(t, open)
	if got, want := pathNodes(t, s, "a:modi", "a:pakistan", 3, only(db.EdgeRelationship)), "a:modi a:india a:pakistan"; got != want {
		t.Fatalf("before: path = %q, want %q", got, want)
	}
	if got, want := timeline(t, s, db.TimelineFilter{Countries: []string{"IN"}}, db.Ascending),
		"e:attack e:strike s:india-readout e:ceasefire s:modi-speech"; got != want {
		t.Fatalf("before: IN timeline = %q, want %q", got, want)
	}

	checkDeletion(t, mustDelete(t, s, db.RefActor, "india", true), db.Deletion{
		Kind: db.RefActor, Key: "india",
		Updated: refs(ref(db.RefEvent, "attack"), ref(db.RefEvent, "ceasefire"), ref(db.RefEvent, "strike"),
			ref(db.RefStatement, "pakistan-reply")),
		Deleted: refs(ref(db.RefActor, "india"), ref(db.RefStatement, "india-readout"),
			ref(db.RefRelationship, "modi-leads-india"), ref(db.RefRelationship, "rivals"), ref(db.RefRelationship, memberOf)),
	})

	t.Run("Records", func(t *testing.T) {
		if got, want := inventory(t, s), without(fullInventory, "actors", "india", "statements", "india-readout",
			"relationships", "[modi-leads-india]", "relationships", "[rivals]", "relationships", "["+memberOf+"]"); got != want {
			t.Errorf("export:\n%s\nwant\n%s", got, want)
		}
		b := mustExport(t, s)
		for key, want := range map[string][]db.Participant{
			"attack":    {{Actor: "pakistan", Role: db.RoleInitiator}},
			"strike":    {{Actor: "pakistan", Role: db.RoleTarget}},
			"ceasefire": {{Actor: "pakistan", Role: db.RoleParticipant}},
		} {
			if got := findEvent(t, b, key).Participants; !reflect.DeepEqual(got, want) {
				t.Errorf("event %s participants = %+v, want %+v", key, got, want)
			}
			checkStamps(t, "event "+key, eventByKey(t, s, key).Stamps, t1, t2)
		}
		checkStamps(t, "event quake", eventByKey(t, s, "quake").Stamps, t1, t1)
		if got := findStatement(t, b, "pakistan-reply").Addressees; len(got) != 0 {
			t.Errorf("pakistan-reply addressees = %q, want none", got)
		}
		checkStamps(t, "statement pakistan-reply", statementByKey(t, s, "pakistan-reply").Stamps, t1, t2)
		checkStamps(t, "statement modi-speech", statementByKey(t, s, "modi-speech").Stamps, t1, t1)
		if got := relationshipsOf(t, s, "modi", nil, nil); len(got) != 0 {
			t.Errorf("relationships of modi = %d, want none", len(got))
		}
		if got, want := labels(relationshipsOf(t, s, "envoy", nil, nil)), basedIn; got != want {
			t.Errorf("relationships of envoy = %q, want %q", got, want)
		}
	})

	t.Run("Timeline", func(t *testing.T) {
		if got, want := timeline(t, s, db.TimelineFilter{}, db.Ascending),
			"e:quake e:attack e:strike e:ceasefire s:modi-speech s:pakistan-reply"; got != want {
			t.Errorf("timeline = %q, want %q", got, want)
		}
		if got, want := countTimeline(t, s, db.TimelineFilter{}), 6; got != want {
			t.Errorf("CountTimeline = %d, want %d", got, want)
		}
		// strike and ceasefire were in India by their participant only.
		if got, want := timeline(t, s, db.TimelineFilter{Countries: []string{"IN"}}, db.Ascending), "e:attack s:modi-speech"; got != want {
			t.Errorf("IN timeline = %q, want %q", got, want)
		}
		if got, want := timeline(t, s, db.TimelineFilter{Actors: []string{"pakistan"}}, db.Ascending),
			"e:attack e:strike e:ceasefire s:modi-speech s:pakistan-reply"; got != want {
			t.Errorf("pakistan timeline = %q, want %q", got, want)
		}
	})

	t.Run("Graph", func(t *testing.T) {
		if got, want := hoodNodes(t, s, "a:pakistan", 1, all),
			"a:pakistan e:attack e:strike e:ceasefire s:pakistan-reply s:modi-speech c:PK"; got != want {
			t.Errorf("neighbourhood of pakistan = %q, want %q", got, want)
		}
		if got, want := hoodNodes(t, s, "c:IN", 1, all), "c:IN a:envoy e:attack a:modi"; got != want {
			t.Errorf("neighbourhood of IN = %q, want %q", got, want)
		}
		if got, want := path(t, s, "a:modi", "a:pakistan", 3, only(db.EdgeRelationship)), "none"; got != want {
			t.Errorf("path by relationships = %q, want %q", got, want)
		}
		if got, want := path(t, s, "a:modi", "a:pakistan", 3, all), "a:modi >SPEAKER> s:modi-speech >ADDRESSEE> a:pakistan"; got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
	})

	t.Run("Search", func(t *testing.T) {
		for _, word := range []string{"india", "measured"} {
			if got := searchSet(t, s, word); got != "" {
				t.Errorf("search %s = %q, want nothing", word, got)
			}
		}
		if got, want := searchSet(t, s, "pakistan"), "a:pakistan"; got != want {
			t.Errorf("search pakistan = %q, want %q", got, want)
		}
	})

	checkSound(t, s)
	if _, err := s.Delete(ctx, db.RefActor, "india", true); db.ErrorCode(err) != db.CodeNotFound {
		t.Errorf("second delete: %v, want NOT_FOUND", err)
	}
}

// An actor who only delivered a statement leaves it, without a deliverer.
func testDeleteCascadeDeliverer(t *testing.T, open Opener) {
	s := openDelete(t, open)
	checkDeletion(t, mustDelete(t, s, db.RefActor, "envoy", true), db.Deletion{
		Kind: db.RefActor, Key: "envoy",
		Updated: refs(ref(db.RefStatement, "india-readout")),
		Deleted: refs(ref(db.RefActor, "envoy"), ref(db.RefRelationship, basedIn), ref(db.RefRelationship, memberOf)),
	})
	st := statementByKey(t, s, "india-readout")
	if st.DeliveredBy != "" {
		t.Errorf("deliveredBy = %q, want none", st.DeliveredBy)
	}
	checkStamps(t, "statement india-readout", st.Stamps, t1, t2)
	if got, want := hoodNodes(t, s, "s:india-readout", 1, all), "s:india-readout a:india a:pakistan a:modi e:attack e:strike"; got != want {
		t.Errorf("neighbourhood of india-readout = %q, want %q", got, want)
	}
	if got, want := timeline(t, s, db.TimelineFilter{Actors: []string{"modi", "india"}}, db.Ascending),
		"e:attack e:strike s:india-readout e:ceasefire s:modi-speech s:pakistan-reply"; got != want {
		t.Errorf("timeline of modi and india = %q, want %q", got, want)
	}
	if got := searchSet(t, s, "sharma"); got != "" {
		t.Errorf("search sharma = %q, want nothing", got)
	}
	checkSound(t, s)
}

// A speaker's statements go with it, and so does what they addressed.
func testDeleteCascadeSpeaker(t *testing.T, open Opener) {
	s := openDelete(t, open)
	checkDeletion(t, mustDelete(t, s, db.RefActor, "modi", true), db.Deletion{
		Kind: db.RefActor, Key: "modi",
		Updated: refs(ref(db.RefStatement, "india-readout")),
		Deleted: refs(ref(db.RefActor, "modi"), ref(db.RefStatement, "modi-speech"), ref(db.RefRelationship, "modi-leads-india")),
	})
	if got, want := findStatement(t, mustExport(t, s), "india-readout").Addressees, []string{"pakistan"}; !reflect.DeepEqual(got, want) {
		t.Errorf("india-readout addressees = %q, want %q", got, want)
	}
	if got, want := timeline(t, s, db.TimelineFilter{}, db.Ascending), strings.Replace(fullTimeline, " s:modi-speech", "", 1); got != want {
		t.Errorf("timeline = %q, want %q", got, want)
	}
	if got := searchSet(t, s, "terror"); got != "" {
		t.Errorf("search terror = %q, want nothing", got)
	}
	checkSound(t, s)
}

func testDeleteCascadeEvent(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openDelete(t, open)
	if got, want := pathNodes(t, s, "e:ceasefire", "e:attack", 3, only(db.EdgeEventLink)), "e:ceasefire e:strike e:attack"; got != want {
		t.Fatalf("before: path = %q, want %q", got, want)
	}
	checkDeletion(t, mustDelete(t, s, db.RefEvent, "strike", true), db.Deletion{
		Kind: db.RefEvent, Key: "strike",
		Updated: refs(ref(db.RefEvent, "ceasefire"), ref(db.RefStatement, "india-readout"), ref(db.RefStatement, "modi-speech"),
			ref(db.RefStatement, "pakistan-reply")),
		Deleted: refs(ref(db.RefEvent, "strike")),
	})

	t.Run("Records", func(t *testing.T) {
		b := mustExport(t, s)
		if got := findEvent(t, b, "ceasefire").Links; len(got) != 0 {
			t.Errorf("ceasefire links = %+v, want none", got)
		}
		attack, ceasefire := eventByKey(t, s, "attack"), eventByKey(t, s, "ceasefire")
		checkStamps(t, "event ceasefire", ceasefire.Stamps, t1, t2)
		checkStamps(t, "event attack", attack.Stamps, t1, t1)
		from, err := s.LinkedFrom(ctx, []int64{attack.ID, ceasefire.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(from) != 0 {
			t.Errorf("LinkedFrom = %+v, want none", from)
		}
		for key, want := range map[string][]string{
			"india-readout":  {"attack"},
			"modi-speech":    nil,
			"pakistan-reply": nil,
		} {
			if got := findStatement(t, b, key).About; !reflect.DeepEqual(got, want) {
				t.Errorf("statement %s about = %q, want %q", key, got, want)
			}
			checkStamps(t, "statement "+key, statementByKey(t, s, key).Stamps, t1, t2)
		}
		about, err := s.StatementsAbout(ctx, []int64{attack.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := about[attack.ID], []string{"india-readout"}; !reflect.DeepEqual(got, want) {
			t.Errorf("statements about attack = %q, want %q", got, want)
		}
		checkStamps(t, "actor india", actorByKey(t, s, "india").Stamps, t1, t1)
	})

	t.Run("TimelineGraphSearch", func(t *testing.T) {
		if got, want := timeline(t, s, db.TimelineFilter{}, db.Ascending), strings.Replace(fullTimeline, " e:strike", "", 1); got != want {
			t.Errorf("timeline = %q, want %q", got, want)
		}
		if got, want := countTimeline(t, s, db.TimelineFilter{EventTypes: []db.EventType{db.EventStrike},
			Include: []db.ItemKind{db.ItemEvent}}), 0; got != want {
			t.Errorf("strikes = %d, want %d", got, want)
		}
		if got, want := path(t, s, "e:ceasefire", "e:attack", 3, only(db.EdgeEventLink)), "none"; got != want {
			t.Errorf("path by links = %q, want %q", got, want)
		}
		if got, want := hoodNodes(t, s, "a:india", 1, only(db.EdgeParticipation)), "a:india e:attack e:ceasefire"; got != want {
			t.Errorf("events of india = %q, want %q", got, want)
		}
		if got := searchSet(t, s, "sindoor"); got != "" {
			t.Errorf("search sindoor = %q, want nothing", got)
		}
	})
	checkSound(t, s)
}

func testDeleteCascadeSource(t *testing.T, open Opener) {
	s := openDelete(t, open)
	checkDeletion(t, mustDelete(t, s, db.RefSource, "src-a", true), db.Deletion{
		Kind: db.RefSource, Key: "src-a",
		Updated: refs(ref(db.RefActor, "india"), ref(db.RefEvent, "attack"), ref(db.RefEvent, "strike"),
			ref(db.RefStatement, "modi-speech"), ref(db.RefRelationship, basedIn)),
		Deleted: refs(ref(db.RefSource, "src-a")),
	})
	b := mustExport(t, s)
	var lists []string
	for _, a := range b.Actors {
		lists = append(lists, fmt.Sprintf("%s%q", a.Key, a.Sources))
	}
	for _, r := range b.Relationships {
		lists = append(lists, fmt.Sprintf("%s%q", r.Label(), r.Sources))
	}
	for _, e := range b.Events {
		lists = append(lists, fmt.Sprintf("%s%q", e.Key, e.Sources))
	}
	for _, st := range b.Statements {
		lists = append(lists, fmt.Sprintf("%s%q", st.Key, st.Sources))
	}
	want := `envoy[] india[] loner[] modi[] pakistan[] modi-leads-india[] rivals["src-b"] ` + basedIn + `[] ` + memberOf + `[] ` +
		`attack["src-b"] ceasefire[] quake[] strike[] india-readout[] modi-speech[] pakistan-reply[]`
	if got := strings.Join(lists, " "); got != want {
		t.Errorf("sources:\n%s\nwant\n%s", got, want)
	}
	checkStamps(t, "actor india", actorByKey(t, s, "india").Stamps, t1, t2)
	checkStamps(t, "event attack", eventByKey(t, s, "attack").Stamps, t1, t2)
	checkStamps(t, "event ceasefire", eventByKey(t, s, "ceasefire").Stamps, t1, t1)
	checkStamps(t, "statement modi-speech", statementByKey(t, s, "modi-speech").Stamps, t1, t2)
	if got, want := timeline(t, s, db.TimelineFilter{}, db.Ascending), fullTimeline; got != want {
		t.Errorf("timeline = %q, want %q", got, want)
	}
	checkSound(t, s)
}

// Deletes in a row, then a re-seed of the export: the same database.
func testDeleteThenReseed(t *testing.T, open Opener) {
	s := openDelete(t, open)
	mustDelete(t, s, db.RefActor, "india", true)
	mustDelete(t, s, db.RefEvent, "strike", true)
	mustDelete(t, s, db.RefSource, "src-a", true)
	if got, want := inventory(t, s), `sources: src-b src-unused
actors: envoy loner modi pakistan
relationships: [`+basedIn+`]
events: attack ceasefire quake
statements: modi-speech pakistan-reply`; got != want {
		t.Errorf("export:\n%s\nwant\n%s", got, want)
	}
	checkSound(t, s)
}

package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// TimelineFixture has 8 events and 4 statements; exported for the
// backends' own timeline tests. Sorted, they are:
//
//	e:new-year      2025              YEAR
//	e:attack        2025-04-22T09:00Z MINUTE
//	s:condolence    2025-04-22T15:30Z SECOND
//	e:z-month       2025-05           MONTH  (same instant as a-day, coarser)
//	e:a-day         2025-05-01        DAY
//	s:denial        2025-05-07        DAY    (same as strike, key first)
//	e:strike        2025-05-07        DAY
//	e:tie           2025-05-10T12:00Z MINUTE (full tie with s:tie: event first)
//	s:tie           2025-05-10T12:00Z MINUTE
//	e:border-talks  2025-05-10T17:00Z MINUTE
//	e:ceasefire     2025-05-10T17:00Z MINUTE
//	s:speech        2025-05-12T20:00Z MINUTE
const TimelineFixture = `{
  "version": 1,
  "actors": [
    {"key": "india", "name": "India", "kind": "STATE", "country": "IN"},
    {"key": "pakistan", "name": "Pakistan", "kind": "STATE", "country": "PK"},
    {"key": "usa", "name": "United States", "kind": "STATE", "country": "US"},
    {"key": "modi", "name": "Narendra Modi", "kind": "PERSON", "country": "IN"},
    {"key": "sharif", "name": "Shehbaz Sharif", "kind": "PERSON", "country": "PK"},
    {"key": "rubio", "name": "Marco Rubio", "kind": "PERSON", "country": "US"},
    {"key": "trf", "name": "The Resistance Front", "kind": "ARMED_GROUP"},
    {"key": "un", "name": "United Nations", "kind": "INTERNATIONAL_ORGANIZATION"}
  ],
  "events": [
    {"key": "new-year", "type": "OTHER", "title": "New year", "occurredAt": "2025",
      "participants": [{"actor": "un", "role": "PARTICIPANT"}]},
    {"key": "attack", "type": "ATTACK", "title": "Attack", "occurredAt": "2025-04-22T09:00Z",
      "location": {"country": "IN", "place": "Pahalgam"},
      "participants": [{"actor": "trf", "role": "INITIATOR"}, {"actor": "india", "role": "TARGET"}]},
    {"key": "z-month", "type": "OTHER", "title": "May", "occurredAt": "2025-05",
      "participants": [{"actor": "pakistan", "role": "PARTICIPANT"}]},
    {"key": "a-day", "type": "MEETING", "title": "Day one", "occurredAt": "2025-05-01",
      "location": {"country": "US"},
      "participants": [{"actor": "rubio", "role": "PARTICIPANT"}]},
    {"key": "strike", "type": "STRIKE", "title": "Strike", "occurredAt": "2025-05-07",
      "location": {"country": "PK"},
      "participants": [{"actor": "india", "role": "INITIATOR"}, {"actor": "pakistan", "role": "TARGET"}]},
    {"key": "tie", "type": "CALL", "title": "Call", "occurredAt": "2025-05-10T12:00Z",
      "participants": [{"actor": "usa", "role": "MEDIATOR"}, {"actor": "india", "role": "PARTICIPANT"},
        {"actor": "pakistan", "role": "PARTICIPANT"}]},
    {"key": "border-talks", "type": "MEETING", "title": "Border talks", "occurredAt": "2025-05-10T17:00Z",
      "location": {"country": "PK"},
      "participants": [{"actor": "pakistan", "role": "PARTICIPANT"}]},
    {"key": "ceasefire", "type": "CEASEFIRE", "title": "Ceasefire", "occurredAt": "2025-05-10T17:00Z",
      "participants": [{"actor": "india", "role": "PARTICIPANT"}, {"actor": "pakistan", "role": "PARTICIPANT"}]}
  ],
  "statements": [
    {"key": "condolence", "kind": "QUOTE", "speaker": "rubio", "addressees": ["modi"],
      "madeAt": "2025-04-22T15:30:00Z", "text": "Condolences.", "stances": ["CONDOLENCE"]},
    {"key": "denial", "kind": "PRESS_RELEASE", "speaker": "pakistan", "deliveredBy": "sharif",
      "madeAt": "2025-05-07", "text": "We deny it.", "stances": ["DENIAL"]},
    {"key": "tie", "kind": "READOUT", "speaker": "usa", "deliveredBy": "rubio", "addressees": ["india", "pakistan"],
      "madeAt": "2025-05-10T12:00Z", "text": "Both agreed.", "about": ["tie"]},
    {"key": "speech", "kind": "SPEECH", "speaker": "modi", "madeAt": "2025-05-12T20:00Z", "text": "Never again.",
      "about": ["strike"], "stances": ["THREAT"]}
  ]
}`

const timelineAll = "e:new-year e:attack s:condolence e:z-month e:a-day s:denial e:strike e:tie s:tie e:border-talks e:ceasefire s:speech"

func openTimeline(tb testing.TB, open Opener) *testStore {
	tb.Helper()
	s := mustOpen(tb, open)
	load(tb, s, TimelineFixture)
	return s
}

func testTimeline(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openTimeline(t, open)

	t.Run("Order", func(t *testing.T) {
		if got, want := timeline(t, s, db.TimelineFilter{}, db.Ascending), timelineAll; got != want {
			t.Errorf("ascending:\n got %s\nwant %s", got, want)
		}
		if got, want := countTimeline(t, s, db.TimelineFilter{}), 12; got != want {
			t.Errorf("count = %d, want %d", got, want)
		}
	})

	t.Run("DescendingIsTheExactReverse", func(t *testing.T) {
		if got, want := timeline(t, s, db.TimelineFilter{}, db.Descending), reverseNames(timelineAll); got != want {
			t.Errorf("descending:\n got %s\nwant %s", got, want)
		}
		f := db.TimelineFilter{Actors: []string{"pakistan"}}
		if got, want := timeline(t, s, f, db.Descending), reverseNames(timeline(t, s, f, db.Ascending)); got != want {
			t.Errorf("descending for pakistan:\n got %s\nwant %s", got, want)
		}
	})

	t.Run("Positions", func(t *testing.T) {
		page, err := s.Timeline(ctx, db.TimelineFilter{}, db.Ascending, db.Page{Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		want := []db.Position{
			{At: at(t, "2025-01-01T00:00:00Z").UnixMilli(), Rank: 1, Key: "new-year", Kind: db.ItemEvent},
			{At: at(t, "2025-04-22T09:00:00Z").UnixMilli(), Rank: 4, Key: "attack", Kind: db.ItemEvent},
			{At: at(t, "2025-04-22T15:30:00Z").UnixMilli(), Rank: 5, Key: "condolence", Kind: db.ItemStatement},
			{At: at(t, "2025-05-01T00:00:00Z").UnixMilli(), Rank: 2, Key: "z-month", Kind: db.ItemEvent},
			{At: at(t, "2025-05-01T00:00:00Z").UnixMilli(), Rank: 3, Key: "a-day", Kind: db.ItemEvent},
		}
		var got []db.Position
		for _, it := range page.Items {
			got = append(got, it.Pos)
			if it.Kind != it.Pos.Kind {
				t.Errorf("%s: kind %s, position kind %s", it.Pos.Key, it.Kind, it.Pos.Kind)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("positions:\n got %+v\nwant %+v", got, want)
		}
		// Item ids are the ids of the records.
		if got, want := page.Items[1].ID, eventByKey(t, s, "attack").ID; got != want {
			t.Errorf("attack id = %d, want %d", got, want)
		}
		if got, want := page.Items[2].ID, statementByKey(t, s, "condolence").ID; got != want {
			t.Errorf("condolence id = %d, want %d", got, want)
		}
	})

	from := at(t, "2025-05-07T00:00:00Z") // the instant of s:denial and e:strike
	to := at(t, "2025-05-10T17:00:00Z")   // the instant of e:border-talks and e:ceasefire
	roles := func(rs ...db.ParticipantRole) []db.ParticipantRole { return rs }
	types := func(ts ...db.EventType) []db.EventType { return ts }
	events := []db.ItemKind{db.ItemEvent}
	statements := []db.ItemKind{db.ItemStatement}

	for _, tt := range []struct {
		name   string
		filter db.TimelineFilter
		want   string
	}{
		{"ActorAsParticipantAndAddressee", db.TimelineFilter{Actors: []string{"india"}},
			"e:attack e:strike e:tie s:tie e:ceasefire"},
		{"ActorAsSpeakerDelivererAndParticipant", db.TimelineFilter{Actors: []string{"rubio"}},
			"s:condolence e:a-day s:tie"},
		{"ActorAsAddresseeAndSpeaker", db.TimelineFilter{Actors: []string{"modi"}},
			"s:condolence s:speech"},
		{"ActorAsDelivererOnly", db.TimelineFilter{Actors: []string{"sharif"}},
			"s:denial"},
		{"ActorsAnyOf", db.TimelineFilter{Actors: []string{"india", "rubio"}},
			"e:attack s:condolence e:a-day e:strike e:tie s:tie e:ceasefire"},
		{"RolesWithActors", db.TimelineFilter{Actors: []string{"india"}, Roles: roles(db.RoleInitiator)},
			"e:strike s:tie"},
		{"RolesWithActorsSeveral", db.TimelineFilter{Actors: []string{"india"}, Roles: roles(db.RoleTarget, db.RoleParticipant)},
			"e:attack e:tie s:tie e:ceasefire"},
		{"RolesWithActorsNoMatch", db.TimelineFilter{Actors: []string{"pakistan"}, Roles: roles(db.RoleMediator), Include: events},
			""},
		{"RolesWithSeveralActors", db.TimelineFilter{Actors: []string{"india", "usa"}, Roles: roles(db.RoleMediator), Include: events},
			"e:tie"},
		{"RolesAlone", db.TimelineFilter{Roles: roles(db.RoleMediator)},
			"s:condolence s:denial e:tie s:tie s:speech"},
		{"RolesAloneEvents", db.TimelineFilter{Roles: roles(db.RoleTarget), Include: events},
			"e:attack e:strike"},
		{"CountryOfLocationAndParticipantAndSpeaker", db.TimelineFilter{Countries: []string{"IN"}},
			"e:attack e:strike e:tie e:ceasefire s:speech"},
		{"CountryUS", db.TimelineFilter{Countries: []string{"US"}},
			"s:condolence e:a-day e:tie s:tie"},
		{"CountryPK", db.TimelineFilter{Countries: []string{"PK"}},
			"e:z-month s:denial e:strike e:tie e:border-talks e:ceasefire"},
		{"CountriesAnyOf", db.TimelineFilter{Countries: []string{"IN", "US"}},
			"e:attack s:condolence e:a-day e:strike e:tie s:tie e:ceasefire s:speech"},
		{"EventTypesKeepStatements", db.TimelineFilter{EventTypes: types(db.EventStrike, db.EventCall)},
			"s:condolence s:denial e:strike e:tie s:tie s:speech"},
		{"EventTypesEventsOnly", db.TimelineFilter{EventTypes: types(db.EventStrike, db.EventCall), Include: events},
			"e:strike e:tie"},
		{"EventTypesStatementsOnly", db.TimelineFilter{EventTypes: types(db.EventStrike), Include: statements},
			"s:condolence s:denial s:tie s:speech"},
		{"IncludeEvents", db.TimelineFilter{Include: events},
			"e:new-year e:attack e:z-month e:a-day e:strike e:tie e:border-talks e:ceasefire"},
		{"IncludeStatements", db.TimelineFilter{Include: statements},
			"s:condolence s:denial s:tie s:speech"},
		{"IncludeBoth", db.TimelineFilter{Include: []db.ItemKind{db.ItemStatement, db.ItemEvent}},
			timelineAll},
		{"FromToHalfOpen", db.TimelineFilter{From: from, To: to},
			"s:denial e:strike e:tie s:tie"},
		{"FromInclusive", db.TimelineFilter{From: to},
			"e:border-talks e:ceasefire s:speech"},
		{"ToExclusive", db.TimelineFilter{To: at(t, "2025-04-22T15:30:00Z")},
			"e:new-year e:attack"},
		{"FromEqualsTo", db.TimelineFilter{From: from, To: from},
			""},
		{"ActorsAndCountries", db.TimelineFilter{Actors: []string{"pakistan"}, Countries: []string{"IN"}},
			"e:strike e:tie e:ceasefire"},
		{"ActorsTypesAndFrom", db.TimelineFilter{Actors: []string{"pakistan"}, EventTypes: types(db.EventCeasefire, db.EventMeeting),
			From: at(t, "2025-05-08T00:00:00Z")},
			"s:tie e:border-talks e:ceasefire"},
		{"CountriesEventsAndTo", db.TimelineFilter{Countries: []string{"PK"}, Include: events, To: at(t, "2025-05-10T12:00:00Z")},
			"e:z-month e:strike"},
		{"RolesAndCountries", db.TimelineFilter{Roles: roles(db.RoleTarget), Countries: []string{"PK"}},
			"s:denial e:strike"},
		{"RolesActorsCountriesTypes", db.TimelineFilter{Actors: []string{"india", "pakistan"}, Roles: roles(db.RoleParticipant),
			Countries: []string{"IN"}, EventTypes: types(db.EventCeasefire), Include: events},
			"e:ceasefire"},
		{"CountriesAndTypesEventsOnly", db.TimelineFilter{Countries: []string{"PK"}, EventTypes: types(db.EventMeeting, db.EventOther), Include: events},
			"e:z-month e:border-talks"},
	} {
		t.Run("Filter"+tt.name, func(t *testing.T) {
			checkTimeline(t, s, tt.filter, tt.want)
		})
	}

	// A value that names nothing is an error naming it, never an empty
	// answer, for the page and for the count alike.
	for _, tt := range []struct {
		name string
		f    db.TimelineFilter
		want string
	}{
		{"UnknownActor", db.TimelineFilter{Actors: []string{"nobody", "sharif"}}, `unknown actor "nobody"`},
		{"MisspeltActor", db.TimelineFilter{Actors: []string{"pakistn"}}, `unknown actor "pakistn": did you mean "pakistan"?`},
		{"ActorByName", db.TimelineFilter{Actors: []string{"India"}}, `unknown actor "India": did you mean "india"?`},
		{"UnknownActors", db.TimelineFilter{Actors: []string{"indai", "sharif", "usa-", "indai"}},
			`unknown actor "indai"; unknown actor "usa-": did you mean "usa"?`},
		{"UnknownCountry", db.TimelineFilter{Countries: []string{"ZZ"}}, `unknown country "ZZ"`},
		{"NonISOCountry", db.TimelineFilter{Actors: []string{"india"}, Countries: []string{"UK", "IN"}},
			`unknown country "UK": did you mean "GB"?`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Timeline(ctx, tt.f, db.Ascending, db.Page{Limit: 10})
			if db.ErrorCode(err) != db.CodeInvalid || db.ErrorMessage(err) != tt.want {
				t.Errorf("Timeline: %v (%s), want BAD_USER_INPUT %q", err, db.ErrorCode(err), tt.want)
			}
			_, err = s.CountTimeline(ctx, tt.f)
			if db.ErrorCode(err) != db.CodeInvalid || db.ErrorMessage(err) != tt.want {
				t.Errorf("CountTimeline: %v, want BAD_USER_INPUT %q", err, tt.want)
			}
			// A subscription is refused for it.
			if _, err := s.MatchTimeline(ctx, tt.f, nil); db.ErrorMessage(err) != tt.want {
				t.Errorf("MatchTimeline(nil): %v, want %q", err, tt.want)
			}
		})
	}
	// A subscription already open whose actor was deleted since matches
	// what its other actors match: here sharif's one statement of all.
	t.Run("MatchWithDeletedActor", func(t *testing.T) {
		all, err := s.Timeline(ctx, db.TimelineFilter{}, db.Ascending, db.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var items []db.ItemID
		names := map[db.ItemID]string{}
		for _, it := range all.Items {
			id := db.ItemID{Kind: it.Kind, ID: it.ID}
			items = append(items, id)
			names[id] = it.Pos.Key
		}
		m, err := s.MatchTimeline(ctx, db.TimelineFilter{Actors: []string{"nobody", "sharif"}}, items)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for id := range m {
			got = append(got, names[id])
		}
		if len(got) != 1 || got[0] != "denial" {
			t.Errorf("matched %q, want [denial]", got)
		}
		if m, err := s.MatchTimeline(ctx, db.TimelineFilter{Actors: []string{"nobody"}}, items); err != nil || len(m) != 0 {
			t.Errorf("MatchTimeline(nobody) = %v, %v; want nothing", m, err)
		}
	})

	for _, order := range []db.SortOrder{db.Ascending, db.Descending} {
		all := timelineAll
		if order == db.Descending {
			all = reverseNames(all)
		}
		for _, limit := range []int{1, 2, 5, 12, 13} {
			t.Run("PageForward/"+string(order)+"/"+itoa(limit), func(t *testing.T) {
				walkForward(t, s, db.TimelineFilter{}, order, limit, all)
			})
			t.Run("PageBackward/"+string(order)+"/"+itoa(limit), func(t *testing.T) {
				walkBackward(t, s, db.TimelineFilter{}, order, limit, all)
			})
		}
	}

	t.Run("PageFiltered", func(t *testing.T) {
		f := db.TimelineFilter{Actors: []string{"india", "pakistan"}}
		want := "e:attack e:z-month s:denial e:strike e:tie s:tie e:border-talks e:ceasefire"
		walkForward(t, s, f, db.Ascending, 3, want)
		walkBackward(t, s, f, db.Ascending, 3, want)
		walkForward(t, s, f, db.Descending, 3, reverseNames(want))
	})

	t.Run("LimitZero", func(t *testing.T) {
		page, err := s.Timeline(ctx, db.TimelineFilter{}, db.Ascending, db.Page{Limit: 0})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(page.Items), 0; got != want {
			t.Errorf("items = %d, want %d", got, want)
		}
		if got, want := page.HasNextPage, true; got != want {
			t.Errorf("hasNextPage = %v, want %v", got, want)
		}
		if got, want := page.HasPreviousPage, false; got != want {
			t.Errorf("hasPreviousPage = %v, want %v", got, want)
		}
		page, err = s.Timeline(ctx, db.TimelineFilter{From: at(t, "2030-01-01T00:00:00Z")}, db.Ascending, db.Page{Limit: 0})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := page.HasNextPage, false; got != want {
			t.Errorf("hasNextPage with nothing to show = %v, want %v", got, want)
		}
	})

	t.Run("AfterAndBefore", func(t *testing.T) {
		page, err := s.Timeline(ctx, db.TimelineFilter{}, db.Ascending, db.Page{Limit: 12})
		if err != nil {
			t.Fatal(err)
		}
		after, before := page.Items[2].Pos, page.Items[7].Pos // s:condolence, e:tie
		page, err = s.Timeline(ctx, db.TimelineFilter{}, db.Ascending, db.Page{Limit: 10, After: &after, Before: &before})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := itemNames(page.Items), "e:z-month e:a-day s:denial e:strike"; got != want {
			t.Errorf("between = %q, want %q", got, want)
		}
	})
}

// walkForward pages through the timeline limit items at a time, each page
// after the last item of the one before, and checks that the pages hold
// every item of want once, in order, with the right page info.
func walkForward(t *testing.T, s *testStore, f db.TimelineFilter, order db.SortOrder, limit int, want string) {
	t.Helper()
	ctx := context.Background()
	total := len(strings.Fields(want))
	var got []string
	var after *db.Position
	for page := 0; ; page++ {
		if page > total+1 {
			t.Fatalf("more than %d pages", total+1)
		}
		p, err := s.Timeline(ctx, f, order, db.Page{Limit: limit, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > limit {
			t.Fatalf("page %d: %d items, limit %d", page, len(p.Items), limit)
		}
		got = append(got, itemNames(p.Items))
		seen := len(strings.Fields(strings.Join(got, " ")))
		if got, want := p.HasNextPage, seen < total; got != want {
			t.Errorf("page %d: hasNextPage = %v, want %v", page, got, want)
		}
		if got, want := p.HasPreviousPage, page > 0; got != want {
			t.Errorf("page %d: hasPreviousPage = %v, want %v", page, got, want)
		}
		if !p.HasNextPage || len(p.Items) == 0 {
			break
		}
		after = &p.Items[len(p.Items)-1].Pos
	}
	if got := strings.Join(strings.Fields(strings.Join(got, " ")), " "); got != want {
		t.Errorf("walking forward by %d:\n got %s\nwant %s", limit, got, want)
	}
}

// walkBackward pages through the timeline from its end, limit items at a
// time, each page before the first item of the one after.
func walkBackward(t *testing.T, s *testStore, f db.TimelineFilter, order db.SortOrder, limit int, want string) {
	t.Helper()
	ctx := context.Background()
	total := len(strings.Fields(want))
	var pages []string
	var before *db.Position
	for page := 0; ; page++ {
		if page > total+1 {
			t.Fatalf("more than %d pages", total+1)
		}
		p, err := s.Timeline(ctx, f, order, db.Page{Limit: limit, Before: before, Backward: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > limit {
			t.Fatalf("page %d: %d items, limit %d", page, len(p.Items), limit)
		}
		pages = append([]string{itemNames(p.Items)}, pages...)
		seen := len(strings.Fields(strings.Join(pages, " ")))
		if got, want := p.HasPreviousPage, seen < total; got != want {
			t.Errorf("page %d from the end: hasPreviousPage = %v, want %v", page, got, want)
		}
		if got, want := p.HasNextPage, page > 0; got != want {
			t.Errorf("page %d from the end: hasNextPage = %v, want %v", page, got, want)
		}
		if !p.HasPreviousPage || len(p.Items) == 0 {
			break
		}
		before = &p.Items[0].Pos
	}
	if got := strings.Join(strings.Fields(strings.Join(pages, " ")), " "); got != want {
		t.Errorf("walking backward by %d:\n got %s\nwant %s", limit, got, want)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func testTimelineCursorSurvivesInserts(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openTimeline(t, open)
	first, err := s.Timeline(ctx, db.TimelineFilter{}, db.Ascending, db.Page{Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	cursor := first.Items[3].Pos // e:z-month
	next, err := s.Timeline(ctx, db.TimelineFilter{}, db.Ascending, db.Page{Limit: 3, After: &cursor})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := itemNames(next.Items), "e:a-day s:denial e:strike"; got != want {
		t.Fatalf("page after z-month = %q, want %q", got, want)
	}

	// Items before the cursor, and one at the cursor's instant that sorts
	// before it (same instant, coarser precision), do not move the page.
	load(t, s, `{"version": 1,
		"events": [
			{"key": "earlier", "type": "OTHER", "title": "Earlier", "occurredAt": "2024-12-31"},
			{"key": "zz-also-may", "type": "OTHER", "title": "Also", "occurredAt": "2025-04-30T23:59Z"}],
		"statements": [{"key": "a-early", "kind": "QUOTE", "speaker": "modi", "madeAt": "2025-05", "text": "t"}]}`)
	again, err := s.Timeline(ctx, db.TimelineFilter{}, db.Ascending, db.Page{Limit: 3, After: &cursor})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := itemNames(again.Items), "e:a-day s:denial e:strike"; got != want {
		t.Errorf("page after the old cursor = %q, want %q", got, want)
	}
	if got, want := again.HasPreviousPage, true; got != want {
		t.Errorf("hasPreviousPage = %v, want %v", got, want)
	}
	start, err := s.Timeline(ctx, db.TimelineFilter{}, db.Ascending, db.Page{Limit: 6})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := itemNames(start.Items), "e:earlier e:new-year e:attack s:condolence e:zz-also-may s:a-early"; got != want {
		t.Errorf("first page after the inserts = %q, want %q", got, want)
	}
}

// The API bounds its lists (db.MaxListLength), but the store takes any
// length: 40 000 keys must not fail on a limit of the engine (SQLite's
// 32 766 variables, PostgreSQL's 65 535 parameters) as an internal error.
func testTimelineLongLists(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, chainBatch("a", "e", 4))
	ctx := context.Background()
	// Every key names an actor: 40 000 mentions of three of them.
	keys := make([]string, 40000)
	for i := range keys {
		keys[i] = "a1"
	}
	keys[20000], keys[39999] = "a3", "a3"
	types := make([]db.EventType, 40000)
	for i := range types {
		types[i] = db.EventMeeting
	}
	f := db.TimelineFilter{Actors: keys, Countries: []string{"FR"}, EventTypes: types,
		Roles: []db.ParticipantRole{db.RoleParticipant}}
	if _, err := s.Timeline(ctx, f, db.Ascending, db.Page{Limit: 10}); err != nil {
		t.Fatalf("Timeline with 40 000 keys: %v", err)
	}
	f.Countries = nil
	n, err := s.CountTimeline(ctx, f)
	if err != nil {
		t.Fatalf("CountTimeline with 40 000 keys: %v", err)
	}
	// a1 took part in e0 and e1, a3 in e2.
	if n != 3 {
		t.Errorf("CountTimeline = %d, want 3", n)
	}
	codes := make([]string, 40000)
	for i := range codes {
		codes[i] = "IN"
	}
	codes[123] = "FR"
	page, err := s.Actors(ctx, db.ActorFilter{Countries: codes}, db.Page{Limit: 10})
	if err != nil || len(page.IDs) != 0 {
		t.Errorf("Actors with 40 000 codes: %v, %v; want none", page.IDs, err)
	}
	// The live updates match a commit's items against a filter: a seed
	// commits any number.
	items := make([]db.ItemID, 40000)
	for i := range items {
		items[i] = db.ItemID{Kind: db.ItemEvent, ID: int64(i + 1)}
	}
	m, err := s.MatchTimeline(ctx, db.TimelineFilter{Actors: []string{"a3"}}, items)
	if err != nil || len(m) != 1 || !m[db.ItemID{Kind: db.ItemEvent, ID: 3}] {
		t.Errorf("MatchTimeline of 40 000 items = %v, %v; want event 3 alone", m, err)
	}
}

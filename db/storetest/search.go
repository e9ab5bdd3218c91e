package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// SearchFixture has 5 actors, 3 events and 3 statements whose text covers
// every indexed field; exported for the backends' own search tests.
// Sorted by time, the items are:
//
//	e:attack     2025-04-22T09:00Z
//	s:condolence 2025-04-22T15:30Z
//	s:denial     2025-05-07
//	e:strike     2025-05-07
//	e:ceasefire  2025-05-10T17:00Z
//	s:speech     2025-05-12T20:00Z
const SearchFixture = `{
  "version": 1,
  "actors": [
    {"key": "india", "name": "India", "kind": "STATE", "country": "IN", "description": "Republic of India"},
    {"key": "pakistan", "name": "Pakistan", "kind": "STATE", "country": "PK"},
    {"key": "modi", "name": "Narendra Modi", "kind": "PERSON", "country": "IN", "aliases": ["NaMo"],
      "description": "Prime Minister of India"},
    {"key": "sharif", "name": "Shehbaz Sharif", "kind": "PERSON", "country": "PK", "aliases": ["شہباز شریف"],
      "description": "Prime Minister of Pakistan"},
    {"key": "rubio", "name": "Marco Rubio", "kind": "PERSON", "country": "US",
      "description": "United States Secretary of State"}
  ],
  "events": [
    {"key": "attack", "type": "ATTACK", "title": "Pahalgam attack", "occurredAt": "2025-04-22T09:00Z",
      "summary": "Gunmen killed 26 tourists in the Baisaran valley.", "tags": ["terrorism", "kashmir"],
      "participants": [{"actor": "india", "role": "TARGET"}]},
    {"key": "strike", "type": "STRIKE", "title": "Operation Sindoor", "occurredAt": "2025-05-07",
      "summary": "Indian missiles hit sites near Muzaffarabad after the Pahalgam attack. ऑपरेशन सिंदूर",
      "tags": ["cross-border"],
      "participants": [{"actor": "india", "role": "INITIATOR"}, {"actor": "pakistan", "role": "TARGET"}]},
    {"key": "ceasefire", "type": "CEASEFIRE", "title": "Ceasefire announced", "occurredAt": "2025-05-10T17:00Z",
      "summary": "Rubio announced the ceasefire between India and Pakistan; Ishaq Dār welcomed it.",
      "tags": ["diplomacy"],
      "participants": [{"actor": "india", "role": "PARTICIPANT"}, {"actor": "pakistan", "role": "PARTICIPANT"}]}
  ],
  "statements": [
    {"key": "condolence", "kind": "QUOTE", "speaker": "rubio", "addressees": ["india"],
      "madeAt": "2025-04-22T15:30:00Z", "text": "We stand with India after the Pahalgam attack.", "summary": "Condolences."},
    {"key": "denial", "kind": "PRESS_RELEASE", "speaker": "pakistan", "deliveredBy": "sharif",
      "madeAt": "2025-05-07", "text": "Pakistan had no role in Pahalgam.", "summary": "Denial of involvement."},
    {"key": "speech", "kind": "SPEECH", "speaker": "modi", "madeAt": "2025-05-12T20:00Z",
      "text": "Terror and talks cannot go together.", "summary": "Address to the nation after Operation Sindoor.",
      "about": ["strike"]}
  ]
}`

func openSearch(tb testing.TB, open Opener) *testStore {
	tb.Helper()
	s := mustOpen(tb, open)
	load(tb, s, SearchFixture)
	return s
}

// searchHits runs Search and writes its hits as "a:key" (actor), "e:key"
// (event) or "s:key" (statement), in order, joined by spaces.
func searchHits(tb testing.TB, s *testStore, text string, limit int) string {
	tb.Helper()
	hits, err := s.Search(context.Background(), text, limit)
	if err != nil {
		tb.Fatalf("Search(%q, %d): %v", text, limit, err)
	}
	return hitNames(tb, s, hits)
}

// searchSet is searchHits for every hit, sorted by name: what matched,
// whatever the ranking.
func searchSet(tb testing.TB, s *testStore, text string) string {
	tb.Helper()
	names := strings.Fields(searchHits(tb, s, text, 100))
	slices.Sort(names)
	return strings.Join(names, " ")
}

// hitNames writes hits as searchHits does.
func hitNames(tb testing.TB, s *testStore, hits []db.SearchHit) string {
	tb.Helper()
	ctx := context.Background()
	names := make([]string, len(hits))
	for i, h := range hits {
		var key string
		var err error
		switch h.Kind {
		case db.HitActor:
			var as []*db.Actor
			if as, err = s.ActorsByID(ctx, []int64{h.ID}); err == nil && len(as) == 1 {
				key = "a:" + as[0].Key
			}
		case db.HitEvent:
			var es []*db.Event
			if es, err = s.EventsByID(ctx, []int64{h.ID}); err == nil && len(es) == 1 {
				key = "e:" + es[0].Key
			}
		case db.HitStatement:
			var ss []*db.Statement
			if ss, err = s.StatementsByID(ctx, []int64{h.ID}); err == nil && len(ss) == 1 {
				key = "s:" + ss[0].Key
			}
		}
		if key == "" {
			tb.Fatalf("hit %+v names no record (%v)", h, err)
		}
		names[i] = key
	}
	return strings.Join(names, " ")
}

// checkInvalid fails unless err is BAD_USER_INPUT with exactly the message want.
func checkInvalid(tb testing.TB, what string, err error, want string) {
	tb.Helper()
	if got := db.ErrorCode(err); got != db.CodeInvalid {
		tb.Errorf("%s: error %v has code %q, want %q", what, err, got, db.CodeInvalid)
		return
	}
	if got := db.ErrorMessage(err); got != want {
		tb.Errorf("%s: message\n got %q\nwant %q", what, got, want)
	}
}

func testSearch(t *testing.T, open Opener) {
	s := openSearch(t, open)
	for _, tt := range []struct {
		name, text, want string
	}{
		{"EventTitle", "Baisaran", "e:attack"},
		{"TitleSummaryAndStatementText", "pahalgam", "e:attack e:strike s:condolence s:denial"},
		{"CaseInsensitive", "PAHALGAM", "e:attack e:strike s:condolence s:denial"},
		{"DiacriticsInQuery", "Pähalgam", "e:attack e:strike s:condolence s:denial"},
		{"DecomposedDiacriticsInQuery", "Pa\u0308halgam", "e:attack e:strike s:condolence s:denial"},
		{"DiacriticsInText", "dar", "e:ceasefire"},
		{"ActorName", "Rubio", "a:rubio e:ceasefire"},
		{"ActorAlias", "namo", "a:modi"},
		{"ActorDescription", "secretary", "a:rubio"},
		{"Tag", "kashmir", "e:attack"},
		{"TagWithHyphen", "cross-border", "e:strike"},
		{"StatementSummary", "involvement", "s:denial"},
		{"WordsAreAllRequired", "prime minister pakistan", "a:sharif"},
		{"WordsInAnyField", "operation sindoor", "e:strike s:speech"},
		{"WholeWordsOnly", "india", "a:india a:modi e:ceasefire s:condolence"},
		{"Prefix", "indi*", "a:india a:modi e:ceasefire e:strike s:condolence"},
		{"PrefixAfterSpaces", "indi*  ", "a:india a:modi e:ceasefire e:strike s:condolence"},
		{"PrefixOnlyLast", "indi* sindoor", ""},
		{"PrefixTooShortIsAWord", "in*", "e:attack s:denial"},
		{"StarAloneIsNoPrefix", "indi *", ""},
		{"Devanagari", "सिंदूर", "e:strike"},
		{"DevanagariPhrase", "ऑपरेशन सिंदूर", "e:strike"},
		{"Urdu", "شریف", "a:sharif"},
		{"KeywordsAreWords", "AND", "e:ceasefire s:speech"},
		{"NoMatch", "zanzibar", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := searchSet(t, s, tt.text); got != tt.want {
				t.Errorf("Search(%q):\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}

	t.Run("TitleBeatsBody", func(t *testing.T) {
		if got, want := searchHits(t, s, "sindoor", 10), "e:strike s:speech"; got != want {
			t.Errorf("ranked %q, want %q", got, want)
		}
	})

	t.Run("Limit", func(t *testing.T) {
		for _, limit := range []int{0, -1, 101} {
			_, err := s.Search(context.Background(), "india", limit)
			checkInvalid(t, fmt.Sprint("limit ", limit), err, fmt.Sprint("limit must be between 1 and 100, not ", limit))
		}
		if got, want := len(strings.Fields(searchHits(t, s, "pahalgam", 100))), 4; got != want {
			t.Errorf("limit 100: %d hits, want %d", got, want)
		}
	})
}

// rankFixture is built so that the ranking is known: "quokka" is in one
// title, once in one body and twice in another body of the same length;
// "wombat" is the whole title of an actor, two events and a statement,
// whose bodies are empty: equal scores.
const rankFixture = `{
  "version": 1,
  "actors": [
    {"key": "zed", "name": "Zed Speaker", "kind": "PERSON"},
    {"key": "wombat", "name": "Wombat", "kind": "PERSON"}
  ],
  "events": [
    {"key": "title-hit", "type": "OTHER", "title": "Quokka sighted", "occurredAt": "2025-01-01",
      "summary": "Rangers counted animals on the island today."},
    {"key": "body-hit", "type": "OTHER", "title": "Island survey", "occurredAt": "2025-01-02",
      "summary": "Rangers counted one quokka on the island today."},
    {"key": "two-hits", "type": "OTHER", "title": "Island census", "occurredAt": "2025-01-03",
      "summary": "Quokka after quokka crossed the island path today."},
    {"key": "no-hit", "type": "OTHER", "title": "Island census", "occurredAt": "2025-01-04",
      "summary": "Nothing of note."},
    {"key": "tie-1", "type": "OTHER", "title": "Wombat", "occurredAt": "2025-01-05"},
    {"key": "tie-2", "type": "OTHER", "title": "Wombat", "occurredAt": "2025-01-06"}
  ],
  "statements": [
    {"key": "wombat", "kind": "QUOTE", "speaker": "zed", "madeAt": "2025-01-07", "text": "Wombat"}
  ]
}`

func testSearchRanking(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	load(t, s, rankFixture)

	t.Run("TitleThenMoreHitsThenFewer", func(t *testing.T) {
		hits, err := s.Search(ctx, "quokka", 10)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := hitNames(t, s, hits), "e:title-hit e:two-hits e:body-hit"; got != want {
			t.Fatalf("ranked %q, want %q", got, want)
		}
		if !(hits[0].Score > hits[1].Score && hits[1].Score > hits[2].Score && hits[2].Score > 0) {
			t.Errorf("scores %v, %v, %v do not decrease strictly", hits[0].Score, hits[1].Score, hits[2].Score)
		}
	})

	t.Run("TiesByKindThenID", func(t *testing.T) {
		hits, err := s.Search(ctx, "wombat", 10)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := hitNames(t, s, hits), "a:wombat e:tie-1 e:tie-2 s:wombat"; got != want {
			t.Fatalf("ranked %q, want %q", got, want)
		}
		for _, h := range hits[1:] {
			if h.Score != hits[0].Score {
				t.Errorf("score %v, want the tie %v", h.Score, hits[0].Score)
			}
		}
		if hits[1].ID >= hits[2].ID {
			t.Errorf("tie-1 id %d not before tie-2 id %d", hits[1].ID, hits[2].ID)
		}
	})

	t.Run("Limit", func(t *testing.T) {
		if got, want := searchHits(t, s, "wombat", 2), "a:wombat e:tie-1"; got != want {
			t.Errorf("limit 2: %q, want %q", got, want)
		}
		if got, want := searchHits(t, s, "quokka", 1), "e:title-hit"; got != want {
			t.Errorf("limit 1: %q, want %q", got, want)
		}
	})
}

func testTimelineText(t *testing.T, open Opener) {
	s := openSearch(t, open)
	events := []db.ItemKind{db.ItemEvent}
	for _, tt := range []struct {
		name   string
		filter db.TimelineFilter
		want   string
	}{
		{"Text", db.TimelineFilter{Text: "pahalgam"}, "e:attack s:condolence s:denial e:strike"},
		{"TextPrefix", db.TimelineFilter{Text: "Pahal*"}, "e:attack s:condolence s:denial e:strike"},
		{"TextAndActors", db.TimelineFilter{Text: "pahalgam", Actors: []string{"india"}}, "e:attack s:condolence e:strike"},
		{"TextAndActorsAndFrom", db.TimelineFilter{Text: "pahalgam", Actors: []string{"india"}, From: at(t, "2025-04-22T12:00:00Z")},
			"s:condolence e:strike"},
		{"TextAndFromTo", db.TimelineFilter{Text: "pahalgam", From: at(t, "2025-04-22T12:00:00Z"), To: at(t, "2025-05-07T00:00:00Z")},
			"s:condolence"},
		{"TextAndCountries", db.TimelineFilter{Text: "pahalgam", Countries: []string{"PK"}}, "s:denial e:strike"},
		{"TextAndEvents", db.TimelineFilter{Text: "pahalgam", Include: events}, "e:attack e:strike"},
		{"TextAndTypes", db.TimelineFilter{Text: "pahalgam", EventTypes: []db.EventType{db.EventStrike}, Include: events}, "e:strike"},
		{"TextTags", db.TimelineFilter{Text: "diplomacy"}, "e:ceasefire"},
		{"TextStatementSummary", db.TimelineFilter{Text: "nation"}, "s:speech"},
		{"ActorsNeverMatch", db.TimelineFilter{Text: "namo"}, ""},
		{"NoMatch", db.TimelineFilter{Text: "zanzibar"}, ""},
		{"NoMatchWithActors", db.TimelineFilter{Text: "zanzibar", Actors: []string{"india"}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkTimeline(t, s, tt.filter, tt.want)
		})
	}

	t.Run("Pages", func(t *testing.T) {
		f := db.TimelineFilter{Text: "pahalgam"}
		want := "e:attack s:condolence s:denial e:strike"
		for _, limit := range []int{1, 2, 3, 4} {
			walkForward(t, s, f, db.Ascending, limit, want)
			walkBackward(t, s, f, db.Ascending, limit, want)
			walkForward(t, s, f, db.Descending, limit, reverseNames(want))
		}
		f.Actors = []string{"india", "pakistan"}
		walkForward(t, s, f, db.Ascending, 1, want)
		walkBackward(t, s, f, db.Descending, 2, reverseNames(want))
	})

	t.Run("BadText", func(t *testing.T) {
		ctx := context.Background()
		// Bad text is an error even where other fields match nothing.
		f := db.TimelineFilter{Text: "(*)", Actors: []string{"nobody"}}
		const msg = `search text "(*)" has no words to look for`
		_, err := s.Timeline(ctx, f, db.Ascending, db.Page{Limit: 10})
		checkInvalid(t, "Timeline", err, msg)
		_, err = s.CountTimeline(ctx, f)
		checkInvalid(t, "CountTimeline", err, msg)
	})
}

// testSearchHostileText feeds full-text syntax and odd input to Search and to the
// timeline's text filter: each gives results or BAD_USER_INPUT with a
// message of our own, never an SQL error.
func testSearchHostileText(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openSearch(t, open)
	noWords := func(text string) string { return fmt.Sprintf("search text %q has no words to look for", text) }
	for _, tt := range []struct {
		name, text string
		search     string // the hits, sorted, when there is no error
		timeline   string
		err        string // the BAD_USER_INPUT message, or ""
	}{
		{"Quote", `"`, "", "", noWords(`"`)},
		{"TwoQuotes", `""`, "", "", noWords(`""`)},
		{"Unbalanced", `"unbalanced`, "", "", ""},
		{"UnbalancedWord", `"pahalgam`, "e:attack e:strike s:condolence s:denial", "e:attack s:condolence s:denial e:strike", ""},
		{"Star", `*`, "", "", noWords(`*`)},
		{"ShortPrefix", `a*`, "", "", ""},
		{"Near", `NEAR`, "e:strike", "e:strike", ""},
		{"NearOperator", `a NEAR b`, "", "", ""},
		{"NearSlash", `india NEAR/3 pakistan`, "", "", ""},
		{"And", `AND`, "e:ceasefire s:speech", "e:ceasefire s:speech", ""},
		{"Or", `OR`, "", "", ""},
		{"OrOperator", `india OR pakistan`, "", "", ""},
		{"Not", `NOT x`, "", "", ""},
		{"Minus", `-x`, "", "", ""},
		{"MinusSecond", `x -y`, "", "", ""},
		{"MinusWord", `pahalgam -attack`, "e:attack e:strike s:condolence", "e:attack s:condolence e:strike", ""},
		{"Column", `title:rubio`, "", "", ""},
		{"Open", `(`, "", "", noWords(`(`)},
		{"Close", `)`, "", "", noWords(`)`)},
		{"Parens", `((a)`, "", "", ""},
		{"Caret", `^a`, "", "", ""},
		{"CaretInside", `a^b`, "", "", ""},
		{"Injection", `'; DROP TABLE actors; --`, "", "", ""},
		{"Empty", ``, "", "", noWords(``)},
		{"Spaces", "  \t\n", "", "", noWords("  \t\n")},
		{"SixteenWords", strings.Repeat("pahalgam ", 16), "e:attack e:strike s:condolence s:denial",
			"e:attack s:condolence s:denial e:strike", ""},
		{"TwentyWords", strings.Repeat("word ", 20), "", "", "search text has 20 words; at most 16 are allowed"},
		{"TenKilobytes", strings.Repeat("a", 10240), "", "", "search text is 10240 bytes long; at most 1000 are allowed"},
		{"NUL", "\x00", "", "", noWords("\x00")},
		{"NULBetweenWords", "pahalgam\x00attack", "e:attack e:strike s:condolence", "e:attack s:condolence e:strike", ""},
		{"InvalidUTF8", "\xff\xfe", "", "", noWords("\xff\xfe")},
		{"Emoji", "😀🇮🇳", "", "", noWords("😀🇮🇳")},
		{"EmojiAndWord", "🇮🇳 india", "a:india a:modi e:ceasefire s:condolence", "s:condolence e:ceasefire", ""},
		{"Devanagari", "सिंदूर", "e:strike", "e:strike", ""},
		{"Urdu", "شہباز", "a:sharif", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := s.Search(ctx, tt.text, 100)
			if tt.err != "" {
				checkInvalid(t, "Search", err, tt.err)
			} else if err != nil {
				t.Errorf("Search: %v", err)
			} else {
				names := strings.Fields(hitNames(t, s, hits))
				slices.Sort(names)
				if got := strings.Join(names, " "); got != tt.search {
					t.Errorf("Search:\n got %q\nwant %q", got, tt.search)
				}
			}
			if tt.text == "" {
				return // no text filter at all
			}
			f := db.TimelineFilter{Text: tt.text}
			page, err := s.Timeline(ctx, f, db.Ascending, db.Page{Limit: 100})
			if tt.err != "" {
				checkInvalid(t, "Timeline", err, tt.err)
				_, err = s.CountTimeline(ctx, f)
				checkInvalid(t, "CountTimeline", err, tt.err)
				return
			}
			if err != nil {
				t.Fatalf("Timeline: %v", err)
			}
			if got := itemNames(page.Items); got != tt.timeline {
				t.Errorf("Timeline:\n got %q\nwant %q", got, tt.timeline)
			}
			if got, want := countTimeline(t, s, f), len(strings.Fields(tt.timeline)); got != want {
				t.Errorf("CountTimeline = %d, want %d", got, want)
			}
		})
	}
	// The injection attempt left the tables alone.
	if got, want := actorByKey(t, s, "modi").Name, "Narendra Modi"; got != want {
		t.Errorf("after the hostile texts, modi's name = %q, want %q", got, want)
	}
}

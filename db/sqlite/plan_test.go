package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// The timeline's pages are range scans of the timeline index in sort order,
// whatever the filter: SQLite never scans a table nor sorts the matching
// rows. With several driving values each gets its own ordered range scan,
// and only those scans' few rows (at most a page each) are merged and
// sorted. The plans are read from SQLite itself.
func TestTimelinePlansUseTheIndex(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	actor := db.Actor{Key: "a", Name: "A", Kind: db.ActorPerson, Country: "IN"}
	at, _ := db.ParseDate("2025-05-08")
	ev := db.Event{Key: "e", Type: db.EventCall, Title: "E", OccurredAt: at,
		Participants: []db.Participant{{Actor: "a", Role: db.RoleInitiator}}, Sources: []string{"s"}, Tags: []string{"x"},
		Codes: []db.EventCode{{Scheme: "CAMEO", Code: "190"}, {Scheme: "PLOVER", Code: "ASSAULT"}}}
	other := db.Actor{Key: "b", Name: "B", Kind: db.ActorPerson}
	if _, err := s.Apply(ctx, &db.Batch{Sources: []db.Source{{Key: "s"}}, Actors: []db.Actor{actor, other}, Events: []db.Event{ev}}, nil); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	after := &db.Position{At: at.Millis(), Rank: 3, Key: "e", Kind: db.ItemEvent}
	cases := []struct {
		name   string
		filter db.TimelineFilter
		page   db.Page
		order  db.SortOrder
	}{
		{"All", db.TimelineFilter{}, db.Page{Limit: 50}, db.Ascending},
		{"AllDescAfter", db.TimelineFilter{}, db.Page{Limit: 50, After: after}, db.Descending},
		{"Actor", db.TimelineFilter{Actors: []string{"a"}}, db.Page{Limit: 50, After: after}, db.Ascending},
		{"ActorBackward", db.TimelineFilter{Actors: []string{"a"}}, db.Page{Limit: 50, Before: after, Backward: true}, db.Ascending},
		{"Country", db.TimelineFilter{Countries: []string{"IN"}}, db.Page{Limit: 50}, db.Ascending},
		{"TypeOfEvents", db.TimelineFilter{EventTypes: []db.EventType{db.EventCall}, Include: []db.ItemKind{db.ItemEvent}}, db.Page{Limit: 50}, db.Ascending},
		{"TimeRange", db.TimelineFilter{From: &from}, db.Page{Limit: 50}, db.Descending},
		{"ActorAndCountry", db.TimelineFilter{Actors: []string{"a"}, Countries: []string{"IN"}}, db.Page{Limit: 50}, db.Ascending},
		{"TwoActors", db.TimelineFilter{Actors: []string{"a", "b"}}, db.Page{Limit: 50}, db.Ascending},
		{"EventsOfActor", db.TimelineFilter{Actors: []string{"a"}, Include: []db.ItemKind{db.ItemEvent}}, db.Page{Limit: 50}, db.Ascending},
		{"Source", db.TimelineFilter{Sources: []string{"s"}}, db.Page{Limit: 50, After: after}, db.Ascending},
		{"SourceAndCountry", db.TimelineFilter{Sources: []string{"s"}, Countries: []string{"IN"}}, db.Page{Limit: 50}, db.Descending},
		{"TagsKindsStances", db.TimelineFilter{Tags: []string{"x"}, StatementKinds: []db.StatementKind{db.StatementQuote},
			Stances: []db.Stance{db.StanceCondolence}}, db.Page{Limit: 50}, db.Ascending},
		{"About", db.TimelineFilter{About: &db.TimelineFilter{EventTypes: []db.EventType{db.EventCall}}}, db.Page{Limit: 50}, db.Ascending},
		{"Overlaps", db.TimelineFilter{From: &from, To: &to, TimeMatch: db.MatchOverlaps}, db.Page{Limit: 50}, db.Ascending},
		{"OverlapsFromDesc", db.TimelineFilter{From: &from, TimeMatch: db.MatchOverlaps}, db.Page{Limit: 50, After: after}, db.Descending},
		{"OverlapsActor", db.TimelineFilter{Actors: []string{"a"}, From: &from, To: &to, TimeMatch: db.MatchOverlaps}, db.Page{Limit: 50}, db.Ascending},
		{"Within", db.TimelineFilter{From: &from, To: &to, TimeMatch: db.MatchWithin, Precisions: []db.Precision{db.PrecisionMonth}},
			db.Page{Limit: 50}, db.Ascending},
		{"Codes", db.TimelineFilter{Codes: []db.CodeMatch{{Scheme: "CAMEO", Code: "190"}, {Scheme: "CAMEO", Code: "19", Prefix: true}}},
			db.Page{Limit: 50}, db.Ascending},
		{"CodesOfActor", db.TimelineFilter{Actors: []string{"a"}, Codes: []db.CodeMatch{{Scheme: "PLOVER", Code: "ASS", Prefix: true}}},
			db.Page{Limit: 50, After: after}, db.Descending},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := s.compileTimeline(ctx, c.filter)
			if err != nil {
				t.Fatal(err)
			}
			query, args := q.pageSQL(c.order == db.Descending, c.page)
			text := queryPlan(t, s, query, args...)
			scans := strings.Count(text, "SEARCH t USING PRIMARY KEY (facet=? AND value=?")
			want := max(1, len(c.filter.Actors))
			if c.filter.About != nil {
				want++ // the events it is about, read once from their own range
			}
			if scans != want {
				t.Errorf("%d range scans of the index, want %d:\n%s", scans, want, text)
			}
			// A window bounds the scan by instant from below and above,
			// whatever its TimeMatch (OVERLAPS from the longest span).
			if c.filter.From != nil && !strings.Contains(text, "AND at>") {
				t.Errorf("the window's start does not bound the range scan:\n%s", text)
			}
			if c.filter.To != nil && !strings.Contains(text, "at<?)") {
				t.Errorf("the window's end does not bound the range scan:\n%s", text)
			}
			if strings.Contains(text, "SCAN t") {
				t.Errorf("plan scans the table:\n%s", text)
			}
			// Tags, kinds and stances are looked up by the item's id.
			for _, alias := range []string{"g", "st", "ss", "sa", "c"} {
				if strings.Contains(text, "SCAN "+alias+" ") || strings.HasSuffix(text, "SCAN "+alias) {
					t.Errorf("plan scans %s:\n%s", alias, text)
				}
			}
			// A code is one probe of event_codes_code, a prefix one range.
			for _, m := range c.filter.Codes {
				want := "SEARCH c USING COVERING INDEX event_codes_code (event_id=? AND scheme=? AND code=?)"
				if m.Prefix {
					want = "SEARCH c USING COVERING INDEX event_codes_code (event_id=? AND scheme=? AND code>? AND code<?)"
				}
				if !strings.Contains(text, want) {
					t.Errorf("plan does not look the code %+v up by %s:\n%s", m, want, text)
				}
			}
			if len(c.filter.Actors) <= 1 && strings.Contains(text, "TEMP B-TREE FOR ORDER BY") {
				t.Errorf("plan sorts the matching rows:\n%s", text)
			}
			if len(c.filter.Actors) > 1 && !strings.Contains(text, "MERGE (UNION)") {
				t.Errorf("several actors are not merged from separate scans:\n%s", text)
			}
			// The count reads the same ranges: a kind condition must not
			// make it read every item of that kind instead (as it did for
			// an actor's events, without statistics).
			query, args = q.countSQL()
			count := queryPlan(t, s, query, args...)
			if len(c.filter.Actors)+len(c.filter.Sources) > 0 && !strings.Contains(count, "SEARCH t USING PRIMARY KEY (facet=? AND value=?") {
				t.Errorf("the count does not read the facet's range:\n%s", count)
			}
		})
	}
}

// queryPlan is the detail column of EXPLAIN QUERY PLAN for query, a line
// per step.
func queryPlan(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

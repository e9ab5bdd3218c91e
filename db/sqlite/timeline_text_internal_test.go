package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// textWords are words of the events' titles of a generated graph: the most
// common, some held by one to a few items, and prefixes of both.
func textWords(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.write.Query(`SELECT title FROM events UNION ALL SELECT text FROM statements`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var title string
		if err := rows.Scan(&title); err != nil {
			t.Fatal(err)
		}
		for _, w := range strings.Fields(title) {
			if w = strings.Trim(w, ".,;:'\"()"); len(w) >= 4 {
				counts[strings.ToLower(w)]++
			}
		}
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	slices.SortFunc(words, func(a, b string) int {
		if c := counts[b] - counts[a]; c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	picked := slices.Clone(words[:4])
	for _, n := range []int{1, 2, 3, 5, 8, 20} {
		for _, w := range words {
			if counts[w] == n {
				picked = append(picked, w)
				break
			}
		}
	}
	picked = append(picked, words[0][:3]+"*", picked[len(picked)-1][:3]+"*", words[0]+" "+words[1])
	return picked
}

// randomTextFilter is a filter of text and of some of the other facets.
func randomTextFilter(r *rand.Rand, words, actors, countries []string) db.TimelineFilter {
	f := db.TimelineFilter{Text: words[r.IntN(len(words))]}
	if r.IntN(4) == 0 {
		f.Actors = []string{actors[r.IntN(len(actors))], actors[r.IntN(len(actors))]}
	}
	if r.IntN(4) == 0 {
		f.Countries = []string{countries[r.IntN(len(countries))]}
	}
	if r.IntN(4) == 0 {
		f.Roles = []db.ParticipantRole{db.ParticipantRoles[r.IntN(len(db.ParticipantRoles))]}
	}
	if r.IntN(4) == 0 {
		f.EventTypes = []db.EventType{db.EventTypes[r.IntN(len(db.EventTypes))], db.EventTypes[r.IntN(len(db.EventTypes))]}
	}
	if r.IntN(4) == 0 {
		f.Include = []db.ItemKind{[]db.ItemKind{db.ItemEvent, db.ItemStatement}[r.IntN(2)]}
	}
	return f
}

// pagesText is every page of the timeline of f read forwards, and then
// backwards from the end, pageSize items at a time: the items with their
// page flags, one page a line.
func pagesText(t *testing.T, s *Store, f db.TimelineFilter, order db.SortOrder, pageSize int) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	write := func(p db.ItemPage) {
		for _, it := range p.Items {
			fmt.Fprintf(&b, "%d:%d ", itemKindCode(it.Kind), it.ID)
		}
		fmt.Fprintf(&b, "prev %v next %v\n", p.HasPreviousPage, p.HasNextPage)
	}
	for _, backward := range []bool{false, true} {
		page := db.Page{Limit: pageSize, Backward: backward}
		for {
			p, err := s.Timeline(ctx, f, order, page)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			write(p)
			if backward && !p.HasPreviousPage || !backward && !p.HasNextPage {
				break
			}
			if backward {
				page.Before = &p.Items[0].Pos
			} else {
				page.After = &p.Items[len(p.Items)-1].Pos
			}
		}
	}
	n, err := s.CountTimeline(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "count %d\n", n)
	counts, err := s.EventCounts(ctx, f, db.IntervalMonth, db.GroupCountry, db.MatchStart)
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString(bucketsText(counts))
	return b.String()
}

// TestTimelineRareTextMatchesTheWalk checks that a text filter answered
// from its matches gives the same pages, counts and event counts as the
// walk of the timeline that serves common words, for words from the most
// common to ones a single item holds, with other filters, in both orders.
func TestTimelineRareTextMatchesTheWalk(t *testing.T) {
	s := openCountsStore(t)
	words := textWords(t, s)
	var actors, countries []string
	for _, q := range []struct {
		query string
		out   *[]string
	}{
		{`SELECT a.key FROM event_participants p JOIN actors a ON a.id = p.actor_id GROUP BY a.id ORDER BY count(*) DESC, a.key LIMIT 30`, &actors},
		{`SELECT c.code FROM events e JOIN countries c ON c.id = e.country_id GROUP BY c.id ORDER BY count(*) DESC, c.code LIMIT 20`, &countries},
	} {
		rows, err := s.write.Query(q.query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			*q.out = append(*q.out, k)
		}
		rows.Close()
	}
	r := rand.New(rand.NewPCG(5, 8))
	var filters []db.TimelineFilter
	for _, w := range words {
		filters = append(filters, db.TimelineFilter{Text: w})
	}
	for range 60 {
		filters = append(filters, randomTextFilter(r, words, actors, countries))
	}
	nonEmpty := 0
	for i, f := range filters {
		order := []db.SortOrder{db.Ascending, db.Descending}[i%2]
		s.rareMatches = 0
		walk := pagesText(t, s, f, order, 7)
		s.rareMatches = 1 << 30
		rare := pagesText(t, s, f, order, 7)
		if rare != walk {
			t.Fatalf("%+v %s: from the matches\n%s\nwalking the timeline\n%s", f, order, rare, walk)
		}
		if !strings.HasPrefix(walk, "prev false next false\n") {
			nonEmpty++
		}
	}
	if nonEmpty < len(filters)/2 {
		t.Errorf("%d of %d filters match something: the comparison proves little", nonEmpty, len(filters))
	}
}

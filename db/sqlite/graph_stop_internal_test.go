package sqlite

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// hoodRows is a neighbourhood and the edge rows it read.
func hoodRows(t *testing.T, s *Store, start db.NodeRef, depth int, f db.GraphFilter, limit int) (db.Subgraph, int64) {
	t.Helper()
	before := s.graphRowsRead.Load()
	sub, err := s.Neighborhood(context.Background(), start, depth, f, limit)
	if err != nil {
		t.Fatal(err)
	}
	return sub, s.graphRowsRead.Load() - before
}

// TestNeighborhoodStopsEarly checks that a neighbourhood that stops reading
// once its limit is reached answers what reading every row answers, for
// limits below and above the size of a hub's neighbourhood, from hubs and
// quiet nodes of a generated graph, with and without filters; and that
// from a hub it reads only the rows its limit needs.
func TestNeighborhoodStopsEarly(t *testing.T) {
	s := openCountsStore(t)
	// No budget cuts either walk short: the limit alone ends them.
	s.maxEdgesRead = 1 << 30
	var hub, quiet, event, country int64
	for _, q := range []struct {
		query string
		id    *int64
	}{
		{`SELECT actor_id FROM event_participants GROUP BY actor_id ORDER BY count(*) DESC, actor_id LIMIT 1`, &hub},
		{`SELECT actor_id FROM event_participants GROUP BY actor_id ORDER BY count(*), actor_id LIMIT 1`, &quiet},
		{`SELECT event_id FROM event_links GROUP BY event_id ORDER BY count(*) DESC, event_id LIMIT 1`, &event},
		{`SELECT country_id FROM events GROUP BY country_id ORDER BY count(country_id) DESC, country_id LIMIT 1`, &country},
	} {
		if err := s.write.QueryRow(q.query).Scan(q.id); err != nil {
			t.Fatal(err)
		}
	}
	window := time.Date(1969, 6, 1, 0, 0, 0, 0, time.UTC)
	filters := []db.GraphFilter{{}, {EdgeKinds: []db.EdgeKind{db.EdgeParticipation, db.EdgeEventLink}},
		{From: &window, To: ptrTo(window.AddDate(0, 6, 0))}}
	starts := []db.NodeRef{{Type: db.NodeActor, ID: hub}, {Type: db.NodeActor, ID: quiet},
		{Type: db.NodeEvent, ID: event}, {Type: db.NodeCountry, ID: country}}
	for _, start := range starts {
		for fi, f := range filters {
			for depth := 1; depth <= 3; depth++ {
				for _, limit := range []int{1, 2, 10, 50, 199, 200, 201, 500, 1000} {
					name := fmt.Sprintf("%v filter %d depth %d limit %d", start, fi, depth, limit)
					s.neighborhoodReadsAll = true
					want, all := hoodRows(t, s, start, depth, f, limit)
					s.neighborhoodReadsAll = false
					got, early := hoodRows(t, s, start, depth, f, limit)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s: stopping early gives\n%+v\nreading all gives\n%+v", name, got, want)
					}
					if early > all {
						t.Errorf("%s: %d rows read stopping early, %d reading all", name, early, all)
					}
				}
			}
		}
	}

	t.Run("RowsRead", func(t *testing.T) {
		s := openGraphTest(t)
		applyGraphTest(t, s, graphStar(300))
		hub := db.NodeRef{Type: db.NodeActor, ID: 1}
		// The rows to ev1 … ev10 and the one that finds an 11th; the hub's
		// rows after it to them, and the 10 events' edges among themselves,
		// are looked up (none).
		sub, read := hoodRows(t, s, hub, 2, db.GraphFilter{}, 11)
		if read != 11 || len(sub.Nodes) != 11 || len(sub.Edges) != 10 || !sub.Truncated {
			t.Errorf("%d rows read for %d nodes and %d edges (truncated %v), want 11 for 11 and 10, truncated",
				read, len(sub.Nodes), len(sub.Edges), sub.Truncated)
		}
		// Reading every row reads the hub's 300.
		s.neighborhoodReadsAll = true
		ref, read := hoodRows(t, s, hub, 2, db.GraphFilter{}, 11)
		if read != 300 || !reflect.DeepEqual(ref, sub) {
			t.Errorf("reading all: %d rows read, want 300; same answer: %v", read, reflect.DeepEqual(ref, sub))
		}
	})
}

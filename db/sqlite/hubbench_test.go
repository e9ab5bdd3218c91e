package sqlite

import (
	"context"
	"os"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// BenchmarkShortestPathHub runs shortestPath with a hub at one or both ends
// on a seeded database ($GEOTIMELINE_GRAPH_DB, for instance the graph of
// `geotimeline generate --events 100000 --seed 1`, whose actor 856 has
// 40 382 edges and actor 61 21 121); it is skipped without one.
func BenchmarkShortestPathHub(b *testing.B) {
	path := os.Getenv("GEOTIMELINE_GRAPH_DB")
	if path == "" {
		b.Skip("GEOTIMELINE_GRAPH_DB is not set")
	}
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	actor := func(id int64) db.NodeRef { return db.NodeRef{Type: db.NodeActor, ID: id} }
	event := func(id int64) db.NodeRef { return db.NodeRef{Type: db.NodeEvent, ID: id} }
	cases := []struct {
		name     string
		from, to db.NodeRef
		maxDepth int
	}{
		{"HubToItsEvent/1", actor(856), event(13845), 1},
		{"HubToCoParticipant/2", actor(856), actor(11), 2},
		{"HubToQuietActor/4", actor(856), actor(580), 4},
		{"QuietActorToHub/4", actor(580), actor(856), 4},
		{"HubToHub/1", actor(856), actor(61), 1},
		{"HubToHub/2", actor(856), actor(61), 2},
		{"HubToHub/4", actor(856), actor(61), 4},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			before := s.graphRowsRead.Load()
			var p *db.Path
			var err error
			for b.Loop() {
				p, err = s.ShortestPath(ctx, c.from, c.to, c.maxDepth, db.GraphFilter{})
			}
			n := -1 // no path
			if p != nil {
				n = len(p.Edges)
			}
			b.ReportMetric(float64(s.graphRowsRead.Load()-before)/float64(b.N), "rows/op")
			b.Logf("length %d, err %v", n, err)
		})
	}
}

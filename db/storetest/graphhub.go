package storetest

import (
	"context"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// Hubs hold more edges than a search may read (20 000): a path from one is
// found without reading its edges, by looking up the other side's nodes
// against it, and a search between two is refused only when it needs more
// than a direct edge.
func testShortestPathHubs(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	mustApply(t, s, hubsBatch(30000))
	byParticipation := only(db.EdgeParticipation)
	cases := []struct {
		from, to string
		maxDepth int
		f        db.GraphFilter
		want     string
	}{
		{"a:huba", "e:ha00007", 1, all, "a:huba >PARTICIPATION> e:ha00007"},
		{"e:hb29999", "a:hubb", 1, all, "e:hb29999 >PARTICIPATION> a:hubb"},
		{"a:huba", "a:x", 1, all, "none"},
		{"a:huba", "a:x", 2, all, "a:huba >PARTICIPATION> e:m2 >PARTICIPATION> a:x"},
		{"a:x", "a:huba", 4, all, "a:x >PARTICIPATION> e:m2 >PARTICIPATION> a:huba"},
		{"a:huba", "a:y", 3, all, "none"},
		{"a:huba", "a:y", 4, all, "a:huba >PARTICIPATION> e:m5 >PARTICIPATION> a:z2 >PARTICIPATION> e:m6 >PARTICIPATION> a:y"},
		{"a:y", "a:huba", 4, all, "a:y >PARTICIPATION> e:m4 >PARTICIPATION> a:z1 >PARTICIPATION> e:m3 >PARTICIPATION> a:huba"},
		{"e:ha00003", "a:x", 4, all, "e:ha00003 >PARTICIPATION> a:huba >PARTICIPATION> e:m2 >PARTICIPATION> a:x"},
		// Hubs at both ends: the edge between them is one lookup.
		{"a:huba", "a:hubb", 1, all, "a:huba >RELATIONSHIP> a:hubb"},
		{"a:huba", "a:hubb", 2, all, "a:huba >RELATIONSHIP> a:hubb"},
		{"a:hubb", "a:huba", 4, all, "a:hubb >RELATIONSHIP> a:huba"},
		{"a:huba", "a:hubb", 1, byParticipation, "none"},
	}
	for _, c := range cases {
		t.Run(c.from+"-"+c.to+"/"+string(rune('0'+c.maxDepth)), func(t *testing.T) {
			if got := path(t, s, c.from, c.to, c.maxDepth, c.f); got != c.want {
				t.Errorf("path =\n%s\nwant\n%s", got, c.want)
			}
		})
	}

	// By participation only, the hubs share one event (mab) among 30 001
	// each: finding it means reading one hub's edges, more than the budget.
	t.Run("TooComplex", func(t *testing.T) {
		for _, maxDepth := range []int{2, 4} {
			_, err := s.ShortestPath(context.Background(), node(t, s, "a:huba"), node(t, s, "a:hubb"), maxDepth, byParticipation)
			if got, want := db.ErrorCode(err), db.CodeTooComplex; got != want {
				t.Fatalf("maxDepth %d: code %q (err %v), want %q", maxDepth, got, err, want)
			}
			want := "shortestPath would read more than 20000 edges: there is no path of 1 edge or fewer, " +
				"and looking further means reading the edges of the start's side (1 node at distance 0, 20000 edge rows or more) " +
				"or the end's (1 node at distance 0, 20000 edge rows or more), which does not fit in the 20000 left; lower maxDepth or narrow the filter"
			if got := db.ErrorMessage(err); got != want {
				t.Errorf("maxDepth %d: message =\n%s\nwant\n%s", maxDepth, got, want)
			}
		}
	})
}

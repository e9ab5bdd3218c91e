package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// ObserveSQL reports each write as one write, its statements not as reads,
// and the reads outside writes as reads.
func TestObserveSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openClocked(t)
	var mu sync.Mutex
	counts := map[db.Pool]int{}
	s.ObserveSQL(func(p db.Pool, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if d < 0 {
			t.Errorf("%s took %v", p, d)
		}
		counts[p]++
	})
	load(t, s, applyBase)
	mu.Lock()
	if got, want := counts, (map[db.Pool]int{db.PoolWrite: 1}); !(len(got) == 1 && got[db.PoolWrite] == want[db.PoolWrite]) {
		t.Errorf("after one write: %v, want %v", got, want)
	}
	mu.Unlock()
	if _, err := s.ActorsByKey(ctx, []string{"india"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Neighborhood(ctx, db.NodeRef{Type: db.NodeActor, ID: 1}, 1, db.GraphFilter{}, 10); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// ActorsByKey is one statement; the neighbourhood finds its start,
	// reads one level through a cursor (DECLARE, FETCH, CLOSE) and finds
	// the edges among the nodes it did not expand: five, its
	// transaction's BEGIN and ROLLBACK not counted.
	if got, want := counts[db.PoolRead], 6; got != want {
		t.Errorf("%d reads, want %d", got, want)
	}
	if got, want := counts[db.PoolWrite], 1; got != want {
		t.Errorf("%d writes, want %d", got, want)
	}
}

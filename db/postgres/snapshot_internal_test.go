package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/postgres/pgtest"
)

// Many requests at once, each with a snapshot of its own and a traversal
// (which holds a connection of the pool for its levels), all finish on a
// pool of 2 connections and 2 exporters: a traversal that took its
// connection before exporting its snapshot waited for an exporter held by
// a request waiting for that connection, until the request's deadline.
func TestSnapshotsUnderPoolPressure(t *testing.T) {
	t.Parallel()
	s, err := Open(context.Background(), pgtest.URL(t), Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	setClock(s, t1)
	load(t, s, applyBase)
	var start int64
	if err := s.pool.QueryRow(context.Background(), `SELECT id FROM actors ORDER BY key LIMIT 1`).Scan(&start); err != nil {
		t.Fatal(err)
	}
	const requests = 24
	// Generous: each request takes milliseconds; the deadlock took the
	// whole deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, requests)
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			snap, end := s.Snapshot(ctx)
			defer end()
			// The traversal first, as the neighborhood query's resolver
			// reads, then the records it found, as their loaders do.
			sub, err := s.Neighborhood(snap, db.NodeRef{Type: db.NodeActor, ID: start}, 2, db.GraphFilter{}, 50)
			if err != nil {
				errs <- fmt.Errorf("request %d: neighborhood: %w", i, err)
				return
			}
			if _, err := s.ActorsByID(snap, []int64{start}); err != nil || len(sub.Nodes) == 0 {
				errs <- fmt.Errorf("request %d: read: %d nodes, %w", i, len(sub.Nodes), err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("requests waited for each other until the deadline: %v", err)
		}
		t.Error(err)
	}
}

// Every connection plans each execution for its parameters (store.go's
// Open): a generic plan, chosen after five executions, served a rare
// word's timeline page with a common word's plan, in seconds rather than
// milliseconds.
func TestConnectionsPlanForTheirParameters(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	for i := range 3 { // several connections of the pool, and a snapshot's
		snap, end := s.Snapshot(ctx)
		var mode string
		if err := s.reader(snap).QueryRow(snap, `SHOW plan_cache_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		end()
		if mode != "force_custom_plan" {
			t.Errorf("read %d: plan_cache_mode %q, want force_custom_plan", i, mode)
		}
	}
}

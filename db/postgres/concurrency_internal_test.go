package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// Writers in several processes (here: several stores, each its own pool)
// load overlapping batches at once: the same actors, and events that all
// count in the same kept-count rows. Every write must succeed (conflicts
// meet at row locks, deadlocks are retried) and the final state must be
// exact: every event once, the counts the sum of all writers', each change
// log numbered 1..n without a gap, a repeat or a NULL.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := ""
	{
		s := openTest(t) // makes the database and migrates it once
		url = testURL(t, s)
	}
	const writers, batches, perBatch = 4, 10, 5
	stores := make([]*Store, writers)
	for i := range stores {
		s, err := Open(ctx, url, Options{MaxConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		setClock(s, t1)
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	day := time.Date(2025, 5, 7, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	for w, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				// Half the writers lock the same rows in the other order
				// (actors, then the two days' count rows), which
				// PostgreSQL may resolve by aborting one as a deadlock.
				batch := &db.Batch{Actors: []db.Actor{
					{Key: "india", Name: "India", Kind: db.ActorState, Country: "IN"},
					{Key: "pakistan", Name: "Pakistan", Kind: db.ActorState, Country: "PK"},
				}}
				if w%2 == 1 {
					batch.Actors[0], batch.Actors[1] = batch.Actors[1], batch.Actors[0]
				}
				for e := range perBatch {
					// Participants in the other order every other event:
					// the order rows are locked in differs between writers.
					parts := []db.Participant{{Actor: "india", Role: db.RoleInitiator}, {Actor: "pakistan", Role: db.RoleTarget}}
					if e%2 == 1 {
						parts[0], parts[1] = parts[1], parts[0]
					}
					fatalities := 1
					batch.Events = append(batch.Events, db.Event{
						Key: fmt.Sprintf("w%d-b%d-e%d", w, b, e), Type: db.EventAttack, Title: "Attack",
						OccurredAt: db.Date{At: day.Add(time.Duration((e+w)%2*24) * time.Hour), Precision: db.PrecisionMinute},
						Location:   db.Location{Country: "IN"}, Fatalities: &fatalities, Participants: parts,
					})
				}
				if _, err := s.Apply(ctx, batch, nil); err != nil {
					errs <- fmt.Errorf("writer %d batch %d: %w", w, b, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var retries int64
	for _, s := range stores {
		retries += s.retries.Load()
	}
	t.Logf("%d writes, %d retried", writers*batches, retries)
	const events = writers * batches * perBatch
	s := stores[0]
	var n, actors, counted, fatalities, logged int
	q := func(query string, dst *int) {
		t.Helper()
		if err := s.pool.QueryRow(ctx, query).Scan(dst); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	q(`SELECT count(*) FROM events`, &n)
	q(`SELECT count(*) FROM actors`, &actors)
	q(`SELECT sum(events) FROM event_counts WHERE width = 0 AND grain = 0`, &counted)
	q(`SELECT sum(fatalities) FROM event_counts WHERE width = 1 AND grain = 3`, &fatalities)
	q(`SELECT count(*) FROM changes`, &logged)
	var feed int
	q(`SELECT count(*) FROM change_feed`, &feed)
	// The feed: each event once, and the two actors once (their later
	// loads are unchanged).
	if logged != events || feed != events+2 {
		t.Errorf("change log %d rows, feed %d; want %d and %d", logged, feed, events, events+2)
	}
	for _, table := range []string{"changes", "change_feed"} {
		var rows, maxSeq, distinct, unnumbered int
		q(`SELECT count(*) FROM `+table, &rows)
		q(`SELECT max(seq) FROM `+table, &maxSeq)
		q(`SELECT count(DISTINCT seq) FROM `+table, &distinct)
		q(`SELECT count(*) FROM `+table+` WHERE seq IS NULL`, &unnumbered)
		if maxSeq != rows || distinct != rows || unnumbered != 0 {
			t.Errorf("%s: %d rows, max seq %d, %d distinct, %d unnumbered; want 1..%d", table, rows, maxSeq, distinct,
				unnumbered, rows)
		}
	}
}

// testURL is the URL s was opened on.
func testURL(t *testing.T, s *Store) string {
	t.Helper()
	return s.pool.Config().ConnString()
}

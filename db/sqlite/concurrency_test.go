package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/db/storetest"
)

// TestConcurrentReadsDuringWrites runs timeline reads while batches are
// written: WAL, the single writer and the busy timeout must keep every call
// free of "database is locked".
func TestConcurrentReadsDuringWrites(t *testing.T) {
	ctx := context.Background()
	s := openTimeline(t)
	const (
		batches = 50
		readers = 4
		reads   = 200
	)
	// Decoded up front: the goroutines only call the store.
	sets := make([]*fixture.Set, batches)
	for i := range sets {
		sets[i] = decode(t, fmt.Sprintf(`{"version": 1,
			"actors": [{"key": "actor-%02d", "name": "Actor %d", "kind": "PERSON", "country": "IN"}],
			"events": [{"key": "event-%02d", "type": "PROTEST", "title": "Event %d", "occurredAt": "2025-06-%02d",
				"participants": [{"actor": "actor-%02d", "role": "INITIATOR"}, {"actor": "india", "role": "TARGET"}]}],
			"statements": [{"key": "statement-%02d", "kind": "QUOTE", "speaker": "actor-%02d", "madeAt": "2025-07-%02d",
				"text": "Said %d.", "addressees": ["pakistan"]}]}`, i, i, i, i, i%28+1, i, i, i, i%28+1, i))
	}

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, set := range sets {
			if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
				fail(fmt.Errorf("Apply batch %d: %w", i, err))
			}
		}
	}()
	filters := []db.TimelineFilter{
		{},
		{Actors: []string{"india"}},
		{Countries: []string{"IN"}, Include: []db.ItemKind{db.ItemEvent}},
		{Actors: []string{"pakistan"}, EventTypes: []db.EventType{db.EventProtest}},
	}
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := filters[r]
			var after *db.Position
			for i := 0; i < reads; i++ {
				page, err := s.Timeline(ctx, f, db.Ascending, db.Page{Limit: 5, After: after})
				if err != nil {
					fail(fmt.Errorf("reader %d, read %d: Timeline: %w", r, i, err))
					return
				}
				after = nil
				if page.HasNextPage {
					after = &page.Items[len(page.Items)-1].Pos
				}
				if _, err := s.CountTimeline(ctx, f); err != nil {
					fail(fmt.Errorf("reader %d, read %d: CountTimeline: %w", r, i, err))
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if got, want := countTimeline(t, s, db.TimelineFilter{}), 12+2*batches; got != want {
		t.Errorf("timeline count after the writes = %d, want %d", got, want)
	}
	if got, want := countTimeline(t, s, db.TimelineFilter{Actors: []string{"pakistan"}, Include: []db.ItemKind{db.ItemStatement}}), 2+batches; got != want {
		t.Errorf("statements addressed to pakistan = %d, want %d", got, want)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Errorf("IntegrityCheck: %v", err)
	}
}

// openTimeline opens a store holding storetest.TimelineFixture.
func openTimeline(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s := mustOpen(tb)
	load(tb, s, storetest.TimelineFixture)
	return s
}

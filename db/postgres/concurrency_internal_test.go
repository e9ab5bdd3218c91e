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

// A delete with cascade and writes that refer to its target race in
// several processes (here: stores of their own): an actor created and
// deleted over and over while other writers give it events (and write
// them again without it), and an event that refers to it written and
// deleted too, while a statement addressed to the one about the other is
// written. Each write reads what it refers to (or what refers to its
// target) before it writes; one that commits in between is a foreign key
// violation for the first, or a referrer gone, which the first must run
// again to see, not report as an internal error, nor as a reference of the
// rewritten record unknown. So every request either succeeds or is refused
// for what it finds: BAD_USER_INPUT for a record referring to one that is
// not there, NOT_FOUND for deleting what is gone. And a delete's rewrite of
// a referrer must not undo a write of it made since the delete read it
// (a lost update), nor leave rows of a referrer deleted meanwhile.
func TestConcurrentDeletesAndReferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testURL(t, openTest(t))
	stores := make([]*Store, 4)
	for i := range stores {
		s, err := Open(ctx, url, Options{MaxConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		setClock(s, t1)
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	actor := func(key string) db.Actor { return db.Actor{Key: key, Name: key, Kind: db.ActorState} }
	event := func(key string) *db.Batch {
		return &db.Batch{Events: []db.Event{{Key: key, Type: db.EventMeeting, Title: key,
			OccurredAt:   db.Date{At: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Precision: db.PrecisionDay},
			Participants: []db.Participant{{Actor: "x", Role: db.RoleInitiator}, {Actor: "y", Role: db.RoleParticipant}}}}}
	}
	refs := []db.Ref{{Kind: db.RefActor, Key: "x", Where: "participants[0]"}, {Kind: db.RefActor, Key: "y", Where: "participants[1]"}}
	statement := &db.Batch{Statements: []db.Statement{{Key: "st", Kind: db.StatementQuote, Speaker: "y",
		MadeAt: db.Date{At: time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC), Precision: db.PrecisionDay}, Text: "To x, on hot",
		Addressees: []string{"x"}, About: []string{"hot"}}}}
	stRefs := []db.Ref{{Kind: db.RefActor, Key: "y", Where: "speaker"}, {Kind: db.RefActor, Key: "x", Where: "addressees[0]"},
		{Kind: db.RefEvent, Key: "hot", Where: "about[0]"}}
	if _, err := stores[0].Apply(ctx, &db.Batch{Actors: []db.Actor{actor("y")}}, nil); err != nil {
		t.Fatal(err)
	}
	const rounds = 40
	var mu sync.Mutex
	unexpected := map[string]int{}
	// allowed is the one refusal a request may meet.
	note := func(what string, allowed db.Code, err error) {
		if c := db.ErrorCode(err); err != nil && c != allowed {
			mu.Lock()
			unexpected[fmt.Sprintf("%s: %s: %v", what, c, err)]++
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	wg.Add(4)
	go func() {
		defer wg.Done()
		for range rounds {
			_, err := stores[0].Apply(ctx, &db.Batch{Actors: []db.Actor{actor("x")}}, nil)
			note("write actor x", "", err)
			_, err = stores[0].Delete(ctx, db.RefActor, "x", true)
			note("delete actor x", db.CodeNotFound, err)
		}
	}()
	// Each event of x is written again at once without x, under a new
	// title: a delete of x that read it before must not write the old
	// title back (a lost update).
	retitled := map[string]bool{}
	go func() {
		defer wg.Done()
		for i := range rounds {
			key := fmt.Sprintf("e-%02d", i)
			_, err := stores[1].Apply(ctx, event(key), refs)
			note("write an event of x", db.CodeInvalid, err)
			b := event(key)
			b.Events[0].Title, b.Events[0].Participants = "retitled", b.Events[0].Participants[1:]
			_, err = stores[1].Apply(ctx, b, refs[1:])
			note("write the event again without x", "", err)
			retitled[key] = err == nil
		}
	}()
	go func() {
		defer wg.Done()
		for range rounds {
			_, err := stores[2].Apply(ctx, event("hot"), refs)
			note("write event hot", db.CodeInvalid, err)
			_, err = stores[2].Delete(ctx, db.RefEvent, "hot", true)
			note("delete event hot", db.CodeNotFound, err)
		}
	}()
	go func() {
		defer wg.Done()
		for range rounds {
			// A statement that a delete of either x or hot rewrites.
			_, err := stores[3].Apply(ctx, statement, stRefs)
			note("write a statement to x about hot", db.CodeInvalid, err)
		}
	}()
	wg.Wait()
	for what, n := range unexpected {
		t.Errorf("%d × %s", n, what)
	}
	for key, ok := range retitled {
		es, err := stores[0].events(ctx, `e.key = $1`, key)
		if err != nil || len(es) != 1 {
			t.Fatalf("read %s: %v, %d events", key, err, len(es))
		}
		if ok && es[0].Title != "retitled" {
			t.Errorf("event %s has title %q after it was retitled", key, es[0].Title)
		}
	}
	// The kept counts agree with the events whatever the interleaving.
	var events, counted int
	if err := stores[0].pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM events),
		(SELECT coalesce(sum(events), 0) FROM event_counts WHERE width = 0 AND grain = 0)`).Scan(&events, &counted); err != nil {
		t.Fatal(err)
	}
	if events != counted {
		t.Errorf("%d events, %d in the kept counts", events, counted)
	}
	// No derived row outlives its record: a rewrite racing a delete of
	// the record it rewrites must not write rows for it after it is gone.
	for what, query := range map[string]string{
		"timeline rows of no event":     `SELECT count(*) FROM timeline_index t WHERE kind = 0 AND NOT EXISTS (SELECT 1 FROM events WHERE id = t.item_id)`,
		"timeline rows of no statement": `SELECT count(*) FROM timeline_index t WHERE kind = 1 AND NOT EXISTS (SELECT 1 FROM statements WHERE id = t.item_id)`,
		"search documents of no event":  `SELECT count(*) FROM search_text t WHERE docid % 4 = 1 AND NOT EXISTS (SELECT 1 FROM events WHERE id = t.docid / 4)`,
	} {
		var n int
		if err := stores[0].pool.QueryRow(ctx, query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d %s", n, what)
		}
	}
	var retries int64
	for _, s := range stores {
		retries += s.retries.Load()
	}
	t.Logf("%d writes, %d retried", 7*rounds, retries)
}

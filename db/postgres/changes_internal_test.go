package postgres

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/postgres/pgtest"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// changesAfter is what a live subscriber reads: the logged items after seq,
// in seq order.
func changesAfter(t *testing.T, s *Store, seq int64) (items []int64, last int64) {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), `SELECT seq, item_id FROM changes WHERE seq > $1 ORDER BY seq`, seq)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	last = seq
	for rows.Next() {
		var item int64
		if err := rows.Scan(&last, &item); err != nil {
			t.Fatal(err)
		}
		items = append(items, item)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return items, last
}

// A transaction that logs first and commits last gets the later numbers: a
// reader that has read past the early committer's rows still finds the
// late one's. With numbers taken when the row is written (a sequence) the
// late rows would carry the smaller numbers and be skipped.
func TestChangesNumberedInCommitOrder(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	begin := func() pgx.Tx {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tx.Rollback(ctx) })
		return tx
	}
	log := func(tx pgx.Tx, items ...int64) {
		for _, item := range items {
			if _, err := tx.Exec(ctx, `INSERT INTO changes (kind, item_id) VALUES (0, $1)`, item); err != nil {
				t.Fatal(err)
			}
		}
	}
	early, late := begin(), begin()
	log(early, 1, 2)
	log(late, 3)
	log(early, 4)
	if err := late.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	got, seen := changesAfter(t, s, 0)
	if want := []int64{3}; !slices.Equal(got, want) {
		t.Fatalf("after the first commit, items %v, want %v", got, want)
	}
	if seen != 1 {
		t.Fatalf("first commit's seq %d, want 1", seen)
	}
	if err := early.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	got, seen = changesAfter(t, s, seen)
	if want := []int64{1, 2, 4}; !slices.Equal(got, want) {
		t.Fatalf("after seq 1, items %v, want %v (the transaction's rows in the order it wrote them)", got, want)
	}
	if seen != 4 {
		t.Fatalf("last seq %d, want 4", seen)
	}
	var unnumbered int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM changes WHERE seq IS NULL`).Scan(&unnumbered); err != nil {
		t.Fatal(err)
	}
	if unnumbered != 0 {
		t.Errorf("%d rows without seq after commit", unnumbered)
	}
}

// The changes feed's rows and the changes log's are numbered at commit,
// each log from 1 on its own counter, the feed's rows stamped by the
// writer's clock.
func TestChangeFeedNumberedAtCommit(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	s.Now = func() time.Time { return time.UnixMilli(1_700_000_000_123) }
	ctx := context.Background()
	err := s.inWriteTx(ctx, func(tx pgx.Tx, _ int64) error {
		_, err := tx.Exec(ctx, `INSERT INTO sources (key, content_hash, created_at, updated_at) VALUES ('s1', '\x01', 5, 5)`)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO changes (kind, item_id) VALUES (0, 7)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var feedSeq, changeSeq, at int64
	var kind, key string
	if err := s.pool.QueryRow(ctx, `SELECT seq, kind, key, at FROM change_feed`).Scan(&feedSeq, &kind, &key, &at); err != nil {
		t.Fatal(err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT seq FROM changes`).Scan(&changeSeq); err != nil {
		t.Fatal(err)
	}
	if changeSeq != 1 || feedSeq != 1 || kind != "source" || key != "s1" {
		t.Errorf("changes seq %d, feed (%d, %s, %s); want 1 and (1, source, s1)", changeSeq, feedSeq, kind, key)
	}
	if want := int64(1_700_000_000_123); at != want {
		t.Errorf("feed row at %d, want the write's clock, %d", at, want)
	}
}

// Two stores on one database stand for two replicas: what one writes, the
// other reads from the change log, in commit order, with nothing between
// the numbers it has seen.
func TestChangesSeenByAnotherReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	writer := openClocked(t)
	reader, err := Open(ctx, testURL(t, writer), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reader.Close() })
	start, err := reader.LastChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	load(t, writer, applyBase)
	got, err := reader.ChangesAfter(ctx, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []db.Change{
		{Seq: 1, Item: db.ItemID{Kind: db.ItemEvent, ID: 1}},
		{Seq: 2, Item: db.ItemID{Kind: db.ItemEvent, ID: 2}},
		{Seq: 3, Item: db.ItemID{Kind: db.ItemStatement, ID: 1}},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ChangesAfter(%d) = %v, want %v", start, got, want)
	}
	if last, err := reader.LastChange(ctx); err != nil || last != 3 {
		t.Errorf("LastChange = %d, %v; want 3", last, err)
	}
}

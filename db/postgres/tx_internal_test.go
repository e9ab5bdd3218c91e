package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/postgres/pgtest"
)

// A write refused for a concurrent one (serialization failure, deadlock,
// a foreign key violation: a reference deleted since it was read) runs
// again from the start, in a new transaction; its first attempt's
// writes are gone. Another error is returned at once.
func TestWriteRetriedOnSerializationFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openClocked(t)
	for _, code := range []string{"40001", "40P01", "23503"} {
		attempts := 0
		before := s.retries.Load()
		err := s.inWriteTx(ctx, func(tx pgx.Tx, _ int64) error {
			attempts++
			if _, err := tx.Exec(ctx, `INSERT INTO sources (key, content_hash, created_at, updated_at)
				VALUES ('s-'||$1::text, '\x01', 1, 1)`, code+"-"+string(rune('0'+attempts))); err != nil {
				return err
			}
			if attempts == 1 {
				_, err := tx.Exec(ctx, `DO $$ BEGIN RAISE EXCEPTION 'collided' USING ERRCODE = '`+code+`'; END $$`)
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		if attempts != 2 || s.retries.Load()-before != 1 {
			t.Errorf("%s: %d attempts, %d retries; want 2 and 1", code, attempts, s.retries.Load()-before)
		}
		var keys []string
		rows, err := s.pool.Query(ctx, `SELECT key FROM sources WHERE key LIKE 's-'||$1||'-%' ORDER BY key`, code)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			rows.Scan(&k)
			keys = append(keys, k)
		}
		rows.Close()
		if want := "s-" + code + "-2"; len(keys) != 1 || keys[0] != want {
			t.Errorf("%s: sources %q, want only the second attempt's %q", code, keys, want)
		}
	}
	attempts := 0
	err := s.inWriteTx(ctx, func(tx pgx.Tx, _ int64) error {
		attempts++
		_, err := tx.Exec(ctx, `DO $$ BEGIN RAISE EXCEPTION 'broken' USING ERRCODE = '22000'; END $$`)
		return err
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "22000" || attempts != 1 {
		t.Errorf("other error: %v after %d attempts; want SQLSTATE 22000 after 1", err, attempts)
	}
}

// Replicas started together on a new database each open it: one applies
// the migrations under goose's lock while the others wait, and the
// built-in countries are inserted once.
func TestReplicasOpenANewDatabaseTogether(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	const replicas = 4
	stores := make([]*Store, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, url, Options{MaxConns: 2})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
			continue
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	if t.Failed() {
		return
	}
	var n int
	if err := stores[0].pool.QueryRow(ctx, `SELECT count(*) FROM countries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := len(iso3166.All()); n != want {
		t.Errorf("%d countries, want %d", n, want)
	}
	if v, err := stores[replicas-1].SchemaVersion(ctx); err != nil || v != sqliteLatest(t) {
		t.Errorf("schema version %d, %v; want %d", v, err, sqliteLatest(t))
	}
}

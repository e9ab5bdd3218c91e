package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

const openFixture = `{
  "version": 1,
  "actors": [{"key": "india", "name": "India", "kind": "STATE", "country": "IN"}],
  "events": [{"key": "e1", "type": "OTHER", "title": "E1", "occurredAt": "2025-05-07",
    "participants": [{"actor": "india", "role": "PARTICIPANT"}]}]
}`

// migrationRows counts the rows of goose's version table, read with a
// connection of the test's own.
func migrationRows(t *testing.T, path string) int {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+path+"?_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(`SELECT count(*) FROM goose_db_version`).Scan(&n); err != nil {
		t.Fatalf("count goose_db_version: %v", err)
	}
	return n
}

// TestOpen checks what the database file holds across opens; what a new
// store holds is the conformance suite's (db/storetest).
func TestOpen(t *testing.T) {
	ctx := context.Background()

	t.Run("ReopenIsNoOp", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "geotimeline.db")
		s1, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		setClock(s1, t1)
		load(t, s1, openFixture, `{"version": 1, "countries": [{"code": "IN", "name": "Republic of India"}]}`)
		before := exportBytes(t, s1)
		if err := s1.Close(); err != nil {
			t.Fatal(err)
		}
		migrations := migrationRows(t, path)

		s2 := mustOpenPath(t, path)
		if got, want := migrationRows(t, path), migrations; got != want {
			t.Errorf("goose_db_version rows after a second Open = %d, want %d", got, want)
		}
		if got, want := exportBytes(t, s2), before; !bytes.Equal(got, want) {
			t.Errorf("export after reopening:\n%s\nwant:\n%s", got, want)
		}
		n, err := s2.CountCountries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := n, len(iso3166.All()); got != want {
			t.Errorf("CountCountries after reopening = %d, want %d", got, want)
		}
		cs, err := s2.CountriesByCode(ctx, []string{"IN"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cs[0].Name, "Republic of India"; got != want {
			t.Errorf("IN name after reopening = %q, want %q (the override must survive Open)", got, want)
		}
		if got, want := isEmpty(t, s2), false; got != want {
			t.Errorf("IsEmpty after reopening = %v, want %v", got, want)
		}
	})

	t.Run("TwoStoresOnOneFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "geotimeline.db")
		s1 := mustOpenPath(t, path)
		s2 := mustOpenPath(t, path)
		load(t, s1, openFixture)
		if got, want := isEmpty(t, s2), false; got != want {
			t.Errorf("IsEmpty seen by the second store = %v, want %v", got, want)
		}
		if err := s2.IntegrityCheck(ctx); err != nil {
			t.Errorf("IntegrityCheck: %v", err)
		}
	})

	t.Run("EmptyPath", func(t *testing.T) {
		s, err := sqlite.Open(ctx, "")
		if err == nil {
			s.Close()
			t.Fatal("Open(\"\") succeeded, want an error")
		}
	})

	t.Run("Path", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "geotimeline.db")
		s := mustOpenPath(t, path)
		if got, want := s.Path(), path; got != want {
			t.Errorf("Path = %q, want %q", got, want)
		}
	})
}

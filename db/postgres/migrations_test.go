package postgres

import (
	"context"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db/iso3166"
	"github.com/geotimeline/geotimeline/db/migrations"
	pgmigrations "github.com/geotimeline/geotimeline/db/postgres/migrations"
	"github.com/geotimeline/geotimeline/db/postgres/pgtest"
)

// The two stores number their schemas alike: the same files' versions
// and names, so that version N means the same change on both.
func TestMigrationsMatchSQLite(t *testing.T) {
	names := func(fsys fs.FS) []string {
		t.Helper()
		files, err := fs.Glob(fsys, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(files)
		return files
	}
	sqlite, pg := names(migrations.FS), names(pgmigrations.FS)
	if !slices.Equal(pg, sqlite) {
		t.Fatalf("PostgreSQL migrations %v, want SQLite's %v", pg, sqlite)
	}
	if got, want := len(pg), 22; got != want {
		t.Fatalf("%d migrations, want %d", got, want)
	}
	for _, f := range pg {
		if !strings.HasPrefix(path.Base(f), "000") {
			t.Errorf("%s: not a goose NNNNN_ name", f)
		}
	}
}

func TestOpenMigratesAndReopens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	for i := range 2 {
		s, err := Open(ctx, url, Options{})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		v, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := sqliteLatest(t); v != want {
			t.Errorf("open %d: schema version %d, want SQLite's latest, %d", i, v, want)
		}
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM countries`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := len(iso3166.All()); n != want {
			t.Errorf("open %d: %d countries, want ISO 3166-1's %d", i, n, want)
		}
		s.Close()
	}
}

// sqliteLatest is the version of SQLite's newest migration.
func sqliteLatest(t *testing.T) int64 {
	t.Helper()
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("SQLite migrations: %v", err)
	}
	slices.Sort(files)
	last := files[len(files)-1]
	v, err := strconv.ParseInt(last[:strings.IndexByte(last, '_')], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

package browsertest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/importer/acled"
	"github.com/geotimeline/geotimeline/db/importer/gdelt"
	"github.com/geotimeline/geotimeline/db/importer/icews"
	"github.com/geotimeline/geotimeline/db/importer/importtest"
	"github.com/geotimeline/geotimeline/db/importer/plover"
	"github.com/geotimeline/geotimeline/db/importer/ucdp"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// realDB is a database file with the demo and the five datasets' samples
// (importtest.Samples) imported into it, made once per test binary: each
// test opens a copy (openRealData), so none sees another's writes.
var realDB struct {
	once sync.Once
	path string
	err  error
}

func realDataDB(t *testing.T) string {
	t.Helper()
	samples := importtest.Samples(t)
	realDB.once.Do(func() {
		// Set until the import has finished: a test that fails inside it
		// leaves the others an error rather than half a database.
		realDB.err = errors.New("importing the real samples failed in an earlier test")
		dir, err := os.MkdirTemp("", "geotimeline-realdata-")
		if err != nil {
			realDB.err = err
			return
		}
		realDB.path = filepath.Join(dir, "real.db")
		ctx := context.Background()
		store, err := sqlite.Open(ctx, realDB.path)
		if err != nil {
			realDB.err = err
			return
		}
		defer store.Close()
		if _, _, err := seed.Load(ctx, store, []fixture.File{{Name: "demo.json", Data: demo.JSON}}); err != nil {
			realDB.err = err
			return
		}
		importtest.ImportSamples(t, store, samples, gdelt.Format{}, icews.Format{}, ucdp.Format{}, acled.Format{}, plover.Format{})
		realDB.err = nil
	})
	if realDB.err != nil {
		t.Fatalf("import the real samples: %v", realDB.err)
	}
	return realDB.path
}

// openRealData is open on a copy of the database with the demo and the
// real samples imported (thousands of events, most without coordinates,
// many dated to a month or a span).
func openRealData(t *testing.T) *site {
	t.Helper()
	return openRealDataServer(t, false)
}

// openRealDataServer is openRealData for a private server (reads need the
// token) or not.
func openRealDataServer(t *testing.T, private bool) *site {
	t.Helper()
	bin := chromium(t)
	src := realDataDB(t)
	dst := filepath.Join(t.TempDir(), "real.db")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return openStore(t, bin, store, private, nil)
}

// TestMain removes the shared real-data database after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if realDB.path != "" {
		os.RemoveAll(filepath.Dir(realDB.path))
	}
	os.Exit(code)
}

package browsertest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/importer/acled"
	"github.com/geotimeline/geotimeline/db/importer/gdelt"
	"github.com/geotimeline/geotimeline/db/importer/icews"
	"github.com/geotimeline/geotimeline/db/importer/plover"
	"github.com/geotimeline/geotimeline/db/importer/ucdp"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// realDataFiles are the sample files of each dataset, as `geotimeline
// import` takes them: the real rows CI keeps in ../shared/data beside the
// clone (GDELT, ICEWS, UCDP GED, PLOVER) and the importer's own ACLED
// sample (ACLED's terms forbid redistributing real rows).
func realDataFiles(t *testing.T) map[string]string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		msg := fmt.Sprintf("the real dataset files are missing (../shared/data beside the repository; CI has them): %v", err)
		if os.Getenv("GEOTIMELINE_REAL_DATA") == "require" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return map[string]string{
		"gdelt":  filepath.Join(dir, "gdelt", "20191024143000.export.CSV"),
		"icews":  filepath.Join(dir, "icews", "events.20180601.tab"),
		"ucdp":   filepath.Join(dir, "ucdp", "ged-2023-sample.csv"),
		"acled":  filepath.Join("..", "..", "db", "importer", "acled", "testdata", "acled-sample.csv"),
		"plover": filepath.Join(dir, "plover", "PLOVER_GSR_CAMEO.json"),
	}
}

// realDB is a database file with the demo and the five samples imported
// into it, made once per test binary: each test opens a copy
// (openRealData), so none sees another's writes.
var realDB struct {
	once sync.Once
	path string
	err  error
}

func realDataDB(t *testing.T) string {
	t.Helper()
	files := realDataFiles(t)
	realDB.once.Do(func() {
		dir, err := os.MkdirTemp("", "geotimeline-realdata-")
		if err != nil {
			realDB.err = err
			return
		}
		realDB.path = filepath.Join(dir, "real.db")
		realDB.err = importSamples(realDB.path, files)
	})
	if realDB.err != nil {
		t.Fatalf("import the real samples: %v", realDB.err)
	}
	return realDB.path
}

func importSamples(path string, files map[string]string) error {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, _, err := seed.Load(ctx, store, []fixture.File{{Name: "demo.json", Data: demo.JSON}}); err != nil {
		return err
	}
	for _, f := range []importer.Format{gdelt.Format{}, icews.Format{}, ucdp.Format{}, acled.Format{}, plover.Format{}} {
		name := files[f.Name()]
		src := importer.Source{Name: filepath.Base(name), Open: func() (io.ReadCloser, error) { return os.Open(name) }}
		conv, err := importer.Convert(ctx, f, []importer.Source{src}, importer.Options{Store: store, RenameDuplicates: true})
		if err != nil {
			return fmt.Errorf("convert %s: %w", f.Name(), err)
		}
		_, _, err = (&seed.Loader{}).Load(ctx, store, conv.Fixtures)
		conv.Close()
		if err != nil {
			return fmt.Errorf("load %s: %w", f.Name(), err)
		}
	}
	return nil
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

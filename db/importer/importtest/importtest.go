// Package importtest runs an import format the way `geotimeline import`
// does, for the formats' tests and the API and browser tests on imported
// real data: the files converted by importer.Convert,
// the fixtures loaded by seed.Loader into a real SQLite file, and the
// records read back through the store.
package importtest

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/backend"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/seed"
)

// DataDir is the directory of the project's real data files, ../shared/data
// beside the repository: CI has them there, a clone of the repository
// alone does not. Without them the test is skipped, and fails when
// GEOTIMELINE_REAL_DATA=require (as .ci/run sets it), the rule the browser
// tests follow for Chromium.
func DataDir(tb testing.TB) string {
	tb.Helper()
	data := filepath.Join(repoRoot(tb), "..", "shared", "data")
	if _, err := os.Stat(data); err != nil {
		MissingData(tb, err)
	}
	return data
}

// Samples are the sample file of each dataset, by --format name, as the
// tests that query imported real data use them: the real rows in DataDir
// (GDELT, ICEWS, UCDP GED, PLOVER) and the ACLED importer's own sample,
// since ACLED's terms forbid redistributing real rows.
func Samples(tb testing.TB) map[string]string {
	tb.Helper()
	dir := DataDir(tb)
	return map[string]string{
		"gdelt":  filepath.Join(dir, "gdelt", "20191024143000.export.CSV"),
		"icews":  filepath.Join(dir, "icews", "events.20180601.tab"),
		"ucdp":   filepath.Join(dir, "ucdp", "ged-2023-sample.csv"),
		"acled":  filepath.Join(repoRoot(tb), "db", "importer", "acled", "testdata", "acled-sample.csv"),
		"plover": filepath.Join(dir, "plover", "PLOVER_GSR_CAMEO.json"),
	}
}

// repoRoot is the directory holding go.mod, above the test's.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	return dir
}

// MissingData skips or, when GEOTIMELINE_REAL_DATA=require, fails a test
// whose real data files are missing.
func MissingData(tb testing.TB, err error) {
	tb.Helper()
	msg := fmt.Sprintf("the real dataset files are missing (../shared/data beside the repository; CI has them): %v", err)
	if os.Getenv("GEOTIMELINE_REAL_DATA") == "require" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// File is a dataset file on disk, as the command line names one.
func File(path string) importer.Source {
	return importer.Source{Name: filepath.Base(path), Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// Bytes is a dataset file held in memory.
func Bytes(name string, data []byte) importer.Source {
	return importer.Source{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

// Store is what the helpers write into and read back from: the write path
// of an import, and the reads its checks compare with. Any backend's store
// implements it, so that the same checks can run on each.
type Store interface {
	seed.Writer
	importer.Store
	EventsByKey(ctx context.Context, keys []string) ([]*db.Event, error)
	FullEvents(ctx context.Context, ids []int64) ([]*db.Event, error)
	SourcesByKey(ctx context.Context, keys []string) ([]*db.Source, error)
	Export(ctx context.Context) (*db.Batch, error)
}

// Open opens a new database in the test's temporary directory.
func Open(tb testing.TB) Store {
	tb.Helper()
	store, err := backend.Open(context.Background(), filepath.Join(tb.TempDir(), "import.db"), backend.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

// Convert converts the files with f and options o, in the test's
// temporary directory unless o names one; the result is closed when the
// test ends. The conversion's error is returned as is.
func Convert(tb testing.TB, f importer.Format, o importer.Options, files ...importer.Source) (*importer.Converted, error) {
	tb.Helper()
	if o.TempDir == "" {
		o.TempDir = tb.TempDir()
	}
	conv, err := importer.Convert(context.Background(), f, files, o)
	if conv != nil {
		tb.Cleanup(func() { conv.Close() })
	}
	return conv, err
}

// Load loads converted fixtures into store as an import does; a failed
// load fails the test.
func Load(tb testing.TB, store Store, conv *importer.Converted) db.Summary {
	tb.Helper()
	l := &seed.Loader{Record: &db.Run{Command: "import", Files: conv.Inputs}}
	_, sum, err := l.Load(context.Background(), store, conv.Fixtures)
	if err != nil {
		tb.Fatalf("load the converted fixtures: %v", err)
	}
	return sum
}

// Import converts the files with f, reading what store holds as an import
// does, and loads them into store. The conversion's error is returned
// (problems are db.Problems); a failed load fails the test.
func Import(tb testing.TB, store Store, f importer.Format, files ...importer.Source) (*importer.Converted, db.Summary, error) {
	tb.Helper()
	return ImportWith(tb, store, f, importer.Options{}, files...)
}

// ImportWith is Import with the options o (RenameDuplicates, say); o.Store
// is store.
func ImportWith(tb testing.TB, store Store, f importer.Format, o importer.Options, files ...importer.Source) (*importer.Converted, db.Summary, error) {
	tb.Helper()
	o.Store = store
	conv, err := Convert(tb, f, o, files...)
	if err != nil {
		return nil, db.Summary{}, err
	}
	return conv, Load(tb, store, conv), nil
}

// Problems are the problem lines of an error that must be db.Problems.
func Problems(tb testing.TB, err error) []string {
	tb.Helper()
	var ps db.Problems
	if !errors.As(err, &ps) {
		tb.Fatalf("error %v, want problems", err)
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// WantProblems fails the test unless err is db.Problems with exactly the
// lines want, in order.
func WantProblems(tb testing.TB, err error, want ...string) {
	tb.Helper()
	if got := Problems(tb, err); !slices.Equal(got, want) {
		tb.Errorf("problems:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Event reads an event back whole, with its lists, and with the store's
// own fields (id, stamps) cleared so that it compares with a record
// written by hand.
func Event(tb testing.TB, store Store, key string) *db.Event {
	tb.Helper()
	ctx := context.Background()
	es, err := store.EventsByKey(ctx, []string{key})
	if err != nil || len(es) != 1 {
		tb.Fatalf("event %s: %v (%d found)", key, err, len(es))
	}
	full, err := store.FullEvents(ctx, []int64{es[0].ID})
	if err != nil || len(full) != 1 {
		tb.Fatalf("event %s: %v", key, err)
	}
	e := full[0]
	e.ID, e.Stamps = 0, db.Stamps{}
	return e
}

// Actors reads actors back by key, the store's fields cleared, in the
// order of keys; a missing one fails the test.
func Actors(tb testing.TB, store Store, keys ...string) []db.Actor {
	tb.Helper()
	found, err := store.ActorsByKey(context.Background(), keys)
	return byKey(tb, "actor", keys, found, err, func(a *db.Actor) string { return a.Key }, func(a *db.Actor) {
		a.ID, a.Stamps = 0, db.Stamps{}
	})
}

// Sources is Actors for sources.
func Sources(tb testing.TB, store Store, keys ...string) []db.Source {
	tb.Helper()
	found, err := store.SourcesByKey(context.Background(), keys)
	return byKey(tb, "source", keys, found, err, func(s *db.Source) string { return s.Key }, func(s *db.Source) {
		s.ID, s.Stamps = 0, db.Stamps{}
	})
}

// byKey puts the records found (err the lookup's) in the order of keys,
// copied, each cleared by clear; a missing one fails the test.
func byKey[T any](tb testing.TB, what string, keys []string, found []*T, err error, key func(*T) string, clear func(*T)) []T {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]*T{}
	for _, r := range found {
		m[key(r)] = r
	}
	out := make([]T, len(keys))
	for i, k := range keys {
		r, ok := m[k]
		if !ok {
			tb.Fatalf("no %s %s", what, k)
		}
		out[i] = *r
		clear(&out[i])
	}
	return out
}

// EventJSON is an event read back, as a fixture writes it.
func EventJSON(tb testing.TB, store Store, key string) any {
	tb.Helper()
	return fixture.EventOut(Event(tb, store, key))
}

// EqualJSON fails the test unless got, written as JSON, is the JSON want
// (spacing and the order of object members aside).
func EqualJSON(tb testing.TB, what string, got any, want string) {
	tb.Helper()
	b, err := json.Marshal(got)
	if err != nil {
		tb.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(b, &g); err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		tb.Fatalf("%s: the expected JSON: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		gi, _ := json.MarshalIndent(g, "", "  ")
		wi, _ := json.MarshalIndent(w, "", "  ")
		tb.Errorf("%s:\n%s\nwant\n%s", what, gi, wi)
	}
}

// CSVRows writes a CSV file from the one at path: its header and, for each
// change, its first row with the given columns changed; a nil change
// writes the row short instead, one cut short.
func CSVRows(tb testing.TB, path string, short []string, changes ...map[string]string) []byte {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		tb.Fatal(err)
	}
	first, err := r.Read()
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	for _, c := range changes {
		if c == nil {
			w.Write(short)
			continue
		}
		row := slices.Clone(first)
		for col, v := range c {
			i := slices.Index(header, col)
			if i < 0 {
				tb.Fatalf("no column %s", col)
			}
			row[i] = v
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

// ImportSamples imports the sample file (from Samples) of each format into
// store, in the order given, renaming duplicate ids as --rename-duplicates
// does (the PLOVER gold standard gives one id to two events); a failed
// import fails the test.
func ImportSamples(tb testing.TB, store Store, samples map[string]string, formats ...importer.Format) {
	tb.Helper()
	for _, f := range formats {
		if _, _, err := ImportWith(tb, store, f, importer.Options{RenameDuplicates: true}, File(samples[f.Name()])); err != nil {
			tb.Fatalf("import %s: %v", f.Name(), err)
		}
	}
}

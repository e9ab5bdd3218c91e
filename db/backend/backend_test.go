package backend_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/backend"
	"github.com/geotimeline/geotimeline/db/storetest"
)

// Every store the binary can open can run the conformance suite.
var _ storetest.Store = backend.Store(nil)

func TestKindOf(t *testing.T) {
	for dsn, want := range map[string]backend.Kind{
		"geotimeline.db":                       backend.SQLite,
		"/var/lib/geotimeline/data.db":         backend.SQLite,
		"file.db?mode=ro":                      backend.SQLite,
		"postgres:/not-a-url.db":               backend.SQLite,
		"./postgres://x":                       backend.SQLite,
		"postgres://u:p@127.0.0.1:5432/gt":     backend.PostgreSQL,
		"postgresql://127.0.0.1/gt?sslmode=no": backend.PostgreSQL,
		"POSTGRES://127.0.0.1/gt":              backend.PostgreSQL,
		"mysql://127.0.0.1/gt":                 backend.SQLite,
	} {
		if got := backend.KindOf(dsn); got != want {
			t.Errorf("KindOf(%q) = %s, want %s", dsn, got, want)
		}
	}
}

func TestOpenPostgreSQLUnavailable(t *testing.T) {
	store, err := backend.Open(context.Background(), "postgres://analyst:s3cret@127.0.0.1:5432/gt", backend.Options{})
	if store != nil {
		t.Errorf("store = %v, want nil", store)
	}
	if !errors.Is(err, backend.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if got, want := err.Error(), "open postgres://analyst:xxxxx@127.0.0.1:5432/gt: PostgreSQL support is not in this build yet; give --db a SQLite file path: storage backend unavailable"; got != want {
		t.Errorf("err = %q\nwant  %q", got, want)
	}
}

func TestOpenSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "open.db")
	if exists, err := backend.Exists(path); err != nil || exists {
		t.Fatalf("Exists before Open = %v, %v; want false, nil", exists, err)
	}
	store, err := backend.Open(ctx, path, backend.Options{WriteWait: time.Second, Writer: "backend test"})
	if err != nil {
		t.Fatal(err)
	}
	empty, err := store.IsEmpty(ctx)
	if err != nil || !empty {
		t.Errorf("IsEmpty = %v, %v; want true, nil", empty, err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if exists, err := backend.Exists(path); err != nil || !exists {
		t.Fatalf("Exists after Open = %v, %v; want true, nil", exists, err)
	}
	backend.Remove(path)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after Remove: %v, want it gone", filepath.Base(p), err)
		}
	}
}

// TestOpenSQLiteReadOnly checks that the options reach the SQLite store.
func TestOpenSQLiteReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.db")
	store, err := backend.Open(ctx, path, backend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	ro, err := backend.Open(ctx, path, backend.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got := db.ErrorCode(ro.Writable()); got != db.CodeReadOnly {
		t.Errorf("Writable's code = %q, want %q", got, db.CodeReadOnly)
	}
}

func TestExistsServerDatabase(t *testing.T) {
	if exists, err := backend.Exists("postgres://127.0.0.1/gt"); err != nil || !exists {
		t.Errorf("Exists = %v, %v; want true, nil", exists, err)
	}
}

func TestRedact(t *testing.T) {
	for dsn, want := range map[string]string{
		"data.db":                                 "data.db",
		"postgres://analyst:s3cret@db.local/gt":   "postgres://analyst:xxxxx@db.local/gt",
		"postgresql://analyst@db.local/gt":        "postgresql://analyst@db.local/gt",
		"postgres://127.0.0.1/gt?sslmode=disable": "postgres://127.0.0.1/gt?sslmode=disable",
		"postgres://a:b@127.0.0.1:bad port/gt":    "postgresql URL",
	} {
		if got := backend.Redact(dsn); got != want {
			t.Errorf("Redact(%q) = %q, want %q", dsn, got, want)
		}
	}
}

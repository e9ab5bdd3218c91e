package backend_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/backend"
	"github.com/geotimeline/geotimeline/db/postgres"
	"github.com/geotimeline/geotimeline/db/postgres/pgtest"
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

// TestOpenPostgreSQLRefused checks that a server that cannot be reached
// is an error naming the URL without its password.
func TestOpenPostgreSQLRefused(t *testing.T) {
	// Port 1 on the loopback: nothing listens there, and the refusal is
	// immediate.
	store, err := backend.Open(context.Background(), "postgres://analyst:s3cret@127.0.0.1:1/gt?connect_timeout=5", backend.Options{})
	if store != nil {
		t.Errorf("store = %v, want nil", store)
	}
	if err == nil {
		t.Fatal("Open succeeded with no server")
	}
	if want := "open postgres://analyst:xxxxx@127.0.0.1:1/gt?connect_timeout=5: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %q, want it to start %q", err, want)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %q shows the password", err)
	}
}

// TestOpenPostgreSQL checks that a postgres:// URL opens the PostgreSQL
// store, migrated, and that the options reach it.
func TestOpenPostgreSQL(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	if exists, err := backend.Exists(url); err != nil || !exists {
		t.Fatalf("Exists = %v, %v; want true, nil (a server's database is made by its owner)", exists, err)
	}
	store, err := backend.Open(ctx, url, backend.Options{WriteWait: time.Second, Writer: "backend test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := store.(*postgres.Store); !ok {
		t.Errorf("Open(%s) = %T, want *postgres.Store", backend.Redact(url), store)
	}
	empty, err := store.IsEmpty(ctx)
	if err != nil || !empty {
		t.Errorf("IsEmpty = %v, %v; want true, nil", empty, err)
	}
	if err := store.Writable(); err != nil {
		t.Errorf("Writable = %v, want nil", err)
	}
	b := &db.Batch{Actors: []db.Actor{{Key: "a", Name: "A", Kind: db.ActorKinds[0]}}}
	if _, err := store.ApplyRun(ctx, nil, b, nil); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	backend.Remove(url) // a server's database is never removed

	ro, err := backend.Open(ctx, url, backend.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got, err := ro.ActorsByKey(ctx, []string{"a"}); err != nil || len(got) != 1 || got[0].Name != "A" {
		t.Errorf("read-only ActorsByKey = %v, %v; want actor A (Remove must not have dropped it)", got, err)
	}
	if err := ro.Writable(); db.ErrorCode(err) != db.CodeReadOnly {
		t.Errorf("read-only Writable = %v, want code %s", err, db.CodeReadOnly)
	}
	_, err = ro.ApplyRun(ctx, nil, &db.Batch{Actors: []db.Actor{{Key: "b", Name: "B", Kind: db.ActorKinds[0]}}}, nil)
	if db.ErrorCode(err) != db.CodeReadOnly {
		t.Errorf("read-only write = %v, want code %s", err, db.CodeReadOnly)
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

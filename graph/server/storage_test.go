package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/geotimeline/geotimeline/db/sqlite"
)

// TestStorageReadOnly serves a database opened read-only (tests run as
// root, which file permissions do not stop, so the store's ReadOnly option
// stands in for a read-only mount): /healthz says degraded and why, reads
// answer, and a mutation is READ_ONLY with its message, logged as a storage
// fault.
func TestStorageReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	rw, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.OpenWith(ctx, path, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := httptest.NewServer(New(store, logger, Options{Tokens: twoClients()}))
	t.Cleanup(ts.Close)

	res := get(t, ts.URL+"/healthz")
	if res.status != http.StatusOK {
		t.Errorf("/healthz status = %d, want 200", res.status)
	}
	if got, want := res.body, `{"status":"degraded","writable":false,"code":"READ_ONLY","reason":"the database was opened read-only"}`; got != want {
		t.Errorf("/healthz body = %s, want %s", got, want)
	}

	res = send(t, http.MethodPost, ts.URL+"/graphql", `{"query":"{ country(code: \"IN\") { name } }"}`)
	if want := `{"data":{"country":{"name":"India"}}}`; res.body != want {
		t.Errorf("read: body = %s, want %s", res.body, want)
	}

	const upsert = `{"query":"mutation { upsertSource(input: {key: \"s1\", title: \"T\"}) { key } }"}`
	res = send(t, http.MethodPost, ts.URL+"/graphql", upsert, "Authorization: Bearer "+aliceToken)
	errs := errorsOf(t, res.body)
	if len(errs) != 1 {
		t.Fatalf("mutation: body = %s, want one error", res.body)
	}
	if got, want := errs[0].Extensions["code"], "READ_ONLY"; got != want {
		t.Errorf("mutation: code = %v, want %s", got, want)
	}
	if got, want := errs[0].Message, "the database is read-only: nothing was written; the server's database file, its directory or its disk does not allow writing"; got != want {
		t.Errorf("mutation: message = %q, want %q", got, want)
	}
	if !strings.Contains(logs.String(), `msg="storage fault" code=READ_ONLY`) {
		t.Errorf("the storage fault is not logged:\n%s", logs.String())
	}
}

// TestPresentedReadFault checks that a read's storage failure, which
// reaches the presenter unclassified, is shown with its storage code and
// logged as a storage fault.
func TestPresentedReadFault(t *testing.T) {
	logs := &logBuffer{}
	present := errorPresenter(slog.New(slog.NewTextHandler(logs, nil)), mustOpenStore(t))
	got := present(context.Background(), fmt.Errorf("read events: %w", sqlite3.Error{Code: sqlite3.ErrIoErr}))
	if got.Message != "the database file could not be read or written (disk I/O error); nothing was written" ||
		got.Extensions["code"] != "STORAGE_ERROR" {
		t.Errorf("got %q %v", got.Message, got.Extensions)
	}
	if !strings.Contains(logs.String(), `msg="storage fault" code=STORAGE_ERROR`) {
		t.Errorf("log:\n%s", logs.String())
	}
}

// TestPresentedCancellation checks that a request its client cancelled
// (a write that was waiting for the lock, say) is not logged as an
// internal error.
func TestPresentedCancellation(t *testing.T) {
	logs := &logBuffer{}
	present := errorPresenter(slog.New(slog.NewTextHandler(logs, nil)), nil)
	got := present(context.Background(), fmt.Errorf("begin write: %w", context.Canceled))
	if got.Message != "the request was cancelled" || got.Extensions["code"] != "INTERNAL" {
		t.Errorf("got %q %v", got.Message, got.Extensions)
	}
	if logs.String() != "" {
		t.Errorf("logged at info or above:\n%s", logs.String())
	}
}

package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// faultSources is a fixture of n sources, each with a long URL, so that
// writing it needs new database pages.
func faultSources(t *testing.T, n int) *fixture.Set {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"version": 1, "sources": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"key": "src-%d", "url": "https://example.org/%d/%s"}`, i, i, strings.Repeat("x", 400))
	}
	b.WriteString(`]}`)
	set, err := fixture.Decode([]fixture.File{{Name: "x.json", Data: []byte(b.String())}})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return set
}

// checkFault checks that err carries code and the message, in full.
func checkFault(t *testing.T, what string, err error, code db.Code, message string) {
	t.Helper()
	if got := db.ErrorCode(err); got != code {
		t.Errorf("%s: code = %s, want %s (err: %v)", what, got, code, err)
	}
	if got := db.ErrorMessage(err); got != message {
		t.Errorf("%s: message = %q, want %q", what, got, message)
	}
}

// TestDiskFull fills the database with PRAGMA max_page_count, which makes
// SQLite fail as on a full disk (SQLITE_FULL): the write is STORAGE_FULL,
// Writable says so until a write commits again, and nothing was written.
func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "full.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	var pages int
	if err := s.write.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// The writer pool has one connection, which keeps the pragma.
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	if err := s.Writable(); err != nil {
		t.Fatalf("Writable before the write = %v, want nil", err)
	}
	set := faultSources(t, 200)
	_, err = s.Apply(ctx, &set.Batch, set.Refs)
	const full = "the database's disk is full: nothing was written; the server's disk needs free space before writes can succeed"
	checkFault(t, "Apply", err, db.CodeStorageFull, full)
	checkFault(t, "Writable", s.Writable(), db.CodeStorageFull, full)
	if n := countRows(t, s, "sources"); n != 0 {
		t.Errorf("sources after the failed write = %d, want 0", n)
	}

	if _, err := s.write.ExecContext(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatalf("Apply with room: %v", err)
	}
	if err := s.Writable(); err != nil {
		t.Errorf("Writable after a write committed = %v, want nil", err)
	}
	if n := countRows(t, s, "sources"); n != 200 {
		t.Errorf("sources = %d, want 200", n)
	}
}

// TestReadOnly opens a database read-only, as from a read-only mount (tests
// run as root, which file permissions do not stop): reads work, a write is
// READ_ONLY, and Writable says so before any write is tried.
func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	set := faultSources(t, 3)
	if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	ro, err := OpenWith(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("OpenWith(ReadOnly): %v", err)
	}
	defer ro.Close()
	checkFault(t, "Writable", ro.Writable(), db.CodeReadOnly, "the database was opened read-only")
	if n := countRows(t, ro, "sources"); n != 3 {
		t.Errorf("sources = %d, want 3", n)
	}
	more := faultSources(t, 5)
	_, err = ro.Apply(ctx, &more.Batch, more.Refs)
	checkFault(t, "Apply", err, db.CodeReadOnly,
		"the database is read-only: nothing was written; the server's database file, its directory or its disk does not allow writing")
	_, err = ro.Delete(ctx, db.RefSource, "src-0", false)
	checkFault(t, "Delete", err, db.CodeReadOnly,
		"the database is read-only: nothing was written; the server's database file, its directory or its disk does not allow writing")
}

// TestNotADatabase opens a file that is not a database: a STORAGE_ERROR
// naming SQLite's reason, not an internal error.
func TestNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "garbage.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 512)), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded on a file that is not a database")
	}
	checkFault(t, "Open", err, db.CodeStorageError,
		"the database file could not be read or written (file is not a database); nothing was written")
}

// TestWritableWALUnopenable: a -wal that cannot be opened for writing (here
// a directory in its place, which even root cannot open so) makes Writable
// a storage error naming it.
func TestWritableWALUnopenable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Writable(); err != nil {
		t.Fatalf("Writable = %v, want nil", err)
	}
	shm := path + "-shm"
	if err := os.Remove(shm); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(shm, 0o755); err != nil {
		t.Fatal(err)
	}
	checkFault(t, "Writable", s.Writable(), db.CodeStorageError,
		"its shared-memory file (-shm) cannot be opened for writing")
	if err := os.Remove(shm); err != nil {
		t.Fatal(err)
	}
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.read.QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// TestReadOfCorruptPage: a read that meets a corrupt page fails with an
// error that Classify gives STORAGE_ERROR, as the server shows it.
func TestReadOfCorruptPage(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "corrupt.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, &faultSources(t, 50).Batch, nil); err != nil {
		t.Fatal(err)
	}
	var root, pageSize int64
	if err := s.read.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_schema WHERE name = 'sources'`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := s.read.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// The sources table's root page, overwritten with bytes no b-tree
	// page can hold.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("\xff", int(pageSize))), (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	_, err = s.SourcesByKey(ctx, []string{"src-1"})
	if err == nil {
		t.Fatal("read of a corrupt page succeeded")
	}
	checkFault(t, "read", classify(err), db.CodeStorageError,
		"the database file could not be read or written (database disk image is malformed); nothing was written")
}

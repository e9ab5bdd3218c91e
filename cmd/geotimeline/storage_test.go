package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/geotimeline/geotimeline/db/sqlite"
)

// TestWarnUnwritable: at start-up serve warns about a database it cannot
// write (here opened read-only: tests run as root, which file permissions
// do not stop), and says nothing about one it can.
func TestWarnUnwritable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	rw, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: dropTime}))
	warnUnwritable(logger, rw, path)
	if logs.Len() != 0 {
		t.Errorf("warning for a writable database: %s", logs.String())
	}

	ro, err := sqlite.OpenWith(ctx, path, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	warnUnwritable(logger, ro, path)
	want := `level=WARN msg="the database cannot be written: mutations will fail" db=` + path +
		` code=READ_ONLY reason="the database was opened read-only"` + "\n"
	if got := logs.String(); got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/db/storetest"
)

// TestStore runs the conformance suite on SQLite stores, each a new file
// in the test's temporary directory.
func TestStore(t *testing.T) {
	storetest.Run(t, func(tb testing.TB, opts storetest.Options) storetest.Store {
		tb.Helper()
		path := filepath.Join(tb.TempDir(), "geotimeline.db")
		s, err := sqlite.OpenWith(context.Background(), path, sqlite.Options{ChangeRetention: opts.ChangeRetention})
		if err != nil {
			tb.Fatalf("Open(%q): %v", path, err)
		}
		s.Now = opts.Now
		tb.Cleanup(func() {
			if err := s.Close(); err != nil {
				tb.Errorf("Close: %v", err)
			}
		})
		return s
	})
}

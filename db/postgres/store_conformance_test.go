package postgres_test

import (
	"context"
	"testing"

	"github.com/geotimeline/geotimeline/db/postgres"
	"github.com/geotimeline/geotimeline/db/postgres/pgtest"
	"github.com/geotimeline/geotimeline/db/storetest"
)

// TestStore runs the conformance suite on PostgreSQL stores, each on a new
// database of the server GEOTIMELINE_TEST_POSTGRES names (skipped without
// it), the same tests SQLite's TestStore runs.
func TestStore(t *testing.T) {
	storetest.Run(t, func(tb testing.TB, opts storetest.Options) storetest.Store {
		tb.Helper()
		s, err := postgres.Open(context.Background(), pgtest.URL(tb), postgres.Options{ChangeRetention: opts.ChangeRetention})
		if err != nil {
			tb.Fatalf("Open: %v", err)
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

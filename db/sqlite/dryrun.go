package sqlite

import (
	"context"
	"errors"

	"github.com/geotimeline/geotimeline/db"
)

// errDryRun ends a dry run's transaction: it rolls back whatever the
// write did, as any error does, and is not an error to the caller.
var errDryRun = errors.New("dry run: rolled back")

// DryRunStream does what ApplyStream would, in a transaction that it then
// rolls back: nothing is written, and the summary is what the write would
// have changed. It also returns the first db.MaxDryRunRecords records the
// write would update, with their new content, for the caller to compare
// with what is stored. It takes the write lock for its duration, as the
// write would.
func (s *Store) DryRunStream(ctx context.Context, refs []db.Ref, feed func(db.Feeder) error) (db.Summary, *db.Batch, error) {
	dry := &db.Updates{}
	sum, err := s.applyStream(ctx, nil, refs, nil, feed, dry)
	if err != nil {
		return db.Summary{}, nil, err
	}
	return sum, &dry.Batch, nil
}

// DryRun is DryRunStream for a batch held in memory.
func (s *Store) DryRun(ctx context.Context, b *db.Batch, refs []db.Ref) (db.Summary, *db.Batch, error) {
	return s.DryRunStream(ctx, refs, b.Feed)
}

package sqlite

import (
	"context"
	"errors"

	"github.com/geotimeline/geotimeline/db"
)

// errDryRun ends a dry run's transaction: it rolls back whatever the
// write did, as any error does, and is not an error to the caller.
var errDryRun = errors.New("dry run: rolled back")

// MaxDryRunRecords bounds the updated records a dry run hands back, for
// their changed fields: a run that updates more is summed, and its first
// MaxDryRunRecords are shown.
const MaxDryRunRecords = 1000

// dryRun collects, for a dry run, the records the write would update, as
// given (the new content), up to MaxDryRunRecords.
type dryRun struct {
	updated db.Batch
	n       int
}

// note keeps a copy of rec, an updated record; it is a no-op outside a
// dry run. The feed may reuse what rec points to, hence the copy.
func (d *dryRun) note(rec any) {
	if d == nil || d.n >= MaxDryRunRecords {
		return
	}
	d.n++
	switch r := rec.(type) {
	case *db.Country:
		d.updated.Countries = append(d.updated.Countries, *r)
	case *db.Source:
		d.updated.Sources = append(d.updated.Sources, *r)
	case *db.Actor:
		d.updated.Actors = append(d.updated.Actors, *r)
	case *db.Relationship:
		d.updated.Relationships = append(d.updated.Relationships, *r)
	case *db.Event:
		d.updated.Events = append(d.updated.Events, *r)
	case *db.Statement:
		d.updated.Statements = append(d.updated.Statements, *r)
	}
}

// DryRunStream does what ApplyStream would, in a transaction that it then
// rolls back: nothing is written, and the summary is what the write would
// have changed. It also returns the first MaxDryRunRecords records the
// write would update, with their new content, for the caller to compare
// with what is stored. It takes the write lock for its duration, as the
// write would.
func (s *Store) DryRunStream(ctx context.Context, refs []db.Ref, feed func(db.Feeder) error) (db.Summary, *db.Batch, error) {
	dry := &dryRun{}
	sum, err := s.applyStream(ctx, nil, refs, nil, feed, dry)
	if err != nil {
		return db.Summary{}, nil, err
	}
	return sum, &dry.updated, nil
}

// DryRun is DryRunStream for a batch held in memory.
func (s *Store) DryRun(ctx context.Context, b *db.Batch, refs []db.Ref) (db.Summary, *db.Batch, error) {
	return s.DryRunStream(ctx, refs, batchFeed(b))
}

package seed

import (
	"context"

	"github.com/geotimeline/geotimeline/db"
)

// RefChecker tells which references a run leaves unsatisfied: Check needs
// nothing more of a store.
type RefChecker interface {
	UnknownRefs(ctx context.Context, refs []db.Ref, defined func(db.RefKind) []string) (db.Problems, error)
}

// Writer is the write path of a load: a whole batch at once, or a stream
// of records fed kind by kind (with the run's keys first, so that a store
// can write an all-new run in bulk), each in one transaction that records
// run unless it is nil.
type Writer interface {
	RefChecker
	ApplyRun(ctx context.Context, run *db.Run, b *db.Batch, refs []db.Ref) (db.Summary, error)
	ApplyStreamRunKeys(ctx context.Context, run *db.Run, refs []db.Ref, keys db.KeyFeed, feed func(db.Feeder) error) (db.Summary, error)
}

// DryRunner runs a write in a transaction it rolls back, and reads the
// stored records that the write would update, for the report's field by
// field differences.
type DryRunner interface {
	RefChecker
	DryRun(ctx context.Context, b *db.Batch, refs []db.Ref) (db.Summary, *db.Batch, error)
	DryRunStream(ctx context.Context, refs []db.Ref, feed func(db.Feeder) error) (db.Summary, *db.Batch, error)
	CountriesByCode(ctx context.Context, codes []string) ([]*db.Country, error)
	SourcesByKey(ctx context.Context, keys []string) ([]*db.Source, error)
	ActorsByKey(ctx context.Context, keys []string) ([]*db.Actor, error)
	RelationshipByIdentity(ctx context.Context, identity string) (*db.Relationship, error)
	EventsByKey(ctx context.Context, keys []string) ([]*db.Event, error)
	StatementsByKey(ctx context.Context, keys []string) ([]*db.Statement, error)
}

// Package seed loads fixture files into the store. It is the one path every
// write takes — the seed command, the demo loaded by serve, and the API's
// mutations — so that the rules of FIXTURES.md are applied once, the same
// way, whoever writes.
package seed

import (
	"context"
	"errors"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// Load decodes files and writes them in one transaction. On invalid input
// nothing is written and the error is a db.Problems holding every problem:
// those of the files and, with them, every reference that neither the files
// nor the database satisfy.
func Load(ctx context.Context, store *sqlite.Store, files []fixture.File) (*fixture.Set, db.Summary, error) {
	set, err := fixture.Decode(files)
	if err != nil {
		return nil, db.Summary{}, withUnknownRefs(ctx, store, set, err)
	}
	sum, err := store.Apply(ctx, &set.Batch, set.Refs)
	if err != nil {
		return nil, db.Summary{}, err
	}
	return set, sum, nil
}

// Check decodes files without writing and reports every problem as Load
// would. With a nil store, as for a database that does not exist yet, every
// reference the files do not satisfy is unknown.
func Check(ctx context.Context, store *sqlite.Store, files []fixture.File) error {
	set, err := fixture.Decode(files)
	if err != nil {
		return withUnknownRefs(ctx, store, set, err)
	}
	return withUnknownRefs(ctx, store, set, db.Problems{}.Err())
}

// withUnknownRefs adds to a decode's problems the references of set that
// the database does not satisfy, after the files' own problems.
func withUnknownRefs(ctx context.Context, store *sqlite.Store, set *fixture.Set, err error) error {
	var ps db.Problems
	if err != nil && !errors.As(err, &ps) {
		return err
	}
	if set == nil {
		return err
	}
	var missing db.Problems
	if store == nil {
		for _, r := range set.Refs {
			missing = append(missing, db.UnknownRef(r))
		}
	} else {
		m, lookErr := store.UnknownRefs(ctx, set.Refs)
		if lookErr != nil {
			return lookErr
		}
		missing = m
	}
	return append(ps, missing...).Err()
}

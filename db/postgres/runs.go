package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
)

// ApplyRun is Apply that also records run, in the same transaction, with
// what the write changed and when it finished; run gets its id.
// A batch of new records only (into a database that holds none, or none
// of the batch's keys) takes the bulk path (bulk.go), fed in the batch's
// order.
func (s *Store) ApplyRun(ctx context.Context, run *db.Run, b *db.Batch, refs []db.Ref) (db.Summary, error) {
	return s.bulkOrNormal(func(bulk bool) (db.Summary, error) {
		var sum db.Summary
		err := s.inWriteTx(ctx, func(tx pgx.Tx, now int64) error {
			w := &writer{ctx: ctx, tx: tx, now: now, ids: map[db.RefKind]map[string]int64{},
				retention: s.opts.changeRetention()}
			if bulk {
				if err := w.checkRefs(refs); err != nil {
					return err
				}
				if _, err := w.startBulk(b.Keys(), s.bulkRows()); err != nil {
					return err
				}
				s.lastBulk.Store(w.bulk != nil)
			}
			if w.bulk != nil {
				var err error
				sum, err = s.writeFeed(w, run, b.Feed, b)
				return err
			}
			if err := w.apply(b, refs); err != nil {
				return err
			}
			sum = w.sum
			if run != nil {
				return w.recordRun(run, sum, s.Now())
			}
			return nil
		})
		if err != nil {
			return db.Summary{}, err
		}
		return sum, nil
	})
}

// recordRun writes run as the transaction's last statement.
func (w *writer) recordRun(run *db.Run, sum db.Summary, now time.Time) error {
	files := run.Files
	if files == nil {
		files = []db.RunFile{}
	}
	data, err := json.Marshal(files)
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	finished := max(now.UnixMilli(), run.StartedAt.UnixMilli())
	if err := w.tx.QueryRow(w.ctx, `INSERT INTO runs (started_at, finished_at, command, client, files, inserted, updated, unchanged)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, run.StartedAt.UnixMilli(), finished, run.Command, run.Client,
		data, sum.Inserted, sum.Updated, sum.Unchanged).Scan(&run.ID); err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	run.FinishedAt = time.UnixMilli(finished).UTC()
	run.Summary = sum
	return nil
}

// Runs returns up to limit runs, newest first, those before the run with
// id before when it is not 0, and whether older ones remain.
func (s *Store) Runs(ctx context.Context, before int64, limit int) ([]db.Run, bool, error) {
	rows, err := s.reader(ctx).Query(ctx, `SELECT id, started_at, finished_at, command, client, files, inserted, updated, unchanged
		FROM runs WHERE $1 = 0 OR id < $1 ORDER BY id DESC LIMIT $2`, before, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("read runs: %w", err)
	}
	defer rows.Close()
	var out []db.Run
	for rows.Next() {
		var r db.Run
		var started, finished int64
		var files []byte
		if err := rows.Scan(&r.ID, &started, &finished, &r.Command, &r.Client, &files, &r.Inserted, &r.Updated, &r.Unchanged); err != nil {
			return nil, false, fmt.Errorf("read runs: %w", err)
		}
		if err := json.Unmarshal(files, &r.Files); err != nil {
			return nil, false, fmt.Errorf("read run %d's files: %w", r.ID, err)
		}
		r.StartedAt, r.FinishedAt = time.UnixMilli(started).UTC(), time.UnixMilli(finished).UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("read runs: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// IsEmpty reports whether the database holds no records of its own (the
// built-in countries do not count): the state in which serve loads the demo.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var any bool
	err := s.reader(ctx).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM actors) OR EXISTS (SELECT 1 FROM events)
		OR EXISTS (SELECT 1 FROM statements) OR EXISTS (SELECT 1 FROM sources)
		OR EXISTS (SELECT 1 FROM relationships) OR EXISTS (SELECT 1 FROM countries WHERE from_fixture)`).Scan(&any)
	if err != nil {
		return false, fmt.Errorf("check empty: %w", err)
	}
	return !any, nil
}

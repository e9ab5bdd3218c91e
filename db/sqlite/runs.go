package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// recordRun writes run, with what this write changed and the time it
// finished, as the transaction's last statement.
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
	res, err := w.tx.ExecContext(w.ctx, `INSERT INTO runs (started_at, finished_at, command, client, files, inserted, updated, unchanged)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, run.StartedAt.UnixMilli(), finished, run.Command, run.Client, string(data),
		sum.Inserted, sum.Updated, sum.Unchanged)
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	if run.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	run.FinishedAt = time.UnixMilli(finished).UTC()
	run.Summary = sum
	return nil
}

// Runs returns up to limit runs, newest first, those before the run with
// id before when it is not 0, and whether older ones remain.
func (s *Store) Runs(ctx context.Context, before int64, limit int) ([]db.Run, bool, error) {
	q := `SELECT id, started_at, finished_at, command, client, files, inserted, updated, unchanged FROM runs`
	args := []any{}
	if before > 0 {
		q += ` WHERE id < ?`
		args = append(args, before)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("read runs: %w", err)
	}
	defer rows.Close()
	var out []db.Run
	for rows.Next() {
		var r db.Run
		var started, finished int64
		var files string
		if err := rows.Scan(&r.ID, &started, &finished, &r.Command, &r.Client, &files, &r.Inserted, &r.Updated, &r.Unchanged); err != nil {
			return nil, false, fmt.Errorf("read runs: %w", err)
		}
		if err := json.Unmarshal([]byte(files), &r.Files); err != nil {
			return nil, false, fmt.Errorf("read run %d's files: %w", r.ID, err)
		}
		r.StartedAt, r.FinishedAt = time.UnixMilli(started).UTC(), time.UnixMilli(finished).UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("read runs: %w", err)
	}
	out, more := cutPage(out, limit)
	return out, more, nil
}

// cutPage cuts a page read with one row more than limit (which tells
// whether more follow) to limit rows.
func cutPage[T any](rows []T, limit int) ([]T, bool) {
	if len(rows) > limit {
		return rows[:limit], true
	}
	return rows, false
}

// CountRuns counts the recorded runs.
func (s *Store) CountRuns(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM runs`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count runs: %w", err)
	}
	return n, nil
}

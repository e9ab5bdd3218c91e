package postgres

import (
	"context"
	"fmt"

	"github.com/geotimeline/geotimeline/db"
)

// LastChange returns the sequence number of the newest change-log row, 0
// when the log is empty. A subscriber starts after it.
func (s *Store) LastChange(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("last change: %w", err)
	}
	return seq, nil
}

// ChangesAfter returns up to limit change-log rows after seq, oldest first,
// as the SQLite store's: when the first row returned is not seq+1 (and seq
// is not 0), rows in between were trimmed before they were read. The rows
// are numbered at commit (migration 00005), so a reader on any process
// that has read up to seq never misses a row that commits later: it comes
// after seq.
func (s *Store) ChangesAfter(ctx context.Context, seq int64, limit int) ([]db.Change, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, kind, item_id FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`, seq, limit)
	if err != nil {
		return nil, fmt.Errorf("read change log: %w", err)
	}
	defer rows.Close()
	var out []db.Change
	for rows.Next() {
		var c db.Change
		var kind int
		if err := rows.Scan(&c.Seq, &kind, &c.Item.ID); err != nil {
			return nil, fmt.Errorf("read change log: %w", err)
		}
		c.Item.Kind = itemKindOf(kind)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read change log: %w", err)
	}
	return out, nil
}

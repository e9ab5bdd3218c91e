package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// LastChange returns the sequence number of the newest change-log row, 0
// when the log is empty. A subscriber starts after it.
func (s *Store) LastChange(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.read.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("last change: %w", err)
	}
	return seq, nil
}

// ChangesAfter returns up to limit change-log rows after seq, oldest first.
// The log keeps only its newest rows: when the first row returned is not
// seq+1 (and seq is not 0), rows in between were trimmed before they were
// read.
func (s *Store) ChangesAfter(ctx context.Context, seq int64, limit int) ([]db.Change, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT seq, kind, item_id FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, seq, limit)
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

// MatchTimeline returns which of items (event and statement row ids) the
// timeline filtered by f holds now, as a set. It reads the same index rows
// as Timeline with the same conditions, so an item matches here exactly
// when it would appear in that timeline; items since deleted match nothing.
// With no items it checks f as Timeline would, an actor or country that
// names nothing included: what a subscription is refused for. With items,
// an actor or country deleted since the subscription began just matches
// nothing, as it would in the timeline.
func (s *Store) MatchTimeline(ctx context.Context, f db.TimelineFilter, items []db.ItemID) (map[db.ItemID]bool, error) {
	q, err := s.compileFilter(ctx, f, len(items) > 0)
	if err != nil {
		return nil, err
	}
	out := map[db.ItemID]bool{}
	if q.empty || len(items) == 0 {
		return out, nil
	}
	byKind := map[db.ItemKind][]any{}
	for _, it := range items {
		byKind[it.Kind] = append(byKind[it.Kind], it.ID)
	}
	for _, kind := range []db.ItemKind{db.ItemEvent, db.ItemStatement} {
		ids := byKind[kind]
		if len(ids) == 0 {
			continue
		}
		// The item ids lead, so that SQLite starts from the few rows of
		// these items (index timeline_index_item) rather than from the
		// filter's driving facet, which may hold millions.
		// A commit of more items than the inline bound (a large seed)
		// passes them as one JSON argument: inClause.
		in, idArgs := inClause("t.item_id", ids)
		args := append([]any{itemKindCode(kind)}, idArgs...)
		args = append(args, q.args...)
		query := `SELECT DISTINCT t.item_id FROM timeline_index t INDEXED BY timeline_index_item
			WHERE t.kind = ? AND ` + in + ` AND ` + strings.Join(q.where, " AND ")
		rows, err := s.read.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("match timeline: %w", err)
		}
		matched, err := scanIDs(rows)
		if err != nil {
			return nil, fmt.Errorf("match timeline: %w", err)
		}
		for _, id := range matched {
			out[db.ItemID{Kind: kind, ID: id}] = true
		}
	}
	return out, nil
}

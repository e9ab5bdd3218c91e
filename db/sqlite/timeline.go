package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// timelineQuery is a filter compiled to SQL over the timeline index: a
// driving facet whose primary-key range yields rows already in time order,
// plus conditions on the other facets.
type timelineQuery struct {
	where []string
	args  []any
	empty bool // a filter that can match nothing (an unknown actor), answered without SQL
}

func (q *timelineQuery) add(cond string, args ...any) {
	q.where = append(q.where, cond)
	q.args = append(q.args, args...)
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anySlice[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// compileTimeline turns f into conditions on the index rows aliased t.
func (s *Store) compileTimeline(ctx context.Context, f db.TimelineFilter) (*timelineQuery, error) {
	q := &timelineQuery{}
	var actorIDs, countryIDs []int64
	var err error
	if len(f.Actors) > 0 {
		if actorIDs, err = s.idsByKey(ctx, `actors`, `key`, f.Actors); err != nil {
			return nil, err
		}
		if len(actorIDs) == 0 {
			q.empty = true
			return q, nil
		}
	}
	if len(f.Countries) > 0 {
		if countryIDs, err = s.idsByKey(ctx, `countries`, `code`, f.Countries); err != nil {
			return nil, err
		}
		if len(countryIDs) == 0 {
			q.empty = true
			return q, nil
		}
	}
	include := slices.Clone(f.Include)
	if len(include) == 0 {
		include = []db.ItemKind{db.ItemEvent, db.ItemStatement}
	}
	onlyEvents := !slices.Contains(include, db.ItemStatement)
	var typeRanks []any
	for _, t := range f.EventTypes {
		typeRanks = append(typeRanks, typeRank(t))
	}
	var roleRanks []any
	for _, r := range f.Roles {
		roleRanks = append(roleRanks, roleRank(r))
	}

	// The driving facet: the most selective one given.
	switch {
	case len(actorIDs) > 0:
		q.add(`t.facet = 1 AND t.value IN (`+placeholders(len(actorIDs))+`)`, anySlice(actorIDs)...)
		if len(roleRanks) > 0 {
			q.add(`(t.kind = 1 OR t.role IN (`+placeholders(len(roleRanks))+`))`, roleRanks...)
		}
	case len(countryIDs) > 0:
		q.add(`t.facet = 2 AND t.value IN (`+placeholders(len(countryIDs))+`)`, anySlice(countryIDs)...)
	case len(typeRanks) > 0 && onlyEvents:
		q.add(`t.facet = 3 AND t.value IN (`+placeholders(len(typeRanks))+`)`, typeRanks...)
		typeRanks = nil
	default:
		q.add(`t.facet = 0 AND t.value = 0`)
	}
	if len(actorIDs) > 0 && len(countryIDs) > 0 {
		q.add(`EXISTS (SELECT 1 FROM timeline_index x WHERE x.kind = t.kind AND x.item_id = t.item_id
			AND x.facet = 2 AND x.value IN (`+placeholders(len(countryIDs))+`))`, anySlice(countryIDs)...)
	}
	if len(roleRanks) > 0 && len(actorIDs) == 0 {
		q.add(`(t.kind = 1 OR EXISTS (SELECT 1 FROM timeline_index x WHERE x.kind = 0 AND x.item_id = t.item_id
			AND x.facet = 1 AND x.role IN (`+placeholders(len(roleRanks))+`)))`, roleRanks...)
	}
	if len(typeRanks) > 0 {
		q.add(`(t.kind = 1 OR EXISTS (SELECT 1 FROM timeline_index x WHERE x.kind = 0 AND x.item_id = t.item_id
			AND x.facet = 3 AND x.value IN (`+placeholders(len(typeRanks))+`)))`, typeRanks...)
	}
	if len(include) == 1 {
		q.add(`t.kind = ?`, itemKindCode(include[0]))
	}
	if f.From != nil {
		q.add(`t.at >= ?`, f.From.UnixMilli())
	}
	if f.To != nil {
		q.add(`t.at < ?`, f.To.UnixMilli())
	}
	return q, nil
}

// idsByKey resolves keys (or codes) to row ids, dropping unknown ones.
func (s *Store) idsByKey(ctx context.Context, table, column string, keys []string) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM `+table+` WHERE `+column+` IN (`+placeholders(len(keys))+`) ORDER BY id`,
		anySlice(keys)...)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", table, err)
	}
	return scanIDs(rows)
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Timeline returns one page of events and statements matching f, sorted by
// instant, precision (coarser first), key and kind, ascending or descending.
func (s *Store) Timeline(ctx context.Context, f db.TimelineFilter, order db.SortOrder, p db.Page) (db.ItemPage, error) {
	q, err := s.compileTimeline(ctx, f)
	if err != nil {
		return db.ItemPage{}, err
	}
	if q.empty {
		return db.ItemPage{Items: []db.ItemRef{}}, nil
	}
	desc := order == db.Descending
	// Rows come in the page's reading direction; a backward page reads the
	// list from its end and is reversed afterwards.
	reverse := desc != p.Backward
	where := slices.Clone(q.where)
	args := slices.Clone(q.args)
	if p.After != nil {
		where = append(where, `(t.at, t.precision, t.key, t.kind) `+cmp(desc, false)+` (?, ?, ?, ?)`)
		args = append(args, posArgs(p.After)...)
	}
	if p.Before != nil {
		where = append(where, `(t.at, t.precision, t.key, t.kind) `+cmp(desc, true)+` (?, ?, ?, ?)`)
		args = append(args, posArgs(p.Before)...)
	}
	dir := "ASC"
	if reverse {
		dir = "DESC"
	}
	query := `SELECT DISTINCT t.at, t.precision, t.key, t.kind, t.item_id FROM timeline_index t WHERE ` +
		strings.Join(where, " AND ") +
		` ORDER BY t.at ` + dir + `, t.precision ` + dir + `, t.key ` + dir + `, t.kind ` + dir + ` LIMIT ?`
	rows, err := s.read.QueryContext(ctx, query, append(args, p.Limit+1)...)
	if err != nil {
		return db.ItemPage{}, fmt.Errorf("timeline page: %w", err)
	}
	defer rows.Close()
	items := []db.ItemRef{}
	for rows.Next() {
		var it db.ItemRef
		var kind int
		if err := rows.Scan(&it.Pos.At, &it.Pos.Rank, &it.Pos.Key, &kind, &it.ID); err != nil {
			return db.ItemPage{}, fmt.Errorf("timeline page: %w", err)
		}
		it.Kind = itemKindOf(kind)
		it.Pos.Kind = it.Kind
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return db.ItemPage{}, fmt.Errorf("timeline page: %w", err)
	}
	more := len(items) > p.Limit
	if more {
		items = items[:p.Limit]
	}
	var page db.ItemPage
	if p.Backward {
		slices.Reverse(items)
		page.HasPreviousPage = more
		if p.Before != nil {
			if page.HasNextPage, err = s.timelineExists(ctx, q, p.Before, cmp(desc, false)+"="); err != nil {
				return db.ItemPage{}, err
			}
		}
	} else {
		page.HasNextPage = more
		if p.After != nil {
			if page.HasPreviousPage, err = s.timelineExists(ctx, q, p.After, cmp(desc, true)+"="); err != nil {
				return db.ItemPage{}, err
			}
		}
	}
	page.Items = items
	return page, nil
}

// cmp is the comparison that selects items after (or, with before, before) a
// cursor in the list's order.
func cmp(desc, before bool) string {
	if desc != before {
		return "<"
	}
	return ">"
}

func posArgs(p *db.Position) []any {
	return []any{p.At, p.Rank, p.Key, itemKindCode(p.Kind)}
}

// timelineExists reports whether any item matching q lies on the far side
// (op) of a cursor: what hasPreviousPage and hasNextPage need beyond the page.
func (s *Store) timelineExists(ctx context.Context, q *timelineQuery, pos *db.Position, op string) (bool, error) {
	query := `SELECT EXISTS (SELECT 1 FROM timeline_index t WHERE ` + strings.Join(q.where, " AND ") +
		` AND (t.at, t.precision, t.key, t.kind) ` + op + ` (?, ?, ?, ?))`
	var ok bool
	if err := s.read.QueryRowContext(ctx, query, append(slices.Clone(q.args), posArgs(pos)...)...).Scan(&ok); err != nil {
		return false, fmt.Errorf("timeline bounds: %w", err)
	}
	return ok, nil
}

// CountTimeline counts the items matching f.
func (s *Store) CountTimeline(ctx context.Context, f db.TimelineFilter) (int, error) {
	q, err := s.compileTimeline(ctx, f)
	if err != nil {
		return 0, err
	}
	if q.empty {
		return 0, nil
	}
	var n int
	err = s.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT DISTINCT t.kind, t.item_id FROM timeline_index t WHERE `+
		strings.Join(q.where, " AND ")+`)`, q.args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count timeline: %w", err)
	}
	return n, nil
}

package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// keyList is a list ordered by one unique text column, paged by keyset,
// as the SQLite store's: the column is COLLATE "C" (migration 00001), so
// pages follow SQLite's byte order whatever the server's collation.
type keyList struct {
	table, id, key string // e.g. "actors a", "a.id", "a.key"
	where          []string
	args           []any
}

// add appends a condition whose one parameter is v; cond names it "$?".
func (l *keyList) add(cond string, v any) {
	l.args = append(l.args, v)
	l.where = append(l.where, strings.Replace(cond, "$?", fmt.Sprintf("$%d", len(l.args)), 1))
}

func (l keyList) page(ctx context.Context, s *Store, p db.Page) (db.KeyPage, error) {
	q := l
	q.where, q.args = slices.Clone(l.where), slices.Clone(l.args)
	if p.After != nil {
		q.add(l.key+` > $?`, p.After.Key)
	}
	if p.Before != nil {
		q.add(l.key+` < $?`, p.Before.Key)
	}
	dir := "ASC"
	if p.Backward {
		dir = "DESC"
	}
	args := append(q.args, p.Limit+1)
	query := `SELECT ` + l.id + `, ` + l.key + ` FROM ` + l.table + whereSQL(q.where) +
		` ORDER BY ` + l.key + ` ` + dir + fmt.Sprintf(` LIMIT $%d`, len(args))
	rows, err := s.reader(ctx).Query(ctx, query, args...)
	if err != nil {
		return db.KeyPage{}, fmt.Errorf("list %s: %w", l.table, err)
	}
	defer rows.Close()
	page := db.KeyPage{IDs: []int64{}, Positions: []db.Position{}}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return db.KeyPage{}, fmt.Errorf("list %s: %w", l.table, err)
		}
		page.IDs = append(page.IDs, id)
		page.Positions = append(page.Positions, db.Position{Key: key})
	}
	if err := rows.Err(); err != nil {
		return db.KeyPage{}, fmt.Errorf("list %s: %w", l.table, err)
	}
	more := len(page.IDs) > p.Limit
	if more {
		page.IDs, page.Positions = page.IDs[:p.Limit], page.Positions[:p.Limit]
	}
	if p.Backward {
		slices.Reverse(page.IDs)
		slices.Reverse(page.Positions)
		page.HasPreviousPage = more
		if p.Before != nil {
			page.HasNextPage, err = l.exists(ctx, s, l.key+` >= $?`, p.Before.Key)
		}
	} else {
		page.HasNextPage = more
		if p.After != nil {
			page.HasPreviousPage, err = l.exists(ctx, s, l.key+` <= $?`, p.After.Key)
		}
	}
	return page, err
}

func (l keyList) exists(ctx context.Context, s *Store, cond string, arg any) (bool, error) {
	q := l
	q.where, q.args = slices.Clone(l.where), slices.Clone(l.args)
	q.add(cond, arg)
	var ok bool
	if err := s.reader(ctx).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+l.table+whereSQL(q.where)+`)`, q.args...).Scan(&ok); err != nil {
		return false, fmt.Errorf("list %s bounds: %w", l.table, err)
	}
	return ok, nil
}

func (l keyList) count(ctx context.Context, s *Store) (int, error) {
	var n int
	if err := s.reader(ctx).QueryRow(ctx, `SELECT count(*) FROM `+l.table+whereSQL(l.where), l.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", l.table, err)
	}
	return n, nil
}

func whereSQL(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(conds, " AND ")
}

func actorList(f db.ActorFilter) keyList {
	l := keyList{table: "actors a", id: "a.id", key: "a.key"}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		l.add(`a.kind = ANY ($?)`, kinds)
	}
	if len(f.Countries) > 0 {
		l.add(`a.country_id IN (SELECT c.id FROM countries c WHERE c.code = ANY ($?))`, f.Countries)
	}
	return l
}

// Actors returns one page of actors matching f, ordered by key.
func (s *Store) Actors(ctx context.Context, f db.ActorFilter, p db.Page) (db.KeyPage, error) {
	if err := s.knownCountries(ctx, f.Countries); err != nil {
		return db.KeyPage{}, err
	}
	return actorList(f).page(ctx, s, p)
}

// CountActors counts the actors matching f.
func (s *Store) CountActors(ctx context.Context, f db.ActorFilter) (int, error) {
	if err := s.knownCountries(ctx, f.Countries); err != nil {
		return 0, err
	}
	return actorList(f).count(ctx, s)
}

// knownCountries is BAD_USER_INPUT, with suggestions, for a code that
// names no country (unknownKeys).
func (s *Store) knownCountries(ctx context.Context, codes []string) error {
	if len(codes) == 0 {
		return nil
	}
	_, err := s.resolveKeys(ctx, db.RefCountry, `countries`, `code`, codes)
	return err
}

var countryList = keyList{table: "countries c", id: "c.id", key: "c.code"}

// Countries returns one page of countries, ordered by alpha-2 code.
func (s *Store) Countries(ctx context.Context, p db.Page) (db.KeyPage, error) {
	return countryList.page(ctx, s, p)
}

// CountCountries counts the countries.
func (s *Store) CountCountries(ctx context.Context) (int, error) {
	return countryList.count(ctx, s)
}

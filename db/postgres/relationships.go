package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
)

// CountriesByID returns the countries with these ids, by id.
func (s *Store) CountriesByID(ctx context.Context, ids []int64) ([]*db.Country, error) {
	return s.countries(ctx, `c.id = ANY ($1) ORDER BY c.id`, ids)
}

// CountriesByCode returns the countries with these alpha-2 codes, by code.
func (s *Store) CountriesByCode(ctx context.Context, codes []string) ([]*db.Country, error) {
	return s.countries(ctx, `c.code = ANY ($1) ORDER BY c.code`, codes)
}

func (s *Store) countries(ctx context.Context, where string, args ...any) ([]*db.Country, error) {
	rows, err := s.reader(ctx).Query(ctx, `SELECT c.id, c.code, c.alpha3, c.name, c.region FROM countries c WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read countries: %w", err)
	}
	defer rows.Close()
	var out []*db.Country
	for rows.Next() {
		c := &db.Country{}
		if err := rows.Scan(&c.ID, &c.Code, &c.Alpha3, &c.Name, &c.Region); err != nil {
			return nil, fmt.Errorf("read countries: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read countries: %w", err)
	}
	return out, nil
}

func (s *Store) relationships(ctx context.Context, where string, args ...any) ([]*db.Relationship, error) {
	rows, err := s.reader(ctx).Query(ctx, `SELECT r.id, coalesce(r.key, ''), r.kind, sa.key, coalesce(oa.key, ''),
			coalesce(oc.code, ''), r.title, r.from_at, r.from_precision, r.to_at, r.to_precision, r.created_at, r.updated_at
		FROM relationships r JOIN actors sa ON sa.id = r.subject_id
		LEFT JOIN actors oa ON oa.id = r.object_actor_id LEFT JOIN countries oc ON oc.id = r.object_country_id
		WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read relationships: %w", err)
	}
	defer rows.Close()
	var out []*db.Relationship
	for rows.Next() {
		r := &db.Relationship{}
		var kind string
		var fromAt, toAt *int64
		var fromPrec, toPrec *int32
		var created, updated int64
		if err := rows.Scan(&r.ID, &r.Key, &kind, &r.Subject, &r.Object.Actor, &r.Object.Country, &r.Title,
			&fromAt, &fromPrec, &toAt, &toPrec, &created, &updated); err != nil {
			return nil, fmt.Errorf("read relationships: %w", err)
		}
		r.Kind = db.RelationshipKind(kind)
		r.From, r.To = scanDate(fromAt, fromPrec), scanDate(toAt, toPrec)
		r.Stamps = stamps(created, updated)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read relationships: %w", err)
	}
	return out, nil
}

// RelationshipsByID returns the relationships with these ids, by id.
func (s *Store) RelationshipsByID(ctx context.Context, ids []int64) ([]*db.Relationship, error) {
	return s.relationships(ctx, `r.id = ANY ($1) ORDER BY r.id`, ids)
}

// RelationshipByIdentity returns the relationship with this identity (see
// db.Relationship.Identity), or nil.
func (s *Store) RelationshipByIdentity(ctx context.Context, identity string) (*db.Relationship, error) {
	rels, err := s.relationships(ctx, `r.identity = $1`, identity)
	if err != nil || len(rels) == 0 {
		return nil, err
	}
	return rels[0], nil
}

// RelationshipsOf returns, for each of the actors, the relationships in
// which it is subject or object, of the given kinds (all when empty), that
// held at the instant at (all when nil), ordered by start (open starts
// first), kind and id, as the SQLite store's.
func (s *Store) RelationshipsOf(ctx context.Context, actorIDs []int64, kinds []db.RelationshipKind, at *time.Time) (map[int64][]*db.Relationship, error) {
	out := map[int64][]*db.Relationship{}
	if len(actorIDs) == 0 {
		return out, nil
	}
	kindNames := make([]string, len(kinds))
	for i, k := range kinds {
		kindNames[i] = string(k)
	}
	rows, err := s.reader(ctx).Query(ctx, `SELECT r.id, r.subject_id, coalesce(r.object_actor_id, 0) FROM relationships r
		WHERE (r.subject_id = ANY ($1) OR r.object_actor_id = ANY ($1)) AND (cardinality($2::text[]) = 0 OR r.kind = ANY ($2))
		ORDER BY r.from_at IS NOT NULL, r.from_at, r.kind, r.id`, actorIDs, kindNames)
	if err != nil {
		return nil, fmt.Errorf("relationships of actors: %w", err)
	}
	ties, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (db.Tie, error) {
		var t db.Tie
		err := row.Scan(&t.ID, &t.Subject, &t.Object)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("relationships of actors: %w", err)
	}
	if len(ties) == 0 {
		return out, nil
	}
	rels, err := s.RelationshipsByID(ctx, db.TieIDs(ties))
	if err != nil {
		return nil, err
	}
	db.GroupTies(out, actorIDs, ties, rels, at)
	return out, nil
}

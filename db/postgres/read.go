package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// The batch reads serve the API's loaders, as the SQLite store's do: each
// takes many keys in one array parameter (= ANY($1), never a statement
// built per list length) and answers with one statement. Records come back
// without their lists but the small scalar ones (aliases, tags, codes,
// estimates), which ride along as array or JSON columns.

// scanDate rebuilds an optional date from its two nullable columns.
func scanDate(at *int64, precision *int32) db.Date {
	if at == nil || precision == nil {
		return db.Date{}
	}
	p, _ := db.PrecisionOfRank(int(*precision))
	return db.DateFromMillis(*at, p)
}

// scanSpan rebuilds an event's or a statement's date: an interval from its
// written form, a plain date from its two columns.
func scanSpan(at *int64, precision *int32, interval *string) (db.Date, error) {
	if interval != nil {
		return db.ParseSpan(*interval)
	}
	return scanDate(at, precision), nil
}

func stamps(created, updated int64) db.Stamps {
	return db.Stamps{CreatedAt: time.UnixMilli(created).UTC(), UpdatedAt: time.UnixMilli(updated).UTC()}
}

// ActorsByKey returns the actors with these keys, by key; missing ones are
// absent.
func (s *Store) ActorsByKey(ctx context.Context, keys []string) ([]*db.Actor, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.id, a.key, a.name, a.kind, coalesce(c.code, ''), a.description,
			a.created_at, a.updated_at,
			coalesce((SELECT array_agg(alias ORDER BY position) FROM actor_aliases WHERE actor_id = a.id), '{}')
		FROM actors a LEFT JOIN countries c ON c.id = a.country_id
		WHERE a.key = ANY ($1) ORDER BY a.key`, keys)
	if err != nil {
		return nil, fmt.Errorf("read actors: %w", err)
	}
	defer rows.Close()
	var out []*db.Actor
	for rows.Next() {
		a := &db.Actor{}
		var kind string
		var created, updated int64
		if err := rows.Scan(&a.ID, &a.Key, &a.Name, &kind, &a.Country, &a.Description, &created, &updated,
			&a.Aliases); err != nil {
			return nil, fmt.Errorf("read actors: %w", err)
		}
		a.Kind = db.ActorKind(kind)
		a.Stamps = stamps(created, updated)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read actors: %w", err)
	}
	return out, nil
}

// EventsByKey returns the events with these keys, by key; missing ones are
// absent.
func (s *Store) EventsByKey(ctx context.Context, keys []string) ([]*db.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT e.id, e.key, e.type, e.title, e.summary,
			e.occurred_at, e.precision, e.occurred_interval, e.ended_at, e.ended_precision, e.ended_interval,
			coalesce(c.code, ''), e.place, e.lat, e.lon, e.fatalities, e.injured, e.intensity, e.created_at, e.updated_at,
			coalesce((SELECT array_agg(tag ORDER BY position) FROM event_tags WHERE event_id = e.id), '{}'),
			(SELECT json_agg(json_build_array(scheme, code, label) ORDER BY position)
				FROM event_codes WHERE event_id = e.id),
			(SELECT json_agg(json_build_object('m', x.measure, 'l', x.low, 'b', x.best, 'h', x.high,
					's', coalesce(src.key, ''), 'n', x.note) ORDER BY x.position)
				FROM event_estimates x LEFT JOIN sources src ON src.id = x.source_id WHERE x.event_id = e.id)
		FROM events e LEFT JOIN countries c ON c.id = e.country_id
		WHERE e.key = ANY ($1) ORDER BY e.key`, keys)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var out []*db.Event
	for rows.Next() {
		e := &db.Event{}
		var typ string
		var at, created, updated int64
		var prec int32
		var endAt, fatalities, injured *int64
		var endPrec *int32
		var occInterval, endInterval *string
		var codes, estimates []byte
		if err := rows.Scan(&e.ID, &e.Key, &typ, &e.Title, &e.Summary, &at, &prec, &occInterval, &endAt, &endPrec,
			&endInterval, &e.Location.Country, &e.Location.Place, &e.Location.Lat, &e.Location.Lon, &fatalities, &injured,
			&e.Intensity, &created, &updated, &e.Tags, &codes, &estimates); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		e.Type = db.EventType(typ)
		if e.OccurredAt, err = scanSpan(&at, &prec, occInterval); err != nil {
			return nil, fmt.Errorf("read events: occurredAt of %s: %w", e.Key, err)
		}
		if e.EndedAt, err = scanSpan(endAt, endPrec, endInterval); err != nil {
			return nil, fmt.Errorf("read events: endedAt of %s: %w", e.Key, err)
		}
		e.Fatalities, e.Injured = intPtr(fatalities), intPtr(injured)
		e.Stamps = stamps(created, updated)
		if e.Codes, err = decodeCodes(codes); err != nil {
			return nil, fmt.Errorf("read events: codes of %s: %w", e.Key, err)
		}
		if e.Estimates, err = decodeEstimates(estimates); err != nil {
			return nil, fmt.Errorf("read events: estimates of %s: %w", e.Key, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// decodeCodes reads the codes column; no codes is nil.
func decodeCodes(raw []byte) ([]db.EventCode, error) {
	if raw == nil {
		return nil, nil
	}
	var rows [][3]string
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, err
	}
	out := make([]db.EventCode, len(rows))
	for i, r := range rows {
		out[i] = db.EventCode{Scheme: r[0], Code: r[1], Label: r[2]}
	}
	return out, nil
}

// decodeEstimates reads the estimates column; no estimates is nil.
func decodeEstimates(raw []byte) ([]db.Estimate, error) {
	if raw == nil {
		return nil, nil
	}
	var rows []struct {
		M       db.Measure
		L, B, H *int
		S, N    string
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, err
	}
	out := make([]db.Estimate, len(rows))
	for i, r := range rows {
		out[i] = db.Estimate{Measure: r.M, Low: r.L, Best: r.B, High: r.H, Source: r.S, Note: r.N}
	}
	return out, nil
}

func intPtr(v *int64) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// Counterparts returns, for each of the actors, the other actors that took
// part in events with it: most shared events first, ties by key, at most
// limit per actor. With from or to, only events whose instant is in
// [from, to) count. One statement serves any number of actors.
func (s *Store) Counterparts(ctx context.Context, actorIDs []int64, from, to *time.Time, limit int) (map[int64][]db.Counterpart, error) {
	if limit < 0 || limit > 100 {
		return nil, db.Errorf(db.CodeInvalid, "first must be between 0 and 100, not %d", limit)
	}
	out := map[int64][]db.Counterpart{}
	if len(actorIDs) == 0 || limit == 0 {
		return out, nil
	}
	in, args := inClause("me.actor_id", actorIDs)
	where := []string{in}
	if from != nil {
		where = append(where, `e.occurred_at >= ?`)
		args = append(args, from.UnixMilli())
	}
	if to != nil {
		where = append(where, `e.occurred_at < ?`)
		args = append(args, to.UnixMilli())
	}
	rows, err := s.read.QueryContext(ctx, `SELECT me_id, key, shared, last FROM (
		SELECT me.actor_id AS me_id, a.key AS key, count(*) AS shared, max(e.occurred_at) AS last,
			row_number() OVER (PARTITION BY me.actor_id ORDER BY count(*) DESC, a.key) AS n
		FROM event_participants me
		JOIN event_participants other ON other.event_id = me.event_id AND other.actor_id <> me.actor_id
		JOIN events e ON e.id = me.event_id
		JOIN actors a ON a.id = other.actor_id
		WHERE `+strings.Join(where, " AND ")+`
		GROUP BY me.actor_id, other.actor_id)
		WHERE n <= ? ORDER BY me_id, n`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("counterparts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, last int64
		var c db.Counterpart
		if err := rows.Scan(&id, &c.Actor, &c.SharedEvents, &last); err != nil {
			return nil, fmt.Errorf("counterparts: %w", err)
		}
		c.LastInteraction = time.UnixMilli(last).UTC()
		out[id] = append(out[id], c)
	}
	return out, rows.Err()
}

// bucketStart is the SQL, over an instant in Unix ms, of the start of its
// bucket in Unix seconds. strftime is SQLite's; a PostgreSQL port would use
// date_trunc. ISO weeks start on Monday: back six days, then forward to the
// next Monday.
var bucketStart = map[db.Interval]string{
	db.IntervalDay:   `strftime('%s', e.occurred_at / 1000, 'unixepoch', 'start of day')`,
	db.IntervalWeek:  `strftime('%s', e.occurred_at / 1000, 'unixepoch', 'start of day', '-6 days', 'weekday 1')`,
	db.IntervalMonth: `strftime('%s', e.occurred_at / 1000, 'unixepoch', 'start of month')`,
	db.IntervalYear:  `strftime('%s', e.occurred_at / 1000, 'unixepoch', 'start of year')`,
}

var groupKey = map[db.CountGroup]string{
	db.GroupType:    `e.type`,
	db.GroupCountry: `coalesce(c.code, '')`,
	db.GroupNone:    `''`,
}

// EventCounts counts the events matching f (its Include is ignored: only
// events count) per bucket of interval and per key of groupBy, summing their
// reported fatalities. An event counts in the bucket of its instant, so a
// month-precise event counts on the first of its month. Empty buckets are
// omitted; buckets come by start, then key.
func (s *Store) EventCounts(ctx context.Context, f db.TimelineFilter, interval db.Interval, groupBy db.CountGroup) ([]db.EventBucket, error) {
	start, ok := bucketStart[interval]
	if !ok {
		return nil, db.Errorf(db.CodeInvalid, "unknown interval %q", interval)
	}
	if groupBy == "" {
		groupBy = db.GroupNone
	}
	key, ok := groupKey[groupBy]
	if !ok {
		return nil, db.Errorf(db.CodeInvalid, "unknown grouping %q", groupBy)
	}
	f.Include = []db.ItemKind{db.ItemEvent}
	q, err := s.compileTimeline(ctx, f)
	if err != nil {
		return nil, err
	}
	out := []db.EventBucket{}
	if q.empty {
		return out, nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT CAST(`+start+` AS INTEGER) AS bucket, `+key+` AS k,
		count(*), coalesce(sum(e.fatalities), 0)
		FROM events e LEFT JOIN countries c ON c.id = e.country_id
		WHERE e.id IN (SELECT t.item_id FROM timeline_index t WHERE `+strings.Join(q.where, " AND ")+`)
		GROUP BY bucket, k ORDER BY bucket, k`, q.args...)
	if err != nil {
		return nil, fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b db.EventBucket
		var startSec int64
		if err := rows.Scan(&startSec, &b.Key, &b.Count, &b.Fatalities); err != nil {
			return nil, fmt.Errorf("event counts: %w", err)
		}
		b.Start = time.Unix(startSec, 0).UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

package sqlite

import (
	"context"
	"fmt"
	"slices"
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

var groupKey = map[db.CountGroup]string{
	db.GroupType:    `e.type`,
	db.GroupCountry: `coalesce(c.code, '')`,
	db.GroupNone:    `''`,
}

const dayMillis = 24 * 60 * 60 * 1000

// bucketOf is the start of the interval bucket that holds day, in UTC. ISO
// weeks start on Monday.
func bucketOf(day time.Time, interval db.Interval) time.Time {
	switch interval {
	case db.IntervalWeek:
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case db.IntervalMonth:
		return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	case db.IntervalYear:
		return time.Date(day.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// EventCounts counts the events matching f (its Include is ignored: only
// events count) per bucket of interval and per key of groupBy, summing their
// reported fatalities. An event counts in the bucket of its instant, so a
// month-precise event counts on the first of its month. Empty buckets are
// omitted; buckets come by start, then key.
//
// SQL groups by day with integer arithmetic (a floor division that holds
// before 1970 too), which is several times faster than date functions per
// row; the few thousand day groups are then folded into weeks, months or
// years here.
func (s *Store) EventCounts(ctx context.Context, f db.TimelineFilter, interval db.Interval, groupBy db.CountGroup) ([]db.EventBucket, error) {
	switch interval {
	case db.IntervalDay, db.IntervalWeek, db.IntervalMonth, db.IntervalYear:
	default:
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
	where, args := "", []any(nil)
	if len(f.Actors)+len(f.Countries)+len(f.EventTypes)+len(f.Roles) > 0 || f.From != nil || f.To != nil || f.Text != "" {
		// Anything beyond "every event" selects through the timeline index.
		where = `WHERE e.id IN (SELECT t.item_id FROM timeline_index t WHERE ` + strings.Join(q.where, " AND ") + `)`
		args = q.args
	}
	rows, err := s.read.QueryContext(ctx, `SELECT e.occurred_at - ((e.occurred_at % ?1) + ?1) % ?1 AS day, `+key+` AS k,
		count(*), coalesce(sum(e.fatalities), 0)
		FROM events e LEFT JOIN countries c ON c.id = e.country_id `+where+`
		GROUP BY day, k`, append([]any{dayMillis}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	type bucketKey struct {
		start int64
		key   string
	}
	sums := map[bucketKey]*db.EventBucket{}
	for rows.Next() {
		var day int64
		var k string
		var count, fatalities int
		if err := rows.Scan(&day, &k, &count, &fatalities); err != nil {
			return nil, fmt.Errorf("event counts: %w", err)
		}
		start := bucketOf(time.UnixMilli(day).UTC(), interval)
		bk := bucketKey{start.UnixMilli(), k}
		b := sums[bk]
		if b == nil {
			if len(sums) == db.MaxEventBuckets {
				// Stop reading: the answer would be refused anyway.
				return nil, db.Errorf(db.CodeTooComplex, "eventCounts would return more than %d buckets, the limit: "+
					"use a wider interval, a shorter from–to range or groupBy NONE", db.MaxEventBuckets)
			}
			b = &db.EventBucket{Start: start, Key: k}
			sums[bk] = b
		}
		b.Count += count
		b.Fatalities += fatalities
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("event counts: %w", err)
	}
	for _, b := range sums {
		out = append(out, *b)
	}
	slices.SortFunc(out, func(a, b db.EventBucket) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out, nil
}

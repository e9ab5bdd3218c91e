package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/buckets"
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

// groupKey is the SQL of a group's key over events or event_counts (both
// aliased e, with a type column), joined to their countries (c).
var groupKey = map[db.CountGroup]string{
	db.GroupType:    `e.type`,
	db.GroupCountry: `coalesce(c.code, '')`,
	db.GroupNone:    `''`,
	db.GroupActor:   `a.key`,
	// Joined to the participants' countries by countEvents.
	db.GroupParticipantCountry: `c.code`,
}

const dayMillis = buckets.DayMillis

func ptrTo[T any](v T) *T { return &v }

// EventCounts counts the events matching f (its Include is ignored: only
// events count) per bucket of interval and per key of groupBy, as
// buckets.Count says: from the kept counts (event_counts, migrations 00006
// and 00012; event_span_counts) where they can answer, whatever the number
// of events, and from the matching events otherwise.
//
// Errors: BAD_USER_INPUT for an unknown interval, grouping or match;
// TOO_COMPLEX past db.MaxEventBuckets buckets.
func (s *Store) EventCounts(ctx context.Context, f db.TimelineFilter, interval db.Interval, groupBy db.CountGroup, match db.TimeMatch) ([]db.EventBucket, error) {
	return buckets.Count(ctx, counts{s}, f, interval, groupBy, match)
}

// counts is the store's buckets.Source: its reads of the events and of the
// kept counts.
type counts struct{ s *Store }

// countColumns are the sums a count query selects after its start, last and
// key, over rows (or events) aliased e: what scanCounts reads.
type countColumns struct{ events, certain, fatalities, low, high, intensitySum, intensityEvents string }

// eventSums sums events; keptSums sums kept counts, whose certain column is
// that of the interval (keptCertain).
var eventSums = countColumns{`count(*)`, `-1`, `coalesce(sum(e.fatalities), 0)`, `sum(e.fatalities_low)`, `sum(e.fatalities_high)`,
	`coalesce(sum(e.intensity), 0)`, `count(e.intensity)`}

func keptSums(interval db.Interval) countColumns {
	return countColumns{`sum(e.events)`, `sum(e.` + keptCertain[interval] + `)`, `sum(e.fatalities)`, `sum(e.fatalities_low)`,
		`sum(e.fatalities_high)`, `sum(e.intensity_sum)`, `sum(e.intensity_events)`}
}

// keptColumns are keptSums' columns of one row, for rows read ungrouped.
func keptColumns(interval db.Interval) countColumns {
	return countColumns{`e.events`, `e.` + keptCertain[interval], `e.fatalities`, `e.fatalities_low`,
		`e.fatalities_high`, `e.intensity_sum`, `e.intensity_events`}
}

// keptCertain is the column of event_counts that counts the events lying
// wholly in the bucket of an interval that holds their start (migration
// 00012).
var keptCertain = map[db.Interval]string{
	db.IntervalDay: "certain_day", db.IntervalWeek: "certain_week", db.IntervalMonth: "certain_month", db.IntervalYear: "certain_year",
}

func (c countColumns) sql() string {
	return strings.Join([]string{c.events, c.certain, c.fatalities, c.low, c.high, c.intensitySum, c.intensityEvents}, ", ")
}

// scanCounts adds to b the answer to a query of (start, last, key, the
// sums of countColumns).
func scanCounts(b *buckets.Sums, rows *sql.Rows, err error) error {
	if err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	return buckets.AddRows(b, rows)
}

// Filtered counts the events matching f, selected through the timeline
// index, by reading them.
//
// SQL groups by day with integer arithmetic (a floor division that holds
// before 1970 too), which is several times faster than date functions per
// row; the few thousand day groups are then folded into weeks, months or
// years in Go.
func (c counts) Filtered(ctx context.Context, sums *buckets.Sums, f db.TimelineFilter, groupBy db.CountGroup) error {
	f.Include = []db.ItemKind{db.ItemEvent}
	q, err := c.s.compileTimeline(ctx, f)
	if err != nil {
		return err
	}
	if q.empty {
		return nil
	}
	sel, args := q.selectFrom()
	return c.countEvents(ctx, sums, `e.id IN (SELECT t.item_id `+sel+`)`, args, groupBy)
}

// Raw counts the events of types that start in r (those of a partial
// day) by reading them, through events_counts (migration 00004).
func (c counts) Raw(ctx context.Context, sums *buckets.Sums, types []db.EventType, groupBy db.CountGroup, r buckets.Range) error {
	where := []string{"true"}
	var args []any
	if len(types) > 0 {
		in, a := inClause(`e.type`, types)
		where, args = append(where, in), append(args, a...)
	}
	if r.From != nil {
		where, args = append(where, `e.occurred_at >= ?`), append(args, *r.From)
	}
	if r.To != nil {
		where, args = append(where, `e.occurred_at < ?`), append(args, *r.To)
	}
	return c.countEvents(ctx, sums, strings.Join(where, " AND "), args, groupBy)
}

// countEvents counts the events that where selects, by reading them.
func (c counts) countEvents(ctx context.Context, sums *buckets.Sums, where string, args []any, groupBy db.CountGroup) error {
	from := `events e LEFT JOIN countries c ON c.id = e.country_id`
	if groupBy == db.GroupActor {
		// An actor in two roles of one event counts that event once.
		from = `events e JOIN (SELECT DISTINCT event_id, actor_id FROM event_participants) p ON p.event_id = e.id
			JOIN actors a ON a.id = p.actor_id`
	}
	if groupBy == db.GroupParticipantCountry {
		// Two participants of one country count the event once there.
		from = `events e JOIN (SELECT DISTINCT p.event_id, a.country_id FROM event_participants p
			JOIN actors a ON a.id = p.actor_id WHERE a.country_id IS NOT NULL) p ON p.event_id = e.id
			JOIN countries c ON c.id = p.country_id`
	}
	rows, err := c.s.read.QueryContext(ctx, `SELECT e.occurred_at - ((e.occurred_at % ?1) + ?1) % ?1 AS day,
		(e.span_end - 1) - (((e.span_end - 1) % ?1) + ?1) % ?1 AS last, `+groupKey[groupBy]+` AS k, `+eventSums.sql()+`
		FROM `+from+` WHERE `+where+`
		GROUP BY day, last, k`, append([]any{dayMillis}, args...)...)
	return scanCounts(sums, rows, err)
}

// Kept reads event_counts' rows of width and grain that start in r.
func (c counts) Kept(ctx context.Context, sums *buckets.Sums, types []db.EventType, groupBy db.CountGroup, width, grain int, r buckets.Range) error {
	var where []string
	var args []any
	if len(types) > 0 {
		in, a := inClause(`e.type`, types)
		where, args = append(where, in), append(args, a...)
	}
	where = append(where, `e.width = ?`, `e.grain = ?`)
	args = append(args, width, grain)
	if r.From != nil {
		where, args = append(where, `e.start >= ?`), append(args, *r.From)
	}
	if r.To != nil {
		where, args = append(where, `e.start < ?`), append(args, *r.To)
	}
	cols, group := keptSums(sums.Interval()).sql(), ` GROUP BY e.start, k`
	if buckets.KeptOnePerKey(types, groupBy) {
		cols, group = keptColumns(sums.Interval()).sql(), ``
	}
	rows, err := c.s.read.QueryContext(ctx, `SELECT e.start, e.start, `+groupKey[groupBy]+` AS k, `+cols+`
		FROM event_counts e LEFT JOIN countries c ON c.id = e.country WHERE `+strings.Join(where, " AND ")+group, args...)
	return scanCounts(sums, rows, err)
}

// spanWhere is the condition on the kept counts (event_counts or
// event_span_counts, aliased e) of q's width, grain and types and of
// bounds, each a range of the table's primary key.
func spanWhere(q buckets.SpanQuery, bounds []buckets.Bound) (string, []any) {
	where, args := []string{`e.width = ?`, `e.grain = ?`}, []any{q.Width, q.Grain}
	if len(q.Types) > 0 {
		in, a := inClause(`e.type`, q.Types)
		where, args = append(where, in), append(args, a...)
	}
	for _, b := range bounds {
		op := ` < ?`
		if b.From {
			op = ` >= ?`
		}
		where, args = append(where, `e.`+b.Column+op), append(args, b.Value)
	}
	return strings.Join(where, " AND "), args
}

// spanFrom is table, aliased e, joined to the countries of its rows when
// q's key is one.
func spanFrom(q buckets.SpanQuery, table string) string {
	if q.Group == db.GroupCountry || q.Group == db.GroupParticipantCountry {
		return table + ` e LEFT JOIN countries c ON c.id = e.country`
	}
	return table + ` e`
}

// UnitSums reads the rows of event_counts of q's width.
func (c counts) UnitSums(ctx context.Context, q buckets.SpanQuery, add func(buckets.Row)) error {
	where, args := spanWhere(q, q.StartRange())
	cols, group := `sum(e.events), sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), sum(e.intensity_sum),
		sum(e.intensity_events)`, ` GROUP BY e.start, 2`
	if q.OnePerKey() {
		cols, group = `e.events, e.fatalities, e.fatalities_low, e.fatalities_high, e.intensity_sum, e.intensity_events`, ``
	}
	rows, err := c.s.read.QueryContext(ctx, `SELECT e.start, `+groupKey[q.Group]+`, `+cols+` FROM `+spanFrom(q, `event_counts`)+
		` WHERE `+where+group, args...)
	if err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	return buckets.ScanDays(rows, add)
}

// Spans reads event_span_counts' rows, each a span.
func (c counts) Spans(ctx context.Context, q buckets.SpanQuery, bounds []buckets.Bound, add func(buckets.Row) error) error {
	where, args := spanWhere(q, bounds)
	rows, err := c.s.read.QueryContext(ctx, `SELECT e.start, e.last, `+groupKey[q.Group]+`, e.events, -1, e.fatalities,
		e.fatalities_low, e.fatalities_high, e.intensity_sum, e.intensity_events FROM `+spanFrom(q, `event_span_counts`)+
		` WHERE `+where, args...)
	if err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	return buckets.ScanRows(rows, add)
}

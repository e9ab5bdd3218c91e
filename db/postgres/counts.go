package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/buckets"
)

// EventCounts is buckets.Count over this store's reads, as the SQLite
// store's is: the kept counts (event_counts, event_span_counts) where they
// can answer, the matching events read otherwise.

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

// EventCounts counts the events matching f (its Include is ignored: only
// events count) per bucket of interval and per key of groupBy, as
// buckets.Count says, from the kept counts where they can answer and the
// matching events otherwise.
//
// Errors: BAD_USER_INPUT for an unknown interval, grouping or match;
// TOO_COMPLEX past db.MaxEventBuckets buckets.
func (s *Store) EventCounts(ctx context.Context, f db.TimelineFilter, interval db.Interval, groupBy db.CountGroup, match db.TimeMatch) ([]db.EventBucket, error) {
	return buckets.Count(ctx, counts{s}, f, interval, groupBy, match)
}

// counts is the store's buckets.Source: its reads of the events and of the
// kept counts.
type counts struct{ s *Store }

// countColumns are the sums a count query selects after its start, last
// and key, over rows (or events) aliased e: what scanCounts reads.
// PostgreSQL's sum of bigint is numeric: each is cast back.
type countColumns struct{ events, certain, fatalities, low, high, intensitySum, intensityEvents string }

// eventSums sums events; keptSums sums kept counts, whose certain column
// is that of the interval (keptCertain).
var eventSums = countColumns{`count(*)`, `-1`, `coalesce(sum(e.fatalities), 0)::bigint`, `coalesce(sum(e.fatalities_low), 0)::bigint`,
	`coalesce(sum(e.fatalities_high), 0)::bigint`, `coalesce(sum(e.intensity), 0)::double precision`, `count(e.intensity)`}

func keptSums(interval db.Interval) countColumns {
	return countColumns{`sum(e.events)::bigint`, `sum(e.` + keptCertain[interval] + `)::bigint`, `sum(e.fatalities)::bigint`,
		`sum(e.fatalities_low)::bigint`, `sum(e.fatalities_high)::bigint`, `sum(e.intensity_sum)::double precision`,
		`sum(e.intensity_events)::bigint`}
}

// keptColumns are keptSums' columns of one row, for rows read ungrouped.
func keptColumns(interval db.Interval) countColumns {
	return countColumns{`e.events::bigint`, `e.` + keptCertain[interval] + `::bigint`, `e.fatalities::bigint`,
		`e.fatalities_low::bigint`, `e.fatalities_high::bigint`, `e.intensity_sum::double precision`,
		`e.intensity_events::bigint`}
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
func scanCounts(b *buckets.Sums, rows pgx.Rows, err error) error {
	if err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	return buckets.AddRows(b, rows)
}

// Filtered counts the events matching f, selected through the timeline
// index, by reading them.
func (c counts) Filtered(ctx context.Context, sums *buckets.Sums, f db.TimelineFilter, groupBy db.CountGroup) error {
	f.Include = []db.ItemKind{db.ItemEvent}
	q, err := c.s.compileTimeline(ctx, f)
	if err != nil {
		return err
	}
	if q.empty {
		return nil
	}
	args, add := q.params()
	where := q.where(add)
	a := sqlArgs(*args)
	return c.countEvents(ctx, sums, `e.id IN (SELECT t.item_id FROM timeline_index t WHERE `+where+`)`, &a, groupBy)
}

// Raw counts the events of types that start in r by reading them.
func (c counts) Raw(ctx context.Context, sums *buckets.Sums, types []db.EventType, groupBy db.CountGroup, r buckets.Range) error {
	var args sqlArgs
	where := []string{"true"}
	if len(types) > 0 {
		where = append(where, `e.type = ANY (`+args.add(eventTypeStrings(types))+`)`)
	}
	if r.From != nil {
		where = append(where, `e.occurred_at >= `+args.add(*r.From))
	}
	if r.To != nil {
		where = append(where, `e.occurred_at < `+args.add(*r.To))
	}
	return c.countEvents(ctx, sums, strings.Join(where, " AND "), &args, groupBy)
}

// countEvents counts the events that where selects, by reading them. SQL
// groups by day with integer arithmetic (a floor division that holds
// before 1970 too); the day groups are folded into buckets in Go.
func (c counts) countEvents(ctx context.Context, sums *buckets.Sums, where string, args *sqlArgs, groupBy db.CountGroup) error {
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
	day := lit(buckets.DayMillis)
	rows, err := c.s.reader(ctx).Query(ctx, `SELECT e.occurred_at - ((e.occurred_at % `+day+`) + `+day+`) % `+day+` AS day,
		(e.span_end - 1) - (((e.span_end - 1) % `+day+`) + `+day+`) % `+day+` AS last, `+groupKey[groupBy]+` AS k, `+eventSums.sql()+`
		FROM `+from+` WHERE `+where+`
		GROUP BY day, last, k`, *args...)
	return scanCounts(sums, rows, err)
}

// Kept reads event_counts' rows of width and grain that start in r.
func (c counts) Kept(ctx context.Context, sums *buckets.Sums, types []db.EventType, groupBy db.CountGroup, width, grain int, r buckets.Range) error {
	var args sqlArgs
	var where []string
	if len(types) > 0 {
		where = append(where, `e.type = ANY (`+args.add(eventTypeStrings(types))+`)`)
	}
	where = append(where, `e.width = `+args.add(width), `e.grain = `+args.add(grain))
	if r.From != nil {
		where = append(where, `e.start >= `+args.add(*r.From))
	}
	if r.To != nil {
		where = append(where, `e.start < `+args.add(*r.To))
	}
	cols, group := keptSums(sums.Interval()).sql(), ` GROUP BY e.start, k`
	if buckets.KeptOnePerKey(types, groupBy) {
		cols, group = keptColumns(sums.Interval()).sql(), ``
	}
	rows, err := c.s.reader(ctx).Query(ctx, `SELECT e.start, e.start, `+groupKey[groupBy]+` AS k, `+cols+`
		FROM event_counts e LEFT JOIN countries c ON c.id = e.country WHERE `+strings.Join(where, " AND ")+group, args...)
	return scanCounts(sums, rows, err)
}

// spanWhere is the condition on the kept counts (event_counts or
// event_span_counts, aliased e) of q's width, grain and types and of
// bounds.
func spanWhere(q buckets.SpanQuery, bounds []buckets.Bound) (string, sqlArgs) {
	var args sqlArgs
	where := []string{`e.width = ` + args.add(q.Width), `e.grain = ` + args.add(q.Grain)}
	if len(q.Types) > 0 {
		where = append(where, `e.type = ANY (`+args.add(eventTypeStrings(q.Types))+`)`)
	}
	for _, b := range bounds {
		op := ` < `
		if b.From {
			op = ` >= `
		}
		where = append(where, `e.`+b.Column+op+args.add(b.Value))
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

// spanKey is the key of q's rows, as text.
func spanKey(q buckets.SpanQuery) string {
	return groupKey[q.Group] + `::text`
}

// UnitSums reads the rows of event_counts of q's width.
func (c counts) UnitSums(ctx context.Context, q buckets.SpanQuery, add func(buckets.Row)) error {
	where, args := spanWhere(q, q.StartRange())
	cols, group := `sum(e.events)::bigint, sum(e.fatalities)::bigint, sum(e.fatalities_low)::bigint, sum(e.fatalities_high)::bigint,
		sum(e.intensity_sum)::double precision, sum(e.intensity_events)::bigint`, ` GROUP BY e.start, 2`
	if q.OnePerKey() {
		cols, group = `e.events::bigint, e.fatalities::bigint, e.fatalities_low::bigint, e.fatalities_high::bigint,
		e.intensity_sum::double precision, e.intensity_events::bigint`, ``
	}
	rows, err := c.s.reader(ctx).Query(ctx, `SELECT e.start, `+spanKey(q)+`, `+cols+` FROM `+spanFrom(q, `event_counts`)+
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
	rows, err := c.s.reader(ctx).Query(ctx, `SELECT e.start, e.last, `+spanKey(q)+`, e.events, -1, e.fatalities, e.fatalities_low,
		e.fatalities_high, e.intensity_sum, e.intensity_events FROM `+spanFrom(q, `event_span_counts`)+` WHERE `+where, args...)
	if err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	return buckets.ScanRows(rows, add)
}

func eventTypeStrings(types []db.EventType) []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = string(t)
	}
	return out
}

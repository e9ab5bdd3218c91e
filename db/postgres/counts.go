package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/buckets"
)

// EventCounts is the SQLite store's (db/sqlite/dashboard.go), with its
// rules, limits, errors and answers: the kept counts (event_counts,
// event_span_counts) where they can answer, the matching events read
// otherwise, folded into buckets by db/buckets.

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
// events count) per bucket of interval and per key of groupBy, with their
// fatalities, fatality ranges and mean intensity, and how many lie wholly
// in the bucket (certain). Empty buckets are omitted; buckets come by
// start, then key. match is as for the SQLite store: START (or "") counts
// an event in the bucket of its start, OVERLAPS in every bucket its span
// meets within f's range, WITHIN only when it lies wholly in one bucket.
//
// START with a filter of event types and a time range alone is answered
// from the kept counts (keptCounts); so are OVERLAPS and WITHIN over whole
// days grouped by type or none (keptSpanCounts); the other filters read
// the matching events.
//
// Errors: BAD_USER_INPUT for an unknown interval, grouping or match;
// TOO_COMPLEX past db.MaxEventBuckets buckets.
func (s *Store) EventCounts(ctx context.Context, f db.TimelineFilter, interval db.Interval, groupBy db.CountGroup, match db.TimeMatch) ([]db.EventBucket, error) {
	switch interval {
	case db.IntervalDay, db.IntervalWeek, db.IntervalMonth, db.IntervalYear:
	default:
		return nil, db.Errorf(db.CodeInvalid, "unknown interval %q", interval)
	}
	if groupBy == "" {
		groupBy = db.GroupNone
	}
	if _, ok := groupKey[groupBy]; !ok {
		return nil, db.Errorf(db.CodeInvalid, "unknown grouping %q", groupBy)
	}
	var overlaps, within bool
	var clip buckets.Range
	switch match {
	case "", db.MatchStart:
	case db.MatchOverlaps, db.MatchWithin:
		if f.TimeMatch == "" {
			f.TimeMatch = match
		}
		overlaps, within = match == db.MatchOverlaps, match == db.MatchWithin
		clip = buckets.RangeOf(f)
	default:
		return nil, db.Errorf(db.CodeInvalid, "unknown timeMatch %q: want START, OVERLAPS or WITHIN", match)
	}
	sums := buckets.New(interval, overlaps, within, clip)
	var err error
	switch {
	case !sums.Spans() && f.OnlyTypesAndTime() && groupBy != db.GroupActor && groupBy != db.GroupParticipantCountry:
		err = s.keptCounts(ctx, sums, f.EventTypes, groupBy, buckets.WidthFor(interval), buckets.RangeOf(f))
	case sums.Spans() && buckets.SpanCountable(f, groupBy):
		err = s.keptSpanCounts(ctx, sums, f, groupBy)
	default:
		err = s.filteredCounts(ctx, sums, f, groupBy)
	}
	if err != nil {
		return nil, err
	}
	return sums.Buckets(), nil
}

// countColumns are the sums a count query selects after its start, last
// and key, over rows (or events) aliased e: what scan reads. PostgreSQL's
// sum of bigint is numeric: each is cast back.
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

// keptCertain is the column of event_counts that counts the events lying
// wholly in the bucket of an interval that holds their start (migration
// 00012).
var keptCertain = map[db.Interval]string{
	db.IntervalDay: "certain_day", db.IntervalWeek: "certain_week", db.IntervalMonth: "certain_month", db.IntervalYear: "certain_year",
}

func (c countColumns) sql() string {
	return strings.Join([]string{c.events, c.certain, c.fatalities, c.low, c.high, c.intensitySum, c.intensityEvents}, ", ")
}

// scanCounts adds to b rows of (start, last, key, the sums of
// countColumns), the answer to a query.
func scanCounts(b *buckets.Sums, rows pgx.Rows, err error) error {
	if err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r buckets.Row
		if err := rows.Scan(&r.Start, &r.Last, &r.Key, &r.Events, &r.Certain, &r.Fatalities, &r.Low, &r.High,
			&r.IntensitySum, &r.IntensityEvents); err != nil {
			return fmt.Errorf("event counts: %w", err)
		}
		if err := b.Add(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	return nil
}

// filteredCounts counts the events matching f, selected through the
// timeline index, by reading them.
func (s *Store) filteredCounts(ctx context.Context, sums *buckets.Sums, f db.TimelineFilter, groupBy db.CountGroup) error {
	f.Include = []db.ItemKind{db.ItemEvent}
	q, err := s.compileTimeline(ctx, f)
	if err != nil {
		return err
	}
	if q.empty {
		return nil
	}
	args, add := q.params()
	where := q.where(add)
	a := sqlArgs(*args)
	return s.countEvents(ctx, sums, `e.id IN (SELECT t.item_id FROM timeline_index t WHERE `+where+`)`, &a, groupBy)
}

// countEvents counts the events that where selects, by reading them. SQL
// groups by day with integer arithmetic (a floor division that holds
// before 1970 too); the day groups are folded into buckets in Go.
func (s *Store) countEvents(ctx context.Context, sums *buckets.Sums, where string, args *sqlArgs, groupBy db.CountGroup) error {
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
	rows, err := s.reader(ctx).Query(ctx, `SELECT e.occurred_at - ((e.occurred_at % `+day+`) + `+day+`) % `+day+` AS day,
		(e.span_end - 1) - (((e.span_end - 1) % `+day+`) + `+day+`) % `+day+` AS last, `+groupKey[groupBy]+` AS k, `+eventSums.sql()+`
		FROM `+from+` WHERE `+where+`
		GROUP BY day, last, k`, *args...)
	return scanCounts(sums, rows, err)
}

// keptSpanCounts counts by span from the kept counts, as SQLite's: the
// events within one day are the day rows of event_counts less those of
// event_span_counts that start on the day; the others are
// event_span_counts' rows, spread by add.
func (s *Store) keptSpanCounts(ctx context.Context, sums *buckets.Sums, f db.TimelineFilter, groupBy db.CountGroup) error {
	r := buckets.RangeOf(f)
	grain := 0
	if len(f.EventTypes) > 0 || groupBy == db.GroupType {
		grain = 1
	}
	var dayArgs, spanArgs sqlArgs
	days, spans := []string{`grain = ` + dayArgs.add(grain)}, []string{`grain = ` + spanArgs.add(grain)}
	if len(f.EventTypes) > 0 {
		types := eventTypeStrings(f.EventTypes)
		days = append(days, `type = ANY (`+dayArgs.add(types)+`)`)
		spans = append(spans, `type = ANY (`+spanArgs.add(types)+`)`)
	}
	if r.From != nil {
		days = append(days, `start >= `+dayArgs.add(*r.From))
		switch f.TimeMatch {
		case db.MatchOverlaps:
			spans = append(spans, `last >= `+spanArgs.add(*r.From))
		default: // START and WITHIN: the span starts in the range
			spans = append(spans, `start >= `+spanArgs.add(*r.From))
		}
	}
	if r.To != nil {
		days = append(days, `start < `+dayArgs.add(*r.To))
		switch f.TimeMatch {
		case db.MatchWithin:
			spans = append(spans, `last < `+spanArgs.add(*r.To))
		default: // START and OVERLAPS: the span starts before the range ends
			spans = append(spans, `start < `+spanArgs.add(*r.To))
		}
	}
	dayWhere, spanWhere := strings.Join(days, " AND "), strings.Join(spans, " AND ")
	const sumsOf = `sum(events)::bigint, sum(fatalities)::bigint, sum(fatalities_low)::bigint, sum(fatalities_high)::bigint,
		sum(intensity_sum)::double precision, sum(intensity_events)::bigint`
	key := `''::text`
	if groupBy == db.GroupType {
		key = `type`
	}
	type dayKey struct {
		start int64
		key   string
	}
	oneDay := map[dayKey]*buckets.Row{}
	read := func(query string, args []any, sign int) error {
		rows, err := s.reader(ctx).Query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("event counts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r buckets.Row
			if err := rows.Scan(&r.Start, &r.Key, &r.Events, &r.Fatalities, &r.Low, &r.High, &r.IntensitySum, &r.IntensityEvents); err != nil {
				return fmt.Errorf("event counts: %w", err)
			}
			dk := dayKey{r.Start, r.Key}
			sum := oneDay[dk]
			if sum == nil {
				sum = &buckets.Row{Start: r.Start, Last: r.Start, Key: r.Key, Certain: -1}
				oneDay[dk] = sum
			}
			sum.Events += sign * r.Events
			sum.Fatalities += sign * r.Fatalities
			sum.Low += sign * r.Low
			sum.High += sign * r.High
			sum.IntensitySum += float64(sign) * r.IntensitySum
			sum.IntensityEvents += sign * r.IntensityEvents
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("event counts: %w", err)
		}
		return nil
	}
	if err := read(`SELECT start, `+key+`, `+sumsOf+` FROM event_counts WHERE width = 0 AND `+dayWhere+` GROUP BY start, 2`, dayArgs, 1); err != nil {
		return err
	}
	if err := read(`SELECT start, `+key+`, `+sumsOf+` FROM event_span_counts WHERE `+dayWhere+` GROUP BY start, 2`, dayArgs, -1); err != nil {
		return err
	}
	for _, r := range oneDay {
		if r.Events > 0 {
			if err := sums.Add(*r); err != nil {
				return err
			}
		}
	}
	rows, err := s.reader(ctx).Query(ctx, `SELECT start, last, `+key+`, events, -1, fatalities, fatalities_low, fatalities_high,
		intensity_sum, intensity_events FROM event_span_counts WHERE `+spanWhere, spanArgs...)
	return scanCounts(sums, rows, err)
}

func eventTypeStrings(types []db.EventType) []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = string(t)
	}
	return out
}

// keptCounts counts the events of the given types (any type when none is
// given) in r from the kept counts of the given width: the whole days (or
// months) that r covers are rows of event_counts, the parts of r that
// cover a unit only in part are counted at the next finer width, down to
// reading the events of a partial day. Exact for any from and to.
func (s *Store) keptCounts(ctx context.Context, sums *buckets.Sums, types []db.EventType, groupBy db.CountGroup, width int, r buckets.Range) error {
	if r.From != nil && r.To != nil && *r.From >= *r.To {
		return nil
	}
	var args sqlArgs
	var where []string
	if len(types) > 0 {
		where = append(where, `e.type = ANY (`+args.add(eventTypeStrings(types))+`)`)
	}
	if width == buckets.WidthRaw {
		if r.From != nil {
			where = append(where, `e.occurred_at >= `+args.add(*r.From))
		}
		if r.To != nil {
			where = append(where, `e.occurred_at < `+args.add(*r.To))
		}
		return s.countEvents(ctx, sums, strings.Join(append([]string{"true"}, where...), " AND "), &args, groupBy)
	}
	whole := r
	if r.From != nil {
		v := buckets.UnitCeil(*r.From, width)
		whole.From = &v
	}
	if r.To != nil {
		v := buckets.UnitStart(*r.To, width)
		whole.To = &v
	}
	if whole.From != nil && whole.To != nil && *whole.From >= *whole.To {
		// r lies within one unit, or two adjacent partial ones.
		return s.keptCounts(ctx, sums, types, groupBy, width-1, r)
	}
	if r.From != nil && *r.From < *whole.From {
		if err := s.keptCounts(ctx, sums, types, groupBy, width-1, buckets.Range{From: r.From, To: whole.From}); err != nil {
			return err
		}
	}
	if r.To != nil && *whole.To < *r.To {
		if err := s.keptCounts(ctx, sums, types, groupBy, width-1, buckets.Range{From: whole.To, To: r.To}); err != nil {
			return err
		}
	}
	grain := 0
	if len(types) > 0 || groupBy == db.GroupType {
		grain |= 1
	}
	if groupBy == db.GroupCountry {
		grain |= 2
	}
	where = append(where, `e.width = `+args.add(width), `e.grain = `+args.add(grain))
	if whole.From != nil {
		where = append(where, `e.start >= `+args.add(*whole.From))
	}
	if whole.To != nil {
		where = append(where, `e.start < `+args.add(*whole.To))
	}
	rows, err := s.reader(ctx).Query(ctx, `SELECT e.start, e.start, `+groupKey[groupBy]+` AS k, `+keptSums(sums.Interval()).sql()+`
		FROM event_counts e LEFT JOIN countries c ON c.id = e.country WHERE `+strings.Join(where, " AND ")+`
		GROUP BY e.start, k`, args...)
	return scanCounts(sums, rows, err)
}

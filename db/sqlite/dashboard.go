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

// The widths of the kept counts (event_counts.width), and the raw events
// below them.
const (
	widthRaw   = buckets.WidthRaw
	widthMonth = buckets.WidthMonth
)

func ptrTo[T any](v T) *T { return &v }

// EventCounts counts the events matching f (its Include is ignored: only
// events count) per bucket of interval and per key of groupBy, with their
// fatalities, fatality ranges and mean intensity, and how many lie wholly in
// the bucket (certain). Empty buckets are omitted; buckets come by start,
// then key.
//
// With match START (or "") an event counts in the bucket of its start
// instant, so a month-precise event counts on the first of its month. With
// OVERLAPS it counts in every bucket its span meets, within f's [From, To)
// when f gives them; f then selects events by overlap too unless it sets a
// TimeMatch of its own (an event under way when the window opens belongs to
// its first bucket). With WITHIN only the events that lie wholly in one
// bucket count, in it: every count is then certain.
//
// START with a filter of event types and a time range alone (or none) is
// answered from the kept counts (event_counts, migrations 00006 and 00012),
// whatever the number of events; see keptCounts. So are OVERLAPS and WITHIN
// when the range starts and ends on whole days (a date, as the dashboard
// sends) and the grouping is by type or none: see keptSpanCounts. Actors, roles, countries,
// text and the other filters select events by what the counts do not record,
// OVERLAPS spreads an event over buckets the counts cannot tell apart, and
// WITHIN sums only the certain events, which the counts count but do not sum:
// those read the matching events instead.
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
	// The kept counts know no participants: per actor or participant
	// country, the events are read.
	// They count each event by its start, with how many lie wholly in its
	// bucket: a count by span, or of those alone with their sums, reads the
	// events too.
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

// countColumns are the sums a count query selects after its start, last and
// key, over rows (or events) aliased e: what scan reads.
type countColumns struct{ events, certain, fatalities, low, high, intensitySum, intensityEvents string }

// eventSums sums events; keptSums sums kept counts, whose certain column is
// that of the interval (keptCertain).
var eventSums = countColumns{`count(*)`, `-1`, `coalesce(sum(e.fatalities), 0)`, `sum(e.fatalities_low)`, `sum(e.fatalities_high)`,
	`coalesce(sum(e.intensity), 0)`, `count(e.intensity)`}

func keptSums(interval db.Interval) countColumns {
	return countColumns{`sum(e.events)`, `sum(e.` + keptCertain[interval] + `)`, `sum(e.fatalities)`, `sum(e.fatalities_low)`,
		`sum(e.fatalities_high)`, `sum(e.intensity_sum)`, `sum(e.intensity_events)`}
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
func scanCounts(b *buckets.Sums, rows *sql.Rows, err error) error {
	if err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r buckets.Row
		if err := rows.Scan(&r.Start, &r.Last, &r.Key, &r.Events, &r.Certain, &r.Fatalities, &r.Low, &r.High, &r.IntensitySum, &r.IntensityEvents); err != nil {
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
//
// SQL groups by day with integer arithmetic (a floor division that holds
// before 1970 too), which is several times faster than date functions per
// row; the few thousand day groups are then folded into weeks, months or
// years in Go.
func (s *Store) filteredCounts(ctx context.Context, sums *buckets.Sums, f db.TimelineFilter, groupBy db.CountGroup) error {
	f.Include = []db.ItemKind{db.ItemEvent}
	q, err := s.compileTimeline(ctx, f)
	if err != nil {
		return err
	}
	if q.empty {
		return nil
	}
	sel, args := q.selectFrom()
	return s.countEvents(ctx, sums, `e.id IN (SELECT t.item_id `+sel+`)`, args, groupBy)
}

// countEvents counts the events that where selects, by reading them.
func (s *Store) countEvents(ctx context.Context, sums *buckets.Sums, where string, args []any, groupBy db.CountGroup) error {
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
	rows, err := s.read.QueryContext(ctx, `SELECT e.occurred_at - ((e.occurred_at % ?1) + ?1) % ?1 AS day,
		(e.span_end - 1) - (((e.span_end - 1) % ?1) + ?1) % ?1 AS last, `+groupKey[groupBy]+` AS k, `+eventSums.sql()+`
		FROM `+from+` WHERE `+where+`
		GROUP BY day, last, k`, append([]any{dayMillis}, args...)...)
	return scanCounts(sums, rows, err)
}

// keptSpanCounts counts by span from the kept counts: the events that lie
// within one day are the day rows of event_counts less those of
// event_span_counts that start on the day, and lie in every bucket that
// holds that day; the others are event_span_counts' rows, which give the
// day each span starts and ends on, for add to spread or to keep as
// certain. f's range selects events as its TimeMatch says (by their start,
// their overlap or their lying within), which on whole days is a condition
// on those two days; add then clips each span to the range.
func (s *Store) keptSpanCounts(ctx context.Context, sums *buckets.Sums, f db.TimelineFilter, groupBy db.CountGroup) error {
	r := buckets.RangeOf(f)
	grain := 0
	if len(f.EventTypes) > 0 || groupBy == db.GroupType {
		grain = 1
	}
	// days selects the one-day events (and the rows that take the longer
	// ones out of their day), spans the longer events.
	days, spans := []string{`grain = ?`}, []string{`grain = ?`}
	dayArgs, spanArgs := []any{grain}, []any{grain}
	if len(f.EventTypes) > 0 {
		in, a := inClause(`type`, f.EventTypes)
		days, dayArgs = append(days, in), append(dayArgs, a...)
		spans, spanArgs = append(spans, in), append(spanArgs, a...)
	}
	if r.From != nil {
		days, dayArgs = append(days, `start >= ?`), append(dayArgs, *r.From)
		switch f.TimeMatch {
		case db.MatchOverlaps:
			spans, spanArgs = append(spans, `last >= ?`), append(spanArgs, *r.From)
		default: // START and WITHIN: the span starts in the range
			spans, spanArgs = append(spans, `start >= ?`), append(spanArgs, *r.From)
		}
	}
	if r.To != nil {
		days, dayArgs = append(days, `start < ?`), append(dayArgs, *r.To)
		switch f.TimeMatch {
		case db.MatchWithin:
			spans, spanArgs = append(spans, `last < ?`), append(spanArgs, *r.To)
		default: // START and OVERLAPS: the span starts before the range ends
			spans, spanArgs = append(spans, `start < ?`), append(spanArgs, *r.To)
		}
	}
	dayWhere, spanWhere := strings.Join(days, " AND "), strings.Join(spans, " AND ")
	// Three reads rather than one UNION grouped in SQL: each is a range of
	// its table's primary key, and the subtraction is a map here (at 1M
	// generated events 32 ms of SQL became 15).
	const sumsOf = `sum(events), sum(fatalities), sum(fatalities_low), sum(fatalities_high), sum(intensity_sum), sum(intensity_events)`
	key := `''`
	if groupBy == db.GroupType {
		key = `type`
	}
	type dayKey struct {
		start int64
		key   string
	}
	oneDay := map[dayKey]*buckets.Row{}
	read := func(query string, args []any, sign int) error {
		rows, err := s.read.QueryContext(ctx, query, args...)
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
		return rows.Err()
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
	rows, err := s.read.QueryContext(ctx, `SELECT start, last, `+key+`, events, -1, fatalities, fatalities_low, fatalities_high,
		intensity_sum, intensity_events FROM event_span_counts WHERE `+spanWhere, spanArgs...)
	return scanCounts(sums, rows, err)
}

// keptCounts counts the events of the given types (any type when none is
// given) in r from the kept counts of the given width: the whole days (or
// months) that r covers are rows of event_counts, and the parts of r that
// cover a day (or month) only in part are counted at the next finer width,
// down to reading the events of a partial day. The answer is thus exact for
// any from and to, and reads at most two partial days of events.
func (s *Store) keptCounts(ctx context.Context, sums *buckets.Sums, types []db.EventType, groupBy db.CountGroup, width int, r buckets.Range) error {
	if r.From != nil && r.To != nil && *r.From >= *r.To {
		return nil
	}
	var where []string
	var args []any
	if len(types) > 0 {
		in, a := inClause(`e.type`, types)
		where, args = append(where, in), append(args, a...)
	}
	if width == widthRaw {
		// The events of a partial day, through events_counts (migration 00004).
		if r.From != nil {
			where, args = append(where, `e.occurred_at >= ?`), append(args, *r.From)
		}
		if r.To != nil {
			where, args = append(where, `e.occurred_at < ?`), append(args, *r.To)
		}
		return s.countEvents(ctx, sums, strings.Join(append([]string{"true"}, where...), " AND "), args, groupBy)
	}
	// whole is the part of r made of whole units.
	whole := r
	if r.From != nil {
		whole.From = ptrTo(buckets.UnitCeil(*r.From, width))
	}
	if r.To != nil {
		whole.To = ptrTo(buckets.UnitStart(*r.To, width))
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
	where = append(where, `e.width = ?`, `e.grain = ?`)
	args = append(args, width, grain)
	if whole.From != nil {
		where, args = append(where, `e.start >= ?`), append(args, *whole.From)
	}
	if whole.To != nil {
		where, args = append(where, `e.start < ?`), append(args, *whole.To)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT e.start, e.start, `+groupKey[groupBy]+` AS k, `+keptSums(sums.Interval()).sql()+`
		FROM event_counts e LEFT JOIN countries c ON c.id = e.country WHERE `+strings.Join(where, " AND ")+`
		GROUP BY e.start, k`, args...)
	return scanCounts(sums, rows, err)
}

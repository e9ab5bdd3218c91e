package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
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
	sums := bucketSums{interval: interval, sums: map[bucketKey]*bucketSum{}}
	switch match {
	case "", db.MatchStart:
	case db.MatchOverlaps, db.MatchWithin:
		if f.TimeMatch == "" {
			f.TimeMatch = match
		}
		sums.overlaps = match == db.MatchOverlaps
		sums.within = match == db.MatchWithin
		sums.clip = rangeOf(f)
	default:
		return nil, db.Errorf(db.CodeInvalid, "unknown timeMatch %q: want START, OVERLAPS or WITHIN", match)
	}
	var err error
	// The kept counts know no participants: per actor or participant
	// country, the events are read.
	// They count each event by its start, with how many lie wholly in its
	// bucket: a count by span, or of those alone with their sums, reads the
	// events too.
	switch {
	case !sums.overlaps && !sums.within && f.OnlyTypesAndTime() && groupBy != db.GroupActor && groupBy != db.GroupParticipantCountry:
		err = s.keptCounts(ctx, &sums, f.EventTypes, groupBy, widthFor(interval), rangeOf(f))
	case (sums.overlaps || sums.within) && spanCountable(f, groupBy):
		err = s.keptSpanCounts(ctx, &sums, f, groupBy)
	default:
		err = s.filteredCounts(ctx, &sums, f, groupBy)
	}
	if err != nil {
		return nil, err
	}
	return sums.buckets(), nil
}

type bucketKey struct {
	start int64
	key   string
}

// bucketSum is one bucket being summed, with the parts of its mean.
type bucketSum struct {
	db.EventBucket
	intensitySum    float64
	intensityEvents int
}

// bucketSums folds counts of days (or months) into buckets of an interval.
type bucketSums struct {
	interval db.Interval
	sums     map[bucketKey]*bucketSum
	// overlaps spreads each count over every bucket from its start's to
	// its last's, within clip; within counts only the events that lie
	// wholly in one bucket.
	overlaps, within bool
	clip             timeRange
}

// countRow is one row of counts: the events that start on the day (or
// month) start, for one key, and what they sum to. Rows read from the
// events also give the day their spans end on (last), and leave certain
// to be found from it (-1); the kept counts give certain for the interval
// and last = start.
type countRow struct {
	start, last     int64
	key             string
	events, certain int
	fatalities      int
	low, high       int
	intensitySum    float64
	intensityEvents int
}

// add counts a row in the bucket of its start or, with overlaps, in each
// bucket from its start's to its last's.
func (b *bucketSums) add(r countRow) error {
	first := bucketOf(time.UnixMilli(r.start).UTC(), b.interval)
	last := first
	if r.last != r.start {
		last = bucketOf(time.UnixMilli(r.last).UTC(), b.interval)
	}
	if r.certain < 0 {
		r.certain = 0
		if first.Equal(last) {
			r.certain = r.events
		}
	}
	if b.within && r.certain < r.events {
		return nil
	}
	if !b.overlaps {
		return b.addTo(first, r)
	}
	// Only the days of the span within the window count: its first and
	// last day there, which a window that ends before it begins leaves
	// in the wrong order.
	lo, hi := r.start, r.last
	if b.clip.from != nil {
		lo = max(lo, unitStart(*b.clip.from, widthDay))
	}
	if b.clip.to != nil {
		hi = min(hi, unitStart(*b.clip.to-1, widthDay))
	}
	if lo > hi {
		return nil
	}
	first = bucketOf(time.UnixMilli(lo).UTC(), b.interval)
	last = bucketOf(time.UnixMilli(hi).UTC(), b.interval)
	for bucket := first; !bucket.After(last); bucket = nextBucket(bucket, b.interval) {
		if err := b.addTo(bucket, r); err != nil {
			return err
		}
	}
	return nil
}

func (b *bucketSums) addTo(bucket time.Time, r countRow) error {
	bk := bucketKey{bucket.UnixMilli(), r.key}
	sum := b.sums[bk]
	if sum == nil {
		if len(b.sums) == db.MaxEventBuckets {
			// Stop reading: the answer would be refused anyway.
			return db.Errorf(db.CodeTooComplex, "eventCounts would return more than %d buckets, the limit: "+
				"use a wider interval, a shorter from–to range or groupBy NONE", db.MaxEventBuckets)
		}
		sum = &bucketSum{EventBucket: db.EventBucket{Start: bucket, Key: r.key}}
		b.sums[bk] = sum
	}
	sum.Count += r.events
	sum.Certain += r.certain
	sum.Fatalities += r.fatalities
	sum.FatalitiesLow += r.low
	sum.FatalitiesHigh += r.high
	sum.intensitySum += r.intensitySum
	sum.intensityEvents += r.intensityEvents
	return nil
}

// nextBucket is the start of the bucket after the one starting at b.
func nextBucket(b time.Time, interval db.Interval) time.Time {
	switch interval {
	case db.IntervalWeek:
		return b.AddDate(0, 0, 7)
	case db.IntervalMonth:
		return b.AddDate(0, 1, 0)
	case db.IntervalYear:
		return b.AddDate(1, 0, 0)
	}
	return b.AddDate(0, 0, 1)
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

// scan adds rows of (start, last, key, the sums of countColumns), the
// answer to query.
func (b *bucketSums) scan(rows *sql.Rows, err error) error {
	if err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r countRow
		if err := rows.Scan(&r.start, &r.last, &r.key, &r.events, &r.certain, &r.fatalities, &r.low, &r.high, &r.intensitySum, &r.intensityEvents); err != nil {
			return fmt.Errorf("event counts: %w", err)
		}
		if err := b.add(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	return nil
}

// intensityDigits rounds a bucket's mean intensity: the sums kept by the
// triggers add and take away floating-point numbers, which leaves noise in
// the last bits that no intensity scale has.
const intensityDigits = 1e9

func (b *bucketSums) buckets() []db.EventBucket {
	out := make([]db.EventBucket, 0, len(b.sums))
	for _, s := range b.sums {
		bucket := s.EventBucket
		if s.intensityEvents > 0 {
			mean := math.Round(s.intensitySum/float64(s.intensityEvents)*intensityDigits) / intensityDigits
			if mean == 0 {
				// Noise below the rounding can be negative: no mean is -0.
				mean = 0
			}
			bucket.Intensity = ptrTo(mean)
		}
		out = append(out, bucket)
	}
	slices.SortFunc(out, func(a, b db.EventBucket) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

// filteredCounts counts the events matching f, selected through the
// timeline index, by reading them.
//
// SQL groups by day with integer arithmetic (a floor division that holds
// before 1970 too), which is several times faster than date functions per
// row; the few thousand day groups are then folded into weeks, months or
// years in Go.
func (s *Store) filteredCounts(ctx context.Context, sums *bucketSums, f db.TimelineFilter, groupBy db.CountGroup) error {
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
func (s *Store) countEvents(ctx context.Context, sums *bucketSums, where string, args []any, groupBy db.CountGroup) error {
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
	return sums.scan(s.read.QueryContext(ctx, `SELECT e.occurred_at - ((e.occurred_at % ?1) + ?1) % ?1 AS day,
		(e.span_end - 1) - (((e.span_end - 1) % ?1) + ?1) % ?1 AS last, `+groupKey[groupBy]+` AS k, `+eventSums.sql()+`
		FROM `+from+` WHERE `+where+`
		GROUP BY day, last, k`, append([]any{dayMillis}, args...)...))
}

// spanCountable says whether keptSpanCounts can answer a count by span:
// types and time alone, grouped by nothing or by type (event_span_counts
// keeps no countries), over a range whose bounds are whole days, by which
// the rows are keyed.
func spanCountable(f db.TimelineFilter, groupBy db.CountGroup) bool {
	g := f
	g.TimeMatch = ""
	if !g.OnlyTypesAndTime() || (groupBy != db.GroupNone && groupBy != db.GroupType) {
		return false
	}
	r := rangeOf(f)
	return (r.from == nil || *r.from%dayMillis == 0) && (r.to == nil || *r.to%dayMillis == 0)
}

// keptSpanCounts counts by span from the kept counts: the events that lie
// within one day are the day rows of event_counts less those of
// event_span_counts that start on the day, and lie in every bucket that
// holds that day; the others are event_span_counts' rows, which give the
// day each span starts and ends on, for add to spread or to keep as
// certain. f's range selects events as its TimeMatch says (by their start,
// their overlap or their lying within), which on whole days is a condition
// on those two days; add then clips each span to the range.
func (s *Store) keptSpanCounts(ctx context.Context, sums *bucketSums, f db.TimelineFilter, groupBy db.CountGroup) error {
	r := rangeOf(f)
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
	if r.from != nil {
		days, dayArgs = append(days, `start >= ?`), append(dayArgs, *r.from)
		switch f.TimeMatch {
		case db.MatchOverlaps:
			spans, spanArgs = append(spans, `last >= ?`), append(spanArgs, *r.from)
		default: // START and WITHIN: the span starts in the range
			spans, spanArgs = append(spans, `start >= ?`), append(spanArgs, *r.from)
		}
	}
	if r.to != nil {
		days, dayArgs = append(days, `start < ?`), append(dayArgs, *r.to)
		switch f.TimeMatch {
		case db.MatchWithin:
			spans, spanArgs = append(spans, `last < ?`), append(spanArgs, *r.to)
		default: // START and OVERLAPS: the span starts before the range ends
			spans, spanArgs = append(spans, `start < ?`), append(spanArgs, *r.to)
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
	oneDay := map[bucketKey]*countRow{}
	read := func(query string, args []any, sign int) error {
		rows, err := s.read.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("event counts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r countRow
			if err := rows.Scan(&r.start, &r.key, &r.events, &r.fatalities, &r.low, &r.high, &r.intensitySum, &r.intensityEvents); err != nil {
				return fmt.Errorf("event counts: %w", err)
			}
			bk := bucketKey{r.start, r.key}
			sum := oneDay[bk]
			if sum == nil {
				sum = &countRow{start: r.start, last: r.start, key: r.key, certain: -1}
				oneDay[bk] = sum
			}
			sum.events += sign * r.events
			sum.fatalities += sign * r.fatalities
			sum.low += sign * r.low
			sum.high += sign * r.high
			sum.intensitySum += float64(sign) * r.intensitySum
			sum.intensityEvents += sign * r.intensityEvents
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
		if r.events > 0 {
			if err := sums.add(*r); err != nil {
				return err
			}
		}
	}
	return sums.scan(s.read.QueryContext(ctx, `SELECT start, last, `+key+`, events, -1, fatalities, fatalities_low, fatalities_high,
		intensity_sum, intensity_events FROM event_span_counts WHERE `+spanWhere, spanArgs...))
}

// The widths of the kept counts (event_counts.width), and the raw events
// below them.
const (
	widthRaw   = -1
	widthDay   = 0
	widthMonth = 1
)

// widthFor is the widest kept count whose buckets each lie within one bucket
// of interval: months for months and years, days for days and weeks.
func widthFor(interval db.Interval) int {
	if interval == db.IntervalMonth || interval == db.IntervalYear {
		return widthMonth
	}
	return widthDay
}

// timeRange is [from, to) in Unix ms; a nil bound is open.
type timeRange struct{ from, to *int64 }

func rangeOf(f db.TimelineFilter) timeRange {
	var r timeRange
	if f.From != nil {
		r.from = ptrTo(f.From.UnixMilli())
	}
	if f.To != nil {
		r.to = ptrTo(f.To.UnixMilli())
	}
	return r
}

func ptrTo[T any](v T) *T { return &v }

// unitStart is the start of the day (or month) that holds ms.
func unitStart(ms int64, width int) int64 {
	day := ms - (ms%dayMillis+dayMillis)%dayMillis
	if width == widthMonth {
		t := time.UnixMilli(day).UTC()
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	}
	return day
}

// unitCeil is the first day (or month) start at or after ms.
func unitCeil(ms int64, width int) int64 {
	start := unitStart(ms, width)
	if start == ms {
		return ms
	}
	if width == widthMonth {
		return time.UnixMilli(start).UTC().AddDate(0, 1, 0).UnixMilli()
	}
	return start + dayMillis
}

// keptCounts counts the events of the given types (any type when none is
// given) in r from the kept counts of the given width: the whole days (or
// months) that r covers are rows of event_counts, and the parts of r that
// cover a day (or month) only in part are counted at the next finer width,
// down to reading the events of a partial day. The answer is thus exact for
// any from and to, and reads at most two partial days of events.
func (s *Store) keptCounts(ctx context.Context, sums *bucketSums, types []db.EventType, groupBy db.CountGroup, width int, r timeRange) error {
	if r.from != nil && r.to != nil && *r.from >= *r.to {
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
		if r.from != nil {
			where, args = append(where, `e.occurred_at >= ?`), append(args, *r.from)
		}
		if r.to != nil {
			where, args = append(where, `e.occurred_at < ?`), append(args, *r.to)
		}
		return s.countEvents(ctx, sums, strings.Join(append([]string{"true"}, where...), " AND "), args, groupBy)
	}
	// whole is the part of r made of whole units.
	whole := r
	if r.from != nil {
		whole.from = ptrTo(unitCeil(*r.from, width))
	}
	if r.to != nil {
		whole.to = ptrTo(unitStart(*r.to, width))
	}
	if whole.from != nil && whole.to != nil && *whole.from >= *whole.to {
		// r lies within one unit, or two adjacent partial ones.
		return s.keptCounts(ctx, sums, types, groupBy, width-1, r)
	}
	if r.from != nil && *r.from < *whole.from {
		if err := s.keptCounts(ctx, sums, types, groupBy, width-1, timeRange{r.from, whole.from}); err != nil {
			return err
		}
	}
	if r.to != nil && *whole.to < *r.to {
		if err := s.keptCounts(ctx, sums, types, groupBy, width-1, timeRange{whole.to, r.to}); err != nil {
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
	if whole.from != nil {
		where, args = append(where, `e.start >= ?`), append(args, *whole.from)
	}
	if whole.to != nil {
		where, args = append(where, `e.start < ?`), append(args, *whole.to)
	}
	return sums.scan(s.read.QueryContext(ctx, `SELECT e.start, e.start, `+groupKey[groupBy]+` AS k, `+keptSums(sums.interval).sql()+`
		FROM event_counts e LEFT JOIN countries c ON c.id = e.country WHERE `+strings.Join(where, " AND ")+`
		GROUP BY e.start, k`, args...))
}

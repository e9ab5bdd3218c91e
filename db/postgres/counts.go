package postgres

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
)

// EventCounts is the SQLite store's (db/sqlite/dashboard.go), with its
// rules, limits, errors and answers: the kept counts (event_counts,
// event_span_counts) where they can answer, the matching events read
// otherwise, folded into buckets in Go.

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
	// Only the days of the span within the window count.
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

// scan adds rows of (start, last, key, the sums of countColumns), the
// answer to a query.
func (b *bucketSums) scan(rows pgx.Rows, err error) error {
	if err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r countRow
		if err := rows.Scan(&r.start, &r.last, &r.key, &r.events, &r.certain, &r.fatalities, &r.low, &r.high,
			&r.intensitySum, &r.intensityEvents); err != nil {
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

// intensityDigits rounds a bucket's mean intensity: the kept sums add and
// take away floating-point numbers, which leaves noise in the last bits
// that no intensity scale has.
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
			bucket.Intensity = &mean
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

// sqlArgs numbers the parameters of one statement.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// filteredCounts counts the events matching f, selected through the
// timeline index, by reading them.
func (s *Store) filteredCounts(ctx context.Context, sums *bucketSums, f db.TimelineFilter, groupBy db.CountGroup) error {
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
func (s *Store) countEvents(ctx context.Context, sums *bucketSums, where string, args *sqlArgs, groupBy db.CountGroup) error {
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
	day := lit(dayMillis)
	return sums.scan(s.pool.Query(ctx, `SELECT e.occurred_at - ((e.occurred_at % `+day+`) + `+day+`) % `+day+` AS day,
		(e.span_end - 1) - (((e.span_end - 1) % `+day+`) + `+day+`) % `+day+` AS last, `+groupKey[groupBy]+` AS k, `+eventSums.sql()+`
		FROM `+from+` WHERE `+where+`
		GROUP BY day, last, k`, *args...))
}

// spanCountable says whether keptSpanCounts can answer a count by span:
// types and time alone, grouped by nothing or by type, over a range whose
// bounds are whole days.
func spanCountable(f db.TimelineFilter, groupBy db.CountGroup) bool {
	g := f
	g.TimeMatch = ""
	if !g.OnlyTypesAndTime() || (groupBy != db.GroupNone && groupBy != db.GroupType) {
		return false
	}
	r := rangeOf(f)
	return (r.from == nil || *r.from%dayMillis == 0) && (r.to == nil || *r.to%dayMillis == 0)
}

// keptSpanCounts counts by span from the kept counts, as SQLite's: the
// events within one day are the day rows of event_counts less those of
// event_span_counts that start on the day; the others are
// event_span_counts' rows, spread by add.
func (s *Store) keptSpanCounts(ctx context.Context, sums *bucketSums, f db.TimelineFilter, groupBy db.CountGroup) error {
	r := rangeOf(f)
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
	if r.from != nil {
		days = append(days, `start >= `+dayArgs.add(*r.from))
		switch f.TimeMatch {
		case db.MatchOverlaps:
			spans = append(spans, `last >= `+spanArgs.add(*r.from))
		default: // START and WITHIN: the span starts in the range
			spans = append(spans, `start >= `+spanArgs.add(*r.from))
		}
	}
	if r.to != nil {
		days = append(days, `start < `+dayArgs.add(*r.to))
		switch f.TimeMatch {
		case db.MatchWithin:
			spans = append(spans, `last < `+spanArgs.add(*r.to))
		default: // START and OVERLAPS: the span starts before the range ends
			spans = append(spans, `start < `+spanArgs.add(*r.to))
		}
	}
	dayWhere, spanWhere := strings.Join(days, " AND "), strings.Join(spans, " AND ")
	const sumsOf = `sum(events)::bigint, sum(fatalities)::bigint, sum(fatalities_low)::bigint, sum(fatalities_high)::bigint,
		sum(intensity_sum)::double precision, sum(intensity_events)::bigint`
	key := `''::text`
	if groupBy == db.GroupType {
		key = `type`
	}
	oneDay := map[bucketKey]*countRow{}
	read := func(query string, args []any, sign int) error {
		rows, err := s.pool.Query(ctx, query, args...)
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
		if r.events > 0 {
			if err := sums.add(*r); err != nil {
				return err
			}
		}
	}
	return sums.scan(s.pool.Query(ctx, `SELECT start, last, `+key+`, events, -1, fatalities, fatalities_low, fatalities_high,
		intensity_sum, intensity_events FROM event_span_counts WHERE `+spanWhere, spanArgs...))
}

func eventTypeStrings(types []db.EventType) []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = string(t)
	}
	return out
}

// The widths of the kept counts (event_counts.width), and the raw events
// below them.
const (
	widthRaw   = -1
	widthDay   = 0
	widthMonth = 1
)

// widthFor is the widest kept count whose buckets each lie within one
// bucket of interval: months for months and years, days for days and weeks.
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
		ms := f.From.UnixMilli()
		r.from = &ms
	}
	if f.To != nil {
		ms := f.To.UnixMilli()
		r.to = &ms
	}
	return r
}

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
// months) that r covers are rows of event_counts, the parts of r that
// cover a unit only in part are counted at the next finer width, down to
// reading the events of a partial day. Exact for any from and to.
func (s *Store) keptCounts(ctx context.Context, sums *bucketSums, types []db.EventType, groupBy db.CountGroup, width int, r timeRange) error {
	if r.from != nil && r.to != nil && *r.from >= *r.to {
		return nil
	}
	var args sqlArgs
	var where []string
	if len(types) > 0 {
		where = append(where, `e.type = ANY (`+args.add(eventTypeStrings(types))+`)`)
	}
	if width == widthRaw {
		if r.from != nil {
			where = append(where, `e.occurred_at >= `+args.add(*r.from))
		}
		if r.to != nil {
			where = append(where, `e.occurred_at < `+args.add(*r.to))
		}
		return s.countEvents(ctx, sums, strings.Join(append([]string{"true"}, where...), " AND "), &args, groupBy)
	}
	whole := r
	if r.from != nil {
		v := unitCeil(*r.from, width)
		whole.from = &v
	}
	if r.to != nil {
		v := unitStart(*r.to, width)
		whole.to = &v
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
	where = append(where, `e.width = `+args.add(width), `e.grain = `+args.add(grain))
	if whole.from != nil {
		where = append(where, `e.start >= `+args.add(*whole.from))
	}
	if whole.to != nil {
		where = append(where, `e.start < `+args.add(*whole.to))
	}
	return sums.scan(s.pool.Query(ctx, `SELECT e.start, e.start, `+groupKey[groupBy]+` AS k, `+keptSums(sums.interval).sql()+`
		FROM event_counts e LEFT JOIN countries c ON c.id = e.country WHERE `+strings.Join(where, " AND ")+`
		GROUP BY e.start, k`, args...))
}

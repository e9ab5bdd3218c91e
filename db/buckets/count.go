package buckets

import (
	"context"
	"fmt"

	"github.com/geotimeline/geotimeline/db"
)

// Source is what Count reads of a store, each read adding what it finds to
// sums (through AddRows, or add for DaySums): the store keeps its SQL, and
// Count decides which counts answer, and how a range is cut into them.
type Source interface {
	// Filtered adds the events matching f (Include events alone), read
	// by day, start and last day, and key.
	Filtered(ctx context.Context, sums *Sums, f db.TimelineFilter, groupBy db.CountGroup) error
	// Raw adds the events of types (any type when none is given) that
	// start in r, read as Filtered reads.
	Raw(ctx context.Context, sums *Sums, types []db.EventType, groupBy db.CountGroup, r Range) error
	// Kept adds the kept counts (event_counts) of width and grain that
	// start in r, of types when some are given, by start and key, with
	// the certain count of sums' interval.
	Kept(ctx context.Context, sums *Sums, types []db.EventType, groupBy db.CountGroup, width, grain int, r Range) error
	// DaySums calls add with the sums by start and key (no last, no
	// certain) of the day rows of event_counts (spans false) or of the
	// rows of event_span_counts (spans true) that q selects by their
	// start (SpanQuery.DayRange).
	DaySums(ctx context.Context, q SpanQuery, spans bool, add func(Row)) error
	// Spans adds the rows of event_span_counts that q selects
	// (SpanQuery.SpanRange), each with its start, last day and key.
	Spans(ctx context.Context, sums *Sums, q SpanQuery) error
}

// SpanQuery is what a count by span asks of the kept span counts: the grain
// of the rows (1 by type, 0 over all), the types when some are given, and
// f's range and TimeMatch, which select the rows as DayRange and SpanRange
// say. ByType keys the rows by their type, else by "".
type SpanQuery struct {
	Grain  int
	Types  []db.EventType
	ByType bool
	Range  Range
	Match  db.TimeMatch
}

// Bound is one condition of a range on a column of the kept span counts:
// Column >= Value (From) or Column < Value (!From).
type Bound struct {
	Column string // "start" or "last"
	From   bool
	Value  int64
}

// DayRange is the bounds on the one-day rows: their start lies in the range.
func (q SpanQuery) DayRange() []Bound {
	var out []Bound
	if q.Range.From != nil {
		out = append(out, Bound{"start", true, *q.Range.From})
	}
	if q.Range.To != nil {
		out = append(out, Bound{"start", false, *q.Range.To})
	}
	return out
}

// SpanRange is the bounds on the spans as the query's TimeMatch selects
// them, which on whole days is a condition on the days a span starts and
// ends on.
func (q SpanQuery) SpanRange() []Bound {
	var out []Bound
	if q.Range.From != nil {
		col := "start" // START and WITHIN: the span starts in the range
		if q.Match == db.MatchOverlaps {
			col = "last"
		}
		out = append(out, Bound{col, true, *q.Range.From})
	}
	if q.Range.To != nil {
		col := "start" // START and OVERLAPS: the span starts before the range ends
		if q.Match == db.MatchWithin {
			col = "last"
		}
		out = append(out, Bound{col, false, *q.Range.To})
	}
	return out
}

// groups are the groupings eventCounts knows.
var groups = map[db.CountGroup]bool{
	db.GroupType: true, db.GroupCountry: true, db.GroupNone: true, db.GroupActor: true, db.GroupParticipantCountry: true,
}

// Count counts the events matching f (its Include is ignored: only events
// count) per bucket of interval and per key of groupBy, with their
// fatalities, fatality ranges and mean intensity, and how many lie wholly
// in the bucket (certain), reading them from src. Empty buckets are
// omitted; buckets come by start, then key.
//
// With match START (or "") an event counts in the bucket of its start
// instant, so a month-precise event counts on the first of its month. With
// OVERLAPS it counts in every bucket its span meets, within f's [From, To)
// when f gives them; f then selects events by overlap too unless it sets a
// TimeMatch of its own (an event under way when the window opens belongs
// to its first bucket). With WITHIN only the events that lie wholly in one
// bucket count, in it: every count is then certain.
//
// START with a filter of event types and a time range alone (or none) is
// answered from the kept counts (event_counts, migrations 00006 and
// 00012), whatever the number of events; see kept. So are OVERLAPS and
// WITHIN when the range starts and ends on whole days (a date, as the
// dashboard sends) and the grouping is by type or none: see KeptSpans.
// Actors, roles, countries, text and the other filters select events by
// what the counts do not record, OVERLAPS spreads an event over buckets the
// counts cannot tell apart, and WITHIN sums only the certain events, which
// the counts count but do not sum: those read the matching events instead.
//
// Errors: BAD_USER_INPUT for an unknown interval, grouping or match;
// TOO_COMPLEX past db.MaxEventBuckets buckets; whatever src returns.
func Count(ctx context.Context, src Source, f db.TimelineFilter, interval db.Interval, groupBy db.CountGroup, match db.TimeMatch) ([]db.EventBucket, error) {
	switch interval {
	case db.IntervalDay, db.IntervalWeek, db.IntervalMonth, db.IntervalYear:
	default:
		return nil, db.Errorf(db.CodeInvalid, "unknown interval %q", interval)
	}
	if groupBy == "" {
		groupBy = db.GroupNone
	}
	if !groups[groupBy] {
		return nil, db.Errorf(db.CodeInvalid, "unknown grouping %q", groupBy)
	}
	var overlaps, within bool
	var clip Range
	switch match {
	case "", db.MatchStart:
	case db.MatchOverlaps, db.MatchWithin:
		if f.TimeMatch == "" {
			f.TimeMatch = match
		}
		overlaps, within = match == db.MatchOverlaps, match == db.MatchWithin
		clip = RangeOf(f)
	default:
		return nil, db.Errorf(db.CodeInvalid, "unknown timeMatch %q: want START, OVERLAPS or WITHIN", match)
	}
	sums := New(interval, overlaps, within, clip)
	var err error
	// The kept counts know no participants: per actor or participant
	// country, the events are read.
	// They count each event by its start, with how many lie wholly in its
	// bucket: a count by span, or of those alone with their sums, reads the
	// events too.
	switch {
	case !sums.Spans() && f.OnlyTypesAndTime() && groupBy != db.GroupActor && groupBy != db.GroupParticipantCountry:
		err = kept(ctx, src, sums, f.EventTypes, groupBy, WidthFor(interval), RangeOf(f))
	case sums.Spans() && SpanCountable(f, groupBy):
		err = KeptSpans(ctx, src, sums, f, groupBy)
	default:
		err = src.Filtered(ctx, sums, f, groupBy)
	}
	if err != nil {
		return nil, err
	}
	return sums.Buckets(), nil
}

// kept counts the events of the given types (any type when none is given)
// in r from the kept counts of the given width: the whole days (or months)
// that r covers are rows of event_counts, and the parts of r that cover a
// day (or month) only in part are counted at the next finer width, down to
// reading the events of a partial day. The answer is thus exact for any
// from and to, and reads at most two partial days of events.
func kept(ctx context.Context, src Source, sums *Sums, types []db.EventType, groupBy db.CountGroup, width int, r Range) error {
	if r.From != nil && r.To != nil && *r.From >= *r.To {
		return nil
	}
	if width == WidthRaw {
		return src.Raw(ctx, sums, types, groupBy, r)
	}
	// whole is the part of r made of whole units.
	whole := r
	if r.From != nil {
		v := UnitCeil(*r.From, width)
		whole.From = &v
	}
	if r.To != nil {
		v := UnitStart(*r.To, width)
		whole.To = &v
	}
	if whole.From != nil && whole.To != nil && *whole.From >= *whole.To {
		// r lies within one unit, or two adjacent partial ones.
		return kept(ctx, src, sums, types, groupBy, width-1, r)
	}
	if r.From != nil && *r.From < *whole.From {
		if err := kept(ctx, src, sums, types, groupBy, width-1, Range{From: r.From, To: whole.From}); err != nil {
			return err
		}
	}
	if r.To != nil && *whole.To < *r.To {
		if err := kept(ctx, src, sums, types, groupBy, width-1, Range{From: whole.To, To: r.To}); err != nil {
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
	return src.Kept(ctx, sums, types, groupBy, width, grain, whole)
}

// KeptSpans counts by span from the kept counts, as Count does when
// SpanCountable says they can answer (exported so that a store's tests can
// hold it against reading the events): the events that lie
// within one day are the day rows of event_counts less those of
// event_span_counts that start on the day, and lie in every bucket that
// holds that day; the others are event_span_counts' rows, which give the
// day each span starts and ends on, for Add to spread or to keep as
// certain. f's range selects events as its TimeMatch says (by their start,
// their overlap or their lying within); Add then clips each span to the
// range.
//
// Three reads rather than one UNION grouped in SQL: each is a range of its
// table's primary key, and the subtraction is a map here (on SQLite at 1M
// generated events 32 ms of SQL became 15).
func KeptSpans(ctx context.Context, src Source, sums *Sums, f db.TimelineFilter, groupBy db.CountGroup) error {
	q := SpanQuery{Types: f.EventTypes, ByType: groupBy == db.GroupType, Range: RangeOf(f), Match: f.TimeMatch}
	if len(f.EventTypes) > 0 || groupBy == db.GroupType {
		q.Grain = 1
	}
	type dayKey struct {
		start int64
		key   string
	}
	oneDay := map[dayKey]*Row{}
	add := func(sign int) func(Row) {
		return func(r Row) {
			dk := dayKey{r.Start, r.Key}
			sum := oneDay[dk]
			if sum == nil {
				sum = &Row{Start: r.Start, Last: r.Start, Key: r.Key, Certain: -1}
				oneDay[dk] = sum
			}
			sum.Events += sign * r.Events
			sum.Fatalities += sign * r.Fatalities
			sum.Low += sign * r.Low
			sum.High += sign * r.High
			sum.IntensitySum += float64(sign) * r.IntensitySum
			sum.IntensityEvents += sign * r.IntensityEvents
		}
	}
	if err := src.DaySums(ctx, q, false, add(1)); err != nil {
		return err
	}
	if err := src.DaySums(ctx, q, true, add(-1)); err != nil {
		return err
	}
	for _, r := range oneDay {
		if r.Events > 0 {
			if err := sums.Add(*r); err != nil {
				return err
			}
		}
	}
	return src.Spans(ctx, sums, q)
}

// Rows is what AddRows and ScanDays read of a store's query: database/sql's
// *Rows and pgx's Rows both have this shape. The store closes them.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// AddRows adds to sums rows of (start, last, key, events, certain,
// fatalities, fatalities low, fatalities high, intensity sum, intensity
// events).
//
// Errors: TOO_COMPLEX from Add, so that the store stops reading; a scan's
// or the rows' error, wrapped.
func AddRows(sums *Sums, rows Rows) error {
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.Start, &r.Last, &r.Key, &r.Events, &r.Certain, &r.Fatalities, &r.Low, &r.High,
			&r.IntensitySum, &r.IntensityEvents); err != nil {
			return fmt.Errorf("event counts: %w", err)
		}
		if err := sums.Add(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	return nil
}

// ScanDays calls add with rows of (start, key, events, fatalities,
// fatalities low, fatalities high, intensity sum, intensity events), as
// Source.DaySums reads them.
func ScanDays(rows Rows, add func(Row)) error {
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.Start, &r.Key, &r.Events, &r.Fatalities, &r.Low, &r.High, &r.IntensitySum, &r.IntensityEvents); err != nil {
			return fmt.Errorf("event counts: %w", err)
		}
		add(r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	return nil
}

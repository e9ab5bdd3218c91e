package buckets

import (
	"context"
	"fmt"
	"slices"

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
	// the certain count of sums' interval; KeptOnePerKey says when the
	// rows need no grouping.
	Kept(ctx context.Context, sums *Sums, types []db.EventType, groupBy db.CountGroup, width, grain int, r Range) error
	// UnitSums calls add with the sums by start and key (no last, no
	// certain) of the rows of event_counts of q's width (days or months)
	// that q selects by their start (SpanQuery.StartRange);
	// SpanQuery.OnePerKey says when they need no grouping.
	UnitSums(ctx context.Context, q SpanQuery, add func(Row)) error
	// Spans calls add with the rows of event_span_counts of q's width,
	// grain and types within bounds, each with its start, last unit and
	// key, and certain -1; it stops at add's first error and returns it.
	Spans(ctx context.Context, q SpanQuery, bounds []Bound, add func(Row) error) error
}

// SpanQuery is what a count by span asks of the kept span counts: the width
// of the rows (WidthDay: keyed by the days a span starts and ends on;
// WidthMonth: by the months, for the spans that reach past the month they
// start in), their grain (as kept's: bit 1 by type, 2 by country, 4 by
// participants' country), the types when some are given, and f's range
// and TimeMatch, which select the rows as StartRange and SpanRange say.
// Group keys the rows (by type, country, participants' country or none).
type SpanQuery struct {
	Width int
	Grain int
	Types []db.EventType
	Group db.CountGroup
	Range Range
	Match db.TimeMatch
}

// Bound is one condition of a range on a column of the kept span counts:
// Column >= Value (From) or Column < Value (!From).
type Bound struct {
	Column string // "start" or "last"
	From   bool
	Value  int64
}

// OnePerKey reports whether the rows of event_counts of q's width, grain
// and types hold one row per start and key, by KeptOnePerKey's rule for
// Kept's.
func (q SpanQuery) OnePerKey() bool {
	return KeptOnePerKey(q.Types, q.Group)
}

// StartRange is the bounds on the rows of the events that lie within one
// unit (day or month): their start lies in the range.
func (q SpanQuery) StartRange() []Bound {
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
// them, which on whole units is a condition on the units a span starts and
// ends in.
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
// START with a filter of event types and a time range alone (or none),
// grouped by anything but actor, is answered from the kept counts
// (event_counts, migrations 00006, 00012 and, by participants' countries,
// 00020), whatever the number of events; see kept. So are OVERLAPS and
// WITHIN when the range starts and ends on whole days (a date, as the
// dashboard sends) and the grouping is by anything but actor: see
// KeptSpans; and START over such a filter that selects by span: see
// KeptStartsBySpan.
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
	// The kept counts know no actors: per actor, the events are read.
	// They count each event by its start, with how many lie wholly in its
	// bucket: a count by span, or of those alone with their sums, reads the
	// events too.
	switch {
	case !sums.Spans() && f.OnlyTypesAndTime() && groupBy != db.GroupActor:
		err = kept(ctx, src, sums, f.EventTypes, groupBy, WidthFor(interval), RangeOf(f))
	case sums.Spans() && SpanCountable(f, groupBy):
		err = KeptSpans(ctx, src, sums, f, groupBy)
	case !sums.Spans() && SpanCountable(f, groupBy):
		err = KeptStartsBySpan(ctx, src, sums, f, groupBy)
	default:
		err = src.Filtered(ctx, sums, f, groupBy)
	}
	if err != nil {
		return nil, err
	}
	return sums.Buckets(), nil
}

// Total is the number of events that f selects (its Include is ignored),
// from the kept counts, whatever the number of events: what a timeline's
// total needs for a filter of event types and time alone. ok is false when
// the kept counts cannot say (f selects by what they do not record, by span
// over a range that is not whole days, by a TimeMatch Count does not know,
// or over more years than one count answers) and the caller counts the
// events itself. Count by START counts each event f selects once, in the
// year it starts in: the sum of its buckets is the total.
func Total(ctx context.Context, src Source, f db.TimelineFilter) (n int, ok bool, err error) {
	switch f.TimeMatch {
	case "", db.MatchStart, db.MatchOverlaps, db.MatchWithin:
	default:
		return 0, false, nil
	}
	if !f.OnlyTypesAndTime() && !SpanCountable(f, db.GroupNone) {
		return 0, false, nil
	}
	bs, err := Count(ctx, src, f, db.IntervalYear, db.GroupNone, db.MatchStart)
	if db.ErrorCode(err) == db.CodeTooComplex {
		return 0, false, nil
	}
	if err != nil {
		return 0, true, err
	}
	for _, b := range bs {
		n += b.Count
	}
	return n, true, nil
}

// TimelineTotal is the number of items of a timeline that f restricts by
// nothing but kind, event type and time, if it does: the events from the
// kept counts (Total), and the statements, which event types do not
// restrict, as statements counts those in f's window. ok is false for any
// other f, and when Total's is.
func TimelineTotal(ctx context.Context, src Source, f db.TimelineFilter,
	statements func(context.Context, db.TimelineFilter) (int, error)) (n int, ok bool, err error) {
	if !f.OnlyTypesAndTimeOfAnyMatch() {
		return 0, false, nil
	}
	include := f.Include
	if len(include) == 0 {
		include = []db.ItemKind{db.ItemEvent, db.ItemStatement}
	}
	if slices.Contains(include, db.ItemEvent) {
		if n, ok, err = Total(ctx, src, f); !ok || err != nil {
			return 0, ok, err
		}
	}
	if slices.Contains(include, db.ItemStatement) {
		m, err := statements(ctx, f)
		if err != nil {
			return 0, true, err
		}
		n += m
	}
	return n, true, nil
}

// kept counts the events of the given types (any type when none is given)
// in r from the kept counts of the given width: the whole days (months,
// years) that r covers are rows of event_counts, and the parts of r that
// cover a unit only in part are counted at the next finer width, down to
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
	return src.Kept(ctx, sums, types, groupBy, width, grainOf(types, groupBy), whole)
}

// KeptOnePerKey reports whether the kept counts that Kept reads for types
// and groupBy hold one row per start and key already: without a list of
// types to add up, or grouped by type, no two rows of a width and grain
// share a start and a key. A store then reads them without GROUP BY, which
// on SQLite at 1M generated events was most of the time of a count by
// country over ten years (its 22 000 monthly rows: 30 ms grouped, 2 ms
// read). Add sums what shares a bucket either way.
func KeptOnePerKey(types []db.EventType, groupBy db.CountGroup) bool {
	return len(types) == 0 || groupBy == db.GroupType
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
// By month or year over whole months (SpanUnit), the same holds of months:
// the month rows of both tables answer, which at 1M generated events are a
// twentieth of the day rows.
//
// Two reads rather than one UNION grouped in SQL: each is a range of its
// table's primary key, and the subtraction is a map here (on SQLite at 1M
// generated events 32 ms of SQL became 15). The spans are read once, for
// the days they leave and for spreading (a third read, the spans grouped
// by start, took 15 of a monthly count's ~110 ms there).
func KeptSpans(ctx context.Context, src Source, sums *Sums, f db.TimelineFilter, groupBy db.CountGroup) error {
	q := spanQuery(f, groupBy, SpanUnit(f, sums.Interval()))
	type dayKey struct {
		start int64
		key   string
	}
	oneUnit := map[dayKey]*Row{}
	add := func(sign int, r Row) {
		dk := dayKey{r.Start, r.Key}
		sum := oneUnit[dk]
		if sum == nil {
			sum = &Row{Start: r.Start, Last: r.Start, Key: r.Key, Certain: -1}
			oneUnit[dk] = sum
		}
		sum.Events += sign * r.Events
		sum.Fatalities += sign * r.Fatalities
		sum.Low += sign * r.Low
		sum.High += sign * r.High
		sum.IntensitySum += float64(sign) * r.IntensitySum
		sum.IntensityEvents += sign * r.IntensityEvents
	}
	// One read of the spans serves both ends: those that start in the
	// range leave the unit they start in, those that q selects are spread.
	// WITHIN selects fewer spans than start in the range (not those that
	// end after it), so it reads these and leaves the others out here.
	starts, selected := q.StartRange(), q.SpanRange()
	read := selected
	if q.Match == db.MatchWithin {
		read = starts
	}
	if err := src.Spans(ctx, q, read, func(r Row) error {
		if within(r, starts) {
			add(-1, r)
		}
		if within(r, selected) {
			return sums.Add(r)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := src.UnitSums(ctx, q, func(r Row) { add(1, r) }); err != nil {
		return err
	}
	for _, r := range oneUnit {
		if r.Events > 0 {
			if err := sums.Add(*r); err != nil {
				return err
			}
		}
	}
	return nil
}

// spanQuery is what f and groupBy ask of the kept span counts of width:
// rows of kept's grain for f's types and groupBy.
func spanQuery(f db.TimelineFilter, groupBy db.CountGroup, width int) SpanQuery {
	return SpanQuery{Width: width, Grain: grainOf(f.EventTypes, groupBy), Types: f.EventTypes, Group: groupBy, Range: RangeOf(f),
		Match: f.TimeMatch}
}

// grainOf is the grain of the kept counts (event_counts.grain,
// event_span_counts.grain) that a count of types by groupBy reads. Its
// bits: 1 by type, 2 by the event's country, 4 by its participants'
// countries (migrations 00020 and 00021).
func grainOf(types []db.EventType, groupBy db.CountGroup) int {
	grain := 0
	if len(types) > 0 || groupBy == db.GroupType {
		grain |= 1
	}
	switch groupBy {
	case db.GroupCountry:
		grain |= 2
	case db.GroupParticipantCountry:
		grain |= 4
	}
	return grain
}

// SpanUnit is the width of the kept span counts that KeptSpans reads for
// f and interval: months for months and years when f's range starts and
// ends on whole months (or is open), so that each month lies in one
// bucket and the range holds whole months; days otherwise.
func SpanUnit(f db.TimelineFilter, interval db.Interval) int {
	if interval != db.IntervalMonth && interval != db.IntervalYear {
		return WidthDay
	}
	r := RangeOf(f)
	for _, b := range []*int64{r.From, r.To} {
		if b != nil && UnitStart(*b, WidthMonth) != *b {
			return WidthDay
		}
	}
	return WidthMonth
}

// KeptStartsBySpan counts by start the events that f selects by span
// (OVERLAPS or WITHIN over whole days), from the kept counts, as Count does
// when SpanCountable says they can answer: the events that start in the
// range (kept), with, for OVERLAPS, the spans that start before it and end
// in it or after, and less, for WITHIN, the spans that start in it and end
// after it (event_span_counts: a one-day event that starts in the range
// lies within it). The dashboard's histogram asks this for its totals when
// its Dated control is not "starting in": at 1M generated events it read
// every event, 1.4 s.
func KeptStartsBySpan(ctx context.Context, src Source, sums *Sums, f db.TimelineFilter, groupBy db.CountGroup) error {
	r := RangeOf(f)
	if err := kept(ctx, src, sums, f.EventTypes, groupBy, WidthFor(sums.Interval()), r); err != nil {
		return err
	}
	q := spanQuery(f, groupBy, WidthDay)
	switch {
	case f.TimeMatch == db.MatchOverlaps && r.From != nil:
		// Starting before the range and before its end (which a window
		// whose end comes first makes two conditions), reaching into it.
		bounds := []Bound{{"start", false, *r.From}, {"last", true, *r.From}}
		if r.To != nil {
			bounds = append(bounds, Bound{"start", false, *r.To})
		}
		return src.Spans(ctx, q, bounds, sums.Add)
	case f.TimeMatch == db.MatchWithin && r.To != nil:
		bounds := []Bound{{"start", false, *r.To}, {"last", true, *r.To}}
		if r.From != nil {
			bounds = append(bounds, Bound{"start", true, *r.From})
		}
		return src.Spans(ctx, q, bounds, func(row Row) error { return sums.Add(negated(row)) })
	}
	return nil
}

// negated is a row that takes away what r adds.
func negated(r Row) Row {
	r.Events, r.Fatalities, r.Low, r.High = -r.Events, -r.Fatalities, -r.Low, -r.High
	r.IntensitySum, r.IntensityEvents = -r.IntensitySum, -r.IntensityEvents
	return r
}

// within reports whether a span row meets every bound.
func within(r Row, bounds []Bound) bool {
	for _, b := range bounds {
		v := r.Start
		if b.Column == "last" {
			v = r.Last
		}
		if b.From && v < b.Value || !b.From && v >= b.Value {
			return false
		}
	}
	return true
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
	return ScanRows(rows, sums.Add)
}

// ScanRows calls add with each of rows, read as AddRows reads them, and
// stops at add's first error.
func ScanRows(rows Rows, add func(Row) error) error {
	var v values
	for rows.Next() {
		if err := v.scan(rows, 10); err != nil {
			return err
		}
		r := Row{Start: v.int64(0), Last: v.int64(1), Key: v.string(2), Events: v.int(3), Certain: v.int(4), Fatalities: v.int(5),
			Low: v.int(6), High: v.int(7), IntensitySum: v.float(8), IntensityEvents: v.int(9)}
		if v.err != nil {
			return v.err
		}
		if err := add(r); err != nil {
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
	var v values
	for rows.Next() {
		if err := v.scan(rows, 8); err != nil {
			return err
		}
		r := Row{Start: v.int64(0), Key: v.string(1), Events: v.int(2), Fatalities: v.int(3), Low: v.int(4), High: v.int(5),
			IntensitySum: v.float(6), IntensityEvents: v.int(7)}
		if v.err != nil {
			return v.err
		}
		add(r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	return nil
}

// values reads a row's columns as the driver gives them (through *any)
// and converts them here: database/sql turns a driver's int64 into an int
// through its decimal text (FormatInt, then ParseInt) and into an int64
// through reflection, which took a fifth of a monthly count's CPU over the
// 30 000 span rows of 1M generated events. SQLite gives int64, float64 and
// string (or []byte); pgx gives int32 for a plain integer literal too.
// The first value of another type (a NULL among them, which Scan refused
// before) is kept in err.
type values struct {
	vals, ptrs []any
	err        error
}

func (v *values) scan(rows Rows, n int) error {
	if len(v.vals) != n {
		v.vals, v.ptrs = make([]any, n), make([]any, n)
		for i := range v.vals {
			v.ptrs[i] = &v.vals[i]
		}
	}
	if err := rows.Scan(v.ptrs...); err != nil {
		return fmt.Errorf("event counts: %w", err)
	}
	return nil
}

func (v *values) int64(i int) int64 {
	switch x := v.vals[i].(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	}
	v.fail(i)
	return 0
}

func (v *values) int(i int) int { return int(v.int64(i)) }

func (v *values) float(i int) float64 {
	switch x := v.vals[i].(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	}
	v.fail(i)
	return 0
}

func (v *values) string(i int) string {
	switch x := v.vals[i].(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	v.fail(i)
	return ""
}

func (v *values) fail(i int) {
	if v.err == nil {
		v.err = fmt.Errorf("event counts: column %d is a %T", i, v.vals[i])
	}
}

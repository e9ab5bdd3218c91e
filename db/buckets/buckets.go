// Package buckets folds counts of events by day (or month) into the time
// buckets of eventCounts, the same for every store: a store reads its
// counts, grouped by day and key, and adds them here as Rows; Buckets is
// the answer. It also holds the calendar arithmetic the stores' count
// queries share (units of the kept counts, ranges).
package buckets

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// DayMillis is a day in Unix ms.
const DayMillis = 24 * 60 * 60 * 1000

// The widths of the kept counts (a store's event_counts.width), and the
// raw events below them.
const (
	WidthRaw   = -1
	WidthDay   = 0
	WidthMonth = 1
	WidthYear  = 2
)

// WidthFor is the widest kept count whose buckets each lie within one
// bucket of interval: years for years, months for months, days for days
// and weeks.
func WidthFor(interval db.Interval) int {
	switch interval {
	case db.IntervalYear:
		return WidthYear
	case db.IntervalMonth:
		return WidthMonth
	}
	return WidthDay
}

// Range is [From, To) in Unix ms; a nil bound is open.
type Range struct{ From, To *int64 }

// RangeOf is f's time range.
func RangeOf(f db.TimelineFilter) Range {
	var r Range
	if f.From != nil {
		ms := f.From.UnixMilli()
		r.From = &ms
	}
	if f.To != nil {
		ms := f.To.UnixMilli()
		r.To = &ms
	}
	return r
}

// UnitStart is the start of the day (month, year) that holds ms.
func UnitStart(ms int64, width int) int64 {
	day := ms - (ms%DayMillis+DayMillis)%DayMillis
	switch width {
	case WidthMonth:
		t := time.UnixMilli(day).UTC()
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	case WidthYear:
		return time.Date(time.UnixMilli(day).UTC().Year(), 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	}
	return day
}

// UnitCeil is the first day (month, year) start at or after ms.
func UnitCeil(ms int64, width int) int64 {
	start := UnitStart(ms, width)
	if start == ms {
		return ms
	}
	switch width {
	case WidthMonth:
		return time.UnixMilli(start).UTC().AddDate(0, 1, 0).UnixMilli()
	case WidthYear:
		return time.UnixMilli(start).UTC().AddDate(1, 0, 0).UnixMilli()
	}
	return start + DayMillis
}

// SpanCountable says whether the kept span counts can answer a count by
// span: types and time alone, grouped by anything but actor (the counts
// know no actors), over a range whose bounds are whole days, by which
// their rows are keyed.
func SpanCountable(f db.TimelineFilter, groupBy db.CountGroup) bool {
	if !f.OnlyTypesAndTimeOfAnyMatch() || groupBy == db.GroupActor {
		return false
	}
	r := RangeOf(f)
	return (r.From == nil || *r.From%DayMillis == 0) && (r.To == nil || *r.To%DayMillis == 0)
}

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

// Row is one row of counts: the events that start on the day (or month)
// Start, for one key, and what they sum to. Rows read from the events also
// give the day their spans end on (Last), and leave Certain to be found
// from it (-1); the kept counts give Certain for the interval and Last =
// Start.
type Row struct {
	Start, Last     int64
	Key             string
	Events, Certain int
	Fatalities      int
	Low, High       int
	IntensitySum    float64
	IntensityEvents int
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

// Sums folds rows of counts into buckets of an interval.
type Sums struct {
	interval db.Interval
	sums     map[bucketKey]*bucketSum
	// overlaps spreads each count over every bucket from its start's to
	// its last's, within clip; within counts only the events that lie
	// wholly in one bucket.
	overlaps, within bool
	clip             Range
}

// New is empty sums of buckets of interval: with overlaps, a row counts in
// every bucket its span meets within clip; with within, only a row whose
// events lie wholly in one bucket counts.
func New(interval db.Interval, overlaps, within bool, clip Range) *Sums {
	return &Sums{interval: interval, sums: map[bucketKey]*bucketSum{}, overlaps: overlaps, within: within, clip: clip}
}

// Interval is the interval of the buckets.
func (b *Sums) Interval() db.Interval { return b.interval }

// Spans reports whether b counts by span (overlaps or within) rather than
// by start.
func (b *Sums) Spans() bool { return b.overlaps || b.within }

// Add counts a row in the bucket of its start or, with overlaps, in each
// bucket from its start's to its last's.
//
// Errors: TOO_COMPLEX once the buckets would be more than
// db.MaxEventBuckets, so that a store stops reading.
func (b *Sums) Add(r Row) error {
	first := bucketOf(time.UnixMilli(r.Start).UTC(), b.interval)
	last := first
	if r.Last != r.Start {
		last = bucketOf(time.UnixMilli(r.Last).UTC(), b.interval)
	}
	if r.Certain < 0 {
		r.Certain = 0
		if first.Equal(last) {
			r.Certain = r.Events
		}
	}
	if b.within && r.Certain < r.Events {
		return nil
	}
	if !b.overlaps {
		return b.addTo(first, r)
	}
	// Only the days of the span within the window count: its first and
	// last day there, which a window that ends before it begins leaves
	// in the wrong order.
	lo, hi := r.Start, r.Last
	if b.clip.From != nil {
		lo = max(lo, UnitStart(*b.clip.From, WidthDay))
	}
	if b.clip.To != nil {
		hi = min(hi, UnitStart(*b.clip.To-1, WidthDay))
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

func (b *Sums) addTo(bucket time.Time, r Row) error {
	bk := bucketKey{bucket.UnixMilli(), r.Key}
	sum := b.sums[bk]
	if sum == nil {
		if len(b.sums) == db.MaxEventBuckets {
			// Stop reading: the answer would be refused anyway.
			return db.Errorf(db.CodeTooComplex, "eventCounts would return more than %d buckets, the limit: "+
				"use a wider interval, a shorter from–to range or groupBy NONE", db.MaxEventBuckets)
		}
		sum = &bucketSum{EventBucket: db.EventBucket{Start: bucket, Key: r.Key}}
		b.sums[bk] = sum
	}
	sum.Count += r.Events
	sum.Certain += r.Certain
	sum.Fatalities += r.Fatalities
	sum.FatalitiesLow += r.Low
	sum.FatalitiesHigh += r.High
	sum.intensitySum += r.IntensitySum
	sum.intensityEvents += r.IntensityEvents
	return nil
}

// intensityDigits rounds a bucket's mean intensity: the sums kept by the
// stores add and take away floating-point numbers, which leaves noise in
// the last bits that no intensity scale has.
const intensityDigits = 1e9

// Buckets is the answer: the buckets by start, then key, each with its
// mean intensity when any of its events has one.
func (b *Sums) Buckets() []db.EventBucket {
	out := make([]db.EventBucket, 0, len(b.sums))
	for _, s := range b.sums {
		if s.Count == 0 {
			// Every event taken away again (KeptStartsBySpan).
			continue
		}
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

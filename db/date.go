package db

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Precision is how much of a date is known. It is set by the written form of
// the date and sorts coarser first: a month-precise event sorts before a
// day-precise one that starts at the same instant.
type Precision string

// The precisions, coarsest first.
const (
	PrecisionYear   Precision = "YEAR"
	PrecisionMonth  Precision = "MONTH"
	PrecisionDay    Precision = "DAY"
	PrecisionMinute Precision = "MINUTE"
	PrecisionSecond Precision = "SECOND"
)

// Precisions lists every Precision, coarsest first.
var Precisions = []Precision{PrecisionYear, PrecisionMonth, PrecisionDay, PrecisionMinute, PrecisionSecond}

// Rank is the position of p in Precisions, starting at 1 (0 for an unknown
// precision). Stores sort by it.
func (p Precision) Rank() int {
	for i, q := range Precisions {
		if p == q {
			return i + 1
		}
	}
	return 0
}

// PrecisionOfRank is the inverse of Precision.Rank.
func PrecisionOfRank(rank int) (Precision, bool) {
	if rank < 1 || rank > len(Precisions) {
		return "", false
	}
	return Precisions[rank-1], true
}

// ErrBadDate is wrapped by every error ParseDate returns.
var ErrBadDate = errors.New("not a date")

// Date is a possibly partial point in time: the instant is the start of the
// written period in UTC, and Precision records how much of it was written.
//
// An event's or a statement's date may also be an interval "START/END"
// (FIXTURES.md, "Uncertain dates"): at some time within the span from the
// start of START's period to the end of END's. At and Precision are then
// START's, and Through and ThroughPrecision END's, as written, so that
// String gives the interval back.
//
// The omitzero tags keep a plain date's JSON what it was before intervals
// existed: stores hash records' JSON to tell a change (db/sqlite,
// contentHash), and a stored record must not look changed for a field it
// does not use.
type Date struct {
	At        time.Time
	Precision Precision

	ThroughAt        time.Time `json:",omitzero"`
	ThroughPrecision Precision `json:",omitzero"`
}

// IsInterval reports whether d was written as an interval "START/END".
func (d Date) IsInterval() bool { return d.ThroughPrecision != "" }

// Start is d's START as a plain date (d itself when it is one).
func (d Date) Start() Date { return Date{At: d.At, Precision: d.Precision} }

// Through is the END of an interval as a plain date, and d itself for a
// plain date.
func (d Date) Through() Date {
	if !d.IsInterval() {
		return d
	}
	return Date{At: d.ThroughAt, Precision: d.ThroughPrecision}
}

// SpanPrecision is the precision of the span d names: its own for a plain
// date, the coarser end's for an interval. Items sort by it after their
// start instant, and filters by precision read it.
func (d Date) SpanPrecision() Precision {
	if d.IsInterval() && d.ThroughPrecision.Rank() < d.Precision.Rank() {
		return d.ThroughPrecision
	}
	return d.Precision
}

// Span is an uncertain time: at some instant in [Earliest, Latest), known to
// Precision.
type Span struct {
	Earliest  time.Time
	Latest    time.Time
	Precision Precision
}

// IsZero reports whether d is the zero Date, which stands for "no date".
func (d Date) IsZero() bool { return d.Precision == "" }

// Millis is the instant in Unix milliseconds, the unit stores keep.
func (d Date) Millis() int64 { return d.At.UnixMilli() }

// DateFromMillis rebuilds a Date from what a store keeps.
func DateFromMillis(ms int64, p Precision) Date {
	return Date{At: time.UnixMilli(ms).UTC(), Precision: p}
}

// ParseSpan reads what an event's or a statement's date field holds: a date
// in any form ParseDate reads, or an interval "START/END" of two of them.
// END may not end before START begins ("2025-05-10/2025-05" is May 10 to 31;
// "2025-05-10/2025-05-09" is refused).
func ParseSpan(s string) (Date, error) {
	start, end, interval := strings.Cut(s, "/")
	if !interval {
		return ParseDate(s)
	}
	if len(s) > 2*maxDateBytes+1 {
		return Date{}, fmt.Errorf("%w: %d bytes, more than an interval of two dates holds", ErrBadDate, len(s))
	}
	if strings.Contains(end, "/") {
		return Date{}, fmt.Errorf("%w: %q: an interval is START/END, two dates and one \"/\"", ErrBadDate, s)
	}
	from, err := ParseDate(start)
	if err != nil {
		return Date{}, fmt.Errorf("interval start: %w", err)
	}
	through, err := ParseDate(end)
	if err != nil {
		return Date{}, fmt.Errorf("interval end: %w", err)
	}
	if !through.End().After(from.At) {
		return Date{}, fmt.Errorf("%w: %q: the interval ends (%s) before it starts (%s)", ErrBadDate, s, end, start)
	}
	from.ThroughAt, from.ThroughPrecision = through.At, through.Precision
	return from, nil
}

// dateForms maps each accepted written form to its precision. Order matters
// only for error reporting: the first form whose shape matches is parsed.
var dateForms = []struct {
	layout    string
	precision Precision
}{
	{"2006", PrecisionYear},
	{"2006-01", PrecisionMonth},
	{"2006-01-02", PrecisionDay},
	{"2006-01-02T15:04Z07:00", PrecisionMinute},
	{time.RFC3339Nano, PrecisionSecond},
}

// maxDateBytes is longer than any date ParseDate accepts (the longest, an
// RFC 3339 timestamp with milliseconds and an offset, is 29 bytes).
const maxDateBytes = 64

// ParseDate reads a date in any form of FIXTURES.md: "2025", "2025-05",
// "2025-05-08", "2025-05-08T14:30Z" (or with an offset) or a full RFC 3339
// timestamp. Years run from 0001 to 9999. Fractions of a second finer than a
// millisecond are refused rather than silently dropped, since the store keeps
// milliseconds.
func ParseDate(s string) (Date, error) {
	if len(s) > maxDateBytes {
		// No date is this long: refused without quoting it, since the
		// message would be as large as the input.
		return Date{}, fmt.Errorf("%w: %d bytes, more than a date holds (%d); use 2025, 2025-05, 2025-05-08, "+
			"2025-05-08T14:30Z or an RFC 3339 timestamp", ErrBadDate, len(s), maxDateBytes)
	}
	layout, p, ok := dateLayout(s)
	if !ok {
		return Date{}, fmt.Errorf("%w: %q (use 2025, 2025-05, 2025-05-08, 2025-05-08T14:30Z or an RFC 3339 timestamp)", ErrBadDate, s)
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		// time.ParseError repeats the input and names layout elements
		// ("cannot parse "AB" as "15""), which mean nothing to the author of
		// a fixture: keep only a range message, else show the accepted forms.
		var pe *time.ParseError
		if errors.As(err, &pe) && pe.Message != "" {
			return Date{}, fmt.Errorf("%w: %q: %s", ErrBadDate, s, strings.TrimPrefix(pe.Message, ": "))
		}
		return Date{}, fmt.Errorf("%w: %q (use 2025, 2025-05, 2025-05-08, 2025-05-08T14:30Z or an RFC 3339 timestamp)", ErrBadDate, s)
	}
	if t.Year() < 1 {
		return Date{}, fmt.Errorf("%w: %q: year 0000 is out of range", ErrBadDate, s)
	}
	// An offset can carry a date in year 0001 or 9999 across the range
	// (0001-01-01T00:30+01:00 is in year 0000 in UTC), and String, which
	// writes UTC, would then give a date ParseDate refuses.
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return Date{}, fmt.Errorf("%w: %q: outside years 0001 to 9999 in UTC", ErrBadDate, s)
	}
	if t.Nanosecond()%int(time.Millisecond) != 0 || (p == PrecisionSecond && !fractionInMillis(s)) {
		return Date{}, fmt.Errorf("%w: %q: finer than a millisecond", ErrBadDate, s)
	}
	return Date{At: t.UTC(), Precision: p}, nil
}

// fractionInMillis reports whether the fraction of a second written in s (a
// SECOND date), if any, has no non-zero digit past the third. time.Parse
// reads nine digits and drops the rest, so the parsed time cannot tell.
func fractionInMillis(s string) bool {
	if len(s) < 20 || (s[19] != '.' && s[19] != ',') {
		return true
	}
	for i := 20; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if i >= 23 && s[i] != '0' {
			return false
		}
	}
	return true
}

// dateLayout picks the layout by the shape of s, so that "2025-5" is reported
// as malformed instead of being read as something else.
func dateLayout(s string) (string, Precision, bool) {
	digitsAt := func(idx ...int) bool {
		for _, i := range idx {
			if i >= len(s) || s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	switch {
	case len(s) == 4 && digitsAt(0, 1, 2, 3):
		return dateForms[0].layout, dateForms[0].precision, true
	case len(s) == 7 && digitsAt(0, 1, 2, 3, 5, 6) && s[4] == '-':
		return dateForms[1].layout, dateForms[1].precision, true
	case len(s) == 10 && digitsAt(0, 1, 2, 3, 5, 6, 8, 9) && s[4] == '-' && s[7] == '-':
		return dateForms[2].layout, dateForms[2].precision, true
	case len(s) > 16 && s[10] == 'T' && s[13] == ':' && (s[16] == 'Z' || s[16] == '+' || s[16] == '-'):
		return dateForms[3].layout, dateForms[3].precision, true
	case len(s) > 19 && s[10] == 'T' && s[13] == ':' && s[16] == ':':
		return dateForms[4].layout, dateForms[4].precision, true
	}
	return "", "", false
}

// String writes d in the canonical form for its precision, in UTC, so that
// parsing the result gives d back (an interval as "START/END"). The zero
// Date is "".
func (d Date) String() string {
	if d.IsInterval() {
		return d.Start().String() + "/" + d.Through().String()
	}
	t := d.At.UTC()
	switch d.Precision {
	case PrecisionYear:
		return t.Format("2006")
	case PrecisionMonth:
		return t.Format("2006-01")
	case PrecisionDay:
		return t.Format("2006-01-02")
	case PrecisionMinute:
		return t.Format("2006-01-02T15:04Z")
	case PrecisionSecond:
		return t.Format("2006-01-02T15:04:05.999Z")
	}
	return ""
}

// End is the first instant after the period d names: the end of the year for
// a YEAR date, of the day for a DAY date, and so on; for an interval, the end
// of END's period.
func (d Date) End() time.Time {
	if d.IsInterval() {
		return d.Through().End()
	}
	switch d.Precision {
	case PrecisionYear:
		return d.At.AddDate(1, 0, 0)
	case PrecisionMonth:
		return d.At.AddDate(0, 1, 0)
	case PrecisionDay:
		return d.At.AddDate(0, 0, 1)
	case PrecisionMinute:
		return d.At.Add(time.Minute)
	}
	return d.At.Add(time.Millisecond)
}

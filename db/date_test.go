package db

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// utc builds an instant in UTC for the tables below.
func utc(y int, mo time.Month, d, h, mi, s, ms int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ms*int(time.Millisecond), time.UTC)
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in     string
		at     time.Time
		p      Precision
		string string // what String writes back
	}{
		{"2025", utc(2025, 1, 1, 0, 0, 0, 0), PrecisionYear, "2025"},
		{"0001", utc(1, 1, 1, 0, 0, 0, 0), PrecisionYear, "0001"},
		{"9999", utc(9999, 1, 1, 0, 0, 0, 0), PrecisionYear, "9999"},
		{"2025-05", utc(2025, 5, 1, 0, 0, 0, 0), PrecisionMonth, "2025-05"},
		{"2025-05-08", utc(2025, 5, 8, 0, 0, 0, 0), PrecisionDay, "2025-05-08"},
		{"2024-02-29", utc(2024, 2, 29, 0, 0, 0, 0), PrecisionDay, "2024-02-29"},
		{"2025-05-08T14:30Z", utc(2025, 5, 8, 14, 30, 0, 0), PrecisionMinute, "2025-05-08T14:30Z"},
		{"2025-05-08T14:30+05:30", utc(2025, 5, 8, 9, 0, 0, 0), PrecisionMinute, "2025-05-08T09:00Z"},
		{"2025-05-08T01:30+05:30", utc(2025, 5, 7, 20, 0, 0, 0), PrecisionMinute, "2025-05-07T20:00Z"},
		{"2025-05-08T14:30-00:00", utc(2025, 5, 8, 14, 30, 0, 0), PrecisionMinute, "2025-05-08T14:30Z"},
		{"2025-05-08T14:30:15Z", utc(2025, 5, 8, 14, 30, 15, 0), PrecisionSecond, "2025-05-08T14:30:15Z"},
		{"2025-05-08T14:30:00Z", utc(2025, 5, 8, 14, 30, 0, 0), PrecisionSecond, "2025-05-08T14:30:00Z"},
		{"2025-05-08T14:30:15.123Z", utc(2025, 5, 8, 14, 30, 15, 123), PrecisionSecond, "2025-05-08T14:30:15.123Z"},
		{"2025-05-08T14:30:15.5-05:00", utc(2025, 5, 8, 19, 30, 15, 500), PrecisionSecond, "2025-05-08T19:30:15.5Z"},
		{"2025-05-08T14:30:15.120000Z", utc(2025, 5, 8, 14, 30, 15, 120), PrecisionSecond, "2025-05-08T14:30:15.12Z"},
		{"0001-01-01T00:30Z", utc(1, 1, 1, 0, 30, 0, 0), PrecisionMinute, "0001-01-01T00:30Z"},
		{"9999-12-31T23:59:59.999Z", utc(9999, 12, 31, 23, 59, 59, 999), PrecisionSecond, "9999-12-31T23:59:59.999Z"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseDate(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !d.At.Equal(tc.at) || d.At.Location() != time.UTC {
				t.Errorf("At = %v, want %v", d.At, tc.at)
			}
			if d.Precision != tc.p {
				t.Errorf("Precision = %s, want %s", d.Precision, tc.p)
			}
			if got := d.String(); got != tc.string {
				t.Errorf("String() = %q, want %q", got, tc.string)
			}
		})
	}
}

func TestParseDateErrors(t *testing.T) {
	const forms = " (use 2025, 2025-05, 2025-05-08, 2025-05-08T14:30Z or an RFC 3339 timestamp)"
	for _, tc := range []struct{ in, want string }{
		{"2025-13", `not a date: "2025-13": month out of range`},
		{"2025-00", `not a date: "2025-00": month out of range`},
		{"2025-5", `not a date: "2025-5"` + forms},
		{"2025-02-30", `not a date: "2025-02-30": day out of range`},
		{"2025-02-29", `not a date: "2025-02-29": day out of range`},
		{"0000", `not a date: "0000": year 0000 is out of range`},
		{"10000", `not a date: "10000"` + forms},
		{"2025-05-08T14:30:15.1234Z", `not a date: "2025-05-08T14:30:15.1234Z": finer than a millisecond`},
		{"2025-05-08T14:30:15.000001Z", `not a date: "2025-05-08T14:30:15.000001Z": finer than a millisecond`},
		// Beyond nine digits time.Parse truncates; the fraction must still
		// be refused, not silently cut to what the store keeps.
		{"2025-05-08T14:30:15.1230000001Z", `not a date: "2025-05-08T14:30:15.1230000001Z": finer than a millisecond`},
		{"2025-05-08T14:30:15.0000000001Z", `not a date: "2025-05-08T14:30:15.0000000001Z": finer than a millisecond`},
		// Found by FuzzParseDate (testdata/fuzz/FuzzParseDate/4c6fd5fb7e1ba603).
		{"0001-01-01T00:00:00,0000000001Z", `not a date: "0001-01-01T00:00:00,0000000001Z": finer than a millisecond`},
		{"2025-05-08T24:00Z", `not a date: "2025-05-08T24:00Z": hour out of range`},
		{"2025-05-08T14:30:60Z", `not a date: "2025-05-08T14:30:60Z": second out of range`},
		{"2025-05-08T14:30+99:99", `not a date: "2025-05-08T14:30+99:99": time zone offset minute out of range`},
		{"0001-01-01T00:30+01:00", `not a date: "0001-01-01T00:30+01:00": outside years 0001 to 9999 in UTC`},
		{"9999-12-31T23:30-01:00", `not a date: "9999-12-31T23:30-01:00": outside years 0001 to 9999 in UTC`},
		{"2025-05-08T14:30", `not a date: "2025-05-08T14:30"` + forms},
		{"2025-05-08T14:30:15", `not a date: "2025-05-08T14:30:15"` + forms},
		{"2025-05-08 14:30Z", `not a date: "2025-05-08 14:30Z"` + forms},
		{"2025-05-08t14:30Z", `not a date: "2025-05-08t14:30Z"` + forms},
		{"+025", `not a date: "+025"` + forms},
		{"yesterday", `not a date: "yesterday"` + forms},
		{"", `not a date: ""` + forms},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseDate(tc.in)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %v %s, want an error", tc.in, d.At, d.Precision)
			}
			if !errors.Is(err, ErrBadDate) {
				t.Errorf("error %v does not wrap ErrBadDate", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q, want %q", err, tc.want)
			}
			if !d.IsZero() {
				t.Errorf("a failed parse returned %+v, want the zero Date", d)
			}
		})
	}
}

func TestDateEnd(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2025", utc(2026, 1, 1, 0, 0, 0, 0)},
		{"9999", utc(10000, 1, 1, 0, 0, 0, 0)},
		{"2025-05", utc(2025, 6, 1, 0, 0, 0, 0)},
		{"2025-12", utc(2026, 1, 1, 0, 0, 0, 0)},
		{"2025-01", utc(2025, 2, 1, 0, 0, 0, 0)},
		{"2025-05-08", utc(2025, 5, 9, 0, 0, 0, 0)},
		{"2024-02-28", utc(2024, 2, 29, 0, 0, 0, 0)},
		{"2025-02-28", utc(2025, 3, 1, 0, 0, 0, 0)},
		{"2025-12-31", utc(2026, 1, 1, 0, 0, 0, 0)},
		{"2025-05-08T14:30Z", utc(2025, 5, 8, 14, 31, 0, 0)},
		{"2025-05-08T23:59Z", utc(2025, 5, 9, 0, 0, 0, 0)},
		{"2025-05-08T14:30:15Z", utc(2025, 5, 8, 14, 30, 15, 1)},
		{"2025-05-08T14:30:15.999Z", utc(2025, 5, 8, 14, 30, 16, 0)},
	} {
		d, err := ParseDate(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.End(); !got.Equal(tc.want) {
			t.Errorf("%s (%s): End() = %v, want %v", tc.in, d.Precision, got, tc.want)
		}
	}
}

func TestPrecisionRank(t *testing.T) {
	want := []Precision{PrecisionYear, PrecisionMonth, PrecisionDay, PrecisionMinute, PrecisionSecond}
	if len(Precisions) != len(want) {
		t.Fatalf("Precisions = %v, want %v", Precisions, want)
	}
	for i, p := range want {
		if Precisions[i] != p {
			t.Errorf("Precisions[%d] = %s, want %s", i, Precisions[i], p)
		}
		if got := p.Rank(); got != i+1 {
			t.Errorf("%s.Rank() = %d, want %d", p, got, i+1)
		}
		if back, ok := PrecisionOfRank(i + 1); !ok || back != p {
			t.Errorf("PrecisionOfRank(%d) = %s, %v; want %s", i+1, back, ok, p)
		}
		if i > 0 && want[i-1].Rank() >= p.Rank() {
			t.Errorf("%s does not rank before %s", want[i-1], p)
		}
	}
	for _, p := range []Precision{"", "year", "HOUR"} {
		if got := p.Rank(); got != 0 {
			t.Errorf("Precision(%q).Rank() = %d, want 0", p, got)
		}
	}
	for _, r := range []int{-1, 0, 6} {
		if p, ok := PrecisionOfRank(r); ok || p != "" {
			t.Errorf("PrecisionOfRank(%d) = %q, %v; want \"\", false", r, p, ok)
		}
	}
}

func TestDateMillis(t *testing.T) {
	d, err := ParseDate("2025-05-08T14:30:15.123+02:00")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Millis(), int64(1746707415123); got != want {
		t.Errorf("Millis() = %d, want %d", got, want)
	}
	if back := DateFromMillis(d.Millis(), d.Precision); back != d {
		t.Errorf("DateFromMillis(Millis()) = %+v, want %+v", back, d)
	}
	if (Date{}).String() != "" || !(Date{}).IsZero() || d.IsZero() {
		t.Error("the zero Date is not the only zero one, or does not write as \"\"")
	}
}

func TestValidKey(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{"", false},
		{"a", true},
		{"7", true},
		{"india", true},
		{"pahalgam-attack", true},
		{"snake_case", true},
		{"v1.2", true},
		{"acled:123", true},
		{"a-_.:z", true},
		{"2025-05-08", true},
		{strings.Repeat("a", MaxKeyLength), true},
		{strings.Repeat("a", MaxKeyLength+1), false},
		{"-a", false},
		{"_a", false},
		{".a", false},
		{":a", false},
		{"India", false},
		{"indiA", false},
		{"a b", false},
		{"a/b", false},
		{"a+b", false},
		{"a\x00", false},
		{"é", false},
	} {
		if got := ValidKey(tc.key); got != tc.want {
			t.Errorf("ValidKey(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
}

// FuzzParseDate checks that ParseDate never panics; that whatever it accepts
// is the start of the written period in UTC, with the precision the written
// shape names and no sub-millisecond digit dropped; and that String writes a
// form ParseDate reads back to the same Date.
func FuzzParseDate(f *testing.F) {
	// Seeds are in testdata/fuzz/FuzzParseDate.
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, ErrBadDate) || !strings.HasPrefix(err.Error(), "not a date: ") {
				t.Fatalf("ParseDate(%q): error %v does not wrap ErrBadDate", s, err)
			}
			if !d.IsZero() {
				t.Fatalf("ParseDate(%q) failed but returned %+v", s, d)
			}
			return
		}
		if want := shapePrecision(s); d.Precision != want {
			t.Fatalf("ParseDate(%q).Precision = %s, want %s from its shape", s, d.Precision, want)
		}
		if d.At.Location() != time.UTC {
			t.Fatalf("ParseDate(%q).At = %v, not in UTC", s, d.At)
		}
		if y := d.At.Year(); y < 1 || y > 9999 {
			t.Fatalf("ParseDate(%q).At = %v, outside years 0001 to 9999", s, d.At)
		}
		if start := periodStart(d.At, d.Precision); !start.Equal(d.At) {
			t.Fatalf("ParseDate(%q).At = %v, not the start of its %s (%v)", s, d.At, d.Precision, start)
		}
		if !d.End().After(d.At) {
			t.Fatalf("ParseDate(%q): End %v is not after At %v", s, d.End(), d.At)
		}
		if d.Precision == PrecisionSecond {
			if ms, ok := writtenMillis(s); !ok || ms != d.At.Nanosecond()/int(time.Millisecond) {
				t.Fatalf("ParseDate(%q).At = %v: the written fraction is not kept exactly", s, d.At)
			}
		}
		str := d.String()
		if d.Precision == PrecisionYear || d.Precision == PrecisionMonth || d.Precision == PrecisionDay {
			if str != s {
				t.Fatalf("ParseDate(%q).String() = %q, want the input back", s, str)
			}
		}
		back, err := ParseDate(str)
		if err != nil {
			t.Fatalf("ParseDate(%q).String() = %q, which does not parse: %v", s, str, err)
		}
		if !back.At.Equal(d.At) || back.Precision != d.Precision {
			t.Fatalf("ParseDate(%q) = %v %s, but its String %q parses to %v %s", s, d.At, d.Precision, str, back.At, back.Precision)
		}
		if back.String() != str {
			t.Fatalf("String is not canonical: %q, then %q", str, back.String())
		}
	})
}

// shapePrecision is the precision a written date's shape names, worked out
// apart from dateLayout: its length for the date-only forms, and what
// follows the minutes for the others.
func shapePrecision(s string) Precision {
	switch {
	case len(s) == 4:
		return PrecisionYear
	case len(s) == 7:
		return PrecisionMonth
	case len(s) == 10:
		return PrecisionDay
	case len(s) > 16 && s[16] == ':':
		return PrecisionSecond
	case len(s) > 16:
		return PrecisionMinute
	}
	return ""
}

// periodStart truncates t, in UTC, to the start of its period of precision p.
func periodStart(t time.Time, p Precision) time.Time {
	t = t.UTC()
	switch p {
	case PrecisionYear:
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case PrecisionMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case PrecisionDay:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case PrecisionMinute:
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	}
	return t.Truncate(time.Millisecond)
}

// writtenMillis reads the fraction of a second of a SECOND date as written
// ("…:15.5Z" is 500) and reports false when it has a non-zero digit finer
// than a millisecond. Offsets are whole minutes, so the fraction is the same
// in UTC.
func writtenMillis(s string) (int, bool) {
	if len(s) < 20 || (s[19] != '.' && s[19] != ',') {
		return 0, true
	}
	digits := s[20:]
	if end := strings.IndexFunc(digits, func(c rune) bool { return c < '0' || c > '9' }); end >= 0 {
		digits = digits[:end]
	}
	if strings.Trim(digits[min(3, len(digits)):], "0") != "" {
		return 0, false
	}
	ms := 0
	for i := range 3 {
		ms *= 10
		if i < len(digits) {
			ms += int(digits[i] - '0')
		}
	}
	return ms, true
}

// TestParseDateLongInput checks that an input longer than any date is
// refused without being quoted.
func TestParseDateLongInput(t *testing.T) {
	_, err := ParseDate(strings.Repeat("2", 100_000))
	want := "not a date: 100000 bytes, more than a date holds (64); use 2025, 2025-05, 2025-05-08, 2025-05-08T14:30Z or an RFC 3339 timestamp"
	if err == nil || !errors.Is(err, ErrBadDate) || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestParseSpan(t *testing.T) {
	for _, tc := range []struct {
		in, str          string
		start, end       time.Time
		precision, first Precision
	}{
		// UCDP's date_start/date_end: the end's whole day is in the span.
		{"1989-05-10/1989-05-16", "1989-05-10/1989-05-16", utc(1989, 5, 10, 0, 0, 0, 0), utc(1989, 5, 17, 0, 0, 0, 0), PrecisionDay, PrecisionDay},
		{"2025-04/2025-05", "2025-04/2025-05", utc(2025, 4, 1, 0, 0, 0, 0), utc(2025, 6, 1, 0, 0, 0, 0), PrecisionMonth, PrecisionMonth},
		// The coarser end sets the precision; START keeps its own.
		{"2025-05-10/2025-05", "2025-05-10/2025-05", utc(2025, 5, 10, 0, 0, 0, 0), utc(2025, 6, 1, 0, 0, 0, 0), PrecisionMonth, PrecisionDay},
		{"2025/2025-03-02", "2025/2025-03-02", utc(2025, 1, 1, 0, 0, 0, 0), utc(2025, 3, 3, 0, 0, 0, 0), PrecisionYear, PrecisionYear},
		// Offsets are written back in UTC, as for plain dates.
		{"2025-05-08T10:00+05:30/2025-05-08T12:00Z", "2025-05-08T04:30Z/2025-05-08T12:00Z",
			utc(2025, 5, 8, 4, 30, 0, 0), utc(2025, 5, 8, 12, 1, 0, 0), PrecisionMinute, PrecisionMinute},
		// One period as both ends is that period.
		{"2025-05-08/2025-05-08", "2025-05-08/2025-05-08", utc(2025, 5, 8, 0, 0, 0, 0), utc(2025, 5, 9, 0, 0, 0, 0), PrecisionDay, PrecisionDay},
		// A plain date is a span too.
		{"2025-04", "2025-04", utc(2025, 4, 1, 0, 0, 0, 0), utc(2025, 5, 1, 0, 0, 0, 0), PrecisionMonth, PrecisionMonth},
	} {
		d, err := ParseSpan(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if d.String() != tc.str || !d.At.Equal(tc.start) || !d.End().Equal(tc.end) || d.SpanPrecision() != tc.precision || d.Precision != tc.first {
			t.Errorf("%s: %s [%v, %v) %s (start %s), want %s [%v, %v) %s (start %s)", tc.in, d, d.At, d.End(), d.SpanPrecision(), d.Precision,
				tc.str, tc.start, tc.end, tc.precision, tc.first)
		}
		if again, err := ParseSpan(d.String()); err != nil || again != d {
			t.Errorf("%s: String %q parses to %+v (%v), want %+v", tc.in, d.String(), again, err, d)
		}
	}
}

func TestParseSpanErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2025-05-10/2025-05-09", `not a date: "2025-05-10/2025-05-09": the interval ends (2025-05-09) before it starts (2025-05-10)`},
		{"2025-06/2025-05", `not a date: "2025-06/2025-05": the interval ends (2025-05) before it starts (2025-06)`},
		{"2025/2026/2027", `not a date: "2025/2026/2027": an interval is START/END, two dates and one "/"`},
		{"2025-05/", `interval end: not a date: "" (use 2025, 2025-05, 2025-05-08, 2025-05-08T14:30Z or an RFC 3339 timestamp)`},
		{"/2025", `interval start: not a date: "" (use 2025, 2025-05, 2025-05-08, 2025-05-08T14:30Z or an RFC 3339 timestamp)`},
		{"2025-02-30/2025-03", `interval start: not a date: "2025-02-30": day out of range`},
	} {
		_, err := ParseSpan(tc.in)
		if err == nil || err.Error() != tc.want || !errors.Is(err, ErrBadDate) {
			t.Errorf("%s: %v, want %s", tc.in, err, tc.want)
		}
	}
	// Relationships and sources take plain dates only.
	if _, err := ParseDate("2025-04/2025-05"); err == nil {
		t.Error("ParseDate accepted an interval")
	}
}

// FuzzParseSpan: whatever ParseSpan accepts is a span that ends after it
// starts, whose precision is its coarser end's, and whose written form
// parses back to it; what it refuses wraps ErrBadDate.
func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"1989-05-10/1989-05-16", "2025-04/2025-05", "2025/2025-03-02", "2025-05-10/2025-05-09",
		"2025-05-08T10:00+05:30/2025-05-08T12:00Z", "2025-05-08", "/", "2025//2026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseSpan(s)
		if err != nil {
			if !errors.Is(err, ErrBadDate) {
				t.Fatalf("ParseSpan(%q): error %v does not wrap ErrBadDate", s, err)
			}
			return
		}
		if !d.End().After(d.At) {
			t.Fatalf("ParseSpan(%q): end %v is not after start %v", s, d.End(), d.At)
		}
		if p := d.SpanPrecision(); p.Rank() > d.Precision.Rank() || (d.IsInterval() && p.Rank() > d.ThroughPrecision.Rank()) {
			t.Fatalf("ParseSpan(%q): precision %s is finer than an end's", s, p)
		}
		again, err := ParseSpan(d.String())
		if err != nil || again != d {
			t.Fatalf("ParseSpan(%q) = %+v, written %q, which parses to %+v (%v)", s, d, d.String(), again, err)
		}
	})
}

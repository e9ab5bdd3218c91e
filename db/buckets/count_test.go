package buckets_test

import (
	"fmt"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/buckets"
)

// The one-day rows are selected by their start whatever the match; the
// spans by the day that makes them meet the range (OVERLAPS) or lie in it
// (WITHIN), by their start otherwise.
func TestSpanQueryRanges(t *testing.T) {
	from, to := ms("2025-05-01"), ms("2025-06-01")
	text := func(bs []buckets.Bound) string {
		var out string
		for _, b := range bs {
			op := "<"
			if b.From {
				op = ">="
			}
			out += fmt.Sprintf("%s %s %d; ", b.Column, op, b.Value)
		}
		return out
	}
	both := fmt.Sprintf("start >= %d; start < %d; ", from, to)
	for _, tt := range []struct {
		name      string
		match     db.TimeMatch
		r         buckets.Range
		days, spa string
	}{
		{"Start", db.MatchStart, buckets.Range{From: &from, To: &to}, both, both},
		{"Unset", "", buckets.Range{From: &from, To: &to}, both, both},
		{"Overlaps", db.MatchOverlaps, buckets.Range{From: &from, To: &to}, both, fmt.Sprintf("last >= %d; start < %d; ", from, to)},
		{"Within", db.MatchWithin, buckets.Range{From: &from, To: &to}, both, fmt.Sprintf("start >= %d; last < %d; ", from, to)},
		{"OverlapsFromOnly", db.MatchOverlaps, buckets.Range{From: &from}, fmt.Sprintf("start >= %d; ", from), fmt.Sprintf("last >= %d; ", from)},
		{"WithinToOnly", db.MatchWithin, buckets.Range{To: &to}, fmt.Sprintf("start < %d; ", to), fmt.Sprintf("last < %d; ", to)},
		{"Open", db.MatchOverlaps, buckets.Range{}, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := buckets.SpanQuery{Range: tt.r, Match: tt.match}
			if got := text(q.StartRange()); got != tt.days {
				t.Errorf("StartRange = %q, want %q", got, tt.days)
			}
			if got := text(q.SpanRange()); got != tt.spa {
				t.Errorf("SpanRange = %q, want %q", got, tt.spa)
			}
		})
	}
}

// Count refuses what it does not know before it reads anything: src is
// nil, and would panic if asked.
func TestCountRefuses(t *testing.T) {
	for _, tt := range []struct {
		interval db.Interval
		group    db.CountGroup
		match    db.TimeMatch
		want     string
	}{
		{"HOUR", db.GroupNone, db.MatchStart, `unknown interval "HOUR"`},
		{db.IntervalDay, "CITY", db.MatchStart, `unknown grouping "CITY"`},
		{db.IntervalDay, "", "AROUND", `unknown timeMatch "AROUND": want START, OVERLAPS or WITHIN`},
	} {
		_, err := buckets.Count(t.Context(), nil, db.TimelineFilter{}, tt.interval, tt.group, tt.match)
		if err == nil || err.Error() != tt.want || db.ErrorCode(err) != db.CodeInvalid {
			t.Errorf("Count(%s, %s, %s) = %v, want BAD_USER_INPUT %q", tt.interval, tt.group, tt.match, err, tt.want)
		}
	}
}

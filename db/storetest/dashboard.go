package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// Bucket edges in UTC: days, ISO weeks (Monday to Sunday, across a year
// end), months and years, with partial dates counted at their instant.
const bucketFixture = `{"version": 1,
  "actors": [
    {"key": "a", "name": "A", "kind": "STATE", "country": "IN"},
    {"key": "b", "name": "B", "kind": "STATE", "country": "PK"},
    {"key": "c", "name": "C", "kind": "STATE"}],
  "events": [
    {"key": "sun", "type": "ATTACK", "title": "Sunday night", "occurredAt": "2025-01-05T23:59:59Z", "fatalities": 2,
     "location": {"country": "IN"}, "participants": [{"actor": "a", "role": "INITIATOR"}, {"actor": "b", "role": "TARGET"}]},
    {"key": "mon", "type": "ATTACK", "title": "Monday midnight", "occurredAt": "2025-01-06T00:00Z", "fatalities": 3,
     "location": {"country": "PK"}, "participants": [{"actor": "a", "role": "INITIATOR"}, {"actor": "b", "role": "TARGET"}]},
    {"key": "nye", "type": "CALL", "title": "New Year's Eve", "occurredAt": "2024-12-31T12:00+05:30",
     "participants": [{"actor": "a", "role": "INITIATOR"}, {"actor": "c", "role": "PARTICIPANT"}]},
    {"key": "month", "type": "CALL", "title": "Some time in January", "occurredAt": "2025-01"},
    {"key": "year", "type": "STRIKE", "title": "Some time in 2024", "occurredAt": "2024", "fatalities": 10}]}`

func bucketsString(bs []db.EventBucket) string {
	var out []string
	for _, b := range bs {
		out = append(out, fmt.Sprintf("%s %s %d/%d", b.Start.Format("2006-01-02"), b.Key, b.Count, b.Fatalities))
	}
	return strings.Join(out, "; ")
}

func testEventCounts(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	load(t, s, bucketFixture)
	cases := []struct {
		name     string
		filter   db.TimelineFilter
		interval db.Interval
		group    db.CountGroup
		want     string
	}{
		{"Day", db.TimelineFilter{}, db.IntervalDay, db.GroupNone,
			"2024-01-01  1/10; 2024-12-31  1/0; 2025-01-01  1/0; 2025-01-05  1/2; 2025-01-06  1/3"},
		// Sunday 5 January ends the week of Monday 30 December 2024, which
		// also holds New Year's Eve and 1 January.
		{"WeekFromMonday", db.TimelineFilter{}, db.IntervalWeek, db.GroupNone,
			"2024-01-01  1/10; 2024-12-30  3/2; 2025-01-06  1/3"},
		{"MonthByType", db.TimelineFilter{}, db.IntervalMonth, db.GroupType,
			"2024-01-01 STRIKE 1/10; 2024-12-01 CALL 1/0; 2025-01-01 ATTACK 2/5; 2025-01-01 CALL 1/0"},
		{"YearByCountry", db.TimelineFilter{}, db.IntervalYear, db.GroupCountry,
			"2024-01-01  2/10; 2025-01-01  1/0; 2025-01-01 IN 1/2; 2025-01-01 PK 1/3"},
		// nye's C has no country; A and B take part in sun and mon.
		{"YearByParticipantCountry", db.TimelineFilter{}, db.IntervalYear, db.GroupParticipantCountry,
			"2024-01-01 IN 1/0; 2025-01-01 IN 2/5; 2025-01-01 PK 2/5"},
		{"FilteredByActorAndRole", db.TimelineFilter{Actors: []string{"b"}, Roles: []db.ParticipantRole{db.RoleTarget}},
			db.IntervalYear, db.GroupNone, "2025-01-01  2/5"},
		{"FilteredByTime", db.TimelineFilter{From: at(t, "2025-01-06T00:00:00Z"), To: at(t, "2025-01-07T00:00:00Z")},
			db.IntervalDay, db.GroupNone, "2025-01-06  1/3"},
		{"NothingMatches", db.TimelineFilter{Actors: []string{"a"}, From: at(t, "2030-01-01T00:00:00Z")}, db.IntervalDay, db.GroupNone, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.EventCounts(context.Background(), c.filter, c.interval, c.group, db.MatchStart)
			if err != nil {
				t.Fatal(err)
			}
			if s := bucketsString(got); s != c.want {
				t.Errorf("buckets = %q\nwant %q", s, c.want)
			}
		})
	}
	t.Run("BadInterval", func(t *testing.T) {
		_, err := s.EventCounts(context.Background(), db.TimelineFilter{}, "HOUR", db.GroupNone, db.MatchStart)
		if err == nil || err.Error() != `unknown interval "HOUR"` || db.ErrorCode(err) != db.CodeInvalid {
			t.Errorf("error = %v", err)
		}
	})
}

func testCounterparts(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	load(t, s, bucketFixture)
	ids := []int64{actorByKey(t, s, "a").ID, actorByKey(t, s, "c").ID}
	str := func(cs []db.Counterpart) string {
		var out []string
		for _, c := range cs {
			out = append(out, fmt.Sprintf("%s %d %s", c.Actor, c.SharedEvents, c.LastInteraction.Format("2006-01-02T15:04")))
		}
		return strings.Join(out, "; ")
	}
	got, err := s.Counterparts(context.Background(), ids, nil, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if g, want := str(got[ids[0]]), "b 2 2025-01-06T00:00; c 1 2024-12-31T06:30"; g != want {
		t.Errorf("counterparts of a = %q, want %q", g, want)
	}
	if g, want := str(got[ids[1]]), "a 1 2024-12-31T06:30"; g != want {
		t.Errorf("counterparts of c = %q, want %q", g, want)
	}
	got, err = s.Counterparts(context.Background(), ids[:1], nil, nil, 1)
	if err != nil || str(got[ids[0]]) != "b 2 2025-01-06T00:00" {
		t.Errorf("limit 1: %q, %v", str(got[ids[0]]), err)
	}
	got, err = s.Counterparts(context.Background(), ids[:1], at(t, "2025-01-06T00:00:00Z"), nil, 10)
	if err != nil || str(got[ids[0]]) != "b 1 2025-01-06T00:00" {
		t.Errorf("from 2025-01-06: %q, %v", str(got[ids[0]]), err)
	}
}

// testEventCountsBucketLimit checks that a question with more buckets than
// db.MaxEventBuckets is refused, and a coarser one over the same events is
// answered.
func testEventCountsBucketLimit(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	var b strings.Builder
	b.WriteString(`{"version": 1, "events": [`)
	day := time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range db.MaxEventBuckets + 1 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"key": "e%d", "type": "CALL", "title": "E", "occurredAt": %q}`, i, day.AddDate(0, 0, i).Format(time.RFC3339))
	}
	b.WriteString("]}")
	load(t, s, b.String())
	_, err := s.EventCounts(context.Background(), db.TimelineFilter{}, db.IntervalDay, db.GroupNone, db.MatchStart)
	if err == nil || db.ErrorCode(err) != db.CodeTooComplex || err.Error() != "eventCounts would return more than 5000 buckets, "+
		"the limit: use a wider interval, a shorter from–to range or groupBy NONE" {
		t.Errorf("error = %v (code %s)", err, db.ErrorCode(err))
	}
	got, err := s.EventCounts(context.Background(), db.TimelineFilter{}, db.IntervalYear, db.GroupNone, db.MatchStart)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, b := range got {
		total += b.Count
	}
	// 5001 days from 1 January 2000 end on 10 September 2013.
	if len(got) != 14 || total != db.MaxEventBuckets+1 {
		t.Errorf("%d buckets holding %d events, want 14 holding 5001", len(got), total)
	}
}

// spanCountsFixture's events, known by construction (2025-01-20 is a
// Monday, 2025-02-01 a Saturday):
//
//	iva     Jan 30 to Feb 2 (an interval), fatalities 4, estimates 2–9 and 5: range 2–9, intensity -7
//	dayb    Jan 31, intensity 3, no figures: range 0–0
//	monthc  February (all of it), fatalities 10, intensity 2: range 10–10
//	endedd  Jan 15 to 20 (through endedAt), a FATALITIES estimate of high 3 only: range 3–3
const spanCountsFixture = `{"version": 1,
  "sources": [{"key": "ucdp"}],
  "actors": [{"key": "a", "name": "A", "kind": "STATE"}],
  "events": [
    {"key": "iva", "type": "ATTACK", "title": "A", "occurredAt": "2025-01-30/2025-02-02", "fatalities": 4, "intensity": -7,
     "estimates": [{"measure": "FATALITIES", "low": 2, "high": 9, "source": "ucdp"}, {"measure": "FATALITIES", "best": 5}],
     "participants": [{"actor": "a", "role": "INITIATOR"}]},
    {"key": "dayb", "type": "CALL", "title": "B", "occurredAt": "2025-01-31", "intensity": 3},
    {"key": "monthc", "type": "STRIKE", "title": "C", "occurredAt": "2025-02", "fatalities": 10, "intensity": 2,
     "participants": [{"actor": "a", "role": "INITIATOR"}]},
    {"key": "endedd", "type": "PROTEST", "title": "D", "occurredAt": "2025-01-15", "endedAt": "2025-01-20",
     "estimates": [{"measure": "FATALITIES", "high": 3}, {"measure": "INJURED", "best": 50}]}]}`

func spanBuckets(bs []db.EventBucket) string {
	var out []string
	for _, b := range bs {
		s := fmt.Sprintf("%s%s %d certain %d fatalities %d (%d-%d)", b.Start.Format("2006-01-02"), b.Key, b.Count, b.Certain,
			b.Fatalities, b.FatalitiesLow, b.FatalitiesHigh)
		if b.Intensity != nil {
			s += fmt.Sprintf(" intensity %g", *b.Intensity)
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// Buckets with spans: certain, OVERLAPS (clipped to the window),
// fatality ranges and mean intensity, from the kept counts and from the
// events (an actor filter), which must agree.
func testEventCountsSpans(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	load(t, s, spanCountsFixture)
	jan31, feb1, feb2 := at(t, "2025-01-31T00:00:00Z"), at(t, "2025-02-01T00:00:00Z"), at(t, "2025-02-02T00:00:00Z")
	for _, c := range []struct {
		name     string
		filter   db.TimelineFilter
		interval db.Interval
		group    db.CountGroup
		match    db.TimeMatch
		want     string
	}{
		{"MonthStart", db.TimelineFilter{}, db.IntervalMonth, db.GroupNone, db.MatchStart,
			"2025-01-01 3 certain 2 fatalities 4 (5-12) intensity -2; 2025-02-01 1 certain 1 fatalities 10 (10-10) intensity 2"},
		{"MonthOverlaps", db.TimelineFilter{}, db.IntervalMonth, db.GroupNone, db.MatchOverlaps,
			"2025-01-01 3 certain 2 fatalities 4 (5-12) intensity -2; 2025-02-01 2 certain 1 fatalities 14 (12-19) intensity -2.5"},
		// An event under way when the window opens counts in its first
		// bucket, and none before it.
		{"MonthOverlapsFromFebruary", db.TimelineFilter{From: feb1}, db.IntervalMonth, db.GroupNone, db.MatchOverlaps,
			"2025-02-01 2 certain 1 fatalities 14 (12-19) intensity -2.5"},
		{"DayOverlapsWindow", db.TimelineFilter{From: jan31, To: feb2}, db.IntervalDay, db.GroupNone, db.MatchOverlaps,
			"2025-01-31 2 certain 1 fatalities 4 (2-9) intensity -2; 2025-02-01 2 certain 0 fatalities 14 (12-19) intensity -2.5"},
		// iva runs Thursday to Sunday, in one ISO week; endedd's last day
		// is a Monday, in the next one.
		{"WeekStart", db.TimelineFilter{}, db.IntervalWeek, db.GroupNone, db.MatchStart,
			"2025-01-13 1 certain 0 fatalities 0 (3-3); 2025-01-27 3 certain 2 fatalities 14 (12-19) intensity -0.666666667"},
		// February's event runs over five weeks.
		{"WeekOverlaps", db.TimelineFilter{}, db.IntervalWeek, db.GroupNone, db.MatchOverlaps,
			"2025-01-13 1 certain 0 fatalities 0 (3-3); 2025-01-20 1 certain 0 fatalities 0 (3-3); " +
				"2025-01-27 3 certain 2 fatalities 14 (12-19) intensity -0.666666667; " +
				"2025-02-03 1 certain 0 fatalities 10 (10-10) intensity 2; 2025-02-10 1 certain 0 fatalities 10 (10-10) intensity 2; " +
				"2025-02-17 1 certain 0 fatalities 10 (10-10) intensity 2; 2025-02-24 1 certain 0 fatalities 10 (10-10) intensity 2"},
		{"MonthWithin", db.TimelineFilter{}, db.IntervalMonth, db.GroupNone, db.MatchWithin,
			"2025-01-01 2 certain 2 fatalities 0 (3-3) intensity 3; 2025-02-01 1 certain 1 fatalities 10 (10-10) intensity 2"},
		{"ActorMonthStart", db.TimelineFilter{Actors: []string{"a"}}, db.IntervalMonth, db.GroupNone, db.MatchStart,
			"2025-01-01 1 certain 0 fatalities 4 (2-9) intensity -7; 2025-02-01 1 certain 1 fatalities 10 (10-10) intensity 2"},
		{"ActorMonthOverlapsByActor", db.TimelineFilter{Actors: []string{"a"}}, db.IntervalMonth, db.GroupActor, db.MatchOverlaps,
			"2025-01-01a 1 certain 0 fatalities 4 (2-9) intensity -7; 2025-02-01a 2 certain 1 fatalities 14 (12-19) intensity -2.5"},
		{"YearStartByType", db.TimelineFilter{}, db.IntervalYear, db.GroupType, db.MatchStart,
			"2025-01-01ATTACK 1 certain 1 fatalities 4 (2-9) intensity -7; 2025-01-01CALL 1 certain 1 fatalities 0 (0-0) intensity 3; " +
				"2025-01-01PROTEST 1 certain 1 fatalities 0 (3-3); 2025-01-01STRIKE 1 certain 1 fatalities 10 (10-10) intensity 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.EventCounts(context.Background(), c.filter, c.interval, c.group, c.match)
			if err != nil {
				t.Fatal(err)
			}
			if g := spanBuckets(got); g != c.want {
				t.Errorf("buckets = %q\nwant %q", g, c.want)
			}
		})
	}
	_, err := s.EventCounts(context.Background(), db.TimelineFilter{}, db.IntervalDay, db.GroupNone, "SOMETIME")
	if err == nil || err.Error() != `unknown timeMatch "SOMETIME": want START, OVERLAPS or WITHIN` || db.ErrorCode(err) != db.CodeInvalid {
		t.Errorf("unknown timeMatch: %v", err)
	}
}

// By participant country an event counts once per country, however many of
// its participants come from it, and not at all without one; its location
// does not count.
func testEventCountsByParticipantCountry(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	load(t, s, `{"version": 1,
  "actors": [
    {"key": "a", "name": "A", "kind": "STATE", "country": "IN"},
    {"key": "d", "name": "D", "kind": "PERSON", "country": "IN"},
    {"key": "b", "name": "B", "kind": "STATE", "country": "PK"},
    {"key": "c", "name": "C", "kind": "STATE"}],
  "events": [
    {"key": "x", "type": "MEETING", "title": "Two of India in Pakistan", "occurredAt": "2025-03-01", "fatalities": 1,
     "location": {"country": "PK"}, "participants": [{"actor": "a", "role": "INITIATOR"}, {"actor": "d", "role": "PARTICIPANT"}]},
    {"key": "y", "type": "CALL", "title": "Pakistan, nowhere", "occurredAt": "2025-04-01",
     "participants": [{"actor": "b", "role": "INITIATOR"}, {"actor": "c", "role": "TARGET"}]},
    {"key": "z", "type": "PROTEST", "title": "Nobody in India", "occurredAt": "2025-05-01", "location": {"country": "IN"}}]}`)
	for _, c := range []struct {
		name   string
		filter db.TimelineFilter
		group  db.CountGroup
		want   string
	}{
		{"ByParticipants", db.TimelineFilter{}, db.GroupParticipantCountry, "2025-01-01 IN 1/1; 2025-01-01 PK 1/0"},
		{"ByLocation", db.TimelineFilter{}, db.GroupCountry, "2025-01-01  1/0; 2025-01-01 IN 1/0; 2025-01-01 PK 1/1"},
		// The country filter keeps x (its participants) and z (its place).
		{"IndiaByParticipants", db.TimelineFilter{Countries: []string{"IN"}}, db.GroupParticipantCountry, "2025-01-01 IN 1/1"},
		{"MeetingsByParticipants", db.TimelineFilter{EventTypes: []db.EventType{"MEETING"}}, db.GroupParticipantCountry, "2025-01-01 IN 1/1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.EventCounts(context.Background(), c.filter, db.IntervalYear, c.group, db.MatchStart)
			if err != nil {
				t.Fatal(err)
			}
			if g := bucketsString(got); g != c.want {
				t.Errorf("buckets = %q\nwant %q", g, c.want)
			}
		})
	}
}

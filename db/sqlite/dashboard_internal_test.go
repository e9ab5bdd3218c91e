package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/buckets"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/migrations"
	"github.com/geotimeline/geotimeline/db/synth"
	"github.com/pressly/goose/v3"
)

// countedEvent is what eventCounts reads of an event.
type countedEvent struct {
	at, spanEnd int64
	typ         string
	country     string
	// participantCountries are the distinct countries of its
	// participants, by code.
	participantCountries []string
	fatalities           int
	low, high            int
	intensity            *float64
}

// allCountedEvents reads every event, for the brute force.
func allCountedEvents(t *testing.T, s *Store) []countedEvent {
	t.Helper()
	rows, err := s.write.Query(`SELECT e.occurred_at, e.span_end, e.type, coalesce(c.code, ''), coalesce(e.fatalities, 0),
		e.fatalities_low, e.fatalities_high, e.intensity,
		(SELECT coalesce(group_concat(code, ' '), '') FROM (SELECT DISTINCT pc.code FROM event_participants p
			JOIN actors a ON a.id = p.actor_id JOIN countries pc ON pc.id = a.country_id WHERE p.event_id = e.id))
		FROM events e LEFT JOIN countries c ON c.id = e.country_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []countedEvent
	for rows.Next() {
		var e countedEvent
		var intensity sql.NullFloat64
		var participants string
		if err := rows.Scan(&e.at, &e.spanEnd, &e.typ, &e.country, &e.fatalities, &e.low, &e.high, &intensity, &participants); err != nil {
			t.Fatal(err)
		}
		e.participantCountries = strings.Fields(participants)
		if intensity.Valid {
			e.intensity = &intensity.Float64
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// bruteStart is the start of the bucket of interval that holds the instant
// at, computed from the calendar alone.
func bruteStart(at int64, interval db.Interval) time.Time {
	t := time.UnixMilli(at).UTC()
	y, m, d := t.Date()
	switch interval {
	case db.IntervalWeek:
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		for day.Weekday() != time.Monday {
			day = day.AddDate(0, 0, -1)
		}
		return day
	case db.IntervalMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case db.IntervalYear:
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// bruteCounts is eventCounts of a filter of types and time computed in Go
// from every event, day by day of each span for OVERLAPS: the buckets as
// bucketsText writes them, or the error code an answer of too many buckets
// gets.
func bruteCounts(events []countedEvent, f db.TimelineFilter, interval db.Interval, groupBy db.CountGroup, match db.TimeMatch) string {
	type key struct {
		start time.Time
		key   string
	}
	type sum struct {
		db.EventBucket
		intensity float64
		n         int
	}
	sums := map[key]*sum{}
	for _, e := range events {
		if len(f.EventTypes) > 0 && !slices.Contains(f.EventTypes, db.EventType(e.typ)) {
			continue
		}
		lo, hi := e.at, e.at
		if match == db.MatchOverlaps {
			if f.From != nil && e.spanEnd <= f.From.UnixMilli() || f.To != nil && e.at >= f.To.UnixMilli() {
				continue
			}
			lo, hi = e.at, e.spanEnd-1
			if f.From != nil {
				lo = max(lo, f.From.UnixMilli())
			}
			if f.To != nil {
				hi = min(hi, f.To.UnixMilli()-1)
			}
			if lo > hi { // an empty window: from is after to
				continue
			}
		} else if f.From != nil && e.at < f.From.UnixMilli() || f.To != nil && e.at >= f.To.UnixMilli() {
			continue
		}
		certain := bruteStart(e.at, interval).Equal(bruteStart(e.spanEnd-1, interval))
		if match == db.MatchWithin && (!certain || f.To != nil && e.spanEnd > f.To.UnixMilli()) {
			continue
		}
		keys := []string{""}
		switch groupBy {
		case db.GroupType:
			keys = []string{e.typ}
		case db.GroupCountry:
			keys = []string{e.country}
		case db.GroupParticipantCountry:
			keys = e.participantCountries
		}
		seen := map[time.Time]bool{}
		for day := lo; ; day += dayMillis {
			if day > hi {
				day = hi
			}
			start := bruteStart(day, interval)
			for _, kk := range keys {
				if seen[start] {
					break
				}
				k := key{start: start, key: kk}
				b := sums[k]
				if b == nil {
					b = &sum{EventBucket: db.EventBucket{Start: k.start, Key: k.key}}
					sums[k] = b
				}
				b.Count++
				if certain {
					b.Certain++
				}
				b.Fatalities += e.fatalities
				b.FatalitiesLow += e.low
				b.FatalitiesHigh += e.high
				if e.intensity != nil {
					b.intensity += *e.intensity
					b.n++
				}
			}
			seen[start] = true
			if day == hi {
				break
			}
		}
	}
	if len(sums) > db.MaxEventBuckets {
		return string(db.CodeTooComplex)
	}
	var out []db.EventBucket
	for _, b := range sums {
		if b.n > 0 {
			// + 0 turns a -0 (a sum of opposite intensities) into 0, as the store does.
			b.Intensity = ptrTo(math.Round(b.intensity/float64(b.n)*1e9)/1e9 + 0)
		}
		out = append(out, b.EventBucket)
	}
	slices.SortFunc(out, func(a, b db.EventBucket) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return bucketsText(out)
}

func bucketsText(bs []db.EventBucket) string {
	var b strings.Builder
	for _, x := range bs {
		fmt.Fprintf(&b, "%s %s %d/%d certain %d fatalities %d-%d", x.Start.Format(time.RFC3339), x.Key, x.Count, x.Fatalities,
			x.Certain, x.FatalitiesLow, x.FatalitiesHigh)
		if x.Intensity != nil {
			fmt.Fprintf(&b, " intensity %g", *x.Intensity)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// answerText is an answer as bruteCounts writes it.
func answerText(bs []db.EventBucket, err error) (string, error) {
	if db.ErrorCode(err) == db.CodeTooComplex {
		return string(db.CodeTooComplex), nil
	}
	return bucketsText(bs), err
}

// randomCountFilter is a filter the kept counts answer: some event types and
// a time range whose bounds fall on a month, a day or any millisecond in
// [lo, hi).
func randomCountFilter(r *rand.Rand, lo, hi int64) db.TimelineFilter {
	var f db.TimelineFilter
	// A third of the filters name no type: the kept counts are then read
	// ungrouped (buckets.KeptOnePerKey), which a list of types never is
	// unless grouped by type.
	if r.IntN(3) > 0 {
		for _, t := range db.EventTypes {
			if r.IntN(4) == 0 {
				f.EventTypes = append(f.EventTypes, t)
			}
		}
	}
	bound := func() *time.Time {
		if r.IntN(3) == 0 {
			return nil
		}
		t := time.UnixMilli(lo + r.Int64N(hi-lo)).UTC()
		// Bounds on a year, a month or a day, which the kept counts of
		// those widths hold whole, or within a day.
		switch r.IntN(4) {
		case 0:
			t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		case 1:
			t = t.Truncate(24 * time.Hour)
		case 2:
			t = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return &t
	}
	f.From, f.To = bound(), bound()
	return f
}

var (
	countIntervals = []db.Interval{db.IntervalDay, db.IntervalWeek, db.IntervalMonth, db.IntervalYear}
	countGroups    = []db.CountGroup{db.GroupNone, db.GroupType, db.GroupCountry, db.GroupParticipantCountry}
)

// checkCounts compares, for n random filters of types and time, every
// interval and grouping, the answer from the kept counts with the brute force
// and with the answer read from the events (counts.Filtered, which serves the
// other filters).
func checkCounts(t *testing.T, s *Store, r *rand.Rand, n int) {
	t.Helper()
	ctx := context.Background()
	events := allCountedEvents(t, s)
	lo, hi := events[0].at, events[0].at
	for _, e := range events {
		lo, hi = min(lo, e.at), max(hi, e.at)
	}
	// Bounds a little outside the events, too.
	lo, hi = lo-40*dayMillis, hi+40*dayMillis
	filters := []db.TimelineFilter{{}}
	for range n {
		filters = append(filters, randomCountFilter(r, lo, hi))
	}
	for _, f := range filters {
		for _, interval := range countIntervals {
			for _, group := range countGroups {
				name := fmt.Sprintf("types %v from %v to %v by %s and %s", f.EventTypes, f.From, f.To, interval, group)
				for _, m := range []db.TimeMatch{db.MatchOverlaps, db.MatchWithin} {
					got, err := answerText(s.EventCounts(ctx, f, interval, group, m))
					if err != nil {
						t.Fatalf("%s, %s: %v", name, m, err)
					}
					if brute := bruteCounts(events, f, interval, group, m); got != brute {
						t.Fatalf("%s, %s: the answer\n%s\nthe brute force\n%s", name, m, got, brute)
					}
				}
				want := bruteCounts(events, f, interval, group, db.MatchStart)
				got, err := answerText(s.EventCounts(ctx, f, interval, group, db.MatchStart))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				sums := buckets.New(interval, false, false, buckets.Range{})
				err = counts{s}.Filtered(ctx, sums, f, group)
				read, err := answerText(sums.Buckets(), err)
				if err != nil {
					t.Fatalf("%s, read from the events: %v", name, err)
				}
				if got != want {
					t.Fatalf("%s: kept counts answer\n%s\nthe brute force\n%s", name, got, want)
				}
				if read != want {
					t.Fatalf("%s: the events answer\n%s\nthe brute force\n%s", name, read, want)
				}
			}
		}
	}
	// By span, the kept counts answer as reading the events does, also
	// when the filter selects by another match than the buckets count by,
	// and on ranges that begin on the last day (or month) of a span or end
	// on it, where selecting by overlap and by lying within turn.
	spanFilters := append([]db.TimelineFilter{}, filters...)
	rows, err := s.read.QueryContext(ctx, `SELECT * FROM (SELECT width, start, last FROM event_span_counts
		WHERE width = 0 AND grain = 0 ORDER BY start, last LIMIT 3)
		UNION ALL SELECT * FROM (SELECT width, start, last FROM event_span_counts
		WHERE width = 1 AND grain = 0 ORDER BY start, last LIMIT 3)`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var width int
		var start, last int64
		if err := rows.Scan(&width, &start, &last); err != nil {
			t.Fatal(err)
		}
		at := func(ms int64) *time.Time { v := time.UnixMilli(ms).UTC(); return &v }
		next := func(ms int64, n int) *time.Time {
			if width == 0 {
				return at(ms + int64(n)*dayMillis)
			}
			v := time.UnixMilli(ms).UTC().AddDate(0, n, 0)
			return &v
		}
		spanFilters = append(spanFilters, db.TimelineFilter{From: at(last), To: next(last, 3)},
			db.TimelineFilter{From: at(start), To: at(last)}, db.TimelineFilter{From: at(start), To: next(last, 1)})
	}
	rows.Close()
	spanned, byMonth, startsBySpan, byCountry := 0, 0, 0, 0
	for _, f := range spanFilters {
		for _, group := range countGroups {
			if !buckets.SpanCountable(f, group) {
				continue
			}
			for _, interval := range countIntervals {
				for _, selectBy := range []db.TimeMatch{db.MatchStart, db.MatchOverlaps, db.MatchWithin} {
					// Counted by START, the totals of the histogram: the
					// events selected by span, each in the bucket of its start.
					for _, m := range []db.TimeMatch{db.MatchStart, db.MatchOverlaps, db.MatchWithin} {
						g := f
						g.TimeMatch = selectBy
						name := fmt.Sprintf("types %v from %v to %v by %s and %s, selected by %s, counted by %s", f.EventTypes, f.From, f.To, interval, group, selectBy, m)
						kept := buckets.New(interval, m == db.MatchOverlaps, m == db.MatchWithin, buckets.RangeOf(g))
						var err error
						if m == db.MatchStart {
							err = buckets.KeptStartsBySpan(ctx, counts{s}, kept, g, group)
						} else {
							err = buckets.KeptSpans(ctx, counts{s}, kept, g, group)
						}
						got, err := answerText(kept.Buckets(), err)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						read := buckets.New(interval, m == db.MatchOverlaps, m == db.MatchWithin, buckets.RangeOf(g))
						err = counts{s}.Filtered(ctx, read, g, group)
						want, err := answerText(read.Buckets(), err)
						if err != nil {
							t.Fatalf("%s, read from the events: %v", name, err)
						}
						if got != "" {
							spanned++
							if m != db.MatchStart && buckets.SpanUnit(g, interval) == buckets.WidthMonth {
								byMonth++
							}
							if m == db.MatchStart && selectBy != db.MatchStart {
								startsBySpan++
							}
							if group == db.GroupCountry || group == db.GroupParticipantCountry {
								byCountry++
							}
						}
						if got != want {
							t.Fatalf("%s: the span counts answer\n%s\nthe events\n%s", name, got, want)
						}
					}
				}
			}
		}
	}
	if spanned == 0 || byMonth == 0 || startsBySpan == 0 || byCountry == 0 {
		t.Errorf("of %d filters, %d counted events by span from the kept counts, %d from those by month, %d by start "+
			"of those selected by span, %d by country; want some of each", len(spanFilters), spanned, byMonth, startsBySpan, byCountry)
	}
	var zero int
	if err := s.write.QueryRow(`SELECT count(*) FROM event_counts WHERE events <= 0`).Scan(&zero); err != nil || zero != 0 {
		t.Errorf("%d rows counting no events (%v), want none", zero, err)
	}
	if err := s.write.QueryRow(`SELECT count(*) FROM event_span_counts WHERE events <= 0`).Scan(&zero); err != nil || zero != 0 {
		t.Errorf("%d span rows counting no events (%v), want none", zero, err)
	}
	// A timeline's total over types and time, from the kept counts and
	// the statements' instants (countKept), is the count of the distinct
	// items of the index, selected by every match and of every kind; so is
	// the total of a filter the kept counts cannot answer (by span over a
	// range within a day), read from the index.
	kinds := [][]db.ItemKind{nil, {db.ItemEvent}, {db.ItemStatement}, {db.ItemStatement, db.ItemEvent}}
	keptTotals, readTotals := 0, 0
	for _, f := range spanFilters {
		for _, m := range []db.TimeMatch{"", db.MatchStart, db.MatchOverlaps, db.MatchWithin} {
			for _, include := range kinds {
				g := f
				g.TimeMatch, g.Include = m, include
				got, err := s.CountTimeline(ctx, g)
				if err != nil {
					t.Fatal(err)
				}
				q, err := s.compileTimeline(ctx, g)
				if err != nil {
					t.Fatal(err)
				}
				query, args := q.countSQL()
				var want int
				if err := s.read.QueryRowContext(ctx, query, args...).Scan(&want); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("CountTimeline(types %v from %v to %v selected by %q, include %v) = %d, the index holds %d",
						g.EventTypes, g.From, g.To, m, include, got, want)
				}
				if _, kept, _ := s.countKept(ctx, g); kept && want > 0 {
					keptTotals++
				} else if !kept {
					readTotals++
				}
			}
		}
	}
	if keptTotals < len(spanFilters) || readTotals == 0 {
		t.Errorf("of %d totals, %d not empty from the kept counts and %d from the index; want at least %d and some",
			len(spanFilters)*4*len(kinds), keptTotals, readTotals, len(spanFilters))
	}
}

// openCountsStore is a store holding a generated graph of 1 500 events over
// three years around 1970, so that days before it (negative instants) count
// too.
func openCountsStore(t *testing.T) *Store {
	t.Helper()
	var buf bytes.Buffer
	start := time.Date(1968, 11, 20, 0, 0, 0, 0, time.UTC)
	if err := synth.Write(&buf, synth.Options{Events: 1500, Seed: 3, Start: start, Years: 3}); err != nil {
		t.Fatal(err)
	}
	set, err := fixture.Decode([]fixture.File{{Name: "synth.json", Data: buf.Bytes()}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "counts.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.MaxCascade = 1 << 30
	if _, err := s.Apply(context.Background(), &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEventCountsMatchBruteForce checks the kept counts against a count of
// the events themselves, on a generated graph and after each kind of write:
// creates, updates that move events between days, types and countries,
// deletes, and cascades.
func TestEventCountsMatchBruteForce(t *testing.T) {
	ctx := context.Background()
	s := openCountsStore(t)
	r := rand.New(rand.NewPCG(11, 3))
	checkCounts(t, s, r, 20)

	// strs is a query's one column of text.
	strs := func(query string, args ...any) []string {
		rows, err := s.write.Query(query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			out = append(out, k)
		}
		return out
	}
	keys := func(n int) []string { return strs(`SELECT key FROM events ORDER BY key LIMIT ?`, n) }
	t.Run("Create", func(t *testing.T) {
		var b db.Batch
		for i := range 30 {
			at := db.Date{At: time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC).Add(time.Duration(i) * 7 * time.Hour), Precision: db.PrecisionMinute}
			if i%5 == 0 {
				at = db.Date{At: time.Date(1970, time.Month(1+i%12), 1, 0, 0, 0, 0, time.UTC), Precision: db.PrecisionMonth}
			}
			e := db.Event{Key: fmt.Sprintf("new-%d", i), Type: db.EventTypes[i%len(db.EventTypes)], Title: "New", OccurredAt: at}
			if i%3 != 0 {
				e.Location.Country = []string{"IN", "PK", "FR"}[i%3]
			}
			if i%2 == 0 {
				e.Fatalities = ptrTo(i)
			}
			b.Events = append(b.Events, e)
		}
		if _, err := s.Apply(ctx, &b, nil); err != nil {
			t.Fatal(err)
		}
		checkCounts(t, s, r, 10)
	})
	t.Run("Update", func(t *testing.T) {
		var b db.Batch
		events, err := s.EventsByKey(ctx, keys(40))
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range events {
			switch i % 4 {
			case 0:
				e.OccurredAt = db.Date{At: e.OccurredAt.At.AddDate(0, 1, 3), Precision: e.OccurredAt.Precision}
			case 1:
				e.Type = db.EventTypes[(slices.Index(db.EventTypes, e.Type)+1)%len(db.EventTypes)]
			case 2:
				e.Location.Country = map[string]string{"": "DE", "DE": ""}[e.Location.Country]
			case 3:
				e.Fatalities = ptrTo(1000 + i)
			}
			b.Events = append(b.Events, *e)
		}
		if _, err := s.Apply(ctx, &b, nil); err != nil {
			t.Fatal(err)
		}
		checkCounts(t, s, r, 10)
	})
	t.Run("ParticipantsAndActorCountries", func(t *testing.T) {
		// The counts by participants' countries follow the participants of
		// an event (one dropped, two of one country added) and the actors'
		// countries: the busiest actor's moved, one's taken away, one
		// given where there was none.
		busiest := strs(`SELECT a.key FROM event_participants p JOIN actors a ON a.id = p.actor_id
			WHERE a.country_id IS NOT NULL GROUP BY a.id ORDER BY count(*) DESC, a.key LIMIT 3`)
		stateless := strs(`SELECT a.key FROM actors a WHERE a.country_id IS NULL
			AND EXISTS (SELECT 1 FROM event_participants p WHERE p.actor_id = a.id) ORDER BY a.key LIMIT 1`)
		if len(busiest) != 3 || len(stateless) != 1 {
			t.Fatalf("actors with events and countries %v, without a country %v: want 3 and 1", busiest, stateless)
		}
		var b db.Batch
		events, err := s.EventsByKey(ctx, keys(60))
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range events {
			switch i % 3 {
			case 0:
				e.Participants = e.Participants[min(1, len(e.Participants)):]
			case 1:
				for _, k := range busiest[:2] {
					if !slices.ContainsFunc(e.Participants, func(p db.Participant) bool { return p.Actor == k }) {
						e.Participants = append(e.Participants, db.Participant{Actor: k, Role: db.RoleParticipant})
					}
				}
			}
			b.Events = append(b.Events, *e)
		}
		found, err := s.ActorsByKey(ctx, append(busiest, stateless...))
		if err != nil || len(found) != 4 {
			t.Fatalf("%d actors, %v", len(found), err)
		}
		actor := map[string]*db.Actor{}
		for _, a := range found {
			actor[a.Key] = a
		}
		first, second, third := actor[busiest[0]], actor[busiest[1]], actor[busiest[2]]
		first.Country = map[string]string{"FR": "DE"}[first.Country]
		if first.Country == "" {
			first.Country = "FR"
		}
		second.Country = third.Country // two of the busiest now share a country
		third.Country = ""
		actor[stateless[0]].Country = "PK"
		for _, a := range found {
			b.Actors = append(b.Actors, *a)
		}
		if _, err := s.Apply(ctx, &b, nil); err != nil {
			t.Fatal(err)
		}
		checkCounts(t, s, r, 10)
	})
	t.Run("SpansIntensitiesEstimates", func(t *testing.T) {
		// Spans of a few hours to a few months (intervals and endedAt, some
		// across a day, week, month or year boundary), intensities and
		// contested fatality figures, written as a fixture writes them.
		var b db.Batch
		events, err := s.EventsByKey(ctx, keys(120))
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range events {
			start := e.OccurredAt.Start()
			switch i % 6 {
			case 0:
				through := db.Date{At: start.At.AddDate(0, 0, 1+i%9), Precision: db.PrecisionDay}
				e.OccurredAt = db.Date{At: start.At, Precision: start.Precision, ThroughAt: through.At, ThroughPrecision: through.Precision}
			case 1:
				e.EndedAt = db.Date{At: start.At.AddDate(0, 1+i%3, 0), Precision: db.PrecisionMonth}
			case 2:
				e.OccurredAt = db.Date{At: time.Date(start.At.Year(), start.At.Month(), 1, 0, 0, 0, 0, time.UTC), Precision: db.PrecisionMonth}
			case 3:
				e.OccurredAt = db.Date{At: start.At.Truncate(24 * time.Hour).Add(23 * time.Hour), Precision: db.PrecisionMinute,
					ThroughAt: start.At.Truncate(24 * time.Hour).Add(25 * time.Hour), ThroughPrecision: db.PrecisionMinute}
			}
			e.EndedAt = e.EndedAt.Start()
			if i%6 != 1 {
				e.EndedAt = db.Date{}
			}
			if i%4 != 3 {
				e.Intensity = ptrTo(float64(i%21-10) + 0.1*float64(i%10))
			}
			if i%5 == 0 {
				e.Estimates = []db.Estimate{{Measure: db.MeasureFatalities, Low: ptrTo(i), High: ptrTo(3 * i)},
					{Measure: db.MeasureFatalities, Best: ptrTo(2 * i)}, {Measure: db.MeasureInjured, Best: ptrTo(100)}}
			}
			b.Events = append(b.Events, *e)
		}
		if _, err := s.Apply(ctx, &b, nil); err != nil {
			t.Fatal(err)
		}
		checkCounts(t, s, r, 10)
	})
	t.Run("BulkWrite", func(t *testing.T) {
		// A write of more events than the pause bound (and an eighth of
		// those stored) rebuilds the counts instead of keeping them.
		s.pauseEventCounts = 10
		defer func() { s.pauseEventCounts = defaultPauseEventCounts }()
		events, err := s.EventsByKey(ctx, keys(400))
		if err != nil {
			t.Fatal(err)
		}
		var b db.Batch
		for i, e := range events {
			e.OccurredAt = db.Date{At: e.OccurredAt.At.AddDate(0, 0, -i), Precision: e.OccurredAt.Precision}
			e.Fatalities = ptrTo(i % 7)
			b.Events = append(b.Events, *e)
		}
		for i := range 20 {
			b.Events = append(b.Events, db.Event{Key: fmt.Sprintf("bulk-%d", i), Type: db.EventProtest, Title: "Bulk",
				OccurredAt: db.Date{At: time.Date(1970, 3, 1+i, 0, 0, 0, 0, time.UTC), Precision: db.PrecisionDay}})
		}
		w := s.newWriter(ctx, nil, 0)
		if w.pauseEventCounts != 10 {
			t.Fatalf("the writer's pause bound is %d, want the store's 10", w.pauseEventCounts)
		}
		if _, err := s.Apply(ctx, &b, nil); err != nil {
			t.Fatal(err)
		}
		var paused int
		if err := s.write.QueryRow(`SELECT count(*) FROM event_counts_paused`).Scan(&paused); err != nil || paused != 0 {
			t.Fatalf("%d pause rows left (%v)", paused, err)
		}
		checkCounts(t, s, r, 10)
	})
	t.Run("Delete", func(t *testing.T) {
		// The first keys are the bulk write's, without participants: ten
		// events with participants from two countries or more go too.
		var many string
		if err := s.write.QueryRow(`SELECT group_concat(key, ' ') FROM (SELECT e.key FROM events e
			JOIN event_participants p ON p.event_id = e.id JOIN actors a ON a.id = p.actor_id
			GROUP BY e.id HAVING count(DISTINCT a.country_id) >= 2 ORDER BY e.key LIMIT 10)`).Scan(&many); err != nil {
			t.Fatal(err)
		}
		if len(strings.Fields(many)) != 10 {
			t.Fatalf("events with participants from two countries: %q, want 10", many)
		}
		for _, k := range append(append(keys(10), "new-3", "new-5"), strings.Fields(many)...) {
			if _, err := s.Delete(ctx, db.RefEvent, k, true); err != nil {
				t.Fatal(err)
			}
		}
		checkCounts(t, s, r, 10)
	})
	t.Run("Cascade", func(t *testing.T) {
		var hub string
		if err := s.write.QueryRow(`SELECT a.key FROM event_participants p JOIN actors a ON a.id = p.actor_id
			GROUP BY p.actor_id ORDER BY count(*) DESC, a.key LIMIT 1`).Scan(&hub); err != nil {
			t.Fatal(err)
		}
		var source string
		if err := s.write.QueryRow(`SELECT s.key FROM event_sources x JOIN sources s ON s.id = x.source_id
			GROUP BY x.source_id ORDER BY count(*) DESC, s.key LIMIT 1`).Scan(&source); err != nil {
			t.Fatal(err)
		}
		for _, d := range []struct {
			kind db.RefKind
			key  string
		}{{db.RefActor, hub}, {db.RefSource, source}} {
			if _, err := s.Delete(ctx, d.kind, d.key, true); err != nil {
				t.Fatalf("delete %s %s: %v", d.kind, d.key, err)
			}
		}
		checkCounts(t, s, r, 10)
	})
}

// TestEventCountsMigrationBackfills checks that migrations 00006 and 00012
// fill the counts of the events a database already holds: they are dropped
// (down to 00005) and the migrations applied again.
func TestEventCountsMigrationBackfills(t *testing.T) {
	ctx := context.Background()
	s := openCountsStore(t)
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.Exec(`UPDATE events SET fatalities = 7 WHERE id % 10 = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, rand.New(rand.NewPCG(6, 6)), 10)
}

// TestEventCountsEndOfTime stores events in the last month and year a date
// can name, whose buckets end in year 10000 (for SQLite's date functions,
// NULL): by the triggers and by the rebuild, they count, and count as
// certain, as the brute force says.
func TestEventCountsEndOfTime(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "end.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	date := func(v string) db.Date {
		d, err := db.ParseSpan(v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	batch := func(keys ...string) *db.Batch {
		b := &db.Batch{}
		for i, k := range keys {
			b.Events = append(b.Events, db.Event{Key: fmt.Sprintf("e%d-%d", len(k), i), Type: db.EventProtest, Title: "x", OccurredAt: date(k)})
		}
		return b
	}
	check := func(when string) {
		t.Helper()
		events := allCountedEvents(t, s)
		for _, interval := range countIntervals {
			got, err := answerText(s.EventCounts(ctx, db.TimelineFilter{}, interval, db.GroupNone, db.MatchStart))
			if err != nil {
				t.Fatalf("%s: %s: %v", when, interval, err)
			}
			if want := bruteCounts(events, db.TimelineFilter{}, interval, db.GroupNone, db.MatchStart); got != want {
				t.Errorf("%s: %s counts:\n%s\nwant\n%s", when, interval, got, want)
			}
		}
	}
	// Few events: the triggers count them.
	if _, err := s.Apply(ctx, batch("9999-12-31", "9999-12", "9999", "9999-12-30/9999-12-31"), nil); err != nil {
		t.Fatalf("store events of December 9999: %v", err)
	}
	check("by the triggers")
	var certain int
	if err := s.read.QueryRowContext(ctx, `SELECT certain_year FROM event_counts WHERE width = 1 AND grain = 0 AND start =
		(SELECT max(start) FROM event_counts WHERE width = 1 AND grain = 0)`).Scan(&certain); err != nil || certain != 3 {
		t.Errorf("December 9999's certain_year = %d, %v; want 3 (the events that start in it)", certain, err)
	}
	// The rebuild, as a large write makes it.
	s.pauseEventCounts = 1
	defer func() { s.pauseEventCounts = defaultPauseEventCounts }()
	if _, err := s.Apply(ctx, batch("9999-12-29", "9999-11"), nil); err != nil {
		t.Fatalf("store more events: %v", err)
	}
	check("by the rebuild")
}

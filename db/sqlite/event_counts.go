package sqlite

import "fmt"

// The kept counts of eventCounts (tables event_counts and
// event_span_counts, migrations 00006, 00012, 00015, 00018, 00019, 00020
// and 00021) are written by triggers on events (and, for the counts by
// participants' countries, on their participants and actors), in the
// transaction that writes the event.
// A write of many events pauses them and rebuilds the counts once before it
// commits: row by row, each event costs eight upserts scattered over the
// table (about 130 µs each on a database of 1M events, measured here),
// while the rebuild reads the events once (about 10 s of CPU for 1M).

// dayOfSQL is the start of the UTC day that holds the instant col, a floor
// division that holds before 1970 too.
func dayOfSQL(col string) string {
	return col + ` - ((` + col + ` % 86400000) + 86400000) % 86400000`
}

// countSumsSQL are the sums of a row of event_counts over the events e
// (with their day) it counts: the events, how many lie wholly in the day,
// week, month and year of their start (up to 00014's end of time: a
// bucket that ends in year 10000 ends at 10000-01-01, not NULL), and their
// figures. spanSumsSQL are those of a row of event_span_counts.
const (
	countSumsSQL = `count(*), sum(e.span_end <= e.day + 86400000),
    sum(e.span_end <= e.day - (((e.day / 86400000 + 3) % 7 + 7) % 7) * 86400000 + 7 * 86400000),
    sum(e.span_end <= coalesce(unixepoch(e.day / 1000, 'unixepoch', 'start of month', '+1 months'), 253402300800) * 1000),
    sum(e.span_end <= coalesce(unixepoch(e.day / 1000, 'unixepoch', 'start of year', '+1 years'), 253402300800) * 1000),
    ` + figureSumsSQL
	spanSumsSQL   = `count(*), ` + figureSumsSQL
	figureSumsSQL = `sum(e.fatalities), sum(e.fatalities_low), sum(e.fatalities_high), coalesce(sum(e.intensity), 0), count(e.intensity)`
)

// eventsSQL is each event with its day (and, for spans, the day of its
// last instant) and the columns the sums read, keyed by its own country
// (0 for none); participantEventsSQL is each event once for each distinct
// country of its participants, keyed by that country.
var (
	eventsSQL = `(SELECT ` + dayOfSQL(`occurred_at`) + ` AS day, ` + dayOfSQL(`(span_end - 1)`) + ` AS last, span_end, type,
        coalesce(country_id, 0) AS country, coalesce(fatalities, 0) AS fatalities, fatalities_low, fatalities_high,
        intensity FROM events)`
	participantEventsSQL = `(SELECT ` + dayOfSQL(`ev.occurred_at`) + ` AS day, ` + dayOfSQL(`(ev.span_end - 1)`) + ` AS last,
        ev.span_end, ev.type, pc.country_id AS country, coalesce(ev.fatalities, 0) AS fatalities, ev.fatalities_low,
        ev.fatalities_high, ev.intensity
    FROM ` + participantCountriesSQL + ` pc
    JOIN events ev ON ev.id = pc.event_id)`
)

// rebuildEventCountsSQL is migration 00012's backfill with 00014's end of
// time: it must count as the trigger does.
var rebuildEventCountsSQL = `INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week, certain_month, certain_year,
    fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT w.width, t.grain + c.grain,
    CASE WHEN t.grain = 0 THEN '' ELSE e.type END,
    CASE WHEN c.grain = 0 THEN -1 ELSE e.country END,
    CASE w.width WHEN 0 THEN e.day ELSE unixepoch(e.day / 1000, 'unixepoch', 'start of month') * 1000 END,
    ` + countSumsSQL + `
FROM ` + eventsSQL + ` e,
    (SELECT 0 AS width UNION ALL SELECT 1) w,
    (SELECT 0 AS grain UNION ALL SELECT 1) t,
    (SELECT 0 AS grain UNION ALL SELECT 2) c
GROUP BY 1, 2, 3, 4, 5`

// participantCountriesSQL is each event with each distinct country of its
// participants, as the counts by participants' countries count it.
const participantCountriesSQL = `(SELECT DISTINCT p.event_id, a.country_id FROM event_participants p
    JOIN actors a ON a.id = p.actor_id WHERE a.country_id IS NOT NULL)`

// rebuildParticipantCountsSQL is migration 00020's backfill: the events by
// each country of their participants (grains 4 and 5), by day; then
// rebuildParticipantMonthCountsSQL adds the month rows up from them, as the
// year rows are added up from the months. Both widths from the events at
// once took longer (at 20 000 generated events 0.97 s, against 0.38 for the
// days and 0.17 for the months): a date function per event row and width.
var rebuildParticipantCountsSQL = `INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week,
    certain_month, certain_year, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT 0, t.grain + 4,
    CASE WHEN t.grain = 0 THEN '' ELSE e.type END,
    e.country, e.day,
    ` + countSumsSQL + `
FROM ` + participantEventsSQL + ` e,
    (SELECT 0 AS grain UNION ALL SELECT 1) t
GROUP BY 2, 3, 4, 5`

// rebuildParticipantMonthCountsSQL and rebuildYearCountsSQL roll kept
// counts up into a coarser width: the participants' month rows from their
// day rows, and then every grain's year rows from the month rows (migration
// 00018's backfill), which rebuildEventCountsSQL and
// rebuildParticipantMonthCountsSQL have just written (adding them up from
// the events would read them a third time).
var (
	rebuildParticipantMonthCountsSQL = rollUpCountsSQL(1, "month", `width = 0 AND grain >= 4`)
	rebuildYearCountsSQL             = rollUpCountsSQL(2, "year", `width = 1`)
)

// rollUpCountsSQL sums the rows of event_counts that where selects into
// rows of width, keyed by the start of the unit ("month" or "year") that
// holds each one's start. Every column adds up, the certain_* flags too:
// each counts the events that lie wholly in the day (week, month, year) of
// their start, whichever row holds them.
func rollUpCountsSQL(width int, unit, where string) string {
	return `INSERT INTO event_counts (width, grain, type, country, start, events, certain_day, certain_week,
    certain_month, certain_year, fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT ` + fmt.Sprint(width) + `, grain, type, country, unixepoch(start / 1000, 'unixepoch', 'start of ` + unit + `') * 1000,
    sum(events), sum(certain_day), sum(certain_week), sum(certain_month), sum(certain_year),
    sum(fatalities), sum(fatalities_low), sum(fatalities_high), sum(intensity_sum), sum(intensity_events)
FROM event_counts WHERE ` + where + `
GROUP BY grain, type, country, 5`
}

// rebuildSpanCountsSQL is migration 00021's backfill (00015's, with
// 00021's countries): the events whose span reaches past the day of their
// start, by that day and the day of their end (width 0), over all, by type,
// by country and by both.
var rebuildSpanCountsSQL = `INSERT INTO event_span_counts (width, grain, type, start, last, country, events, fatalities,
    fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT 0, t.grain + c.grain, CASE WHEN t.grain = 0 THEN '' ELSE e.type END, e.day, e.last,
    CASE WHEN c.grain = 0 THEN -1 ELSE e.country END,
    ` + spanSumsSQL + `
FROM ` + eventsSQL + ` e,
    (SELECT 0 AS grain UNION ALL SELECT 1) t,
    (SELECT 0 AS grain UNION ALL SELECT 2) c
WHERE e.last > e.day
GROUP BY 2, 3, 4, 5, 6`

// rebuildParticipantSpanCountsSQL is the same by each country of the
// events' participants (grains 4 and 5, migration 00021).
var rebuildParticipantSpanCountsSQL = `INSERT INTO event_span_counts (width, grain, type, start, last, country, events,
    fatalities, fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT 0, t.grain + 4, CASE WHEN t.grain = 0 THEN '' ELSE e.type END, e.day, e.last, e.country,
    ` + spanSumsSQL + `
FROM ` + participantEventsSQL + ` e,
    (SELECT 0 AS grain UNION ALL SELECT 1) t
WHERE e.last > e.day
GROUP BY 2, 3, 4, 5, 6`

// rebuildMonthSpanCountsSQL is migration 00019's backfill, with 00021's
// countries: the spans that reach past the month of their start (width
// 1), added up from the day rows that the two above have just written.
const rebuildMonthSpanCountsSQL = `INSERT INTO event_span_counts (width, grain, type, start, last, country, events, fatalities,
    fatalities_low, fatalities_high, intensity_sum, intensity_events)
SELECT 1, grain, type, start, last, country,
    sum(events), sum(fatalities), sum(fatalities_low), sum(fatalities_high), sum(intensity_sum), sum(intensity_events)
FROM (SELECT grain, type, unixepoch(start / 1000, 'unixepoch', 'start of month') * 1000 AS start,
        unixepoch(last / 1000, 'unixepoch', 'start of month') * 1000 AS last, country, events, fatalities, fatalities_low,
        fatalities_high, intensity_sum, intensity_events
    FROM event_span_counts WHERE width = 0)
WHERE last > start
GROUP BY grain, type, start, last, country`

// defaultPauseEventCounts is Store.pauseEventCounts's default: how many
// events (inserted or changed) a write makes before it pauses the triggers,
// at the least: it also waits for an eighth of the events already stored,
// so that rebuilding them costs no more than the triggers would have.
const defaultPauseEventCounts = 1000

// eventWritten counts an event row written and pauses the count triggers
// once enough are.
func (w *writer) eventWritten() error {
	w.eventsWritten++
	if w.countsPaused || w.eventsWritten < w.pauseEventCounts {
		return nil
	}
	if w.eventsStored < 0 {
		if err := w.queryRow(`SELECT coalesce(sum(events), 0) FROM event_counts WHERE width = 1 AND grain = 0`).Scan(&w.eventsStored); err != nil {
			return fmt.Errorf("count events: %w", err)
		}
	}
	if w.eventsWritten < w.eventsStored/8 {
		return nil
	}
	// The triggers counted the events written so far, so a bulk write
	// writes those it holds back before pausing them, as the normal path
	// would have.
	if w.bulk != nil {
		if err := w.flushRows(w.bulk.events); err != nil {
			return err
		}
	}
	if _, err := w.exec(`INSERT INTO event_counts_paused (paused) VALUES (1)`); err != nil {
		return fmt.Errorf("pause event counts: %w", err)
	}
	w.countsPaused = true
	return nil
}

// resumeEventCounts rebuilds the counts of a write that paused them, and
// turns the triggers back on, before the write commits.
func (w *writer) resumeEventCounts() error {
	if !w.countsPaused {
		return nil
	}
	for _, q := range []string{`DELETE FROM event_counts`, rebuildEventCountsSQL, rebuildParticipantCountsSQL,
		rebuildParticipantMonthCountsSQL, rebuildYearCountsSQL,
		`DELETE FROM event_span_counts`, rebuildSpanCountsSQL, rebuildParticipantSpanCountsSQL, rebuildMonthSpanCountsSQL, `DELETE FROM event_counts_paused`} {
		if _, err := w.exec(q); err != nil {
			return fmt.Errorf("rebuild event counts: %w", err)
		}
	}
	w.countsPaused = false
	return nil
}

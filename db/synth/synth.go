// Package synth generates synthetic fixtures: event graphs of any size with
// the shape of real ones, for load tests, benchmarks and demos of scale.
//
// The output is one version 1 fixture (FIXTURES.md) that refers only to
// records inside itself and to the built-in ISO 3166-1 countries, so it seeds
// into an empty database. It is a function of Options alone: the same
// options give the same bytes.
//
// Shape, roughly as news-derived event data looks:
//   - about 200 countries in use, a few far more often than the rest;
//   - one actor per 50 events (at least 20): states for the most prominent
//     countries, then persons, government bodies, militaries, armed groups,
//     parties, organisations and media; their activity follows a power law,
//     so a few actors take part in a large share of events;
//   - events of 2 to 4 participants, the first the INITIATOR, with types in
//     news-like proportions (policy statements, meetings and calls common,
//     attacks and strikes fewer, ceasefires rare), spread over the years
//     with a slow rise, weekly rhythm and a few crises in which the rate is
//     5 to 10 times higher and two adversaries dominate;
//   - about 1 event in 10 linked to an earlier event, often one with the
//     same actors; a statement for about 1 event in 5;
//   - relationships: persons holding positions, speaking for and leading
//     bodies, states in organisations, alliances and enmities, bases.
//
// Write streams: memory grows with the number of actors, not of events, so a
// fixture of millions of events is written in constant memory.
package synth

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// Options says what to generate. Only Events is required.
type Options struct {
	// Events is the number of events, 1 or more. The number of actors
	// follows from it (Events/50, at least 20), and so, about, does the
	// number of statements (Events/5).
	Events int
	// Seed selects the graph: the same seed gives the same bytes.
	Seed int64
	// Start is the first day events may fall on, as a UTC date (a time
	// of day is dropped); DefaultStart when zero.
	Start time.Time
	// Years is how long events run from Start; DefaultYears when zero.
	Years int
}

// The defaults of Options.
var (
	DefaultStart = time.Date(2015, time.January, 1, 0, 0, 0, 0, time.UTC)
	DefaultYears = 10
)

// ErrOptions is wrapped by the error Write returns for unusable Options.
var ErrOptions = errors.New("invalid synth options")

// normalize fills in defaults and checks o.
func (o Options) normalize() (Options, error) {
	if o.Events < 1 {
		return o, fmt.Errorf("%w: Events %d: want 1 or more", ErrOptions, o.Events)
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	y, m, d := o.Start.UTC().Date()
	o.Start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if o.Years == 0 {
		o.Years = DefaultYears
	}
	if o.Years < 0 {
		return o, fmt.Errorf("%w: Years %d: want 1 or more", ErrOptions, o.Years)
	}
	// Fixture dates have four-digit years.
	if y < 1 || y+o.Years > 9999 {
		return o, fmt.Errorf("%w: %d years from %s leave the years 0001 to 9999", ErrOptions, o.Years, o.Start.Format(time.DateOnly))
	}
	return o, nil
}

// Write writes the fixture that o describes to w. The records are written
// one by one as they are made, lists in the order sources, actors,
// relationships, events, statements, one record a line; a write error
// stops it, leaving a truncated document behind.
//
// Events come in time order, their keys numbered in that order
// ("event-0000001"); statements follow the events they speak of.
func Write(w io.Writer, o Options) error {
	o, err := o.normalize()
	if err != nil {
		return err
	}
	enc := fixture.NewWriter(w)

	wd := newWorld(o)
	enc.List("sources")
	for _, s := range wd.sources() {
		enc.Put(s)
	}

	enc.List("actors")
	for i := range wd.actors {
		enc.Put(wd.actorRecord(i))
	}

	enc.List("relationships")
	for i := range wd.rels {
		enc.Put(&wd.rels[i])
	}

	// Statements are written after every event, yet must not be kept in
	// memory: a second pass replays the events' randomness (cheap without
	// their words) and makes each statement as its event comes by.
	enc.List("events")
	eg := newEvents(wd, true)
	for range o.Events {
		eg.next()
		enc.Put(eg.out())
		if enc.Err() != nil {
			break
		}
	}

	enc.List("statements")
	if enc.Err() == nil {
		eg = newEvents(wd, false)
		sg := newStatements(wd)
		for range o.Events {
			eg.next()
			if eg.cur.statement {
				enc.Put(sg.about(eg))
			}
			if enc.Err() != nil {
				break
			}
		}
	}
	return enc.Close()
}

// date writes t at precision p, as FIXTURES.md's dates are written.
func date(t time.Time, p db.Precision) string {
	return db.Date{At: t, Precision: p}.String()
}

// truncate is the start of the period of precision p that holds t.
func truncate(t time.Time, p db.Precision) time.Time {
	y, m, d := t.Date()
	switch p {
	case db.PrecisionYear:
		return time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)
	case db.PrecisionMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case db.PrecisionDay:
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	case db.PrecisionMinute:
		return t.Truncate(time.Minute)
	}
	return t.Truncate(time.Second)
}

// keyer makes keys of one record type: prefix, then the number zero-padded
// to a width fixed by the count, so that keys sort in number order.
type keyer struct {
	prefix string
	width  int
}

func newKeyer(prefix string, count, minWidth int) keyer {
	return keyer{prefix, max(minWidth, len(strconv.Itoa(count)))}
}

func (k keyer) key(n int) string {
	s := strconv.Itoa(n)
	b := make([]byte, 0, len(k.prefix)+k.width)
	b = append(b, k.prefix...)
	for i := len(s); i < k.width; i++ {
		b = append(b, '0')
	}
	return string(append(b, s...))
}

package synth

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

const (
	ringSize      = 4096 // recent events that links may point to
	linkScan      = 256  // how far back a link looks for shared actors
	statementRate = 0.2
)

var (
	normalTypes = newTable(
		choice[db.EventType]{db.EventStatementOfPolicy, 22}, choice[db.EventType]{db.EventMeeting, 18},
		choice[db.EventType]{db.EventCall, 12}, choice[db.EventType]{db.EventProtest, 9},
		choice[db.EventType]{db.EventAttack, 7}, choice[db.EventType]{db.EventStrike, 5},
		choice[db.EventType]{db.EventSanction, 4}, choice[db.EventType]{db.EventMobilization, 4},
		choice[db.EventType]{db.EventCeremony, 5}, choice[db.EventType]{db.EventAgreement, 4},
		choice[db.EventType]{db.EventCeasefire, 2}, choice[db.EventType]{db.EventOther, 6})
	// In a crisis, violence and talk of it take over.
	crisisTypes = newTable(
		choice[db.EventType]{db.EventAttack, 20}, choice[db.EventType]{db.EventStrike, 15},
		choice[db.EventType]{db.EventStatementOfPolicy, 15}, choice[db.EventType]{db.EventCall, 10},
		choice[db.EventType]{db.EventMeeting, 6}, choice[db.EventType]{db.EventMobilization, 8},
		choice[db.EventType]{db.EventProtest, 6}, choice[db.EventType]{db.EventSanction, 5},
		choice[db.EventType]{db.EventCeasefire, 4}, choice[db.EventType]{db.EventAgreement, 1},
		choice[db.EventType]{db.EventCeremony, 1}, choice[db.EventType]{db.EventOther, 4})

	participantCounts = newTable(choice[int]{2, 55}, choice[int]{3, 30}, choice[int]{4, 15})

	precisions = newTable(
		choice[db.Precision]{db.PrecisionDay, 78}, choice[db.Precision]{db.PrecisionMinute, 12},
		choice[db.Precision]{db.PrecisionMonth, 6}, choice[db.Precision]{db.PrecisionSecond, 2.5},
		choice[db.Precision]{db.PrecisionYear, 1.5})

	violentRoles = newTable(choice[db.ParticipantRole]{db.RoleTarget, 55},
		choice[db.ParticipantRole]{db.RoleVictim, 30}, choice[db.ParticipantRole]{db.RoleParticipant, 15})
	talkRoles = newTable(choice[db.ParticipantRole]{db.RoleParticipant, 80},
		choice[db.ParticipantRole]{db.RoleMediator, 15}, choice[db.ParticipantRole]{db.RoleTarget, 5})
	truceRoles = newTable(choice[db.ParticipantRole]{db.RoleParticipant, 60},
		choice[db.ParticipantRole]{db.RoleMediator, 35}, choice[db.ParticipantRole]{db.RoleTarget, 5})
	pressureRoles = newTable(choice[db.ParticipantRole]{db.RoleTarget, 75},
		choice[db.ParticipantRole]{db.RoleParticipant, 25})
	policyRoles = newTable(choice[db.ParticipantRole]{db.RoleTarget, 50},
		choice[db.ParticipantRole]{db.RoleParticipant, 50})
	otherRoles = newTable(choice[db.ParticipantRole]{db.RoleParticipant, 60},
		choice[db.ParticipantRole]{db.RoleTarget, 30}, choice[db.ParticipantRole]{db.RoleVictim, 5},
		choice[db.ParticipantRole]{db.RoleMediator, 5})

	outletWeights = newWeighted([]float64{5, 3, 2, 1, 1})
)

func roles(t db.EventType) table[db.ParticipantRole] {
	switch t {
	case db.EventAttack, db.EventStrike:
		return violentRoles
	case db.EventCall, db.EventMeeting, db.EventAgreement:
		return talkRoles
	case db.EventCeasefire:
		return truceRoles
	case db.EventSanction, db.EventProtest:
		return pressureRoles
	case db.EventStatementOfPolicy:
		return policyRoles
	}
	return otherRoles
}

func violent(t db.EventType) bool { return t == db.EventAttack || t == db.EventStrike }

type part struct {
	actor int
	role  db.ParticipantRole
}

type link struct {
	kind  db.LinkKind
	event int // event number
}

// event is the structure of one event: everything statements depend on.
// Its words (title, summary, place, tags, sources) are drawn by out.
type event struct {
	n          int // 1-based, in time order
	typ        db.EventType
	t          time.Time // the instant it happened
	occurred   db.Date
	ended      string
	country    int // location country, or -1
	parts      [4]part
	np         int
	links      [2]link
	nl         int
	fatalities int // -1 when not reported
	injured    int // -1 when not reported
	burst      int // index in world.bursts, or -1
	statement  bool
}

// recent is what the link ring keeps of an event.
type recent struct {
	n     int
	at    time.Time
	typ   db.EventType
	parts [4]int
	np    int
}

// events makes the events one after the other, in time order, in O(1)
// memory: times are the order statistics of Events draws from the
// calendar's rate, made one at a time.
type events struct {
	w     *world
	rng   *rand.Rand // structure
	words *rand.Rand // titles and the like; nil when only replaying
	keys  keyer

	x    float64 // the last time, as a fraction of the calendar's weight
	day  int
	ring [ringSize]recent
	cur  event

	// Reused by out, since each record is encoded before the next.
	parts []fixture.ParticipantJSON
	links []fixture.LinkJSON
	tags  []string
	srcs  []string
}

func newEvents(w *world, words bool) *events {
	e := &events{w: w, rng: newRand(w.o.Seed, streamEvents), keys: newKeyer("event-", w.o.Events, 7)}
	if words {
		e.words = newRand(w.o.Seed, streamWords)
	}
	return e
}

// next makes the next event into e.cur.
func (e *events) next() {
	w, r := e.w, e.rng
	c := &e.cur
	n := c.n + 1
	*c = event{n: n, country: -1, fatalities: -1, injured: -1}

	// The smallest of the k uniform draws still to come is 1-(1-x)U^(1/k).
	k := w.o.Events - n + 1
	e.x = 1 - (1-e.x)*math.Pow(1-r.Float64(), 1/float64(k))
	total := w.dayCum[len(w.dayCum)-1]
	target := e.x * total
	for e.day < w.days-1 && w.dayCum[e.day] <= target {
		e.day++
	}
	prev := 0.0
	if e.day > 0 {
		prev = w.dayCum[e.day-1]
	}
	frac := min(max((target-prev)/(w.dayCum[e.day]-prev), 0), 1-1e-9)
	c.t = w.start.AddDate(0, 0, e.day).Add(time.Duration(frac * float64(24*time.Hour))).Truncate(time.Millisecond)
	c.burst = int(w.dayBurst[e.day])

	if c.burst >= 0 {
		c.typ = crisisTypes.draw(r)
	} else {
		c.typ = normalTypes.draw(r)
	}

	// Participants: distinct actors drawn by activity; in a crisis, half
	// the events are between its two adversaries.
	c.np = participantCounts.draw(r)
	if c.burst >= 0 && chance(r, 0.5) {
		b := &w.bursts[c.burst]
		c.parts[0].actor, c.parts[1].actor = b.a, b.b
		if chance(r, 0.5) {
			c.parts[0].actor, c.parts[1].actor = b.b, b.a
		}
		for i := 2; i < c.np; i++ {
			c.parts[i].actor = e.drawActor(i)
		}
	} else {
		for i := range c.np {
			c.parts[i].actor = e.drawActor(i)
		}
	}
	c.parts[0].role = db.RoleInitiator
	rt := roles(c.typ)
	for i := 1; i < c.np; i++ {
		c.parts[i].role = rt.draw(r)
	}

	p := precisions.draw(r)
	if truncate(c.t, p).Before(w.start) {
		p = db.PrecisionDay
	}
	c.occurred = db.Date{At: truncate(c.t, p), Precision: p}
	if p != db.PrecisionYear && p != db.PrecisionMonth && chance(r, endedOdds(c.typ)) {
		if end := c.t.AddDate(0, 0, between(r, 1, 14)); end.Before(w.end) {
			c.ended = date(end, db.PrecisionDay)
		}
	}

	if chance(r, 0.9) {
		u := r.Float64()
		switch {
		case c.burst >= 0 && u < 0.7:
			c.country = w.bursts[c.burst].country
		case u < 0.55:
			c.country = w.actors[c.parts[0].actor].country
		case u < 0.8:
			c.country = w.actors[c.parts[1].actor].country
		}
		if c.country < 0 {
			c.country = w.countryW.draw(r)
		}
	}

	switch {
	case c.typ == db.EventAttack && chance(r, 0.85), c.typ == db.EventStrike && chance(r, 0.7):
		c.fatalities = 0
		if !chance(r, 0.4) {
			c.fatalities = logNormalInt(r, 1.0, 1.4, 5000)
		}
	case c.typ == db.EventProtest && chance(r, 0.1):
		c.fatalities = 0
		if !chance(r, 0.6) {
			c.fatalities = logNormalInt(r, 0.3, 1.0, 500)
		}
	}
	if c.fatalities >= 0 && chance(r, 0.5) {
		c.injured = logNormalInt(r, 1.5, 1.3, 20000)
	}

	linkOdds := 0.07
	if c.burst >= 0 {
		linkOdds = 0.2
	}
	if n > 1 && chance(r, linkOdds) {
		e.link()
		if c.nl == 1 && chance(r, 0.15) {
			e.link()
		}
	}
	c.statement = chance(r, statementRate)

	rc := &e.ring[(n-1)%ringSize]
	*rc = recent{n: n, at: c.occurred.At, typ: c.typ, np: c.np}
	for i := range c.np {
		rc.parts[i] = c.parts[i].actor
	}
}

// drawActor draws the i-th participant: by activity, not one already in
// the event.
func (e *events) drawActor(i int) int {
	c := &e.cur
	for tries := 0; ; tries++ {
		a := e.w.actorW.draw(e.rng)
		if tries == 50 {
			// So skewed a law that the same few keep coming back: take
			// the next free actor instead.
			a = e.rng.IntN(len(e.w.actors))
		}
		dup := false
		for j := range i {
			dup = dup || c.parts[j].actor == a
		}
		if !dup {
			return a
		}
	}
}

func endedOdds(t db.EventType) float64 {
	switch t {
	case db.EventMobilization:
		return 0.4
	case db.EventProtest:
		return 0.2
	case db.EventMeeting, db.EventStrike:
		return 0.1
	case db.EventAttack:
		return 0.05
	}
	return 0
}

// link ties the current event to an earlier one, preferably a recent one
// that shares its initiator or second participant and did not start later.
func (e *events) link() {
	c, r := &e.cur, e.rng
	earliest := max(1, c.n-ringSize)
	target := -1
	for back := 1; back <= linkScan && c.n-back >= earliest; back++ {
		rc := &e.ring[(c.n-back-1)%ringSize]
		if rc.at.After(c.occurred.At) || e.linked(rc.n) {
			continue
		}
		shares := false
		for _, a := range rc.parts[:rc.np] {
			shares = shares || a == c.parts[0].actor || a == c.parts[1].actor
		}
		if shares {
			target = rc.n
			if chance(r, 0.6) {
				break
			}
		}
	}
	for tries := 0; target < 0 && tries < 5; tries++ {
		rc := &e.ring[(earliest+r.IntN(c.n-earliest)-1)%ringSize]
		if !rc.at.After(c.occurred.At) && !e.linked(rc.n) {
			target = rc.n
		}
	}
	if target < 0 {
		return
	}
	prior := e.ring[(target-1)%ringSize].typ
	var kind db.LinkKind
	u := r.Float64()
	switch {
	case c.typ == db.EventCeasefire || c.typ == db.EventAgreement:
		kind = db.LinkFollows
		if u < 0.4 {
			kind = db.LinkResponseTo
		}
	case violent(c.typ) && violent(prior):
		kind = db.LinkResponseTo
		if u >= 0.5 {
			kind = db.LinkEscalationOf
		}
		if u >= 0.85 {
			kind = db.LinkPartOf
		}
	default:
		kind = db.LinkFollows
		if u >= 0.5 {
			kind = db.LinkResponseTo
		}
		if u >= 0.85 {
			kind = db.LinkPartOf
		}
	}
	c.links[c.nl] = link{kind, target}
	c.nl++
}

func (e *events) linked(n int) bool {
	for _, l := range e.cur.links[:e.cur.nl] {
		if l.event == n {
			return true
		}
	}
	return false
}

func (e *events) name(i int) string { return e.w.actors[e.cur.parts[i].actor].name }

// out is the current event as written, its words drawn now.
func (e *events) out() *fixture.EventJSON {
	w, r, c := e.w, e.words, &e.cur
	o := &fixture.EventJSON{Key: e.keys.key(c.n), Type: string(c.typ), OccurredAt: c.occurred.String(), EndedAt: c.ended}

	place := ""
	if c.country >= 0 {
		k := &w.countries[c.country]
		loc := &fixture.LocationJSON{Country: k.code}
		if chance(r, 0.5) {
			loc.Place = pick(r, k.places)
			place = loc.Place
		} else {
			place = k.name
		}
		if chance(r, 0.35) {
			lat := round4(min(max(k.lat+1.5*r.NormFloat64(), -90), 90))
			lon := round4(min(max(k.lon+1.5*r.NormFloat64(), -180), 180))
			loc.Lat, loc.Lon = &lat, &lon
		}
		o.Location = loc
	} else if chance(r, 0.05) {
		// At sea, or somewhere no country claims.
		lat, lon := round4(-60+120*r.Float64()), round4(-180+360*r.Float64())
		o.Location = &fixture.LocationJSON{Lat: &lat, Lon: &lon}
		place = "international waters"
	}
	if place == "" {
		place = "an undisclosed location"
	}
	topic := pick(r, topics)
	o.Title = fill(pick(r, titles[o.Type]), e.name(0), e.name(1), place, topic)

	if c.fatalities >= 0 {
		f := c.fatalities
		o.Fatalities = &f
	}
	if c.injured >= 0 {
		i := c.injured
		o.Injured = &i
	}
	if chance(r, 0.4) {
		o.Summary = e.summary()
	}

	e.parts = e.parts[:0]
	for _, p := range c.parts[:c.np] {
		e.parts = append(e.parts, fixture.ParticipantJSON{Actor: w.actors[p.actor].key, Role: string(p.role)})
	}
	o.Participants = e.parts
	e.links = e.links[:0]
	for _, l := range c.links[:c.nl] {
		e.links = append(e.links, fixture.LinkJSON{Kind: string(l.kind), Event: e.keys.key(l.event)})
	}
	o.Links = e.links

	e.tags = e.tags[:0]
	if c.burst >= 0 {
		e.tags = append(e.tags, w.bursts[c.burst].tag)
	}
	if chance(r, 0.3) {
		e.tags = append(e.tags, pick(r, topicTags))
		if t := pick(r, topicTags); chance(r, 0.3) && t != e.tags[len(e.tags)-1] {
			e.tags = append(e.tags, t)
		}
	}
	o.Tags = e.tags

	e.srcs = append(e.srcs[:0], sourceKey+"-"+outletNames[outletWeights.draw(r)])
	if chance(r, 0.2) {
		if s := sourceKey + "-" + outletNames[outletWeights.draw(r)]; s != e.srcs[0] {
			e.srcs = append(e.srcs, s)
		}
	}
	o.Sources = e.srcs
	return o
}

// summary lists who took part and how, and the toll.
func (e *events) summary() string {
	c := &e.cur
	var b strings.Builder
	for i, p := range c.parts[:c.np] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.w.actors[p.actor].name)
		b.WriteString(" (")
		b.WriteString(strings.ToLower(string(p.role)))
		b.WriteString(")")
	}
	b.WriteString(".")
	if c.fatalities >= 0 {
		b.WriteString(" Reported killed: " + strconv.Itoa(c.fatalities) + ".")
	}
	if c.injured >= 0 {
		b.WriteString(" Reported injured: " + strconv.Itoa(c.injured) + ".")
	}
	return b.String()
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

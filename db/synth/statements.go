package synth

import (
	"math/rand/v2"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
)

var (
	violentKinds = newTable(choice[db.StatementKind]{db.StatementPressRelease, 30},
		choice[db.StatementKind]{db.StatementSocialMediaPost, 25}, choice[db.StatementKind]{db.StatementQuote, 25},
		choice[db.StatementKind]{db.StatementSpeech, 10}, choice[db.StatementKind]{db.StatementInterview, 5},
		choice[db.StatementKind]{db.StatementOther, 5})
	talkKinds = newTable(choice[db.StatementKind]{db.StatementReadout, 50},
		choice[db.StatementKind]{db.StatementPressRelease, 25}, choice[db.StatementKind]{db.StatementQuote, 15},
		choice[db.StatementKind]{db.StatementSocialMediaPost, 10})
	otherKinds = newTable(choice[db.StatementKind]{db.StatementPressRelease, 25},
		choice[db.StatementKind]{db.StatementQuote, 25}, choice[db.StatementKind]{db.StatementSpeech, 20},
		choice[db.StatementKind]{db.StatementSocialMediaPost, 15}, choice[db.StatementKind]{db.StatementInterview, 10},
		choice[db.StatementKind]{db.StatementOther, 5})

	// Stances by what the event was and who speaks: the side that acted,
	// the side acted upon, or a third party.
	aggressorStances = newTable(choice[db.Stance]{db.StanceThreat, 30}, choice[db.Stance]{db.StanceDenial, 20},
		choice[db.Stance]{db.StanceAccusation, 30}, choice[db.Stance]{db.StanceDemand, 20})
	victimStances = newTable(choice[db.Stance]{db.StanceCondemnation, 40}, choice[db.Stance]{db.StanceAccusation, 25},
		choice[db.Stance]{db.StanceCondolence, 15}, choice[db.Stance]{db.StanceThreat, 20})
	bystanderStances = newTable(choice[db.Stance]{db.StanceCondemnation, 35}, choice[db.Stance]{db.StanceCondolence, 20},
		choice[db.Stance]{db.StanceCallForDeescalation, 45})
	talkStances = newTable(choice[db.Stance]{db.StanceSupportForDialogue, 40}, choice[db.Stance]{db.StanceSupport, 40},
		choice[db.Stance]{db.StanceDemand, 10}, choice[db.Stance]{db.StanceCallForDeescalation, 10})
	pressureStances = newTable(choice[db.Stance]{db.StanceDemand, 35}, choice[db.Stance]{db.StanceCondemnation, 25},
		choice[db.Stance]{db.StanceSupport, 20}, choice[db.Stance]{db.StanceDenial, 10}, choice[db.Stance]{db.StanceThreat, 10})
	otherStances = newTable(choice[db.Stance]{db.StanceSupport, 40}, choice[db.Stance]{db.StanceDemand, 25},
		choice[db.Stance]{db.StanceSupportForDialogue, 20}, choice[db.Stance]{db.StanceThreat, 15})

	madePrecisions = newTable(choice[db.Precision]{db.PrecisionMinute, 50},
		choice[db.Precision]{db.PrecisionDay, 45}, choice[db.Precision]{db.PrecisionSecond, 5})
)

// statements makes the statement about the events that have one, from its
// own random stream.
type statements struct {
	w    *world
	rng  *rand.Rand
	keys keyer
	n    int

	addressees []string
	stances    []string
}

func newStatements(w *world) *statements {
	// Statements are about 1 in 5 events; the width holds them all.
	return &statements{w: w, rng: newRand(w.o.Seed, streamStatements), keys: newKeyer("statement-", w.o.Events, 7)}
}

// about is a statement on the current event of e.
func (s *statements) about(e *events) *fixture.StatementJSON {
	w, r, c := s.w, s.rng, &e.cur
	s.n++
	out := &fixture.StatementJSON{Key: s.keys.key(s.n), About: []string{e.keys.key(c.n)}}

	// The speaker: mostly a side of the event, else anyone in the news.
	speaker, role := -1, db.ParticipantRole("")
	if chance(r, 0.75) {
		i := 0
		if u := r.Float64(); u >= 0.55 {
			i = 1 + r.IntN(c.np-1)
		}
		speaker, role = c.parts[i].actor, c.parts[i].role
	} else {
		speaker = w.actorW.draw(r)
		for _, p := range c.parts[:c.np] {
			if p.actor == speaker {
				role = p.role
			}
		}
	}
	out.Speaker = w.actors[speaker].key
	if sp := w.actors[speaker].spokes; sp >= 0 && chance(r, 0.5) {
		out.DeliveredBy = w.actors[sp].key
	}

	// Addressees: the other sides first.
	s.addressees = s.addressees[:0]
	taken := []int{speaker}
	for range participantAddressees.draw(r) {
		a := -1
		for _, p := range c.parts[:c.np] {
			if !containsInt(taken, p.actor) && chance(r, 0.7) {
				a = p.actor
				break
			}
		}
		for tries := 0; a < 0 && tries < 20; tries++ {
			if b := w.actorW.draw(r); !containsInt(taken, b) {
				a = b
			}
		}
		if a >= 0 {
			taken = append(taken, a)
			s.addressees = append(s.addressees, w.actors[a].key)
		}
	}
	out.Addressees = s.addressees

	out.MadeAt = s.madeAt(c)

	var kinds table[db.StatementKind]
	var stances table[db.Stance]
	switch c.typ {
	case db.EventAttack, db.EventStrike, db.EventMobilization:
		kinds = violentKinds
		switch role {
		case db.RoleInitiator:
			stances = aggressorStances
		case db.RoleTarget, db.RoleVictim:
			stances = victimStances
		default:
			stances = bystanderStances
		}
	case db.EventCall, db.EventMeeting, db.EventAgreement, db.EventCeasefire:
		kinds, stances = talkKinds, talkStances
	case db.EventSanction, db.EventProtest:
		kinds, stances = otherKinds, pressureStances
	default:
		kinds, stances = otherKinds, otherStances
	}
	out.Kind = string(kinds.draw(r))
	s.stances = append(s.stances[:0], string(stances.draw(r)))
	if chance(r, 0.35) {
		if st := string(stances.draw(r)); st != s.stances[0] {
			s.stances = append(s.stances, st)
		}
	}
	out.Stances = s.stances

	// The words: one sentence per stance, naming the other side.
	other := w.actors[c.parts[0].actor].name
	if c.parts[0].actor == speaker {
		other = w.actors[c.parts[1].actor].name
	}
	name, noun := w.actors[speaker].name, nouns[string(c.typ)]
	var text strings.Builder
	for i, st := range s.stances {
		if i > 0 {
			text.WriteByte(' ')
		}
		text.WriteString(say(pick(r, sentences[st]), name, other, noun))
	}
	out.Text = text.String()
	if chance(r, 0.25) {
		out.Summary = strings.ToUpper(out.Kind[:1]) + strings.ToLower(strings.ReplaceAll(out.Kind[1:], "_", " ")) +
			" by " + name + " on the " + noun + "."
	}
	out.Sources = []string{sourceKey + "-" + outletNames[outletWeights.draw(r)]}
	return out
}

var participantAddressees = newTable(choice[int]{0, 40}, choice[int]{1, 40}, choice[int]{2, 20})

// madeAt is when the statement was made: within hours to days of the event,
// never before its start and never after the calendar's end.
func (s *statements) madeAt(c *event) string {
	r := s.rng
	var delay time.Duration
	switch u := r.Float64(); {
	case u < 0.3:
		delay = time.Duration(r.Int64N(int64(12 * time.Hour)))
	case u < 0.8:
		delay = time.Duration(r.Int64N(int64(48 * time.Hour)))
	default:
		delay = time.Duration(r.Int64N(int64(10 * 24 * time.Hour)))
	}
	t := c.t.Add(delay)
	if !t.Before(s.w.end) {
		t = c.t
	}
	p := madePrecisions.draw(r)
	if truncate(t, p).Before(c.occurred.At) {
		p = db.PrecisionMinute
		if truncate(t, p).Before(c.occurred.At) {
			p = db.PrecisionSecond
		}
	}
	return date(t, p)
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

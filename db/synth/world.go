package synth

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// Shape parameters. They are not options: a seed should name one graph.
const (
	maxCountries     = 200 // countries in use, of ISO 3166-1's 252
	countryExponent  = 1.0 // power law of countries' prominence
	eventsPerActor   = 50
	minActors        = 20
	stateShare       = 5   // at most one actor in 5 is a state
	actorExponent    = 1.1 // power law of actors' activity
	placesPerCountry = 6
)

// nonStateKinds are the proportions of actors that are not states.
var nonStateKinds = []choice[db.ActorKind]{
	{db.ActorPerson, 0.40},
	{db.ActorGovernmentBody, 0.16},
	{db.ActorMilitary, 0.08},
	{db.ActorArmedGroup, 0.09},
	{db.ActorPoliticalParty, 0.07},
	{db.ActorInternationalOrganization, 0.03},
	{db.ActorNGO, 0.07},
	{db.ActorMedia, 0.06},
	{db.ActorOther, 0.04},
}

// prominence scales how often an actor of a kind is in the news, before
// the power law spreads actors out.
var prominence = map[db.ActorKind]float64{
	db.ActorState: 4, db.ActorPerson: 1, db.ActorGovernmentBody: 1.5, db.ActorMilitary: 1.5,
	db.ActorArmedGroup: 1.2, db.ActorPoliticalParty: 0.6, db.ActorInternationalOrganization: 2,
	db.ActorNGO: 0.5, db.ActorMedia: 0.4, db.ActorOther: 0.3,
}

// Random streams: one per part of the output, so that the statements' pass
// can replay the events' structure without their words.
const (
	streamWorld uint64 = iota + 0x5eed0001
	streamEvents
	streamWords
	streamStatements
)

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

type country struct {
	code, name string
	lat, lon   float64 // a made-up centre: the list has no geography
	places     []string
	state      int // the actor of kind STATE for it, or -1
}

type actor struct {
	key, name   string
	kind        db.ActorKind
	country     int // index in world.countries, or -1
	alias       string
	description string
	spokes      int // a person who is its spokesperson, or -1
}

// burst is a crisis: days in which events come 5 to 10 times as often, most
// of them between two adversaries in one country.
type burst struct {
	first, last int // days from Start
	rate        float64
	a, b        int // actors
	country     int
	tag         string
}

// world is everything but the events: O(actors) of memory.
type world struct {
	o          Options
	start, end time.Time
	rng        *rand.Rand

	countries []country
	countryW  weighted
	actors    []actor
	actorW    weighted
	byKind    map[db.ActorKind][]int
	local     map[localKey][]int // actors by country and kind
	rels      []fixture.RelationshipJSON

	days     int
	dayCum   []float64 // cumulative event rate by day
	dayBurst []int16   // index in bursts, or -1
	bursts   []burst
}

type localKey struct {
	country int
	kind    db.ActorKind
}

func newWorld(o Options) *world {
	w := &world{
		o: o, start: o.Start, end: o.Start.AddDate(o.Years, 0, 0),
		rng:    newRand(o.Seed, streamWorld),
		byKind: map[db.ActorKind][]int{}, local: map[localKey][]int{},
	}
	w.makeCountries()
	w.makeActors()
	w.makeRelationships()
	w.makeCalendar()
	return w
}

func (w *world) makeCountries() {
	all := iso3166.All()
	w.rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	n := min(maxCountries, len(all))
	weights := make([]float64, n)
	for i, c := range all[:n] {
		k := country{code: c.Code, name: c.Name, state: -1,
			lat: -45 + 105*w.rng.Float64(), lon: -170 + 340*w.rng.Float64()}
		for range placesPerCountry {
			k.places = append(k.places, placeName(w.rng))
		}
		w.countries = append(w.countries, k)
		weights[i] = zipf(i, countryExponent)
	}
	w.countryW = newWeighted(weights)
}

func (w *world) makeActors() {
	total := max(minActors, w.o.Events/eventsPerActor)
	states := min(len(w.countries), max(2, total/stateShare))
	kinds := make([]db.ActorKind, 0, total)
	for range states {
		kinds = append(kinds, db.ActorState)
	}
	// Largest remainder, so that the counts are exact for a total.
	rest := total - states
	type share struct {
		kind db.ActorKind
		frac float64
	}
	var shares []share
	for _, c := range nonStateKinds {
		exact := c.w * float64(rest)
		for range int(exact) {
			kinds = append(kinds, c.v)
		}
		shares = append(shares, share{c.v, exact - math.Floor(exact)})
	}
	slices.SortStableFunc(shares, func(a, b share) int { return cmp.Compare(b.frac, a.frac) })
	for i := 0; len(kinds) < total; i++ {
		kinds = append(kinds, shares[i%len(shares)].kind)
	}
	w.rng.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })

	keys := newKeyer("actor-", total, 6)
	w.actors = make([]actor, total)
	var institutions []int
	nextState := 0
	for i, kind := range kinds {
		a := &w.actors[i]
		*a = actor{key: keys.key(i + 1), kind: kind, country: -1, spokes: -1}
		switch kind {
		case db.ActorPerson:
			continue // once the institutions have their countries
		case db.ActorState:
			// The most prominent countries are the ones with a state.
			a.country = nextState
			w.countries[nextState].state = i
			nextState++
		case db.ActorInternationalOrganization:
			if chance(w.rng, 0.2) {
				a.country = w.countryW.draw(w.rng)
			}
		case db.ActorNGO, db.ActorMedia, db.ActorOther:
			if chance(w.rng, 0.85) {
				a.country = w.countryW.draw(w.rng)
			}
		default:
			if chance(w.rng, 0.97) {
				a.country = w.countryW.draw(w.rng)
			}
		}
		if a.country >= 0 && kind != db.ActorNGO && kind != db.ActorMedia && kind != db.ActorOther {
			institutions = append(institutions, i)
		}
	}
	// People come from where the institutions they serve are.
	for i := range w.actors {
		a := &w.actors[i]
		if a.kind != db.ActorPerson {
			continue
		}
		switch u := w.rng.Float64(); {
		case u < 0.75 && len(institutions) > 0:
			a.country = w.actors[pick(w.rng, institutions)].country
		case u < 0.97:
			a.country = w.countryW.draw(w.rng)
		}
	}
	for i := range w.actors {
		a := &w.actors[i]
		w.nameActor(a)
		w.byKind[a.kind] = append(w.byKind[a.kind], i)
		if a.country >= 0 {
			k := localKey{a.country, a.kind}
			w.local[k] = append(w.local[k], i)
		}
	}

	// Activity: rank actors by prominence (kind, country, luck), then give
	// the rank-th a weight 1/rank^s.
	score := make([]float64, total)
	for i, a := range w.actors {
		cw := 1.0 / float64(len(w.countries))
		if a.country >= 0 {
			cw = zipf(a.country, countryExponent)
		}
		score[i] = prominence[a.kind] * math.Sqrt(cw) * math.Exp(0.8*w.rng.NormFloat64())
	}
	order := make([]int, total)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
	weights := make([]float64, total)
	for rank, i := range order {
		weights[i] = zipf(rank, actorExponent)
	}
	w.actorW = newWeighted(weights)
}

// countryName is the name of country c, or "" for none.
func (w *world) countryName(c int) string {
	if c < 0 {
		return ""
	}
	return w.countries[c].name
}

var (
	bodies     = []string{"Ministry of Foreign Affairs", "Ministry of Defence", "Ministry of the Interior", "Office of the President", "Office of the Prime Minister", "Ministry of Finance", "National Security Council", "Parliament", "Ministry of Trade", "Central Bank"}
	forces     = []string{"Armed Forces", "Army", "Navy", "Air Force", "National Guard", "Border Guard"}
	groups     = []string{"Front", "Brigades", "Liberation Army", "Movement", "Resistance", "Militia", "Defence Forces"}
	parties    = []string{"Party", "People's Party", "Democratic Alliance", "Labour Party", "National Congress", "Unity Party"}
	orgs       = []string{"Union", "Cooperation Council", "Treaty Organisation", "Development Bank", "Commission", "Forum"}
	ngos       = []string{"Watch", "Foundation", "Relief", "Rights Initiative", "Aid", "Peace Institute"}
	outlets    = []string{"Times", "Post", "Herald", "Daily", "News Agency", "Broadcasting"}
	businesses = []string{"Holdings", "Group", "Energy", "Institute", "Shipping"}
)

func (w *world) nameActor(a *actor) {
	r := w.rng
	cn := w.countryName(a.country)
	switch a.kind {
	case db.ActorState:
		a.name = cn
	case db.ActorPerson:
		a.name = word(r) + " " + word(r)
		if chance(r, 0.1) {
			a.alias = a.name[strings.LastIndexByte(a.name, ' ')+1:]
		}
	case db.ActorGovernmentBody:
		a.name = strings.TrimSpace(cn + " " + pick(r, bodies))
	case db.ActorMilitary:
		a.name = strings.TrimSpace(cn + " " + pick(r, forces))
	case db.ActorArmedGroup:
		a.name = word(r) + " " + pick(r, groups)
	case db.ActorPoliticalParty:
		a.name = word(r) + " " + pick(r, parties)
	case db.ActorInternationalOrganization:
		a.name = word(r) + " " + pick(r, orgs)
	case db.ActorNGO:
		a.name = word(r) + " " + pick(r, ngos)
	case db.ActorMedia:
		a.name = "The " + word(r) + " " + pick(r, outlets)
	default:
		a.name = word(r) + " " + pick(r, businesses)
	}
	if a.alias == "" && a.kind != db.ActorState && a.kind != db.ActorPerson && chance(r, 0.3) {
		a.alias = acronym(a.name)
	}
	if chance(r, 0.3) {
		a.description = "Synthetic " + strings.ToLower(strings.ReplaceAll(string(a.kind), "_", " "))
		if cn != "" {
			a.description += " of " + cn
		}
		a.description += "."
	}
}

func (w *world) actorRecord(i int) fixture.ActorJSON {
	a := &w.actors[i]
	out := fixture.ActorJSON{Key: a.key, Name: a.name, Kind: string(a.kind), Description: a.description,
		Sources: []string{sourceKey}}
	if a.country >= 0 {
		out.Country = w.countries[a.country].code
	}
	if a.alias != "" {
		out.Aliases = []string{a.alias}
	}
	return out
}

// The sources: one describing the generator, which actors and
// relationships cite, and made-up outlets, which events cite.
const sourceKey = "synthetic"

var outletNames = []string{"wire", "monitor", "gazette", "observer", "bulletin"}

func (w *world) sources() []fixture.SourceJSON {
	out := []fixture.SourceJSON{{Key: sourceKey, URL: "https://example.org/geotimeline/synthetic",
		Title: "Synthetic event graph (geotimeline generate)", Publisher: "geotimeline"}}
	for _, n := range outletNames {
		out = append(out, fixture.SourceJSON{Key: sourceKey + "-" + n, URL: "https://example.org/geotimeline/" + n,
			Title: "Synthetic " + n, Publisher: "geotimeline"})
	}
	return out
}

var positions = []string{"Minister", "Deputy Minister", "Director", "Secretary", "Adviser", "Chair", "Ambassador"}

// makeRelationships gives each actor a few ties, as analysts record them.
func (w *world) makeRelationships() {
	r := w.rng
	add := func(kind db.RelationshipKind, subject int, object fixture.ObjectJSON, title string) {
		from, to := w.tenure()
		w.rels = append(w.rels, fixture.RelationshipJSON{Kind: string(kind), Subject: w.actors[subject].key,
			Object: object, Title: title, From: from, To: to, Sources: []string{sourceKey}})
	}
	actorObj := func(i int) fixture.ObjectJSON { return fixture.ObjectJSON{Actor: w.actors[i].key} }
	localPick := func(c int, kinds ...db.ActorKind) int {
		var n int
		for _, k := range kinds {
			n += len(w.local[localKey{c, k}])
		}
		if n == 0 {
			return -1
		}
		j := r.IntN(n)
		for _, k := range kinds {
			l := w.local[localKey{c, k}]
			if j < len(l) {
				return l[j]
			}
			j -= len(l)
		}
		return -1
	}
	for i := range w.actors {
		a := &w.actors[i]
		c := a.country
		switch a.kind {
		case db.ActorPerson:
			if c < 0 {
				continue
			}
			// A position, and sometimes the one before it: a career.
			holders := []db.ActorKind{db.ActorGovernmentBody, db.ActorState, db.ActorMilitary}
			if b := localPick(c, holders...); b >= 0 && chance(r, 0.8) {
				if chance(r, 0.3) {
					change := w.start.AddDate(0, 0, between(r, 30, 700))
					if !change.Before(w.end) {
						change = w.start
					}
					w.rels = append(w.rels, fixture.RelationshipJSON{Kind: string(db.RelHoldsPosition), Subject: a.key,
						Object: actorObj(localPick(c, holders...)), Title: pick(r, positions),
						From: date(w.start, db.PrecisionDay), To: date(change, db.PrecisionDay), Sources: []string{sourceKey}},
						fixture.RelationshipJSON{Kind: string(db.RelHoldsPosition), Subject: a.key,
							Object: actorObj(b), Title: pick(r, positions),
							From: date(change, db.PrecisionDay), Sources: []string{sourceKey}})
				} else {
					add(db.RelHoldsPosition, i, actorObj(b), pick(r, positions))
				}
			}
			if b := localPick(c, db.ActorGovernmentBody, db.ActorMilitary, db.ActorArmedGroup, db.ActorPoliticalParty, db.ActorState); b >= 0 && chance(r, 0.15) {
				add(db.RelSpokespersonFor, i, actorObj(b), "Spokesperson")
				if w.actors[b].spokes < 0 {
					w.actors[b].spokes = i
				}
			}
			if p := localPick(c, db.ActorPoliticalParty); p >= 0 && chance(r, 0.35) {
				add(db.RelMemberOf, i, actorObj(p), "")
			}
			if g := localPick(c, db.ActorPoliticalParty, db.ActorArmedGroup); g >= 0 && chance(r, 0.1) {
				add(db.RelLeads, i, actorObj(g), "Leader")
			}
		case db.ActorState:
			ios := w.byKind[db.ActorInternationalOrganization]
			for _, o := range distinct(r, between(r, 0, 3), len(ios), -1) {
				add(db.RelMemberOf, i, actorObj(ios[o]), "")
			}
			states := w.byKind[db.ActorState]
			self := slices.Index(states, i)
			picked := distinct(r, between(r, 0, 3), len(states), self)
			for j, s := range picked {
				kind := db.RelAlliedWith
				if j == 2 || (j == 1 && chance(r, 0.5)) {
					kind = db.RelOpposes
				}
				add(kind, i, actorObj(states[s]), "")
			}
		case db.ActorArmedGroup:
			states := w.byKind[db.ActorState]
			foe := -1
			if c >= 0 {
				foe = w.countries[c].state
			}
			if foe < 0 && len(states) > 0 {
				foe = pick(r, states)
			}
			if foe >= 0 && chance(r, 0.7) {
				add(db.RelOpposes, i, actorObj(foe), "")
			}
			if len(states) > 0 && chance(r, 0.3) {
				if s := pick(r, states); s != foe {
					add(db.RelSupports, s, actorObj(i), "")
				}
			}
			fallthrough
		default:
			if c >= 0 && chance(r, 0.7) {
				add(db.RelBasedIn, i, fixture.ObjectJSON{Country: w.countries[c].code}, "")
			}
		case db.ActorInternationalOrganization:
			if chance(r, 0.5) {
				add(db.RelBasedIn, i, fixture.ObjectJSON{Country: w.countries[w.countryW.draw(r)].code}, "")
			}
		}
	}
	keys := newKeyer("relationship-", len(w.rels), 6)
	for i := range w.rels {
		w.rels[i].Key = keys.key(i + 1)
	}
}

var tenurePrecisions = newTable(choice[db.Precision]{db.PrecisionDay, 6},
	choice[db.Precision]{db.PrecisionMonth, 3}, choice[db.Precision]{db.PrecisionYear, 1})

// tenure is when a relationship held: often unknown, sometimes only its
// start, sometimes both ends.
func (w *world) tenure() (from, to string) {
	r := w.rng
	if !chance(r, 0.55) {
		return "", ""
	}
	span := w.end.Sub(w.start)
	t := w.start.Add(time.Duration(r.Int64N(int64(span))))
	p := tenurePrecisions.draw(r)
	if truncate(t, p).Before(w.start) {
		p = db.PrecisionDay
	}
	from = date(t, p)
	if chance(r, 0.25) {
		rest := w.end.Sub(t)
		end := t.Add(time.Duration(r.Int64N(int64(rest))))
		// A DAY end no earlier than the start's period.
		if !truncate(end, db.PrecisionDay).Before(truncate(t, p)) {
			to = date(end, db.PrecisionDay)
		}
	}
	return from, to
}

// distinct returns up to n distinct indices in [0, size), never skip.
func distinct(r *rand.Rand, n, size, skip int) []int {
	var out []int
	for tries := 0; len(out) < n && tries < 4*n+4; tries++ {
		j := r.IntN(max(size, 1))
		if size == 0 || j == skip || slices.Contains(out, j) {
			continue
		}
		out = append(out, j)
	}
	return out
}

// makeCalendar sets the event rate of each day: rising slowly over the
// years, lower at weekends, varying by month, and 5 to 10 times higher in
// a few crises.
func (w *world) makeCalendar() {
	r := w.rng
	w.days = int(w.end.Sub(w.start) / (24 * time.Hour))
	months := w.o.Years * 12
	monthly := make([]float64, months+1)
	for m := range monthly {
		monthly[m] = (1 + 0.6*float64(m)/float64(months)) * math.Exp(0.25*r.NormFloat64())
	}
	w.dayBurst = make([]int16, w.days)
	for d := range w.dayBurst {
		w.dayBurst[d] = -1
	}
	nb := max(1, int(math.Round(0.8*float64(w.o.Years))))
	states := w.byKind[db.ActorState]
	fighters := append(slices.Clone(states), w.byKind[db.ActorArmedGroup]...)
	for b := range nb {
		length := between(r, 5, 30)
		first := r.IntN(max(1, w.days-length))
		bu := burst{first: first, last: min(w.days-1, first+length-1), rate: 5 + 5*r.Float64(), tag: "crisis-" + strconv.Itoa(b+1)}
		bu.a = pick(r, fighters)
		bu.b = bu.a
		for tries := 0; bu.b == bu.a && tries < 20; tries++ {
			bu.b = pick(r, states)
		}
		if bu.b == bu.a {
			bu.b = (bu.a + 1) % len(w.actors)
		}
		bu.country = w.actors[bu.a].country
		if bu.country < 0 {
			bu.country = w.countryW.draw(r)
		}
		for d := bu.first; d <= bu.last; d++ {
			if w.dayBurst[d] < 0 {
				w.dayBurst[d] = int16(b)
			}
		}
		w.bursts = append(w.bursts, bu)
	}
	w.dayCum = make([]float64, w.days)
	sum := 0.0
	for d := range w.days {
		day := w.start.AddDate(0, 0, d)
		m := (day.Year()-w.start.Year())*12 + int(day.Month()) - int(w.start.Month())
		rate := monthly[min(max(m, 0), months)]
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			rate *= 0.7
		}
		if b := w.dayBurst[d]; b >= 0 {
			rate *= w.bursts[b].rate
		}
		sum += rate
		w.dayCum[d] = sum
	}
}

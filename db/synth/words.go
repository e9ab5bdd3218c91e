package synth

import (
	"math/rand/v2"
	"strings"
)

// Names are made of syllables, so that no generated name is a real one by
// design and each reads as a name.
var syllables = []string{"ka", "ri", "to", "man", "sel", "dor", "vi", "an", "bel", "gor", "lin", "mar",
	"ta", "ser", "no", "quin", "zar", "el", "or", "ha", "ju", "pe", "ros", "ti", "va", "wen", "ya", "bu",
	"chi", "da", "fa", "ga", "ko", "lu", "mi", "na", "po", "ra", "su", "te", "vok", "is", "ul", "dra"}

// word is a capitalised made-up word of two or three syllables.
func word(r *rand.Rand) string {
	var b strings.Builder
	n := 2 + r.IntN(2)
	for i := range n {
		s := pick(r, syllables)
		if i == 0 {
			b.WriteString(strings.ToUpper(s[:1]))
			b.WriteString(s[1:])
		} else {
			b.WriteString(s)
		}
	}
	return b.String()
}

var placePrefixes = []string{"", "", "", "", "Port ", "New ", "Upper ", "North ", "South ", "Fort "}

func placeName(r *rand.Rand) string { return pick(r, placePrefixes) + word(r) }

// acronym is the initials of the capitalised words of name: "Kavi
// Liberation Army" is "KLA".
func acronym(name string) string {
	var b strings.Builder
	for _, f := range strings.Fields(name) {
		if c := f[0]; c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
		}
	}
	if b.Len() < 2 {
		return ""
	}
	return b.String()
}

var topics = []string{"trade", "energy", "border security", "maritime security", "nuclear", "refugee",
	"water sharing", "counter-terrorism", "cyber security", "arms control", "humanitarian access",
	"election", "debt relief", "climate"}

var topicTags = []string{"trade", "energy", "border", "maritime", "nuclear", "refugees", "water",
	"terrorism", "cyber", "arms-control", "humanitarian", "elections", "debt", "climate"}

// titles are the headline templates of each event type: {I} is the
// initiator, {T} the second participant, {P} the place and {X} a topic.
var titles = map[string][]string{
	"ATTACK":              {"{I} attack on {T}", "{I} attacks {T} in {P}", "Attack on {T} positions near {P}"},
	"STRIKE":              {"{I} strikes {T} targets", "{I} carries out air strikes in {P}", "Strikes on {T} in {P}"},
	"CALL":                {"{I} and {T} hold phone call", "{I} speaks with {T} about {X}"},
	"MEETING":             {"{I} meets {T} in {P}", "{I} and {T} hold talks on {X}"},
	"STATEMENT_OF_POLICY": {"{I} announces new {X} policy", "{I} sets out position on {T}"},
	"PROTEST":             {"Protest against {T} in {P}", "{I} supporters protest in {P}"},
	"SANCTION":            {"{I} imposes sanctions on {T}", "{I} extends {X} sanctions against {T}"},
	"AGREEMENT":           {"{I} and {T} sign {X} agreement", "{I} and {T} reach deal on {X}"},
	"CEASEFIRE":           {"Ceasefire between {I} and {T}", "{I} and {T} agree ceasefire in {P}"},
	"MOBILIZATION":        {"{I} mobilises forces near {P}", "{I} deploys troops toward {T}"},
	"CEREMONY":            {"{I} holds ceremony in {P}", "{I} and {T} mark anniversary"},
	"OTHER":               {"{I} and {T}: {X} developments", "{X} dispute between {I} and {T}"},
}

// fill fills a title template, capitalising its first letter.
func fill(tmpl, i, t, p, x string) string {
	s := expand(tmpl, func(c byte) string {
		switch c {
		case 'I':
			return i
		case 'T':
			return t
		case 'P':
			return p
		}
		return x
	})
	// A template that starts with a topic starts in lower case.
	if c := s[0]; c >= 'a' && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	return s
}

// expand replaces each placeholder {C} of tmpl, C one letter, by value(C).
func expand(tmpl string, value func(byte) string) string {
	var b strings.Builder
	for {
		k := strings.IndexByte(tmpl, '{')
		if k < 0 || k+2 >= len(tmpl) {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:k])
		b.WriteString(value(tmpl[k+1]))
		tmpl = tmpl[k+3:]
	}
}

// nouns name what an event of each type was, for statements.
var nouns = map[string]string{
	"ATTACK": "attack", "STRIKE": "strikes", "CALL": "call", "MEETING": "meeting",
	"STATEMENT_OF_POLICY": "policy announcement", "PROTEST": "protest", "SANCTION": "sanctions",
	"AGREEMENT": "agreement", "CEASEFIRE": "ceasefire", "MOBILIZATION": "mobilisation",
	"CEREMONY": "ceremony", "OTHER": "developments",
}

// sentences are what a statement of each stance says: {S} is the speaker,
// {O} the other side, {N} the event's noun.
var sentences = map[string][]string{
	"CONDEMNATION":          {"{S} condemns the {N} in the strongest terms.", "The {N} is an outrage that {S} cannot accept."},
	"CONDOLENCE":            {"Our thoughts are with the victims of the {N} and their families.", "{S} offers its deepest condolences."},
	"CALL_FOR_DEESCALATION": {"We urge all sides to exercise restraint and avoid further escalation.", "{S} calls on {O} to de-escalate."},
	"SUPPORT_FOR_DIALOGUE":  {"Dialogue with {O} is the only way forward.", "{S} welcomes the {N} as a step towards dialogue."},
	"DEMAND":                {"{O} must immediately withdraw.", "{S} demands that {O} comply without delay."},
	"THREAT":                {"Any further aggression by {O} will be met with a firm response.", "{S} will not hesitate to act."},
	"DENIAL":                {"Reports that {S} was involved in the {N} are false.", "{S} had no part in the {N}."},
	"ACCUSATION":            {"{O} bears full responsibility for the {N}.", "{S} accuses {O} of provoking the {N}."},
	"SUPPORT":               {"{S} stands with {O}.", "{S} fully supports the {N}."},
}

// say fills a sentence template.
func say(tmpl, speaker, other, noun string) string {
	return expand(tmpl, func(c byte) string {
		switch c {
		case 'S':
			return speaker
		case 'O':
			return other
		}
		return noun
	})
}

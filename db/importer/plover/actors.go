package plover

import (
	"fmt"
	"strings"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/codebook"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// actors reads the source or target list of the record into participants
// in role, and returns the words that named them, for the title. A list of
// actor objects is what PLOVER specifies; the gold-standard records also
// write "" for no actor, and once "diplomatic" (a context word in the
// target's place): a string names no coded actor and is passed over.
func (c *rec) actors(name string, role db.ParticipantRole, ps []db.Participant) ([]db.Participant, []string) {
	f, ok := c.fields[name]
	if !ok || string(f.val) == "null" || kindOf(f.val) == "a string" {
		if ok && kindOf(f.val) == "a string" {
			c.text(f) // still UTF-8
		}
		return ps, nil
	}
	list, err := elements(f.val)
	if err != nil {
		c.problem(f, "want a list of actors ({\"actorText\": …, \"code\": …, \"sector\": …}), got %s", kindOf(f.val))
		return ps, nil
	}
	var names []string
	for j, m := range list {
		a := field{path: fmt.Sprintf("%s[%d]", f.path, j), line: c.lineAt(f.off + m.off), val: m.val, off: f.off + m.off}
		switch kindOf(m.val) {
		case "a string":
			c.text(a)
			continue
		case "an object":
		default:
			c.problem(a, "want an actor ({\"actorText\": …, \"code\": …, \"sector\": …}), got %s", kindOf(m.val))
			continue
		}
		p, text, ok := c.actor(a, role)
		if !ok {
			continue
		}
		if text != "" {
			names = append(names, text)
		}
		ps = importer.AddParticipant(ps, p)
	}
	return ps, names
}

// actor reads one actor object into a participant.
func (c *rec) actor(a field, role db.ParticipantRole) (db.Participant, string, bool) {
	ms, err := members(a.val)
	if err != nil {
		c.problem(a, "%v", err)
		return db.Participant{}, "", false
	}
	o := &rec{r: c.r, path: a.path, line: a.line, raw: a.val, fields: map[string]field{}}
	for _, m := range ms {
		o.fields[m.key] = field{path: a.path + "." + m.key, line: o.lineAt(m.off), val: m.val, off: a.off + m.off}
	}
	text, _ := o.str("actorText")
	code, _ := o.str("code")
	sector, _ := o.str("sector")
	if code == "" {
		f, ok := o.fields["code"]
		if !ok {
			f = field{path: a.path + ".code", line: a.line}
		}
		o.problem(f, "required: the actor's ISO 3166-1 alpha-3 or CAMEO code")
		return db.Participant{}, "", false
	}
	ref, col, msg := resolve(code, sector, text)
	if msg != "" {
		o.problem(o.fields[col], "%s", msg)
		return db.Participant{}, "", false
	}
	key, err := c.r.out.Actor(ref)
	if err != nil {
		c.r.err = err
		return db.Participant{}, "", false
	}
	p := db.Participant{Actor: key, Role: role, As: text}
	return p, text, true
}

// resolve turns an actor's code and sector into the actor: a code that is a
// country alone (no sector, or "***") is the shared state of the country;
// any other is the CAMEO actor code+sector ("USA" + "GOV" → "USAGOV"), keyed
// cameo-<code> as GDELT keys it, so that the datasets share it. Codes and
// sectors the records write that are neither ISO's nor CAMEO's are read
// through codebook.PLOVERActorCode ("JAP" → "JPN"). On a problem it returns
// the field it lies in and the message.
func resolve(code, sector, text string) (ref importer.ActorRef, column, problem string) {
	code = strings.ToUpper(code)
	if fix, ok := codebook.PLOVERActorCode("code", code); ok {
		code = fix
	}
	if fix, ok := codebook.PLOVERActorCode("sector", sector); ok {
		sector = fix
	} else if len(sector) > 3 {
		if fix, ok := codebook.PLOVERActorCode("sector", sector[:3]); ok && fix != "" {
			sector = fix + sector[3:] // "CIVsrp" → "CVLsrp"
		}
	}
	if !units(code) {
		return ref, "code", fmt.Sprintf("%q is not an actor code (three-letter units: an ISO 3166-1 alpha-3 code or CAMEO's)", code)
	}
	if !units(sector) {
		return ref, "sector", fmt.Sprintf("%q is not a CAMEO sector (three-letter units: GOV, MIL, CVLalb, …)", sector)
	}
	cameo := code + sector
	if cameo == "" {
		return ref, "code", "the code names no actor and the actor has no sector"
	}
	if code != "" {
		head := code[:3]
		if _, isCountry := iso3166.Lookup(head); !isCountry {
			if _, known := codebook.CAMEOActor(head); !known {
				return ref, "code", fmt.Sprintf("unknown actor code %q: neither an ISO 3166-1 alpha-3 code nor a CAMEO one", head)
			}
		}
	}
	if c, ok := iso3166.Lookup(cameo); ok && len(cameo) == 3 {
		return importer.ActorRef{ID: cameo, Actor: db.Actor{Kind: db.ActorState, Country: c.Code}}, "", ""
	}
	info, ok := codebook.CAMEOActor(cameo)
	if !ok {
		return ref, "sector", fmt.Sprintf("unknown CAMEO actor code %q", cameo)
	}
	name := codebook.CAMEOActorName(cameo, text)
	// The name leaves out CAMEO's ethnic units (lower-case) and the units
	// no table knows ("REFKUR", "SOC"): keep them, so that "Serbia
	// civilians (alb)" is not the name of SRBCVL, nor "Montenegro (soc)"
	// that of the state.
	var ethnic []string
	for i := 3; i+3 <= len(cameo); i += 3 {
		u := cameo[i : i+3]
		if _, known := codebook.CAMEOActor(u); strings.ToLower(u) == u || !known {
			ethnic = append(ethnic, strings.ToLower(u))
		}
	}
	if len(ethnic) > 0 {
		name += " (" + strings.Join(ethnic, ", ") + ")"
	}
	return importer.ActorRef{ID: cameo, Actor: db.Actor{Key: importer.Key("cameo", cameo), Name: name,
		Kind: info.Kind, Country: info.Country}}, "", ""
}

// units reports whether s is made of three-letter units ("" is).
func units(s string) bool {
	if len(s)%3 != 0 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}

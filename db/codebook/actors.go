package codebook

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

//go:embed cameo-actors.tsv
var cameoActorsTable string

// cameoUnit is one row of cameo-actors.tsv.
type cameoUnit struct {
	class   string // type, group, region, country, religion
	kind    db.ActorKind
	country string
	label   string
}

var cameoUnits = parseCAMEOActors(cameoActorsTable)

func parseCAMEOActors(text string) map[string]cameoUnit {
	out := map[string]cameoUnit{}
	for _, f := range rows(text, "cameo-actors.tsv", 5) {
		u := cameoUnit{class: f[1], kind: db.ActorKind(f[2]), country: f[3], label: f[4]}
		switch {
		case len(f[0]) != 3:
			panic(fmt.Sprintf("codebook: cameo-actors.tsv: %q is not a three-letter unit", f[0]))
		case u.kind != "" && !u.kind.Valid():
			panic(fmt.Sprintf("codebook: cameo-actors.tsv: %q is not an actor kind", f[2]))
		case u.country != "" && !iso3166.IsAlpha2(u.country):
			panic(fmt.Sprintf("codebook: cameo-actors.tsv: %q is not an alpha-2 code", f[3]))
		case u.label == "":
			panic(fmt.Sprintf("codebook: cameo-actors.tsv: %s has no label", f[0]))
		}
		switch u.class {
		case "type", "group", "region", "country", "religion":
		default:
			panic(fmt.Sprintf("codebook: cameo-actors.tsv: unknown class %q", u.class))
		}
		if _, dup := out[f[0]]; dup {
			panic(fmt.Sprintf("codebook: cameo-actors.tsv: %s is listed twice", f[0]))
		}
		out[f[0]] = u
	}
	return out
}

// CAMEOActorInfo is what a CAMEO actor code says of its actor.
type CAMEOActorInfo struct {
	// Country is the alpha-2 code of the country the code starts with
	// ("GB" for "GBRGOV"), "" for none.
	Country string
	// Region is the CAMEO region the code names ("EUR" for
	// "IGOEUREEC"), "" for none.
	Region string
	// Group is the CAMEO known group the code names ("EEC"), "" for
	// none.
	Group string
	// Kind is the actor kind: STATE for a code that is a country alone,
	// else that of the known group, else that of the first type unit
	// with a kind, else OTHER.
	Kind db.ActorKind
	// Types are the code's role and sector units in their order ("GOV",
	// "MED" for "GBRGOVMED").
	Types []string
}

// CAMEOActor reads a CAMEO actor code: units of three letters, a country
// (ISO 3166-1 alpha-3, or one of CAMEO's own) or region first, then roles,
// sectors, known groups and religions (cameo-actors.tsv). Lower-case units
// (CAMEO's ethnic codes, "catSEP") and units no table has are skipped.
// False when no unit of the code is known, or the code is not made of
// three-letter units.
func CAMEOActor(code string) (CAMEOActorInfo, bool) {
	var info CAMEOActorInfo
	if code == "" || len(code)%3 != 0 {
		return info, false
	}
	known, kind, countryOnly := 0, db.ActorKind(""), false
	for i := 0; i < len(code); i += 3 {
		unit := code[i : i+3]
		if u, ok := cameoUnits[unit]; ok {
			known++
			switch u.class {
			case "type":
				info.Types = append(info.Types, unit)
				if kind == "" {
					kind = u.kind
				}
			case "group":
				if info.Group == "" {
					info.Group = unit
				}
			case "region":
				if info.Region == "" && info.Country == "" {
					info.Region = unit
					info.Country = u.country
				}
			case "country":
				if info.Country == "" && info.Region == "" {
					info.Country = u.country
					countryOnly = i == 0 && len(code) == 3 && u.country != ""
				}
			}
			continue
		}
		if i == 0 && iso3166.IsAlpha3(unit) {
			if c, ok := iso3166.Lookup(unit); ok {
				known++
				info.Country = c.Code
				countryOnly = len(code) == 3
			}
		}
	}
	if known == 0 {
		return CAMEOActorInfo{}, false
	}
	switch {
	case countryOnly:
		info.Kind = db.ActorState
	case info.Group != "" && cameoUnits[info.Group].kind != "":
		info.Kind = cameoUnits[info.Group].kind
	case kind != "":
		info.Kind = kind
	default:
		info.Kind = db.ActorOther
	}
	return info, true
}

// CAMEOActorName is a readable name for a CAMEO actor code, the same for
// every dataset that names the actor by its code: a known group's name
// ("European Union" for "IGOEUREEC"), else the country's or region's name
// and the labels of the roles and sectors ("United Kingdom police" for
// "GBRCOP", "Government media" for "GOVMED"). For a code that says nothing
// readable it is fallbackName (the dataset's own text), in title case when
// the dataset wrote it in capitals as GDELT does ("VICTORIA" →
// "Victoria"), or else the code itself.
func CAMEOActorName(code, fallbackName string) string {
	if info, ok := CAMEOActor(code); ok {
		if info.Group != "" {
			return cameoUnits[info.Group].label
		}
		var words []string
		if info.Region != "" {
			words = append(words, cameoUnits[info.Region].label)
		} else if info.Country != "" {
			words = append(words, CountryName(info.Country))
		}
		for i := 0; i < len(code); i += 3 {
			if u, ok := cameoUnits[code[i:i+3]]; ok && (u.class == "type" || u.class == "religion") {
				words = append(words, u.label)
			}
		}
		if len(words) > 0 {
			return upperFirst(strings.Join(words, " "))
		}
	}
	if name := strings.TrimSpace(fallbackName); name != "" {
		return TitleCase(name)
	}
	return code
}

// CountryName is a country's ISO name without what it adds in parentheses
// ("Iran" for "Iran (Islamic Republic of)"), the code itself for a code
// ISO 3166-1 does not have.
func CountryName(alpha2 string) string {
	c, ok := iso3166.Lookup(alpha2)
	if !ok {
		return alpha2
	}
	if i := strings.Index(c.Name, " ("); i > 0 {
		return c.Name[:i]
	}
	return c.Name
}

// TitleCase writes a name a dataset gave in capitals ("THE EU", "NEW
// YORK") with only each word's first letter in capitals; a name with a
// lower-case letter in it is given back as it is.
func TitleCase(s string) string {
	for _, r := range s {
		if unicode.IsLower(r) {
			return s
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		if start {
			b.WriteRune(r)
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		start = !unicode.IsLetter(r) && r != '\''
	}
	return b.String()
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

package codebook

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

//go:embed icews-sectors.tsv
var icewsSectorsTable string

var icewsSectors, icewsOrgWords = parseICEWSSectors(icewsSectorsTable)

// icewsSector is a sector's kind and its rank: the lower wins.
type icewsSector struct {
	kind db.ActorKind
	rank int
}

func parseICEWSSectors(text string) (map[string]icewsSector, map[string]bool) {
	sectors, words := map[string]icewsSector{}, map[string]bool{}
	for i, f := range rows(text, "icews-sectors.tsv", 3) {
		switch f[0] {
		case "sector":
			sectors[f[1]] = icewsSector{actorKind("icews-sectors.tsv", f[2]), i}
		case "word":
			words[strings.ToLower(f[1])] = true
		default:
			panic(fmt.Sprintf("codebook: icews-sectors.tsv: unknown row class %q", f[0]))
		}
	}
	return sectors, words
}

// ICEWSSectorKind is the actor kind of an ICEWS actor's sectors: that of
// the sector icews-sectors.tsv lists first. False when no sector has a
// kind.
func ICEWSSectorKind(sectors []string) (db.ActorKind, bool) {
	best := icewsSector{rank: -1}
	for _, s := range sectors {
		if k, ok := icewsSectors[strings.TrimSpace(s)]; ok && (best.rank < 0 || k.rank < best.rank) {
			best = k
		}
	}
	return best.kind, best.rank >= 0
}

// ICEWSOrganizationName reports whether an ICEWS actor's name is an
// organisation's by its words (icews-sectors.tsv): one of the words that
// mark one, a single word, or an "&".
func ICEWSOrganizationName(name string) bool {
	words := strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' || r == ',' || r == '.' })
	if len(words) < 2 || strings.Contains(name, "&") {
		return true
	}
	for _, w := range words {
		if icewsOrgWords[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

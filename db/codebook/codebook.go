// Package codebook holds the code tables of event datasets, as data files
// embedded beside it with their origin named in each: CAMEO → PLOVER
// (cameo2plover-2021.txt, the Open Event Data Alliance's conversion table,
// CC BY-SA 4.0, unchanged), and PLOVER and CAMEO → the event types of
// FIXTURES.md (plover-types.tsv, cameo-types.tsv, written for geotimeline),
// and CAMEO's actor code units (cameo-actors.tsv, from the CAMEO codebook's
// actor chapter as GDELT publishes it) with the actor kinds they make.
// The importers of db/importer read them; nothing here reads files at run
// time.
package codebook

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// PLOVER is an event's coding in the PLOVER ontology: its category, and
// the mode and context that refine it (either may be empty; a context may
// list several, "crime; corruption").
type PLOVER struct {
	Event   string
	Mode    string
	Context string
}

// CAMEOCode is one row of the CAMEO → PLOVER table.
type CAMEOCode struct {
	Code   string // the row's CAMEO code, "041"
	PLOVER PLOVER
	Label  string // CAMEO's description, "Discuss by telephone"
}

//go:embed cameo2plover-2021.txt
var cameo2plover string

//go:embed plover-types.tsv
var ploverTypes string

//go:embed cameo-types.tsv
var cameoTypes string

var (
	cameo      = parseCAMEO(cameo2plover)
	byCategory = parsePLOVERTypes(ploverTypes)
	cameoRoots = parseCAMEOTypes(cameoTypes)
)

// parseCAMEO reads lines "CODE: EVENT, MODE, CONTEXT # description"; a
// root's line may be "CODE: EVENT" alone. A code listed twice keeps its
// first row (the table lists root 08 as CONCEDE and again as RETREAT: its
// three-digit codes say which).
func parseCAMEO(text string) map[string]CAMEOCode {
	out := map[string]CAMEOCode{}
	for line := range strings.SplitSeq(text, "\n") {
		code, rest, ok := strings.Cut(line, ":")
		if !ok || !digits(code) {
			continue
		}
		rest, label, _ := strings.Cut(rest, "#")
		f := strings.Split(rest, ",")
		for len(f) < 3 {
			f = append(f, "")
		}
		c := CAMEOCode{Code: code, Label: strings.TrimSpace(label), PLOVER: PLOVER{
			Event: strings.TrimSpace(f[0]), Mode: strings.TrimSpace(f[1]), Context: strings.TrimSpace(strings.Join(f[2:], ","))}}
		if c.PLOVER.Event == "" {
			panic(fmt.Sprintf("codebook: cameo2plover-2021.txt: no PLOVER event in %q", line))
		}
		if _, dup := out[code]; !dup {
			out[code] = c
		}
	}
	return out
}

type modeKey struct{ event, mode string }

func parsePLOVERTypes(text string) map[modeKey]db.EventType {
	out := map[modeKey]db.EventType{}
	for _, f := range rows(text, "plover-types.tsv", 3) {
		out[modeKey{f[0], f[1]}] = eventType("plover-types.tsv", f[2])
	}
	return out
}

func parseCAMEOTypes(text string) map[string]CAMEOCode {
	out := map[string]CAMEOCode{}
	for _, f := range rows(text, "cameo-types.tsv", 3) {
		// The type is kept in Event, for TypeOfCAMEO: these codes have no
		// PLOVER category.
		out[f[0]] = CAMEOCode{Code: f[0], Label: f[2], PLOVER: PLOVER{Event: string(eventType("cameo-types.tsv", f[1]))}}
	}
	return out
}

// rows splits a tab-separated table, skipping comments and blank lines.
func rows(text, name string, n int) [][]string {
	var out [][]string
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != n {
			panic(fmt.Sprintf("codebook: %s: want %d tab-separated fields, got %q", name, n, line))
		}
		out = append(out, f)
	}
	return out
}

// enum reads a field of a table as one of the db package's checked
// values (an event type, a participant role, an actor kind), named what in
// the panic that another value is.
func enum[T interface {
	~string
	Valid() bool
}](table, what, s string) T {
	v := T(s)
	if !v.Valid() {
		panic(fmt.Sprintf("codebook: %s: %q is not %s", table, s, what))
	}
	return v
}

func eventType(table, s string) db.EventType { return enum[db.EventType](table, "an event type", s) }

func role(table, s string) db.ParticipantRole {
	return enum[db.ParticipantRole](table, "a participant role", s)
}

func actorKind(table, s string) db.ActorKind { return enum[db.ActorKind](table, "an actor kind", s) }

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// CAMEO returns the row of the CAMEO → PLOVER table for a CAMEO event code:
// the code's own row, or else that of the longest code it extends ("0874"
// → "087"), the way CAMEO's codes nest. False for a code the table does not
// cover (CAMEO's 01 and 02, which PLOVER dropped, and codes that are not
// CAMEO's).
func CAMEO(code string) (CAMEOCode, bool) {
	if !digits(code) || len(code) < 2 || len(code) > 4 {
		return CAMEOCode{}, false
	}
	for n := len(code); n >= 2; n-- {
		if c, ok := cameo[code[:n]]; ok {
			return c, true
		}
	}
	return CAMEOCode{}, false
}

// CAMEOLabel is CAMEO's description of a code, "" when no table has one.
func CAMEOLabel(code string) string {
	if c, ok := cameo[code]; ok {
		return c.Label
	}
	if c, ok := cameoRoots[code]; ok {
		return c.Label
	}
	return ""
}

// TypeOf returns the event type of a PLOVER coding: that of its category
// and mode, or else of its category. The 2016 category names are known
// too. False for a category PLOVER does not have.
func TypeOf(p PLOVER) (db.EventType, bool) {
	if t, ok := byCategory[modeKey{p.Event, p.Mode}]; ok && p.Mode != "" {
		return t, true
	}
	t, ok := byCategory[modeKey{p.Event, ""}]
	return t, ok
}

// TypeOfCAMEO returns the event type of a CAMEO event code through its
// PLOVER category, and the PLOVER coding, empty for the codes PLOVER
// dropped (01, 02 and theirs), whose types cameo-types.tsv gives.
func TypeOfCAMEO(code string) (db.EventType, PLOVER, bool) {
	if c, ok := CAMEO(code); ok {
		t, ok := TypeOf(c.PLOVER)
		return t, c.PLOVER, ok
	}
	if digits(code) && len(code) >= 2 && len(code) <= 4 {
		if c, ok := cameoRoots[code[:2]]; ok {
			return db.EventType(c.PLOVER.Event), PLOVER{}, true
		}
	}
	return "", PLOVER{}, false
}

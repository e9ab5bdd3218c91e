package codebook

import (
	_ "embed"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// The conflict datasets' tables: UCDP GED's types of violence
// (ucdp-violence.tsv), ACLED's event and sub-event types (acled-types.tsv)
// and actor types (acled-inter.tsv), each mapped to geotimeline's types,
// roles and kinds by a table written for geotimeline that names its origin.

//go:embed ucdp-violence.tsv
var ucdpViolenceTable string

//go:embed ucdp-precision.tsv
var ucdpPrecisionTable string

//go:embed acled-types.tsv
var acledTypesTable string

//go:embed acled-precision.tsv
var acledPrecisionTable string

//go:embed acled-inter.tsv
var acledInterTable string

// UCDPViolence is a row of ucdp-violence.tsv: a UCDP GED type_of_violence.
type UCDPViolence struct {
	Code  string // "1"
	Type  db.EventType
	RoleA db.ParticipantRole // side_a's role
	RoleB db.ParticipantRole // side_b's role
	Label string             // UCDP's name, "State-based conflict"
}

// ACLEDType is a row of acled-types.tsv: an ACLED sub-event type.
type ACLEDType struct {
	EventType    string // as ACLED writes it, "Explosions/Remote violence"
	SubEventType string // "Air/drone strike"
	Type         db.EventType
	Role1        db.ParticipantRole // actor1's role, and its associated actors'
	Role2        db.ParticipantRole // actor2's
}

// ACLEDInter is a row of acled-inter.tsv: an ACLED actor type.
type ACLEDInter struct {
	Code  string // "1"
	Kind  db.ActorKind
	Label string // "State forces"
}

var (
	ucdpViolence = parseUCDPViolence(ucdpViolenceTable)
	ucdpMeaning  = parseMeanings(ucdpPrecisionTable, "ucdp-precision.tsv")
	acledTypes   = parseACLEDTypes(acledTypesTable)
	acledInter   = parseACLEDInter(acledInterTable)
	acledMeaning = parseMeanings(acledPrecisionTable, "acled-precision.tsv")
)

func parseUCDPViolence(text string) map[string]UCDPViolence {
	const name = "ucdp-violence.tsv"
	out := map[string]UCDPViolence{}
	for _, f := range rows(text, name, 5) {
		out[f[0]] = UCDPViolence{Code: f[0], Type: eventType(name, f[1]), RoleA: role(name, f[2]), RoleB: role(name, f[3]), Label: f[4]}
	}
	return out
}

// acledKey is how ACLED's type names are looked up: case and spacing as
// an export may vary them ("Explosions/remote violence") do not matter.
func acledKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// parseMeanings reads a table of COLUMN, CODE, meaning.
func parseMeanings(text, name string) map[[2]string]string {
	out := map[[2]string]string{}
	for _, f := range rows(text, name, 3) {
		out[[2]string{f[0], f[1]}] = f[2]
	}
	return out
}

func parseACLEDTypes(text string) map[[2]string]ACLEDType {
	const name = "acled-types.tsv"
	out := map[[2]string]ACLEDType{}
	for _, f := range rows(text, name, 5) {
		out[[2]string{acledKey(f[0]), acledKey(f[1])}] = ACLEDType{EventType: f[0], SubEventType: f[1],
			Type: eventType(name, f[2]), Role1: role(name, f[3]), Role2: role(name, f[4])}
	}
	return out
}

func parseACLEDInter(text string) map[string]ACLEDInter {
	const name = "acled-inter.tsv"
	out := map[string]ACLEDInter{}
	for _, f := range rows(text, name, 3) {
		r := ACLEDInter{Code: f[0], Kind: actorKind(name, f[1]), Label: f[2]}
		out[f[0]] = r
		out[acledKey(f[2])] = r
	}
	return out
}

// UCDPViolenceType returns the row of a UCDP type_of_violence code ("1",
// "2", "3"), false for another.
func UCDPViolenceType(code string) (UCDPViolence, bool) {
	v, ok := ucdpViolence[code]
	return v, ok
}

// UCDPMeaning says what a code of UCDP GED's where_prec, date_prec or
// event_clarity column means ("exact location"), false for a code the
// codebook does not give the column.
func UCDPMeaning(column, code string) (string, bool) {
	m, ok := ucdpMeaning[[2]string{column, code}]
	return m, ok
}

// ACLEDMeaning says what a code of ACLED's geo_precision column
// means, false for a code the codebook does not give the column.
func ACLEDMeaning(column, code string) (string, bool) {
	m, ok := acledMeaning[[2]string{column, code}]
	return m, ok
}

// ACLEDEventType reports whether ACLED's codebook has an event type (of
// any case), and gives it as the codebook writes it.
func ACLEDEventType(eventType string) (string, bool) {
	k := acledKey(eventType)
	for key, t := range acledTypes {
		if key[0] == k {
			return t.EventType, true
		}
	}
	return "", false
}

// ACLED returns the row of an ACLED event type and sub-event type, matched
// without regard to case or repeated spaces; false for a pair the codebook
// does not have (a sub-event type under another event type included).
func ACLED(eventType, subEventType string) (ACLEDType, bool) {
	t, ok := acledTypes[[2]string{acledKey(eventType), acledKey(subEventType)}]
	return t, ok
}

// ACLEDActorType returns the row of an ACLED actor type given as its code
// ("1") or its label ("State forces", in any case; the codebook's older
// plural labels, "State Forces", "Rebel Groups", are read too). False for
// another value, "0" and "" (no actor) included.
func ACLEDActorType(inter string) (ACLEDInter, bool) {
	k := acledKey(inter)
	if r, ok := acledInter[k]; ok {
		return r, true
	}
	r, ok := acledInter[strings.TrimSuffix(k, "s")]
	return r, ok
}

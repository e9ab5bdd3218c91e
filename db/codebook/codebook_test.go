package codebook

import (
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

func TestCAMEO(t *testing.T) {
	for code, want := range map[string]CAMEOCode{
		"041":  {"041", PLOVER{"CONSULT", "phone", ""}, "Discuss by telephone"},
		"0311": {"0311", PLOVER{"AGREE", "", "economic"}, "Express intent to cooperate economically"},
		"091":  {"091", PLOVER{"ACCUSE", "investigate", "crime; corruption"}, "Investigate crime, corruption"},
		"19":   {"19", PLOVER{"ASSAULT", "", ""}, ""},
		"08":   {"08", PLOVER{"CONCEDE", "", ""}, ""},
		// A code the table does not list takes its parent's row.
		"1951": {"195", PLOVER{"ASSAULT", "heavy-weapons", "military"}, "Employ aerial weapons"},
	} {
		got, ok := CAMEO(code)
		if !ok || got != want {
			t.Errorf("CAMEO(%q) = %+v, %v; want %+v", code, got, ok, want)
		}
	}
	for _, code := range []string{"", "0", "01", "010", "02", "21", "abc", "04111"} {
		if got, ok := CAMEO(code); ok {
			t.Errorf("CAMEO(%q) = %+v, want none", code, got)
		}
	}
	if n := len(cameo); n != 274 {
		t.Errorf("the table has %d codes, want 274 (276 rows, two codes listed twice)", n)
	}
}

func TestTypeOfCAMEO(t *testing.T) {
	for code, want := range map[string]db.EventType{
		"041": db.EventCall, "042": db.EventMeeting, "190": db.EventAttack, "183": db.EventAttack,
		"010": db.EventStatementOfPolicy, "0214": db.EventRequest, "14": db.EventProtest,
		"112": db.EventAccusation, "0874": db.EventRetreat, "161": db.EventSanction, "163": db.EventCoercion, "057": db.EventSupport,
	} {
		got, _, ok := TypeOfCAMEO(code)
		if !ok || got != want {
			t.Errorf("TypeOfCAMEO(%q) = %q, %v; want %q", code, got, ok, want)
		}
	}
	if _, p, _ := TypeOfCAMEO("041"); p != (PLOVER{"CONSULT", "phone", ""}) {
		t.Errorf("TypeOfCAMEO(041) PLOVER = %+v", p)
	}
	if got, _, ok := TypeOfCAMEO("99"); ok {
		t.Errorf("TypeOfCAMEO(99) = %q, want none", got)
	}
	if CAMEOLabel("010") != "Make public statement" && CAMEOLabel("01") != "Make public statement" {
		t.Errorf("CAMEOLabel(01) = %q", CAMEOLabel("01"))
	}
}

func TestTypeOf(t *testing.T) {
	for p, want := range map[PLOVER]db.EventType{
		{Event: "CONSULT", Mode: "phone"}: db.EventCall, {Event: "CONSULT", Mode: "visit"}: db.EventMeeting,
		{Event: "DEMAND"}: db.EventRequest, {Event: "FIGHT"}: db.EventAttack, {Event: "DISAPPROVE"}: db.EventAccusation,
		{Event: "INVESTIGATE"}: db.EventAccusation, {Event: "MOBILIZE"}: db.EventMobilization,
	} {
		if got, ok := TypeOf(p); !ok || got != want {
			t.Errorf("TypeOf(%+v) = %q, %v; want %q", p, got, ok, want)
		}
	}
	if got, ok := TypeOf(PLOVER{Event: "DOCUMENT"}); ok {
		t.Errorf("TypeOf(DOCUMENT) = %q, want none", got)
	}
}

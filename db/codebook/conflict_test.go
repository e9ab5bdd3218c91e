package codebook

import (
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

func TestUCDPViolenceType(t *testing.T) {
	for code, want := range map[string]UCDPViolence{
		"1": {"1", db.EventAttack, db.RoleParticipant, db.RoleParticipant, "State-based conflict"},
		"2": {"2", db.EventAttack, db.RoleParticipant, db.RoleParticipant, "Non-state conflict"},
		"3": {"3", db.EventAttack, db.RoleInitiator, db.RoleVictim, "One-sided violence"},
	} {
		if got, ok := UCDPViolenceType(code); !ok || got != want {
			t.Errorf("UCDPViolenceType(%q) = %+v, %v; want %+v", code, got, ok, want)
		}
	}
	for _, code := range []string{"", "0", "4", "01"} {
		if got, ok := UCDPViolenceType(code); ok {
			t.Errorf("UCDPViolenceType(%q) = %+v, want none", code, got)
		}
	}
	if m, ok := UCDPMeaning("where_prec", "7"); !ok || m != "in international waters or airspace" {
		t.Errorf("where_prec 7: %q, %v", m, ok)
	}
	if _, ok := UCDPMeaning("date_prec", "6"); ok {
		t.Error("date_prec 6 has a meaning, want none")
	}
}

// The table has every sub-event type of ACLED's codebook, each once.
func TestACLED(t *testing.T) {
	if n := len(acledTypes); n != 26 {
		t.Errorf("%d sub-event types, want 26 (ACLED's 25 and one other spelling)", n)
	}
	types := map[string]int{}
	for _, r := range acledTypes {
		types[r.EventType]++
	}
	want := map[string]int{"Battles": 3, "Explosions/Remote violence": 6, "Violence against civilians": 3,
		"Protests": 4, "Riots": 2, "Strategic developments": 8}
	if len(types) != len(want) {
		t.Errorf("event types %v, want %v", types, want)
	}
	for k, n := range want {
		if types[k] != n {
			t.Errorf("%s has %d sub-event types, want %d", k, types[k], n)
		}
	}
	for _, tt := range []struct {
		et, sub string
		want    db.EventType
	}{
		{"Battles", "Armed clash", db.EventAttack},
		{"explosions/remote violence", "Air/drone  strike", db.EventStrike},
		{"Strategic Developments", "Arrests", db.EventCoercion},
		{"Strategic developments", "Agreement", db.EventAgreement},
		{"Protests", "Excessive force against protestors", db.EventProtest},
	} {
		if got, ok := ACLED(tt.et, tt.sub); !ok || got.Type != tt.want {
			t.Errorf("ACLED(%q, %q) = %+v, %v; want type %s", tt.et, tt.sub, got, ok, tt.want)
		}
	}
	// A sub-event type under another event type is not in the codebook.
	if got, ok := ACLED("Battles", "Air/drone strike"); ok {
		t.Errorf("ACLED(Battles, Air/drone strike) = %+v, want none", got)
	}
	if got, ok := ACLEDEventType("riots"); !ok || got != "Riots" {
		t.Errorf("ACLEDEventType(riots) = %q, %v", got, ok)
	}
}

func TestACLEDActorType(t *testing.T) {
	for inter, want := range map[string]db.ActorKind{
		"1": db.ActorMilitary, "State forces": db.ActorMilitary, "State Forces": db.ActorMilitary,
		"2": db.ActorArmedGroup, "Rebel Groups": db.ActorArmedGroup, "political militia": db.ActorArmedGroup,
		"Identity Militias": db.ActorArmedGroup, "6": db.ActorOther, "External/Other Forces": db.ActorOther, "7": db.ActorOther,
	} {
		if got, ok := ACLEDActorType(inter); !ok || got.Kind != want {
			t.Errorf("ACLEDActorType(%q) = %+v, %v; want %s", inter, got, ok, want)
		}
	}
	for _, inter := range []string{"", "0", "9", "Soldiers"} {
		if got, ok := ACLEDActorType(inter); ok {
			t.Errorf("ACLEDActorType(%q) = %+v, want none", inter, got)
		}
	}
}

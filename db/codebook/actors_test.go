package codebook

import (
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

func TestCAMEOActor(t *testing.T) {
	for _, tc := range []struct {
		code string
		want CAMEOActorInfo
		name string
	}{
		{"AUS", CAMEOActorInfo{Country: "AU", Kind: db.ActorState}, "Australia"},
		{"GBRGOV", CAMEOActorInfo{Country: "GB", Kind: db.ActorGovernmentBody, Types: []string{"GOV"}}, "United Kingdom government"},
		{"GBRCOP", CAMEOActorInfo{Country: "GB", Kind: db.ActorGovernmentBody, Types: []string{"COP"}}, "United Kingdom police"},
		{"USAMIL", CAMEOActorInfo{Country: "US", Kind: db.ActorMilitary, Types: []string{"MIL"}}, "United States military"},
		{"IRNGOV", CAMEOActorInfo{Country: "IR", Kind: db.ActorGovernmentBody, Types: []string{"GOV"}}, "Iran government"},
		{"GOVMED", CAMEOActorInfo{Kind: db.ActorGovernmentBody, Types: []string{"GOV", "MED"}}, "Government media"},
		{"MED", CAMEOActorInfo{Kind: db.ActorMedia, Types: []string{"MED"}}, "Media"},
		{"BUS", CAMEOActorInfo{Kind: db.ActorOther, Types: []string{"BUS"}}, "Business"},
		{"AFGREB", CAMEOActorInfo{Country: "AF", Kind: db.ActorArmedGroup, Types: []string{"REB"}}, "Afghanistan rebels"},
		{"PSEINS", CAMEOActorInfo{Country: "PS", Kind: db.ActorArmedGroup, Types: []string{"INS"}}, "Palestinian Territory insurgents"},
		{"IGOEUREEC", CAMEOActorInfo{Region: "EUR", Group: "EEC", Kind: db.ActorInternationalOrganization, Types: []string{"IGO"}}, "European Union"},
		{"IGOUNODEVWBK", CAMEOActorInfo{Group: "UNO", Kind: db.ActorInternationalOrganization, Types: []string{"IGO", "DEV"}}, "United Nations"},
		{"AFGINSTAL", CAMEOActorInfo{Country: "AF", Group: "TAL", Kind: db.ActorArmedGroup, Types: []string{"INS"}}, "Taliban"},
		{"NGO", CAMEOActorInfo{Kind: db.ActorNGO, Types: []string{"NGO"}}, "Non-governmental organization"},
		{"EUR", CAMEOActorInfo{Region: "EUR", Kind: db.ActorOther}, "Europe"},
		{"EUREDU", CAMEOActorInfo{Region: "EUR", Kind: db.ActorOther, Types: []string{"EDU"}}, "Europe education"},
		{"GOVPTY", CAMEOActorInfo{Kind: db.ActorGovernmentBody, Types: []string{"GOV", "PTY"}}, "Government political party"},
		{"PTY", CAMEOActorInfo{Kind: db.ActorPoliticalParty, Types: []string{"PTY"}}, "Political party"},
		{"ROM", CAMEOActorInfo{Country: "RO", Kind: db.ActorState}, "Romania"},
		{"KSVGOV", CAMEOActorInfo{Country: "XK", Kind: db.ActorGovernmentBody, Types: []string{"GOV"}}, "Kosovo government"},
		{"SRBCVLalb", CAMEOActorInfo{Country: "RS", Kind: db.ActorOther, Types: []string{"CVL"}}, "Serbia civilians"},
		{"catSEP", CAMEOActorInfo{Kind: db.ActorArmedGroup, Types: []string{"SEP"}}, "Separatist rebels"},
		{"CHRCTH", CAMEOActorInfo{Kind: db.ActorOther}, "Christian Catholic"},
		{"WSB", CAMEOActorInfo{Region: "WSB", Country: "PS", Kind: db.ActorOther}, "West Bank"},
	} {
		got, ok := CAMEOActor(tc.code)
		if !ok || got.Country != tc.want.Country || got.Region != tc.want.Region || got.Group != tc.want.Group ||
			got.Kind != tc.want.Kind || !slices.Equal(got.Types, tc.want.Types) {
			t.Errorf("CAMEOActor(%q) = %+v, %v; want %+v", tc.code, got, ok, tc.want)
		}
		if got := CAMEOActorName(tc.code, "SOMETHING"); got != tc.name {
			t.Errorf("CAMEOActorName(%q) = %q, want %q", tc.code, got, tc.name)
		}
	}
	for _, code := range []string{"", "US", "USAG", "XYZ", "abc", "ZZZQQQ"} {
		if got, ok := CAMEOActor(code); ok {
			t.Errorf("CAMEOActor(%q) = %+v, want none", code, got)
		}
	}
	for code, want := range map[string]string{"XYZ": "Victoria", "": "Victoria"} {
		if got := CAMEOActorName(code, "VICTORIA"); got != want {
			t.Errorf("CAMEOActorName(%q, VICTORIA) = %q, want %q", code, got, want)
		}
	}
	if got := CAMEOActorName("XYZ", ""); got != "XYZ" {
		t.Errorf("CAMEOActorName(XYZ, \"\") = %q", got)
	}
}

func TestTitleCase(t *testing.T) {
	for in, want := range map[string]string{"VICTORIA": "Victoria", "THE EU": "The Eu", "NEW YORK-BASED": "New York-Based",
		"O'BRIEN": "O'brien", "Barack Obama": "Barack Obama", "ÉCOLE": "École"} {
		if got := TitleCase(in); got != want {
			t.Errorf("TitleCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestICEWSSectorKind(t *testing.T) {
	for sectors, want := range map[string]db.ActorKind{
		"Government,Military":                   db.ActorMilitary,
		"Executive,Foreign Ministry,Government": db.ActorGovernmentBody,
		"Government,Police":                     db.ActorGovernmentBody,
		"International Government Organization,Regional Diplomatic IGOs,Regional": db.ActorInternationalOrganization,
		"Parties,(National) Major Party,Government Major Party (In Government)":   db.ActorPoliticalParty,
		"Media,Government":  db.ActorMedia,
		"Human Rights NGOs": db.ActorNGO,
		"Insurgents,Radicals / Extremists / Fundamentalists": db.ActorArmedGroup,
	} {
		if got, ok := ICEWSSectorKind(strings.Split(sectors, ",")); !ok || got != want {
			t.Errorf("ICEWSSectorKind(%s) = %q, %v; want %q", sectors, got, ok, want)
		}
	}
	if got, ok := ICEWSSectorKind([]string{"General Population / Civilian / Social", "Social"}); ok {
		t.Errorf("civilians: %q, want no kind", got)
	}
	for name, want := range map[string]bool{"Donald Trump": false, "Kim Yong-chol": false, "Khalid A. Al-Falih": false,
		"Israeli Defense Forces": true, "Central Bureau of Investigation": true, "Al Qaeda": true, "BBC": true,
		"Mahindra & Mahindra": true, "Lok Sabha": true, "Unspecified Actor": true, "United Nations": true} {
		if got := ICEWSOrganizationName(name); got != want {
			t.Errorf("ICEWSOrganizationName(%q) = %v, want %v", name, got, want)
		}
	}
}

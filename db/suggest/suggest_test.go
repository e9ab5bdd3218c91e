package suggest_test

import (
	"slices"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/suggest"
)

func TestNearest(t *testing.T) {
	actors := []suggest.Candidate{
		{Value: "marco-rubio", Texts: []string{"marco-rubio", "Marco Rubio"}},
		{Value: "india", Texts: []string{"india", "India"}},
		{Value: "indian-army", Texts: []string{"indian-army", "Indian Army"}},
		{Value: "pakistan", Texts: []string{"pakistan", "Pakistan"}},
		{Value: "s-jaishankar", Texts: []string{"s-jaishankar", "S. Jaishankar"}},
	}
	for _, tt := range []struct {
		input string
		want  []string
	}{
		{"marco-rubi", []string{"marco-rubio"}},
		{"Marco Rubio", []string{"marco-rubio"}},
		{"MARCO_RUBIO", []string{"marco-rubio"}},
		{"indiaa", []string{"india"}},
		// Two edits are too many for five letters.
		{"indai", nil},
		{"pakistan ", []string{"pakistan"}},
		{"jaishankar", []string{"s-jaishankar"}},
		{"x", nil},
	} {
		if got := suggest.Nearest(tt.input, actors); !slices.Equal(got, tt.want) {
			t.Errorf("Nearest(%q) = %q, want %q", tt.input, got, tt.want)
		}
	}
}

func TestHint(t *testing.T) {
	for _, tt := range []struct {
		values []string
		want   string
	}{
		{nil, ""},
		{[]string{"GB"}, `: did you mean "GB"?`},
		{[]string{"a", "b"}, `: did you mean "a" or "b"?`},
		{[]string{"a", "b", "c"}, `: did you mean "a", "b" or "c"?`},
	} {
		if got := suggest.Hint(tt.values); got != tt.want {
			t.Errorf("Hint(%q) = %q, want %q", tt.values, got, tt.want)
		}
	}
}

// Hints answers from direct first, reads the stored values once and only
// when a key needs them, and says nothing of a key nothing is near.
func TestHints(t *testing.T) {
	reads := 0
	stored := func() ([]suggest.Candidate, error) {
		reads++
		return []suggest.Candidate{{Value: "marco-rubio", Texts: []string{"marco-rubio", "Marco Rubio"}}}, nil
	}
	direct := func(k string) []string {
		if k == "UK" {
			return []string{"GB"}
		}
		return nil
	}
	got, err := suggest.Hints([]string{"UK"}, direct, nil, stored)
	if err != nil || len(got) != 1 || got[0] != `: did you mean "GB"?` || reads != 0 {
		t.Errorf("UK: %q, %v, %d reads; want the direct answer and no read", got, err, reads)
	}
	got, err = suggest.Hints([]string{"marco-rubi", "zzzzzzzzzz", "marc-rubio"}, direct, []suggest.Candidate{{Value: "india", Texts: []string{"india"}}}, stored)
	want := []string{`: did you mean "marco-rubio"?`, "", `: did you mean "marco-rubio"?`}
	if err != nil || !slices.Equal(got, want) || reads != 1 {
		t.Errorf("got %q, %v, %d reads; want %q and one read", got, err, reads, want)
	}
}

// An unused scheme is named with the match under the nearest schemes; a
// misspelt whole code gets the nearest codes, a prefix none; past named,
// the rest are counted.
func TestUnknownCodes(t *testing.T) {
	cands := func(vs ...string) []suggest.Candidate {
		var out []suggest.Candidate
		for _, v := range vs {
			out = append(out, suggest.Candidate{Value: v, Texts: []string{v}})
		}
		return out
	}
	schemes, codes := cands("CAMEO", "PLOVER"), cands("CAMEO:190", "PLOVER:ASSAULT")
	missing := []db.CodeMatch{{Scheme: "PLOVR", Code: "ASSAULT"}, {Scheme: "CAMEO", Code: "191"}, {Scheme: "CAMEO", Code: "9", Prefix: true},
		{Scheme: "X", Code: "1"}}
	for _, tt := range []struct {
		named int
		want  string
	}{
		{4, `no event has a code of the scheme "PLOVR" (in "PLOVR:ASSAULT"): did you mean "PLOVER:ASSAULT"?; ` +
			`no event has a code matching "CAMEO:191": did you mean "CAMEO:190"?; no event has a code matching "CAMEO:9*"; ` +
			`no event has a code of the scheme "X" (in "X:1")`},
		{1, `no event has a code of the scheme "PLOVR" (in "PLOVR:ASSAULT"): did you mean "PLOVER:ASSAULT"?; and 3 more unknown codes`},
	} {
		err := suggest.UnknownCodes(missing, schemes, codes, tt.named)
		if err == nil || err.Error() != tt.want || db.ErrorCode(err) != db.CodeInvalid {
			t.Errorf("named %d: got %v, want BAD_USER_INPUT %q", tt.named, err, tt.want)
		}
	}
}

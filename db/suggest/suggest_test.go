package suggest_test

import (
	"slices"
	"testing"

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

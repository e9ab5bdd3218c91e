package iso3166_test

import (
	"slices"
	"testing"

	"github.com/geotimeline/geotimeline/db/iso3166"
)

func TestSuggest(t *testing.T) {
	for _, tt := range []struct {
		code string
		want []string
	}{
		{"UK", []string{"GB"}},
		{"KSA", []string{"SA"}},
		{"JAP", []string{"JP"}},
		{"GER", []string{"DE"}},
		{"in", []string{"IN"}},
		{"ind", []string{"IN"}},
		{"England", []string{"GB"}},
		{"Inda", []string{"IN"}},
		{"Pakistn", []string{"PK"}},
		{"ZZ", nil},
		{"QQQ", nil},
	} {
		if got := iso3166.Suggest(tt.code); !slices.Equal(got, tt.want) {
			t.Errorf("Suggest(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

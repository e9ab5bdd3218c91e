package iso3166_test

import (
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

func TestLookup(t *testing.T) {
	for _, tt := range []struct {
		code string
		want db.Country
		ok   bool
	}{
		{"IN", db.Country{Code: "IN", Alpha3: "IND", Name: "India", Region: "Asia"}, true},
		{"IND", db.Country{Code: "IN", Alpha3: "IND", Name: "India", Region: "Asia"}, true},
		{"PK", db.Country{Code: "PK", Alpha3: "PAK", Name: "Pakistan", Region: "Asia"}, true},
		{"PAK", db.Country{Code: "PK", Alpha3: "PAK", Name: "Pakistan", Region: "Asia"}, true},
		{"NP", db.Country{Code: "NP", Alpha3: "NPL", Name: "Nepal", Region: "Asia"}, true},
		{"US", db.Country{Code: "US", Alpha3: "USA", Name: "United States", Region: "North America"}, true},
		{"USA", db.Country{Code: "US", Alpha3: "USA", Name: "United States", Region: "North America"}, true},
		{"in", db.Country{}, false},
		{"ind", db.Country{}, false},
		{"In", db.Country{}, false},
		{"ZZ", db.Country{}, false},
		{"ZZZ", db.Country{}, false},
		// The library's fuzzy matcher takes these for GB and AE; codes must not.
		{"UK", db.Country{}, false},
		{"UAE", db.Country{}, false},
		{"ENG", db.Country{}, false},
		{"India", db.Country{}, false},
		{"", db.Country{}, false},
		{" IN", db.Country{}, false},
	} {
		t.Run(tt.code, func(t *testing.T) {
			got, ok := iso3166.Lookup(tt.code)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Lookup(%q) = %+v, %v; want %+v, %v", tt.code, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	for _, tt := range []struct {
		code, want string
		ok         bool
	}{
		{"IN", "IN", true},
		{"IND", "IN", true},
		{"PAK", "PK", true},
		{"NPL", "NP", true},
		{"GB", "GB", true},
		{"GBR", "GB", true},
		{"in", "", false},
		{"ZZ", "", false},
		{"UK", "", false},
	} {
		if got, ok := iso3166.Normalize(tt.code); got != tt.want || ok != tt.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tt.code, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAll(t *testing.T) {
	all := iso3166.All()
	// The number biter777/countries v1.7.5 lists; a change means the
	// library's list changed and the country table needs a look.
	if got, want := len(all), 252; got != want {
		t.Fatalf("len(All()) = %d, want %d", got, want)
	}
	seen := map[string]bool{}
	seen3 := map[string]bool{}
	for i, c := range all {
		if !iso3166.IsAlpha2(c.Code) || !iso3166.IsAlpha3(c.Alpha3) || c.Name == "" || c.Region == "" {
			t.Errorf("All()[%d] = %+v: malformed", i, c)
		}
		if i > 0 && all[i-1].Code >= c.Code {
			t.Errorf("All() not sorted: %q then %q", all[i-1].Code, c.Code)
		}
		if seen[c.Code] || seen3[c.Alpha3] {
			t.Errorf("All(): duplicate %q/%q", c.Code, c.Alpha3)
		}
		seen[c.Code], seen3[c.Alpha3] = true, true
		if got, ok := iso3166.Lookup(c.Code); !ok || got != c {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", c.Code, got, ok, c)
		}
		if got, ok := iso3166.Lookup(c.Alpha3); !ok || got != c {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", c.Alpha3, got, ok, c)
		}
	}
	// All hands out copies: changing one must not change the table.
	all[0].Name = "changed"
	if iso3166.All()[0].Name == "changed" {
		t.Error("All() shares its backing array")
	}
}

func TestIsAlpha(t *testing.T) {
	for _, tt := range []struct {
		code   string
		a2, a3 bool
	}{
		{"IN", true, false}, {"IND", false, true}, {"in", false, false}, {"ind", false, false},
		{"I1", false, false}, {"", false, false}, {"INDI", false, false}, {"ZZ", true, false},
	} {
		if got := iso3166.IsAlpha2(tt.code); got != tt.a2 {
			t.Errorf("IsAlpha2(%q) = %v, want %v", tt.code, got, tt.a2)
		}
		if got := iso3166.IsAlpha3(tt.code); got != tt.a3 {
			t.Errorf("IsAlpha3(%q) = %v, want %v", tt.code, got, tt.a3)
		}
	}
}

func TestNumeric(t *testing.T) {
	for code, want := range map[string]string{"IN": "356", "PK": "586", "US": "840", "AF": "004"} {
		if got, ok := iso3166.Numeric(code); !ok || got != want {
			t.Errorf("Numeric(%q) = %q, %v; want %q", code, got, ok, want)
		}
	}
	if got, ok := iso3166.Numeric("XK"); ok {
		t.Errorf("Numeric(XK) = %q, want none (not assigned by ISO 3166-1)", got)
	}
}

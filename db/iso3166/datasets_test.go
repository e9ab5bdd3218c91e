package iso3166

import "testing"

func TestFromFIPS(t *testing.T) {
	for code, want := range map[string]string{"UK": "GB", "GM": "DE", "RS": "RU", "CH": "CN", "SF": "ZA",
		"AS": "AU", "EI": "IE", "JA": "JP", "IN": "IN", "PK": "PK", "US": "US"} {
		if got, ok := FromFIPS(code); !ok || got != want {
			t.Errorf("FromFIPS(%q) = %q, %v; want %q", code, got, ok, want)
		}
	}
	for _, code := range []string{"", "XX", "uk", "GBR"} {
		if got, ok := FromFIPS(code); ok {
			t.Errorf("FromFIPS(%q) = %q, want none", code, got)
		}
	}
}

func TestFromNumeric(t *testing.T) {
	for code, want := range map[string]string{"356": "IN", "586": "PK", "004": "AF", "4": "AF", "840": "US"} {
		if got, ok := FromNumeric(code); !ok || got != want {
			t.Errorf("FromNumeric(%q) = %q, %v; want %q", code, got, ok, want)
		}
	}
	for _, code := range []string{"", "999", "abc", "3560", "-4"} {
		if got, ok := FromNumeric(code); ok {
			t.Errorf("FromNumeric(%q) = %q, want none", code, got)
		}
	}
}

func TestFromName(t *testing.T) {
	for name, want := range map[string]string{
		"India": "IN", "Occupied Palestinian Territory": "PS", "DR Congo (Zaire)": "CD",
		"Russia (Soviet Union)": "RU", "Democratic Republic of Congo": "CD", "Ivory Coast": "CI",
		"Myanmar (Burma)": "MM", "Kingdom of eSwatini (Swaziland)": "SZ", "Bosnia-Herzegovina": "BA",
		"the former Yugoslav Republic of Macedonia": "MK", "South Korea": "KR", "North Korea": "KP",
		"Yemen (North Yemen)": "YE", "Serbia (Yugoslavia)": "RS",
		// ACLED's and UCDP's, which the library alone reads wrongly or not at all.
		"Republic of Congo": "CG", "Bailiwick of Guernsey": "GG", "Bailiwick of Jersey": "JE", "Congo": "CG",
		"Macedonia, FYR": "MK",
	} {
		if got, ok := FromName(name); !ok || got != want {
			t.Errorf("FromName(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "NA", "Atlantis"} {
		if got, ok := FromName(name); ok {
			t.Errorf("FromName(%q) = %q, want none", name, got)
		}
	}
}

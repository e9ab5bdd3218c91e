package iso3166

import (
	_ "embed"
	"strings"

	"github.com/biter777/countries"
)

// Event datasets name countries in other ways than ISO 3166-1's codes:
// GDELT's geography by FIPS 10-4 code ("UK", "GM", "RS"), ICEWS and UCDP by
// name, often a historical or informal one ("DR Congo (Zaire)", "Occupied
// Palestinian Territory"), ACLED by numeric code. These turn each into the
// alpha-2 code records store.

// fips maps FIPS 10-4 codes to alpha-2; the pairs come from
// github.com/biter777/countries, like the table itself.
var fips = buildFIPS()

func buildFIPS() map[string]string {
	out := map[string]string{}
	for _, c := range countries.All() {
		a2 := c.Alpha2()
		if _, ok := table.byAlpha2[a2]; !ok {
			continue
		}
		if code := c.FIPS(); isAlpha(code, 2) {
			if _, taken := out[code]; !taken {
				out[code] = a2
			}
		}
	}
	return out
}

// FromFIPS returns the alpha-2 code of a FIPS 10-4 country code ("UK" →
// "GB", "GM" → "DE", "RS" → "RU").
func FromFIPS(code string) (alpha2 string, ok bool) {
	a2, ok := fips[code]
	return a2, ok
}

// byNumeric maps ISO 3166-1 numeric codes to alpha-2.
var byNumeric = func() map[string]string {
	out := make(map[string]string, len(table.numeric))
	for a2, n := range table.numeric {
		out[n] = a2
	}
	return out
}()

// FromNumeric returns the alpha-2 code of an ISO 3166-1 numeric code,
// written with or without leading zeros ("356" → "IN", "4" → "AF").
func FromNumeric(code string) (alpha2 string, ok bool) {
	if code == "" || len(code) > 3 {
		return "", false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	a2, ok := byNumeric[strings.Repeat("0", 3-len(code))+code]
	return a2, ok
}

// datasetNames holds the country names of event datasets that the
// library's name matching does not resolve, as data: names.tsv says where
// each comes from.
//
//go:embed names.tsv
var datasetNames string

var names = func() map[string]string {
	out := map[string]string{}
	for line := range strings.SplitSeq(datasetNames, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 2 {
			panic("iso3166: names.tsv: want NAME<TAB>ALPHA2, got " + line)
		}
		if _, ok := table.byAlpha2[f[1]]; !ok {
			panic("iso3166: names.tsv: " + f[1] + " is not an alpha-2 code")
		}
		out[strings.ToLower(f[0])] = f[1]
	}
	return out
}()

// FromName returns the alpha-2 code of a country a dataset names: an ISO
// name or a common one ("Russia", "Ivory Coast"), with or without a former
// name in parentheses ("Russia (Soviet Union)", "Myanmar (Burma)").
// Unlike the codes, names are matched loosely, by the library's ByName,
// after names.tsv. Two or three letters are a code, not a name (ByName
// would read ICEWS's "NA", missing, as Namibia), and match nothing.
func FromName(name string) (alpha2 string, ok bool) {
	name = strings.TrimSpace(name)
	if len(name) <= 3 {
		return "", false
	}
	if a2, ok := names[strings.ToLower(name)]; ok {
		return a2, true
	}
	for _, n := range []string{name, strings.TrimSpace(stripParens(name))} {
		c := countries.ByName(n)
		if a2 := c.Alpha2(); isAlpha(a2, 2) {
			if _, ok := table.byAlpha2[a2]; ok {
				return a2, true
			}
		}
	}
	return "", false
}

// stripParens drops a trailing "(…)", the former name UCDP adds.
func stripParens(s string) string {
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		return s[:i]
	}
	return s
}

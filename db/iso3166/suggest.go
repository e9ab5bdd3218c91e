package iso3166

import (
	"slices"
	"strings"

	"github.com/biter777/countries"

	"github.com/geotimeline/geotimeline/db/suggest"
)

// others maps the codes of other standards that people type for a country
// (the IOC's and FIFA's, "KSA" for Saudi Arabia, "GER" for Germany) to
// alpha-2. Both lists come from github.com/biter777/countries, like the
// table itself.
var others = buildOthers()

func buildOthers() map[string]string {
	out := map[string]string{}
	for _, c := range countries.All() {
		a2 := c.Alpha2()
		if _, ok := table.byAlpha2[a2]; !ok {
			continue
		}
		for _, code := range []string{c.IOC(), c.FIFA()} {
			if isAlpha(code, 3) && table.alpha3[code] == "" {
				if _, taken := out[code]; !taken {
					out[code] = a2
				}
			}
		}
	}
	return out
}

// Suggest returns the alpha-2 codes a person most likely meant by a code
// ISO 3166-1 does not assign, best first, at most suggest.Max: the code in
// upper case ("in"; alone), what the library's name matching makes of it ("UK",
// "England", "Holland"), another standard's code ("KSA"), the countries
// whose name starts with it ("JAP" for Japan) and those whose alpha-3 code
// or name is a short edit away ("Inda"), these last only when nothing
// before them answered. Nil when nothing is near.
func Suggest(code string) []string {
	var out []string
	add := func(a2 string) {
		if a2 != "" && !slices.Contains(out, a2) && len(out) < suggest.Max {
			out = append(out, a2)
		}
	}
	up := strings.ToUpper(strings.TrimSpace(code))
	// A code written in lower case means that code and nothing else.
	if c, ok := Lookup(up); ok {
		return []string{c.Code}
	}
	if c := countries.ByName(code); c != countries.Unknown {
		if _, ok := table.byAlpha2[c.Alpha2()]; ok {
			add(c.Alpha2())
		}
	}
	add(others[up])
	if len(up) >= 3 {
		for _, c := range table.sorted {
			if strings.HasPrefix(strings.ToUpper(c.Name), up) {
				add(c.Code)
			}
		}
	}
	// A near spelling is a guess: only when nothing above knew the code.
	if len(out) == 0 && len(up) >= 3 {
		cands := make([]suggest.Candidate, len(table.sorted))
		for i, c := range table.sorted {
			cands[i] = suggest.Candidate{Value: c.Code, Texts: []string{c.Alpha3, c.Name}}
		}
		for _, a2 := range suggest.Nearest(code, cands) {
			add(a2)
		}
	}
	return out
}

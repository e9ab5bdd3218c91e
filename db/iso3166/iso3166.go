// Package iso3166 is the built-in ISO 3166-1 country list, so that fixtures
// and the API can refer to any country by code without listing it first.
//
// The list comes from github.com/biter777/countries. Its ByName matches names
// and codes loosely ("UK" and "England" both give GB), which is right for a
// search box and wrong for a code field, so this package matches codes
// exactly and only in their upper-case form.
package iso3166

import (
	"fmt"
	"slices"
	"strings"

	"github.com/biter777/countries"

	"github.com/geotimeline/geotimeline/db"
)

// table is built once from the library: lookups by alpha-2 and alpha-3 and
// the list sorted by alpha-2, which All hands out copies of.
var table = build()

type index struct {
	byAlpha2 map[string]db.Country
	alpha3   map[string]string // alpha-3 → alpha-2
	numeric  map[string]string // alpha-2 → numeric, three digits
	sorted   []db.Country
}

func build() index {
	t := index{byAlpha2: map[string]db.Country{}, alpha3: map[string]string{}, numeric: map[string]string{}}
	for _, c := range countries.All() {
		a2, a3 := c.Alpha2(), c.Alpha3()
		// The library's list holds only real codes today; the shape checks
		// keep a future placeholder ("Unknown") out of the table.
		if !isAlpha(a2, 2) || !isAlpha(a3, 3) {
			continue
		}
		if _, dup := t.byAlpha2[a2]; dup {
			continue
		}
		rec := db.Country{Code: a2, Alpha3: a3, Name: c.String(), Region: c.Region().String()}
		t.byAlpha2[a2] = rec
		t.alpha3[a3] = a2
		// The library's code values are the ISO numeric codes; 900–999 are
		// the user-assigned range (the library gives Kosovo 900), not ISO's.
		if n := int(c); n > 0 && n < 900 {
			t.numeric[a2] = fmt.Sprintf("%03d", n)
		}
		t.sorted = append(t.sorted, rec)
	}
	slices.SortFunc(t.sorted, func(a, b db.Country) int { return strings.Compare(a.Code, b.Code) })
	return t
}

// isAlpha reports whether s is n upper-case ASCII letters, the only shape a
// code may have: "in" is a word, not a code.
func isAlpha(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// IsAlpha2 reports whether code has the shape of an alpha-2 code (two
// upper-case letters), whether or not ISO 3166-1 assigns it.
func IsAlpha2(code string) bool { return isAlpha(code, 2) }

// IsAlpha3 reports whether code has the shape of an alpha-3 code (three
// upper-case letters), whether or not ISO 3166-1 assigns it.
func IsAlpha3(code string) bool { return isAlpha(code, 3) }

// Lookup finds a country by its alpha-2 ("IN") or alpha-3 ("IND") code. The
// result always carries the alpha-2 code in Code, the form records store.
func Lookup(code string) (db.Country, bool) {
	switch {
	case isAlpha(code, 2):
		c, ok := table.byAlpha2[code]
		return c, ok
	case isAlpha(code, 3):
		if a2, ok := table.alpha3[code]; ok {
			return table.byAlpha2[a2], true
		}
	}
	return db.Country{}, false
}

// Normalize turns an alpha-2 or alpha-3 code that ISO 3166-1 knows into its
// alpha-2 form, the one records store.
func Normalize(code string) (alpha2 string, ok bool) {
	c, ok := Lookup(code)
	return c.Code, ok
}

// All returns every built-in country sorted by alpha-2 code. The slice is the
// caller's to keep or change.
func All() []db.Country {
	return slices.Clone(table.sorted)
}

// Numeric returns the ISO 3166-1 numeric code of an alpha-2 code, such as
// "356" for "IN" (the code world maps such as world-atlas key countries
// by), and false for a code ISO 3166-1 does not assign.
func Numeric(alpha2 string) (string, bool) {
	n, ok := table.numeric[alpha2]
	return n, ok
}

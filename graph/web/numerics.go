package web

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/geotimeline/geotimeline/db/iso3166"
)

// countryNumericsJSON is every built-in country's ISO 3166-1 numeric code by
// its alpha-2 code ({"IN":"356",…}), the key the map's world atlas
// (vendor/countries-110m.json) gives its outlines. It is the table the
// stores fill their countries from, so it says what the API's
// countries { code numeric } would, without three pages asked on
// every dashboard load.
var countryNumericsJSON = sync.OnceValue(func() []byte {
	out := map[string]string{}
	for _, c := range iso3166.All() {
		if n, ok := iso3166.Numeric(c.Code); ok {
			out[c.Code] = n
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err) // a map of strings always encodes
	}
	return b
})

// serveCountryNumerics answers GET /assets/dashboard/country-numerics.json.
func serveCountryNumerics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(countryNumericsJSON())
}

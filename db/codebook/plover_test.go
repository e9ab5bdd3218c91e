package codebook_test

import (
	"testing"

	"github.com/geotimeline/geotimeline/db/codebook"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// Each code plover-actors.tsv reads is one that ISO or CAMEO knows, so
// that the PLOVER importer can resolve it.
func TestPLOVERActorCode(t *testing.T) {
	for _, c := range []struct{ field, written, want string }{
		{"code", "JAP", "JPN"}, {"code", "ITL", "ITA"}, {"code", "VTN", "VNM"}, {"code", "ISM", ""},
		{"sector", "***", ""}, {"sector", "CIV", "CVL"}, {"sector", "JRN", "MED"},
	} {
		got, ok := codebook.PLOVERActorCode(c.field, c.written)
		if !ok || got != c.want {
			t.Errorf("PLOVERActorCode(%s, %s) = %q, %v; want %q", c.field, c.written, got, ok, c.want)
		}
		if c.field == "code" && got != "" {
			if _, ok := iso3166.Lookup(got); !ok {
				t.Errorf("%s stands for %s, which ISO 3166-1 lacks", c.written, got)
			}
		}
		if c.field == "sector" && got != "" {
			if _, ok := codebook.CAMEOActor(got); !ok {
				t.Errorf("sector %s stands for %s, which CAMEO lacks", c.written, got)
			}
		}
	}
	for _, c := range [][2]string{{"code", "USA"}, {"code", "IGO"}, {"sector", "GOV"}, {"field", "JAP"}} {
		if got, ok := codebook.PLOVERActorCode(c[0], c[1]); ok {
			t.Errorf("PLOVERActorCode(%s, %s) = %q: ISO's and CAMEO's own codes need no row", c[0], c[1], got)
		}
	}
}

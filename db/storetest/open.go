package storetest

import (
	"context"
	"testing"

	"github.com/geotimeline/geotimeline/db/iso3166"
)

const openFixture = `{
  "version": 1,
  "actors": [{"key": "india", "name": "India", "kind": "STATE", "country": "IN"}],
  "events": [{"key": "e1", "type": "OTHER", "title": "E1", "occurredAt": "2025-05-07",
    "participants": [{"actor": "india", "role": "PARTICIPANT"}]}]
}`

// testOpen checks what a newly opened store holds.
func testOpen(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("BuiltInCountries", func(t *testing.T) {
		s := mustOpen(t, open)
		n, err := s.CountCountries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := n, len(iso3166.All()); got != want {
			t.Errorf("CountCountries = %d, want %d", got, want)
		}
		cs, err := s.CountriesByCode(ctx, []string{"IN"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(cs), 1; got != want {
			t.Fatalf("CountriesByCode(IN): %d countries, want %d", got, want)
		}
		iso, _ := iso3166.Lookup("IN")
		if got, want := cs[0].Name, iso.Name; got != want {
			t.Errorf("IN name = %q, want %q", got, want)
		}
		if got, want := cs[0].Alpha3, "IND"; got != want {
			t.Errorf("IN alpha3 = %q, want %q", got, want)
		}
	})

	t.Run("NewDatabaseIsEmpty", func(t *testing.T) {
		s := mustOpen(t, open)
		if got, want := isEmpty(t, s), true; got != want {
			t.Errorf("IsEmpty on a new database = %v, want %v", got, want)
		}
		load(t, s, openFixture)
		if got, want := isEmpty(t, s), false; got != want {
			t.Errorf("IsEmpty after a load = %v, want %v", got, want)
		}
	})

	t.Run("FixtureCountryAloneIsNotEmpty", func(t *testing.T) {
		s := mustOpen(t, open)
		load(t, s, `{"version": 1, "countries": [{"code": "IN", "name": "Republic of India"}]}`)
		if got, want := isEmpty(t, s), false; got != want {
			t.Errorf("IsEmpty after a country override = %v, want %v", got, want)
		}
	})

	t.Run("IntegrityCheck", func(t *testing.T) {
		s := mustOpen(t, open)
		if _, ok := s.Store.(integrityChecker); !ok {
			t.Skip("the store has no integrity check of its own")
		}
		load(t, s, openFixture)
		if err := s.IntegrityCheck(ctx); err != nil {
			t.Errorf("IntegrityCheck: %v", err)
		}
	})
}

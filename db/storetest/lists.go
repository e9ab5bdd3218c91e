package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// listsFixture has seven actors; by key: army (MILITARY, PK), bharat (STATE,
// IN), chief (PERSON, PK), delhi-police (GOVERNMENT_BODY, IN), envoy (PERSON,
// US), free (PERSON, none), gov (GOVERNMENT_BODY, PK).
const listsFixture = `{
  "version": 1,
  "actors": [
    {"key": "gov", "name": "Government", "kind": "GOVERNMENT_BODY", "country": "PK"},
    {"key": "free", "name": "Free agent", "kind": "PERSON"},
    {"key": "envoy", "name": "Envoy", "kind": "PERSON", "country": "US"},
    {"key": "delhi-police", "name": "Delhi Police", "kind": "GOVERNMENT_BODY", "country": "IN"},
    {"key": "chief", "name": "Chief", "kind": "PERSON", "country": "PK"},
    {"key": "bharat", "name": "Bharat", "kind": "STATE", "country": "IN"},
    {"key": "army", "name": "Army", "kind": "MILITARY", "country": "PK"}
  ]
}`

// keyPageNames resolves a key page's ids to keys and checks they agree with
// its positions.
func keyPageNames(t *testing.T, s *testStore, p db.KeyPage, byID func([]int64) ([]string, error)) string {
	t.Helper()
	if len(p.IDs) != len(p.Positions) {
		t.Fatalf("%d ids, %d positions", len(p.IDs), len(p.Positions))
	}
	keys := make([]string, len(p.Positions))
	for i, pos := range p.Positions {
		keys[i] = pos.Key
	}
	if len(p.IDs) > 0 {
		got, err := byID(p.IDs)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, keys) {
			t.Errorf("ids name %q, positions %q", got, keys)
		}
	}
	return strings.Join(keys, " ")
}

func actorKeys(s *testStore) func([]int64) ([]string, error) {
	return func(ids []int64) ([]string, error) {
		as, err := s.ActorsByID(context.Background(), ids)
		if err != nil {
			return nil, err
		}
		byID := map[int64]string{}
		for _, a := range as {
			byID[a.ID] = a.Key
		}
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = byID[id]
		}
		return out, nil
	}
}

func countryCodes(s *testStore) func([]int64) ([]string, error) {
	return func(ids []int64) ([]string, error) {
		cs, err := s.CountriesByID(context.Background(), ids)
		if err != nil {
			return nil, err
		}
		byID := map[int64]string{}
		for _, c := range cs {
			byID[c.ID] = c.Code
		}
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = byID[id]
		}
		return out, nil
	}
}

// walkKeys pages through a key-ordered list forward and then backward, limit
// at a time, and checks both walks give want with the right page info.
func walkKeys(t *testing.T, limit int, want string, list func(db.Page) (db.KeyPage, error), names func(db.KeyPage) string) {
	t.Helper()
	total := len(strings.Fields(want))
	var got []string
	var after *db.Position
	for page := 0; page <= total+1; page++ {
		p, err := list(db.Page{Limit: limit, After: after})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Fields(names(p))...)
		if g, w := p.HasNextPage, len(got) < total; g != w {
			t.Errorf("forward page %d: hasNextPage = %v, want %v", page, g, w)
		}
		if g, w := p.HasPreviousPage, page > 0; g != w {
			t.Errorf("forward page %d: hasPreviousPage = %v, want %v", page, g, w)
		}
		if !p.HasNextPage || len(p.IDs) == 0 {
			break
		}
		after = &p.Positions[len(p.Positions)-1]
	}
	if g := strings.Join(got, " "); g != want {
		t.Errorf("forward by %d:\n got %s\nwant %s", limit, g, want)
	}

	got = nil
	var before *db.Position
	for page := 0; page <= total+1; page++ {
		p, err := list(db.Page{Limit: limit, Before: before, Backward: true})
		if err != nil {
			t.Fatal(err)
		}
		got = append(strings.Fields(names(p)), got...)
		if g, w := p.HasPreviousPage, len(got) < total; g != w {
			t.Errorf("backward page %d: hasPreviousPage = %v, want %v", page, g, w)
		}
		if g, w := p.HasNextPage, page > 0; g != w {
			t.Errorf("backward page %d: hasNextPage = %v, want %v", page, g, w)
		}
		if !p.HasPreviousPage || len(p.IDs) == 0 {
			break
		}
		before = &p.Positions[0]
	}
	if g := strings.Join(got, " "); g != want {
		t.Errorf("backward by %d:\n got %s\nwant %s", limit, g, want)
	}
}

func testActors(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	load(t, s, listsFixture)

	for _, tt := range []struct {
		name   string
		filter db.ActorFilter
		want   string
	}{
		{"All", db.ActorFilter{}, "army bharat chief delhi-police envoy free gov"},
		{"Kind", db.ActorFilter{Kinds: []db.ActorKind{db.ActorPerson}}, "chief envoy free"},
		{"Kinds", db.ActorFilter{Kinds: []db.ActorKind{db.ActorGovernmentBody, db.ActorMilitary}}, "army delhi-police gov"},
		{"Country", db.ActorFilter{Countries: []string{"PK"}}, "army chief gov"},
		{"Countries", db.ActorFilter{Countries: []string{"IN", "US"}}, "bharat delhi-police envoy"},
		{"KindsAndCountries", db.ActorFilter{Kinds: []db.ActorKind{db.ActorPerson, db.ActorGovernmentBody}, Countries: []string{"PK"}}, "chief gov"},
		{"NoMatch", db.ActorFilter{Kinds: []db.ActorKind{db.ActorNGO}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := s.CountActors(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := n, len(strings.Fields(tt.want)); got != want {
				t.Errorf("CountActors = %d, want %d", got, want)
			}
			for _, limit := range []int{1, 2, 3, 7, 8} {
				walkKeys(t, limit, tt.want,
					func(p db.Page) (db.KeyPage, error) { return s.Actors(ctx, tt.filter, p) },
					func(p db.KeyPage) string { return keyPageNames(t, s, p, actorKeys(s)) })
			}
		})
	}

	t.Run("LimitZero", func(t *testing.T) {
		p, err := s.Actors(ctx, db.ActorFilter{}, db.Page{Limit: 0})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(p.IDs), 0; got != want {
			t.Errorf("ids = %d, want %d", got, want)
		}
		if got, want := p.HasNextPage, true; got != want {
			t.Errorf("hasNextPage = %v, want %v", got, want)
		}
	})

	t.Run("AfterAKeyThatIsGone", func(t *testing.T) {
		// A cursor is a key, not a row: it works whether or not the key
		// exists.
		p, err := s.Actors(ctx, db.ActorFilter{}, db.Page{Limit: 2, After: &db.Position{Key: "c"}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := keyPageNames(t, s, p, actorKeys(s)), "chief delhi-police"; got != want {
			t.Errorf("page = %q, want %q", got, want)
		}
		if got, want := p.HasPreviousPage, true; got != want {
			t.Errorf("hasPreviousPage = %v, want %v", got, want)
		}
	})
}

func testCountries(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	load(t, s, `{"version": 1, "countries": [{"code": "XZ", "name": "Zedland"}, {"code": "IN", "name": "Republic of India"}]}`)
	var codes []string
	for _, c := range iso3166.All() {
		codes = append(codes, c.Code)
	}
	codes = append(codes, "XZ")
	slices.Sort(codes)
	want := strings.Join(codes, " ")

	n, err := s.CountCountries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n, len(iso3166.All())+1; got != want {
		t.Errorf("CountCountries = %d, want %d", got, want)
	}
	for _, limit := range []int{20, 100, len(codes), len(codes) + 1} {
		t.Run("Page"+itoa(limit), func(t *testing.T) {
			walkKeys(t, limit, want,
				func(p db.Page) (db.KeyPage, error) { return s.Countries(ctx, p) },
				func(p db.KeyPage) string { return keyPageNames(t, s, p, countryCodes(s)) })
		})
	}

	t.Run("FirstPage", func(t *testing.T) {
		p, err := s.Countries(ctx, db.Page{Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := keyPageNames(t, s, p, countryCodes(s)), strings.Join(codes[:3], " "); got != want {
			t.Errorf("first page = %q, want %q", got, want)
		}
	})
}

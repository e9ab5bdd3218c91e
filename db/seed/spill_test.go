package seed

import (
	"os"
	"reflect"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// TestSpillRoundTrip checks that records come back from a spill exactly as
// they went in, every field of every kind (testdata/full.json sets them all).
func TestSpillRoundTrip(t *testing.T) {
	full, err := os.ReadFile("../fixture/testdata/full.json")
	if err != nil {
		t.Fatal(err)
	}
	var b db.Batch
	for _, f := range []fixture.File{{Name: "full.json", Data: full}, {Name: "demo.json", Data: demo.JSON}} {
		set, err := fixture.Decode([]fixture.File{f})
		if err != nil {
			t.Fatal(err)
		}
		b.Sources = append(b.Sources, set.Batch.Sources...)
		b.Countries = append(b.Countries, set.Batch.Countries...)
		b.Actors = append(b.Actors, set.Batch.Actors...)
		b.Relationships = append(b.Relationships, set.Batch.Relationships...)
		b.Events = append(b.Events, set.Batch.Events...)
		b.Statements = append(b.Statements, set.Batch.Statements...)
	}
	zero := 0
	b.Events = append(b.Events, db.Event{Key: "z", Fatalities: &zero, Injured: &zero}) // zero is not absent

	s, err := newSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.remove()
	for i := range b.Sources {
		must(t, s.Source(&b.Sources[i]))
	}
	for i := range b.Countries {
		must(t, s.Country(&b.Countries[i]))
	}
	for i := range b.Actors {
		must(t, s.Actor(&b.Actors[i]))
	}
	for i := range b.Relationships {
		must(t, s.Relationship(&b.Relationships[i]))
	}
	for i := range b.Events {
		must(t, s.Event(&b.Events[i]))
	}
	for i := range b.Statements {
		must(t, s.Statement(&b.Statements[i]))
	}
	must(t, s.finish())

	var got db.Batch
	for range 2 { // events are read twice; so may any kind be
		got = db.Batch{}
		must(t, s.each(kindSources, func(d *dec) error { return write(d.source, appender(&got.Sources)) }))
		must(t, s.each(kindCountries, func(d *dec) error { return write(d.country, appender(&got.Countries)) }))
		must(t, s.each(kindActors, func(d *dec) error { return write(d.actor, appender(&got.Actors)) }))
		must(t, s.each(kindRelationships, func(d *dec) error { return write(d.relationship, appender(&got.Relationships)) }))
		must(t, s.each(kindEvents, func(d *dec) error { return write(d.event, appender(&got.Events)) }))
		must(t, s.each(kindStatements, func(d *dec) error { return write(d.statement, appender(&got.Statements)) }))
		if !reflect.DeepEqual(got, b) {
			t.Fatalf("read back:\n%+v\nwant:\n%+v", got, b)
		}
	}
	if len(b.Sources) == 0 || len(b.Countries) == 0 || len(b.Relationships) == 0 || len(b.Statements) == 0 {
		t.Fatal("the fixtures lack a kind of record")
	}
}

// TestSpillCoversEveryField fails when a record type gains a field, which
// the spill's encoding must then learn (spill.go), or it would be dropped
// on the way to the store.
func TestSpillCoversEveryField(t *testing.T) {
	for _, tt := range []struct {
		v      any
		fields int
	}{
		{db.Source{}, 8}, {db.Country{}, 5}, {db.Actor{}, 9}, {db.Relationship{}, 10}, {db.Event{}, 18},
		{db.Statement{}, 14}, {db.Location{}, 4}, {db.Participant{}, 3}, {db.Link{}, 2},
		{db.EventCode{}, 3}, {db.Estimate{}, 6},
		{db.RelationshipObject{}, 2}, {db.Date{}, 4},
	} {
		if got := reflect.TypeOf(tt.v).NumField(); got != tt.fields {
			t.Errorf("%T has %d fields, the spill encodes %d: update spill.go and this test", tt.v, got, tt.fields)
		}
	}
}

func appender[T any](xs *[]T) func(*T) error {
	return func(x *T) error { *xs = append(*xs, *x); return nil }
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

package seed_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// A dry run reports what a load would change, field by field for what it
// would update, and writes nothing: no record, no run, no change-log row.
func TestDryRun(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "dry.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	first := []byte(`{"version": 1,
	  "actors": [{"key": "india", "name": "India", "kind": "STATE", "country": "IN"},
	             {"key": "nepal", "name": "Nepal", "kind": "STATE"}],
	  "events": [{"key": "e1", "type": "MEETING", "title": "Talks", "occurredAt": "2025-05-01",
	              "participants": [{"actor": "india", "role": "PARTICIPANT"}]}]}`)
	if _, _, err := seed.Load(ctx, store, []fixture.File{{Name: "a.json", Data: first}}); err != nil {
		t.Fatal(err)
	}
	before, err := store.LastChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second := []byte(`{"version": 1,
	  "actors": [{"key": "india", "name": "Republic of India", "kind": "STATE", "country": "IN", "aliases": ["Bharat"]},
	             {"key": "nepal", "name": "Nepal", "kind": "STATE"},
	             {"key": "bhutan", "name": "Bhutan", "kind": "STATE"}],
	  "events": [{"key": "e1", "type": "MEETING", "title": "Talks", "occurredAt": "2025-05-02",
	              "participants": [{"actor": "india", "role": "PARTICIPANT"}, {"actor": "nepal", "role": "PARTICIPANT"}]}]}`)
	l := &seed.Loader{Record: &db.Run{Command: "seed"}}
	d, err := l.Decode(ctx, []fixture.File{{Name: "b.json", Data: second}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rep, err := d.DryRun(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	want := seed.Report{Summary: db.Summary{Inserted: 1, Updated: 2, Unchanged: 1}, Updates: []seed.Update{
		{List: "actors", Key: "india", Fields: []string{"aliases", "name"}},
		{List: "events", Key: "e1", Fields: []string{"occurredAt", "participants"}},
	}}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report = %+v\nwant %+v", rep, want)
	}
	// Nothing was written.
	actors, err := store.ActorsByKey(ctx, []string{"india", "bhutan"})
	if err != nil || len(actors) != 1 || actors[0].Name != "India" {
		t.Errorf("after the dry run: %+v, %v; want India unchanged and no Bhutan", actors, err)
	}
	if after, _ := store.LastChange(ctx); after != before {
		t.Errorf("the change log moved from %d to %d", before, after)
	}
	if n, _ := store.CountRuns(ctx); n != 0 {
		t.Errorf("%d runs recorded, want none", n)
	}
	// A dry run with problems reports them as the load would.
	bad, err := l.Decode(ctx, []fixture.File{{Name: "c.json", Data: []byte(`{"version": 1, "events": [{"key": "e2", "type": "MEETING",
	  "title": "T", "occurredAt": "2025", "participants": [{"actor": "indiaa", "role": "PARTICIPANT"}]}]}`)}})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	_, err = bad.DryRun(ctx, store)
	if got, want := problemLines(t, err), []string{`c.json: events[0].participants[0].actor: unknown actor "indiaa": did you mean "india"?`}; !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

// The real-data fields are compared like the others: a dry run names
// exactly those that would change.
func TestDryRunRealDataFields(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "dry.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	doc := func(codes, intensity, estimates, coSpeakers string) []byte {
		return []byte(`{"version": 1, "sources": [{"key": "ucdp"}],
		  "actors": [{"key": "a", "name": "A", "kind": "STATE"}, {"key": "b", "name": "B", "kind": "STATE"}],
		  "events": [{"key": "e1", "type": "STRIKE", "title": "Strike", "occurredAt": "2025-05-07",
		    "codes": ` + codes + `, "intensity": ` + intensity + `, "estimates": ` + estimates + `}],
		  "statements": [{"key": "s1", "kind": "QUOTE", "speaker": "a", "coSpeakers": ` + coSpeakers + `, "madeAt": "2025", "text": "T"}]}`)
	}
	first := doc(`[{"scheme": "CAMEO", "code": "195"}]`, `-10`, `[{"measure": "FATALITIES", "best": 26, "source": "ucdp"}]`, `null`)
	if _, _, err := seed.Load(ctx, store, []fixture.File{{Name: "a.json", Data: first}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		doc  []byte
		want []seed.Update
	}{
		{"Same", first, nil},
		{"CodeLabel", doc(`[{"scheme": "CAMEO", "code": "195", "label": "Employ aerial weapons"}]`, `-10`,
			`[{"measure": "FATALITIES", "best": 26, "source": "ucdp"}]`, `null`),
			[]seed.Update{{List: "events", Key: "e1", Fields: []string{"codes"}}}},
		{"IntensityAndEstimates", doc(`[{"scheme": "CAMEO", "code": "195"}]`, `-9`,
			`[{"measure": "FATALITIES", "low": 20, "best": 26, "source": "ucdp"}]`, `[]`),
			[]seed.Update{{List: "events", Key: "e1", Fields: []string{"estimates", "intensity"}}}},
		{"CoSpeakers", doc(`[{"scheme": "CAMEO", "code": "195"}]`, `-10`,
			`[{"measure": "FATALITIES", "best": 26, "source": "ucdp"}]`, `["b"]`),
			[]seed.Update{{List: "statements", Key: "s1", Fields: []string{"coSpeakers"}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := (&seed.Loader{}).Decode(ctx, []fixture.File{{Name: "b.json", Data: tt.doc}})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			rep, err := d.DryRun(ctx, store)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rep.Updates, tt.want) {
				t.Errorf("updates = %+v, want %+v", rep.Updates, tt.want)
			}
		})
	}
}

package seed_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

func problemLines(t *testing.T, err error) []string {
	t.Helper()
	var ps db.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v, want db.Problems", err)
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// One run reports every problem: the files' own and, with them, the
// references that neither the files nor the database satisfy.
func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "seed.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, _, err := seed.Load(ctx, store, []fixture.File{{Name: "a.json",
		Data: []byte(`{"version": 1, "actors": [{"key": "india", "name": "India", "kind": "STATE"}]}`)}}); err != nil {
		t.Fatal(err)
	}
	bad := []fixture.File{{Name: "b.json", Data: []byte(`{"version": 1, "events": [
	  {"key": "e1", "type": "WAR", "title": "X", "occurredAt": "2025",
	   "participants": [{"actor": "india", "role": "INITIATOR"}, {"actor": "jaishanker", "role": "TARGET"}]}]}`)}}
	_, _, err = seed.Load(ctx, store, bad)
	want := []string{
		`b.json: events[0].type: invalid value "WAR": want one of ATTACK, STRIKE, CALL, MEETING, STATEMENT_OF_POLICY, PROTEST, SANCTION, AGREEMENT, CEASEFIRE, MOBILIZATION, CEREMONY, OTHER, SUPPORT, CONCESSION, COOPERATION, AID, RETREAT, REQUEST, ACCUSATION, REJECTION, THREAT, COERCION`,
		`b.json: events[0].participants[1].actor: unknown actor "jaishanker"`,
	}
	if got := problemLines(t, err); !slices.Equal(got, want) {
		t.Errorf("problems:\n%q\nwant\n%q", got, want)
	}
	// Without a database every reference outside the files is unknown.
	err = seed.Check(ctx, nil, bad)
	want = []string{want[0], `b.json: events[0].participants[0].actor: unknown actor "india"`, want[1]}
	if got := problemLines(t, err); !slices.Equal(got, want) {
		t.Errorf("Check without a store:\n%q\nwant\n%q", got, want)
	}
	// A valid fixture whose references the database lacks.
	err = seed.Check(ctx, store, []fixture.File{{Name: "c.json", Data: []byte(`{"version": 1, "statements": [
	  {"key": "s1", "kind": "QUOTE", "speaker": "india", "madeAt": "2025", "text": "T", "about": ["nothing"]}]}`)}})
	if got, want := problemLines(t, err), []string{`c.json: statements[0].about[0]: unknown event "nothing"`}; !slices.Equal(got, want) {
		t.Errorf("Check of valid files: %q, want %q", got, want)
	}
	// References that name nothing end with what they probably meant,
	// from the database and from the keys the run's own files define.
	near := []fixture.File{{Name: "e.json", Data: []byte(`{"version": 1,
	  "actors": [{"key": "indian-army", "name": "Indian Army", "kind": "MILITARY", "country": "UK"}],
	  "events": [{"key": "e2", "type": "ATTACK", "title": "X", "occurredAt": "2025",
	   "participants": [{"actor": "indiaa", "role": "INITIATOR"}, {"actor": "indian-armyy", "role": "TARGET"}]}]}`)}}
	wantNear := []string{
		`e.json: actors[0].country: unknown country "UK": did you mean "GB"?`,
		`e.json: events[0].participants[0].actor: unknown actor "indiaa": did you mean "india"?`,
		`e.json: events[0].participants[1].actor: unknown actor "indian-armyy": did you mean "indian-army"?`,
	}
	if got := problemLines(t, seed.Check(ctx, store, near)); !slices.Equal(got, wantNear) {
		t.Errorf("Check with near misses:\n%q\nwant\n%q", got, wantNear)
	}
	_, _, err = seed.Load(ctx, store, near)
	if got := problemLines(t, err); !slices.Equal(got, wantNear) {
		t.Errorf("Load with near misses:\n%q\nwant\n%q", got, wantNear)
	}
	// Co-speakers and an estimate's source are references like any other.
	joint := []fixture.File{{Name: "f.json", Data: []byte(`{"version": 1,
	  "sources": [{"key": "ucdp-ged"}],
	  "events": [{"key": "e3", "type": "ATTACK", "title": "X", "occurredAt": "2025",
	   "estimates": [{"measure": "FATALITIES", "best": 3, "source": "ucdp-gde"}, {"measure": "INJURED", "low": 1, "source": "ucdp-ged"}]}],
	  "statements": [{"key": "s2", "kind": "QUOTE", "speaker": "india", "coSpeakers": ["indiaa", "pakistan"], "madeAt": "2025", "text": "T"}]}`)}}
	wantJoint := []string{
		`f.json: events[0].estimates[0].source: unknown source "ucdp-gde": did you mean "ucdp-ged"?`,
		`f.json: statements[0].coSpeakers[0]: unknown actor "indiaa": did you mean "india"?`,
		`f.json: statements[0].coSpeakers[1]: unknown actor "pakistan"`,
	}
	if got := problemLines(t, seed.Check(ctx, store, joint)); !slices.Equal(got, wantJoint) {
		t.Errorf("Check of co-speakers and estimate sources:\n%q\nwant\n%q", got, wantJoint)
	}
	_, _, err = seed.Load(ctx, store, joint)
	if got := problemLines(t, err); !slices.Equal(got, wantJoint) {
		t.Errorf("Load of co-speakers and estimate sources:\n%q\nwant\n%q", got, wantJoint)
	}
	if err := seed.Check(ctx, store, []fixture.File{{Name: "d.json", Data: []byte(`{"version": 1}`)}}); err != nil {
		t.Errorf("Check of an empty fixture: %v", err)
	}
}

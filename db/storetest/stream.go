package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/synth"
)

// testStreamEqualsBatch checks that a streamed write leaves what the same
// records written as a batch leave: the same export, the same summary, the
// same timeline and graph; and that writing the stream again changes
// nothing. The synthetic graph's 5,000 events and their statements are
// more than a store rebuilds derived rows for at once, so the stream's
// intermediate flushes are covered.
func testStreamEqualsBatch(t *testing.T, open Opener) {
	ctx := context.Background()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: 5000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	set := decode(t, buf.String())

	batch := mustOpen(t, open)
	wantSum, err := batch.ApplyRun(ctx, nil, &set.Batch, set.Refs)
	if err != nil {
		t.Fatal(err)
	}
	stream := mustOpen(t, open)
	sum, err := stream.ApplyStreamRunKeys(ctx, nil, set.Refs, nil, set.Batch.Feed)
	if err != nil {
		t.Fatal(err)
	}
	if sum != wantSum {
		t.Errorf("stream summary = %v, batch summary %v", sum, wantSum)
	}
	if got, want := exportBytes(t, stream), exportBytes(t, batch); !bytes.Equal(got, want) {
		t.Errorf("export after the stream differs from the batch's (%d bytes, want %d)", len(got), len(want))
	}
	for _, f := range []db.TimelineFilter{{}, {Actors: []string{set.Batch.Actors[0].Key}}, {Countries: []string{"IN"}}} {
		if got, want := countTimeline(t, stream, f), countTimeline(t, batch, f); got != want {
			t.Errorf("timeline count %+v: stream %d, batch %d", f, got, want)
		}
	}
	start := db.NodeRef{Type: db.NodeActor, ID: actorByKey(t, batch, set.Batch.Actors[0].Key).ID}
	streamStart := db.NodeRef{Type: db.NodeActor, ID: actorByKey(t, stream, set.Batch.Actors[0].Key).ID}
	want, err := batch.Neighborhood(ctx, start, 1, db.GraphFilter{}, 500)
	if err != nil {
		t.Fatal(err)
	}
	got, err := stream.Neighborhood(ctx, streamStart, 1, db.GraphFilter{}, 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Nodes) != len(want.Nodes) || len(got.Edges) != len(want.Edges) || len(want.Edges) == 0 {
		t.Errorf("neighbourhood of %s: stream %d nodes %d edges, batch %d nodes %d edges",
			set.Batch.Actors[0].Key, len(got.Nodes), len(got.Edges), len(want.Nodes), len(want.Edges))
	}
	if err := stream.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}

	again, err := stream.ApplyStreamRunKeys(ctx, nil, set.Refs, nil, set.Batch.Feed)
	if err != nil {
		t.Fatal(err)
	}
	if want := (db.Summary{Unchanged: wantSum.Inserted}); again != want {
		t.Errorf("summary of the stream written again = %v, want %v", again, want)
	}
}

// testStreamUpdates checks that a stream that changes records rewrites
// their lists and leaves what it does not change, as a batch does.
func testStreamUpdates(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	load(t, s, applyBase)
	setClock(s, t2)
	changed := decode(t, applyChanged)
	sum, err := s.ApplyStreamRunKeys(ctx, nil, changed.Refs, nil, changed.Batch.Feed)
	if err != nil {
		t.Fatal(err)
	}
	if want := (db.Summary{Updated: 4, Unchanged: 5}); sum != want {
		t.Errorf("summary = %v, want %v", sum, want)
	}
	byBatch := mustOpen(t, open)
	load(t, byBatch, applyBase)
	setClock(byBatch, t2)
	load(t, byBatch, applyChanged)
	if got, want := exportBytes(t, s), exportBytes(t, byBatch); !bytes.Equal(got, want) {
		t.Errorf("export after a streamed update:\n%s\nafter the same batch:\n%s", got, want)
	}
	checkTimeline(t, s, db.TimelineFilter{Actors: []string{"usa"}}, "e:strike s:warning")
	checkTimeline(t, s, db.TimelineFilter{Actors: []string{"pakistan"}}, "")
}

// testFeederOrder checks that records out of dependency order are
// refused and roll the write back, and that unknown references are
// refused before the feed runs.
func testFeederOrder(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	_, err := s.ApplyStreamRunKeys(ctx, nil, nil, nil, func(f db.Feeder) error {
		if err := f.Actor(&db.Actor{Key: "a", Name: "A", Kind: db.ActorKinds[0]}); err != nil {
			return err
		}
		return f.Source(&db.Source{Key: "s"})
	})
	if err == nil || !strings.Contains(err.Error(), "source written after actor: records must come kind by kind, in dependency order") {
		t.Errorf("source after actor: %v", err)
	}
	if !isEmpty(t, s) {
		t.Errorf("a refused feed wrote %+v", mustExport(t, s).Actors)
	}
	called := false
	_, err = s.ApplyStreamRunKeys(ctx, nil, []db.Ref{{Kind: db.RefActor, Key: "nobody", Where: "x.json: events[0].participants[0].actor"}}, nil,
		func(db.Feeder) error { called = true; return nil })
	if got, want := db.ErrorMessage(err), `x.json: events[0].participants[0].actor: unknown actor "nobody"`; got != want || called {
		t.Errorf("unknown ref: %q (feed called: %v), want %q", got, called, want)
	}
	// A feed's own error rolls back what it wrote before it.
	boom := errors.New("the file ended early")
	_, err = s.ApplyStreamRunKeys(ctx, nil, nil, nil, func(f db.Feeder) error {
		if err := f.Actor(&db.Actor{Key: "a", Name: "A", Kind: db.ActorKinds[0]}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("feed error = %v, want %v", err, boom)
	}
	if !isEmpty(t, s) {
		t.Errorf("a failed feed wrote %+v", mustExport(t, s).Actors)
	}
}

// testDryRun checks that a dry run reports what a write would change,
// with the updated records' new content, and writes nothing: not the
// records, not the changes feed.
func testDryRun(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	load(t, s, applyBase)
	before := exportBytes(t, s)
	feedBefore, _, err := s.Changes(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	changed := decode(t, applyChanged)
	for name, run := range map[string]func() (db.Summary, *db.Batch, error){
		"DryRun": func() (db.Summary, *db.Batch, error) { return s.DryRun(ctx, &changed.Batch, changed.Refs) },
		"DryRunStream": func() (db.Summary, *db.Batch, error) {
			return s.DryRunStream(ctx, changed.Refs, changed.Batch.Feed)
		},
	} {
		sum, updated, err := run()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := (db.Summary{Updated: 4, Unchanged: 5}); sum != want {
			t.Errorf("%s summary = %v, want %v", name, sum, want)
		}
		var keys []string
		for _, a := range updated.Actors {
			keys = append(keys, "actor "+a.Key+" "+a.Name)
		}
		for _, r := range updated.Relationships {
			keys = append(keys, "relationship "+r.Identity()+" "+strings.Join(r.Sources, ","))
		}
		for _, e := range updated.Events {
			keys = append(keys, "event "+e.Key+" "+e.Title)
		}
		for _, st := range updated.Statements {
			keys = append(keys, "statement "+st.Key+" "+strings.Join(st.Addressees, ","))
		}
		want := []string{"actor india Republic of India", "relationship " + changed.Batch.Relationships[0].Identity() + " src-b,src-a",
			"event strike Strikes", "statement warning usa"}
		if !slices.Equal(keys, want) {
			t.Errorf("%s updated records:\n%q\nwant\n%q", name, keys, want)
		}
		if got := exportBytes(t, s); !bytes.Equal(got, before) {
			t.Errorf("%s wrote:\n%s\nwant\n%s", name, got, before)
		}
		feed, _, err := s.Changes(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(feed) != len(feedBefore) {
			t.Errorf("%s: the changes feed has %d changes, %d before it", name, len(feed), len(feedBefore))
		}
	}
	// Problems are reported as the write would report them (with or
	// without a suggestion: db/seed asks UnknownRefs for those).
	_, _, err = s.DryRun(ctx, &db.Batch{}, []db.Ref{{Kind: db.RefActor, Key: "indai", Where: "x.json: events[0].participants[0].actor"}})
	if got, want := db.ErrorMessage(err), `x.json: events[0].participants[0].actor: unknown actor "indai"`; !strings.HasPrefix(got, want) ||
		db.ErrorCode(err) != db.CodeInvalid {
		t.Errorf("dry run with an unknown ref: %q (%s), want %q… (%s)", got, db.ErrorCode(err), want, db.CodeInvalid)
	}
}

// testFullRecords checks that FullEvents and FullStatements give records
// with every list a fixture holds, and refuse an id that names nothing.
func testFullRecords(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	load(t, s, applyBase)
	strike, attack := eventByKey(t, s, "strike"), eventByKey(t, s, "attack")
	es, err := s.FullEvents(ctx, []int64{strike.ID, attack.ID})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range es {
		got[e.Key] = fmt.Sprintf("%v %v %v %v", e.Participants, e.Links, e.Tags, e.Sources)
	}
	want := map[string]string{
		"strike": "[{india INITIATOR } {pakistan TARGET }] [{RESPONSE_TO attack}] [a b] [src-a]",
		"attack": "[{india TARGET }] [] [] []",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("FullEvents %s = %s, want %s", k, got[k], w)
		}
	}
	warning := statementByKey(t, s, "warning")
	ss, err := s.FullStatements(ctx, []int64{warning.ID})
	if err != nil {
		t.Fatal(err)
	}
	if g, w := fmt.Sprintf("%v %v %v %v", ss[0].Addressees, ss[0].About, ss[0].Stances, ss[0].Sources),
		"[pakistan] [strike] [THREAT] [src-a]"; len(ss) != 1 || g != w {
		t.Errorf("FullStatements = %s, want %s", g, w)
	}
	if _, err := s.FullEvents(ctx, []int64{strike.ID, 1 << 40}); err == nil {
		t.Error("FullEvents of an id that names nothing succeeded")
	}
}

// testSnapshot checks that reads under a snapshot see the database as of
// their first read, whatever commits after, and that reads after it ends
// see the newest state: the page a GraphQL query read keys from stays
// readable while another client deletes.
func testSnapshot(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	load(t, s, applyBase)
	strike := eventByKey(t, s, "strike")

	snap, end := s.Snapshot(ctx)
	page, err := s.Timeline(snap, db.TimelineFilter{}, db.Ascending, db.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := itemNames(page.Items), "e:attack e:strike s:warning"; got != want {
		t.Fatalf("timeline = %s, want %s", got, want)
	}
	if _, err := s.Delete(ctx, db.RefEvent, "strike", true); err != nil {
		t.Fatal(err)
	}
	// Outside the snapshot the event is gone; inside it is still there,
	// with its lists, its statement and its place in the graph.
	if es, err := s.EventsByID(ctx, []int64{strike.ID}); err != nil || len(es) != 0 {
		t.Errorf("EventsByID outside the snapshot = %v, %v; want none", es, err)
	}
	es, err := s.EventsByID(snap, []int64{strike.ID})
	if err != nil || len(es) != 1 || es[0].Title != "Strike" {
		t.Errorf("EventsByID in the snapshot = %v, %v; want the strike", es, err)
	}
	full, err := s.FullEvents(snap, []int64{strike.ID})
	if err != nil || len(full) != 1 || len(full[0].Participants) != 2 {
		t.Errorf("FullEvents in the snapshot = %v, %v; want the strike with 2 participants", full, err)
	}
	if n, err := s.CountTimeline(snap, db.TimelineFilter{}); err != nil || n != 3 {
		t.Errorf("CountTimeline in the snapshot = %d, %v; want 3", n, err)
	}
	sub, err := s.Neighborhood(snap, db.NodeRef{Type: db.NodeEvent, ID: strike.ID}, 1, db.GraphFilter{}, 50)
	if err != nil || len(sub.Nodes) < 2 {
		t.Errorf("Neighborhood of the strike in the snapshot = %d nodes, %v; want it and its neighbours", len(sub.Nodes), err)
	}
	// Reads in parallel share the snapshot.
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			n, err := s.CountTimeline(snap, db.TimelineFilter{})
			if err == nil && n != 3 {
				err = fmt.Errorf("count %d, want 3", n)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Errorf("parallel read in the snapshot: %v", err)
		}
	}
	// A snapshot in a snapshot is the same one.
	inner, endInner := s.Snapshot(snap)
	endInner()
	if n, err := s.CountTimeline(inner, db.TimelineFilter{}); err != nil || n != 3 {
		t.Errorf("CountTimeline in the inner snapshot = %d, %v; want 3", n, err)
	}
	end()
	if n, err := s.CountTimeline(snap, db.TimelineFilter{}); err != nil || n != 2 {
		t.Errorf("CountTimeline after the snapshot ended = %d, %v; want 2 (the attack, the warning no longer about the strike)", n, err)
	}

	// A snapshot begins at its first read, not when it is made.
	late, endLate := s.Snapshot(ctx)
	defer endLate()
	if _, err := s.Delete(ctx, db.RefEvent, "attack", true); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountTimeline(late, db.TimelineFilter{}); err != nil || n != 1 {
		t.Errorf("CountTimeline in a snapshot made before a delete and read after = %d, %v; want 1 (the warning)", n, err)
	}
}

package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// feed is every change of the feed after seq, one line each:
// "seq OP kind key at", at as the test clock's name (t1, t2, t3).
func feed(tb testing.TB, s *testStore, after int64) string {
	tb.Helper()
	cs, more, err := s.Changes(context.Background(), after, 1000)
	if err != nil {
		tb.Fatalf("Changes(%d): %v", after, err)
	}
	if more {
		tb.Fatalf("Changes(%d): more than 1000", after)
	}
	return feedLines(cs)
}

func feedLines(cs []db.FeedChange) string {
	names := map[time.Time]string{t1: "t1", t2: "t2", t3: "t3"}
	var b strings.Builder
	for _, c := range cs {
		op := "UPSERT"
		if c.Op == db.ChangeDelete {
			op = "DELETE"
		}
		at, ok := names[c.At]
		if !ok {
			at = c.At.Format(time.RFC3339)
		}
		fmt.Fprintf(&b, "%d %s %s %s %s\n", c.Seq, op, c.Kind, c.Key, at)
	}
	return b.String()
}

const feedCountry = `{"version": 1, "countries": [{"code": "XZ", "name": "Zedland"}]}`

// Every record a fixture writes is logged once, in write order, with its
// kind and key (a keyless relationship's identity); the built-in
// countries are not.
const feedLoaded = `1 UPSERT country XZ t1
2 UPSERT source src-a t1
3 UPSERT source src-b t1
4 UPSERT source src-unused t1
5 UPSERT actor india t1
6 UPSERT actor pakistan t1
7 UPSERT actor modi t1
8 UPSERT actor envoy t1
9 UPSERT actor loner t1
10 UPSERT relationship modi-leads-india t1
11 UPSERT relationship rivals t1
12 UPSERT relationship MEMBER_OF envoy → india t1
13 UPSERT relationship BASED_IN envoy → IN "Embassy" from 2025 t1
14 UPSERT event attack t1
15 UPSERT event strike t1
16 UPSERT event ceasefire t1
17 UPSERT event quake t1
18 UPSERT statement modi-speech t1
19 UPSERT statement india-readout t1
20 UPSERT statement pakistan-reply t1
`

func testChangesFeedUpserts(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	load(t, s, feedCountry, DeleteFixture)
	if got := feed(t, s, 0); got != feedLoaded {
		t.Errorf("after the load:\n%s\nwant:\n%s", got, feedLoaded)
	}
	// The same content again writes nothing, so logs nothing.
	setClock(s, t2)
	load(t, s, feedCountry, DeleteFixture)
	if got := feed(t, s, 20); got != "" {
		t.Errorf("after loading the same again:\n%s\nwant nothing", got)
	}
	// A changed record is logged, the unchanged ones around it are not.
	load(t, s, `{"version": 1, "countries": [{"code": "XZ", "name": "Zedland", "region": "Nowhere"}],
		"sources": [{"key": "src-b", "url": "https://example.org/b2"}]}`)
	if got, want := feed(t, s, 20), "21 UPSERT country XZ t2\n22 UPSERT source src-b t2\n"; got != want {
		t.Errorf("after two changes:\n%s\nwant:\n%s", got, want)
	}
}

// A delete logs a tombstone for every record it deletes and an upsert for
// every record a cascade rewrites, the set-wise rewrite of events included.
func testChangesFeedDeletes(t *testing.T, open Opener) {
	s := openDelete(t, open)
	mustDelete(t, s, db.RefSource, "src-unused", false)
	setClock(s, t3)
	mustDelete(t, s, db.RefActor, "india", true)
	// india's statement and relationships go with it (tombstones); its
	// events and the statement addressed to it are rewritten without it.
	want := `20 DELETE source src-unused t2
21 DELETE statement india-readout t3
22 DELETE relationship modi-leads-india t3
23 DELETE relationship rivals t3
24 DELETE relationship MEMBER_OF envoy → india t3
25 UPSERT event attack t3
26 UPSERT event strike t3
27 UPSERT event ceasefire t3
28 UPSERT statement pakistan-reply t3
29 DELETE actor india t3
`
	if got := feed(t, s, 19); got != want {
		t.Errorf("after the deletes:\n%s\nwant:\n%s", got, want)
	}
}

func testChangesFeedPages(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	load(t, s, feedCountry, DeleteFixture)
	var got []db.FeedChange
	var after int64
	pages := 0
	for {
		cs, more, err := s.Changes(context.Background(), after, 7)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, cs...)
		if !more {
			break
		}
		after = cs[len(cs)-1].Seq
	}
	if pages != 3 || feedLines(got) != feedLoaded {
		t.Errorf("%d pages of 7:\n%s\nwant 3 pages:\n%s", pages, feedLines(got), feedLoaded)
	}
}

// A write trims the changes older than the retention; a cursor before a
// trimmed change is refused, one at or after the last trimmed is served.
func testChangesFeedRetention(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpenWith(t, open, Options{ChangeRetention: 24 * time.Hour})
	setClock(s, t1)
	load(t, s, feedCountry)
	setClock(s, t1.Add(23*time.Hour))
	load(t, s, `{"version": 1, "sources": [{"key": "src-a"}]}`)
	if got, want := feed(t, s, 0), "1 UPSERT country XZ t1\n2 UPSERT source src-a 2025-06-02T09:00:00Z\n"; got != want {
		t.Errorf("within the retention:\n%s\nwant:\n%s", got, want)
	}
	// 25 hours after t1 the first change is older than the retention.
	setClock(s, t1.Add(25*time.Hour))
	load(t, s, `{"version": 1, "sources": [{"key": "src-b"}]}`)
	if got, want := feed(t, s, 1), "2 UPSERT source src-a 2025-06-02T09:00:00Z\n3 UPSERT source src-b 2025-06-02T11:00:00Z\n"; got != want {
		t.Errorf("after the trim:\n%s\nwant:\n%s", got, want)
	}
	_, _, err := s.Changes(ctx, 0, 10)
	checkError(t, err, db.CodeInvalid, "the changes after this cursor are no longer kept; reload everything and start again from a new cursor")
}

// testMovedActorLogsItsItems: an actor moved to another country moves the
// events it takes part in and the statements it speaks from one country's
// timeline to the other's (the country facet follows participants' and
// speakers' affiliations), and the change log that live subscriptions read
// names exactly those items, so that one filtered by either country hears
// of them; an addressee's or deliverer's move changes neither.
func testMovedActorLogsItsItems(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openTimeline(t, open)
	seq, err := s.LastChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	moved := *actorByKey(t, s, "pakistan")
	moved.Country = "IN"
	mustApply(t, s, &db.Batch{Actors: []db.Actor{moved}})
	changes, err := s.ChangesAfter(ctx, seq, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		if c.Item.Kind == db.ItemEvent {
			es, err := s.EventsByID(ctx, []int64{c.Item.ID})
			if err != nil || len(es) != 1 {
				t.Fatalf("event %d: %v", c.Item.ID, err)
			}
			got = append(got, "e:"+es[0].Key)
		} else {
			ss, err := s.StatementsByID(ctx, []int64{c.Item.ID})
			if err != nil || len(ss) != 1 {
				t.Fatalf("statement %d: %v", c.Item.ID, err)
			}
			got = append(got, "s:"+ss[0].Key)
		}
	}
	slices.Sort(got)
	if want := "e:border-talks e:ceasefire e:strike e:tie e:z-month s:denial"; strings.Join(got, " ") != want {
		t.Errorf("moving pakistan to IN logged %q, want %q", strings.Join(got, " "), want)
	}
	walkForward(t, s, db.TimelineFilter{Countries: []string{"PK"}}, db.Ascending, 20, "e:strike e:border-talks")
	walkForward(t, s, db.TimelineFilter{Countries: []string{"IN"}}, db.Ascending, 20,
		"e:attack e:z-month s:denial e:strike e:tie e:border-talks e:ceasefire s:speech")

	// sharif only delivers s:denial: no item's country facet names him.
	seq, err = s.LastChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sharif := *actorByKey(t, s, "sharif")
	sharif.Country = "US"
	mustApply(t, s, &db.Batch{Actors: []db.Actor{sharif}})
	if changes, err := s.ChangesAfter(ctx, seq, 100); err != nil || len(changes) != 0 {
		t.Errorf("moving the deliverer sharif logged %d items (%v), want none", len(changes), err)
	}
}

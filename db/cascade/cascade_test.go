package cascade_test

import (
	"reflect"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/cascade"
)

func TestStripEvent(t *testing.T) {
	e := &db.Event{
		Participants: []db.Participant{{Actor: "rubio"}, {Actor: "senate"}},
		Links:        []db.Link{{Event: "rubio"}, {Event: "vote"}},
		Sources:      []string{"rubio", "wire"},
		Estimates:    []db.Estimate{{Source: "wire", Note: "a"}, {Source: "rubio", Note: "b"}},
	}
	cascade.StripEvent(e, cascade.Record{Kind: db.RefActor, ID: 1, Key: "rubio", Name: "rubio"})
	want := &db.Event{
		Participants: []db.Participant{{Actor: "senate"}},
		Links:        []db.Link{{Event: "rubio"}, {Event: "vote"}},
		Sources:      []string{"rubio", "wire"},
		Estimates:    []db.Estimate{{Source: "wire", Note: "a"}, {Source: "rubio", Note: "b"}},
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("actor stripped: %+v\nwant %+v", e, want)
	}
	// A source goes from the list; its estimate stays, unattributed.
	cascade.StripEvent(e, cascade.Record{Kind: db.RefSource, ID: 2, Key: "wire", Name: "wire"})
	want.Sources = []string{"rubio"}
	want.Estimates = []db.Estimate{{Source: "", Note: "a"}, {Source: "rubio", Note: "b"}}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("source stripped: %+v\nwant %+v", e, want)
	}
}

func TestStripStatement(t *testing.T) {
	st := &db.Statement{DeliveredBy: "rubio", CoSpeakers: []string{"rubio", "kim"}, Addressees: []string{"rubio"},
		About: []string{"rubio"}, Sources: []string{"rubio"}}
	cascade.StripStatement(st, cascade.Record{Kind: db.RefActor, ID: 1, Key: "rubio", Name: "rubio"})
	want := &db.Statement{DeliveredBy: "", CoSpeakers: []string{"kim"}, Addressees: []string{},
		About: []string{"rubio"}, Sources: []string{"rubio"}}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("got %+v\nwant %+v", st, want)
	}
}

// TestKeylessNamesNothing checks that a relationship without a key, whose
// Name is its label, is never taken for a reference by key.
func TestKeylessNamesNothing(t *testing.T) {
	r := cascade.Record{Kind: db.RefRelationship, ID: 7, Name: "MEMBER_OF a → b"}
	if r.Is(db.RefRelationship, "") || r.Is(db.RefRelationship, "MEMBER_OF a → b") {
		t.Error("a keyless record matched a key")
	}
	if got, want := r.Ref(), (db.Ref{Kind: db.RefRelationship, Key: "MEMBER_OF a → b"}); got != want {
		t.Errorf("Ref = %+v, want %+v", got, want)
	}
}

func TestConflictAndTooLarge(t *testing.T) {
	target := cascade.Record{Kind: db.RefActor, ID: 1, Key: "rubio", Name: "rubio"}
	var refs []cascade.Referrer
	for _, k := range []string{"e1", "e2", "e3", "e4", "e5", "e6"} {
		refs = append(refs, cascade.Referrer{Record: cascade.Record{Kind: db.RefEvent, Key: k, Name: k}})
	}
	refs = append(refs, cascade.Referrer{Record: cascade.Record{Kind: db.RefStatement, Key: "s1", Name: "s1"}, Dependent: true})
	if got, want := db.ErrorMessage(cascade.Conflict(target, refs)),
		`actor "rubio" is referred to by 6 events (e1, e2, e3, e4, e5 and 1 more) and 1 statement (s1); delete with cascade: true to remove those references`; got != want {
		t.Errorf("Conflict = %q\nwant       %q", got, want)
	}
	err := cascade.TooLarge(target, refs, 5)
	if got, want := db.ErrorMessage(err),
		`deleting actor "rubio" with cascade would rewrite 6 events, delete 1 statement: 7 records, more than the 5 one delete may touch (it would hold the database's write lock too long); write the referring records without it in smaller loads first, then delete it`; got != want {
		t.Errorf("TooLarge = %q\nwant       %q", got, want)
	}
	if db.ErrorCode(err) != db.CodeInvalid {
		t.Errorf("TooLarge code = %s, want %s", db.ErrorCode(err), db.CodeInvalid)
	}
}

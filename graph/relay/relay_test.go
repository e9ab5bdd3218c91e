package relay

import (
	"errors"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

func TestIDRoundTrip(t *testing.T) {
	for _, typ := range idTypes {
		s := ID(typ, 42)
		gotTyp, gotID, err := ParseID(s)
		if err != nil || gotTyp != typ || gotID != 42 {
			t.Errorf("ParseID(ID(%s, 42)) = %q, %d, %v", typ, gotTyp, gotID, err)
		}
	}
	if got, want := ID(TypeActor, 7), "QWN0b3I6Nw"; got != want {
		t.Errorf("ID(Actor, 7) = %q, want %q", got, want)
	}
}

func TestParseIDRejects(t *testing.T) {
	for _, s := range []string{"", "!!", "QWN0b3I6", enc.EncodeToString([]byte("Actor:0")),
		enc.EncodeToString([]byte("Actor:-1")), enc.EncodeToString([]byte("Actor:007")),
		enc.EncodeToString([]byte("Widget:1")), enc.EncodeToString([]byte("Actor"))} {
		_, _, err := ParseID(s)
		var e *db.Error
		if !errors.As(err, &e) || e.Code != db.CodeInvalid {
			t.Errorf("ParseID(%q) error = %v, want BAD_USER_INPUT", s, err)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, p := range []db.Position{
		{At: 1746662400000, Rank: 3, Key: "rubio-sharif-call", Kind: db.ItemEvent},
		{At: -62135596800000, Rank: 1, Key: "a:b.c", Kind: db.ItemStatement},
	} {
		got, err := ParseTimeCursor("after", TimeCursor(p))
		if err != nil || *got != p {
			t.Errorf("ParseTimeCursor(TimeCursor(%+v)) = %+v, %v", p, got, err)
		}
	}
	got, err := ParseKeyCursor("after", KeyCursor("IN"))
	if err != nil || got.Key != "IN" {
		t.Errorf("ParseKeyCursor(KeyCursor(IN)) = %+v, %v", got, err)
	}
	for _, seq := range []int64{0, 1, 1 << 62} {
		if got, err := ParseChangeCursor("after", ChangeCursor(seq)); err != nil || got != seq {
			t.Errorf("ParseChangeCursor(ChangeCursor(%d)) = %d, %v", seq, got, err)
		}
	}
}

func TestChangeCursorRejects(t *testing.T) {
	for _, raw := range []string{"c1:", "c1:-1", "c1:01", "c1:x", "k1:1", "c2:1"} {
		if _, err := ParseChangeCursor("after", enc.EncodeToString([]byte(raw))); err == nil {
			t.Errorf("ParseChangeCursor(%q) accepted", raw)
		}
	}
}

func TestCursorRejects(t *testing.T) {
	if _, err := ParseTimeCursor("after", KeyCursor("x")); err == nil || err.Error() != `after: "azE6eA" is not a cursor of this list` {
		t.Errorf("key cursor as time cursor: %v", err)
	}
	for _, raw := range []string{"t1:", "t1:1:3:e", "t1:x:3:e:k", "t1:1:9:e:k", "t1:1:3:q:k", "t1:1:3:e:Bad Key"} {
		if _, err := ParseTimeCursor("before", enc.EncodeToString([]byte(raw))); err == nil {
			t.Errorf("ParseTimeCursor(%q) accepted", raw)
		}
	}
	if _, err := ParseKeyCursor("after", "%%%"); err == nil {
		t.Error("ParseKeyCursor accepted junk")
	}
}

func intp(n int) *int { return &n }

func TestArgsPage(t *testing.T) {
	cases := []struct {
		name string
		args Args
		want db.Page
		err  string
	}{
		{"default", Args{}, db.Page{Limit: 20}, ""},
		{"first", Args{First: intp(5)}, db.Page{Limit: 5}, ""},
		{"zero", Args{First: intp(0)}, db.Page{Limit: 0}, ""},
		{"last", Args{Last: intp(100)}, db.Page{Limit: 100, Backward: true}, ""},
		{"too many", Args{First: intp(101)}, db.Page{}, "first must be between 0 and 100, not 101"},
		{"negative", Args{Last: intp(-1)}, db.Page{}, "last must be between 0 and 100, not -1"},
		{"both", Args{First: intp(1), Last: intp(1)}, db.Page{}, "give first or last, not both"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.args.Page(ParseKeyCursor)
			if c.err != "" {
				if err == nil || err.Error() != c.err || db.ErrorCode(err) != db.CodeInvalid {
					t.Fatalf("error = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Page() = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

func FuzzParseTimeCursor(f *testing.F) {
	f.Add(TimeCursor(db.Position{At: 1, Rank: 3, Key: "k", Kind: db.ItemEvent}))
	f.Add("dDE6MTox")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseTimeCursor("after", s)
		if err != nil {
			return
		}
		back, err := ParseTimeCursor("after", TimeCursor(*p))
		if err != nil || *back != *p {
			t.Fatalf("round trip of %q: %+v, %v", s, back, err)
		}
	})
}

func FuzzParseID(f *testing.F) {
	f.Add(ID(TypeEvent, 3))
	f.Add("QWN0b3I6Nw")
	f.Fuzz(func(t *testing.T, s string) {
		typ, id, err := ParseID(s)
		if err != nil {
			return
		}
		if ID(typ, id) != s {
			t.Fatalf("ParseID(%q) = %s %d, which encodes differently", s, typ, id)
		}
	})
}

// TestLongCursorNotEchoed checks that a cursor past MaxCursorBytes is
// refused by its length, without the message quoting it.
func TestLongCursorNotEchoed(t *testing.T) {
	long := strings.Repeat("A", MaxCursorBytes+1)
	for name, parse := range map[string]func(string, string) (*db.Position, error){"time": ParseTimeCursor, "key": ParseKeyCursor} {
		_, err := parse("after", long)
		if err == nil || err.Error() != "after is 513 bytes, more than the limit of 512" || db.ErrorCode(err) != db.CodeInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
}

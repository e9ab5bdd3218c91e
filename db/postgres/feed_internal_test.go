package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

func feedString(changes []db.FeedChange) string {
	var b strings.Builder
	for _, c := range changes {
		fmt.Fprintf(&b, "%d %d %s %s %s\n", c.Seq, c.Op, c.Kind, c.Key, c.At.Format("2006-01-02T15:04"))
	}
	return b.String()
}

func TestChangesFeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openClocked(t)
	load(t, s, applyBase)
	got, more, err := s.Changes(ctx, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := `1 0 source src-a 2025-06-01T10:00
2 0 source src-b 2025-06-01T10:00
3 0 actor india 2025-06-01T10:00
4 0 actor pakistan 2025-06-01T10:00
`
	if feedString(got) != want || !more {
		t.Errorf("first 4 changes (more %v):\n%s\nwant (more true):\n%s", more, feedString(got), want)
	}
	// A reload changes nothing; a changed record is logged again, at the
	// write's time.
	setClock(s, t2)
	load(t, s, applyChanged)
	got, more, err = s.Changes(ctx, 9, 10)
	if err != nil {
		t.Fatal(err)
	}
	want = `10 0 actor india 2025-06-02T11:30
11 0 relationship OPPOSES india → pakistan from 1947 2025-06-02T11:30
12 0 event strike 2025-06-02T11:30
13 0 statement warning 2025-06-02T11:30
`
	if feedString(got) != want || more {
		t.Errorf("changes after 9 (more %v):\n%s\nwant (more false):\n%s", more, feedString(got), want)
	}
	if last, err := s.LastFeedChange(ctx); err != nil || last != 13 {
		t.Errorf("LastFeedChange = %d, %v; want 13", last, err)
	}

	// Past the retention, a write trims the first load's changes: a cursor
	// before them has expired, one after them still reads.
	setClock(s, t1.Add(DefaultChangeRetention).Add(time.Millisecond))
	load(t, s, `{"version": 1, "actors": [{"key": "china", "name": "China", "kind": "STATE", "country": "CN"}]}`)
	if _, _, err := s.Changes(ctx, 0, 10); db.ErrorCode(err) != db.CodeInvalid {
		t.Errorf("Changes(0) after the trim: %v, want BAD_USER_INPUT (expired)", err)
	}
	got, _, err = s.Changes(ctx, 9, 10)
	if err != nil {
		t.Fatalf("Changes(9) after the trim: %v", err)
	}
	if n := len(got); n != 5 || got[4].Key != "china" {
		t.Errorf("changes after 9, after the trim:\n%s\nwant the 4 of the second load and china", feedString(got))
	}
}

package db

import (
	"errors"
	"fmt"
	"testing"
)

// ItemPageOf cuts the extra item, turns a backward page into the answer's
// order, and asks beyond the cursor only for the side the page cannot
// tell: after a forward page's After cursor, before a backward page's
// Before cursor.
func TestItemPageOf(t *testing.T) {
	items := func(ids ...int64) []ItemRef {
		out := []ItemRef{}
		for _, id := range ids {
			out = append(out, ItemRef{Kind: ItemEvent, ID: id, Pos: Position{Key: fmt.Sprint(id)}})
		}
		return out
	}
	text := func(p ItemPage) string {
		var ids []int64
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		return fmt.Sprintf("%v prev=%v next=%v", ids, p.HasPreviousPage, p.HasNextPage)
	}
	cursor := &Position{Key: "c"}
	for _, tt := range []struct {
		name   string
		read   []ItemRef
		p      Page
		exists bool
		want   string
		asked  string
	}{
		{"FirstPageMore", items(1, 2, 3), Page{Limit: 2}, false, "[1 2] prev=false next=true", ""},
		{"FirstPageAll", items(1, 2), Page{Limit: 2}, false, "[1 2] prev=false next=false", ""},
		{"AfterCursor", items(3, 4), Page{Limit: 2, After: cursor}, true, "[3 4] prev=true next=false", "c before"},
		{"AfterCursorNone", items(3), Page{Limit: 2, After: cursor}, false, "[3] prev=false next=false", "c before"},
		{"LastPageMore", items(9, 8, 7), Page{Limit: 2, Backward: true}, false, "[8 9] prev=true next=false", ""},
		{"BeforeCursor", items(6, 5), Page{Limit: 2, Before: cursor, Backward: true}, true, "[5 6] prev=false next=true", "c after"},
		{"Empty", items(), Page{Limit: 2, After: cursor}, false, "[] prev=false next=false", "c before"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var asked string
			page, err := ItemPageOf(tt.read, tt.p, func(pos *Position, before bool) (bool, error) {
				side := "after"
				if before {
					side = "before"
				}
				asked += pos.Key + " " + side
				return tt.exists, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := text(page); got != tt.want {
				t.Errorf("page %s, want %s", got, tt.want)
			}
			if asked != tt.asked {
				t.Errorf("asked %q, want %q", asked, tt.asked)
			}
			if page.Items == nil {
				t.Errorf("Items is nil, want an empty list")
			}
		})
	}
	boom := errors.New("boom")
	if _, err := ItemPageOf(items(1), Page{Limit: 2, After: cursor}, func(*Position, bool) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v, want %v", err, boom)
	}
}

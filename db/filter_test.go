package db

import (
	"slices"
	"testing"
)

func TestItemPageIDs(t *testing.T) {
	p := ItemPage{Items: []ItemRef{{Kind: ItemStatement, ID: 7}, {Kind: ItemEvent, ID: 3}, {Kind: ItemEvent, ID: 1}, {Kind: ItemStatement, ID: 2}}}
	events, statements := p.IDs()
	if !slices.Equal(events, []int64{3, 1}) || !slices.Equal(statements, []int64{7, 2}) {
		t.Errorf("IDs() = %v, %v; want [3 1], [7 2]", events, statements)
	}
}

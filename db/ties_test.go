package db

import (
	"fmt"
	"testing"
	"time"
)

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A tie that ends "2025-05" holds through 31 May and not on 1 June; one
// without a from date holds forever before its end.
func TestHeldAt(t *testing.T) {
	r := &Relationship{From: mustDate(t, "2025-03-10"), To: mustDate(t, "2025-05")}
	open := &Relationship{To: mustDate(t, "2025")}
	for _, tt := range []struct {
		r    *Relationship
		at   *time.Time
		want bool
	}{
		{r, nil, true},
		{r, ptr(utc(2025, 3, 9, 23, 59, 59, 999)), false},
		{r, ptr(utc(2025, 3, 10, 0, 0, 0, 0)), true},
		{r, ptr(utc(2025, 5, 31, 23, 59, 59, 999)), true},
		{r, ptr(utc(2025, 6, 1, 0, 0, 0, 0)), false},
		{open, ptr(utc(1900, 1, 1, 0, 0, 0, 0)), true},
		{open, ptr(utc(2026, 1, 1, 0, 0, 0, 0)), false},
		{&Relationship{}, ptr(utc(2026, 1, 1, 0, 0, 0, 0)), true},
	} {
		if got := HeldAt(tt.r, tt.at); got != tt.want {
			t.Errorf("HeldAt(%v–%v, %v) = %v, want %v", tt.r.From, tt.r.To, tt.at, got, tt.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// GroupTies lists each relationship under each wanted actor it ties, in
// the order of the ties, once for an actor tied to itself, and leaves out
// the ties not held at the instant, those whose relationship is gone, and
// the actors not asked for.
func TestGroupTies(t *testing.T) {
	old := &Relationship{ID: 1, Key: "old", To: mustDate(t, "2020")}
	now := &Relationship{ID: 2, Key: "now", From: mustDate(t, "2024")}
	self := &Relationship{ID: 3, Key: "self"}
	ties := []Tie{{1, 10, 20}, {2, 20, 30}, {3, 10, 10}, {4, 10, 20}, {2, 20, 30}}
	text := func(out map[int64][]*Relationship) string {
		var s string
		for _, id := range []int64{10, 20, 30} {
			s += fmt.Sprintf("%d:", id)
			for _, r := range out[id] {
				s += " " + r.Key
			}
			s += "; "
		}
		return s
	}
	for _, tt := range []struct {
		name string
		at   *time.Time
		want string
	}{
		{"Always", nil, "10: old self; 20: old now now; 30:; "},
		{"In2025", ptr(utc(2025, 1, 1, 0, 0, 0, 0)), "10: self; 20: now now; 30:; "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := map[int64][]*Relationship{}
			GroupTies(out, []int64{10, 20}, ties, []*Relationship{self, now, old}, tt.at)
			if got := text(out); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := TieIDs(ties); fmt.Sprint(got) != "[1 2 3 4 2]" {
		t.Errorf("TieIDs = %v", got)
	}
}

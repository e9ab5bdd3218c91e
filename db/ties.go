package db

import "time"

// Tie is a relationship as a store's RelationshipsOf first reads it: its
// row id, its subject's and its actor object's (0 when its object is no
// actor), in the order of the answer.
type Tie struct{ ID, Subject, Object int64 }

// TieIDs are the row ids of ties, for reading their relationships.
func TieIDs(ties []Tie) []int64 {
	ids := make([]int64, len(ties))
	for i, t := range ties {
		ids[i] = t.ID
	}
	return ids
}

// GroupTies is RelationshipsOf's answer from ties and their relationships
// rels (in any order): for each of actorIDs, the relationships in which it
// is subject or object and that held at the instant at (all when at is
// nil), in the order of ties, added to out. A relationship of an actor with
// itself is listed once; a tie whose relationship is missing from rels
// (deleted between the two reads) is left out.
func GroupTies(out map[int64][]*Relationship, actorIDs []int64, ties []Tie, rels []*Relationship, at *time.Time) {
	byID := make(map[int64]*Relationship, len(rels))
	for _, r := range rels {
		byID[r.ID] = r
	}
	wanted := make(map[int64]bool, len(actorIDs))
	for _, id := range actorIDs {
		wanted[id] = true
	}
	for _, t := range ties {
		r := byID[t.ID]
		if r == nil || !HeldAt(r, at) {
			continue
		}
		if wanted[t.Subject] {
			out[t.Subject] = append(out[t.Subject], r)
		}
		if t.Object != t.Subject && wanted[t.Object] {
			out[t.Object] = append(out[t.Object], r)
		}
	}
}

// HeldAt reports whether r held at the instant at (always, when at is
// nil): from the start of its from date (forever before when absent) until
// the end of the period its to date names, so that a tie that ends
// "2025-05" still holds on 31 May.
func HeldAt(r *Relationship, at *time.Time) bool {
	if at == nil {
		return true
	}
	if !r.From.IsZero() && at.Before(r.From.At) {
		return false
	}
	return r.To.IsZero() || at.Before(r.To.End())
}

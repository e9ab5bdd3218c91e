// Package cascade holds the rules of deleting a record that others refer
// to, apart from any store: a delete without cascade is refused while
// anything refers to its target; with cascade, what cannot exist without
// the target (a statement whose speaker it is, a relationship whose subject
// or object it is) is deleted with it, recursively, and every other
// referring record is rewritten without the reference, as db.Deletion
// describes. A store supplies the primitives inside its write transaction
// (Tx): who refers to a record, rewriting, deleting a row.
package cascade

import (
	"fmt"
	"slices"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// Record names one stored record: its kind and row id, its key ("" for a
// relationship without one), and its name in a Deletion (the key, or a
// keyless relationship's Label).
type Record struct {
	Kind db.RefKind
	ID   int64
	Key  string
	Name string
}

// Ref is how a Deletion lists r.
func (r Record) Ref() db.Ref { return db.Ref{Kind: r.Kind, Key: r.Name} }

// Is reports whether a reference to a record of this kind by this key
// names r.
func (r Record) Is(kind db.RefKind, key string) bool {
	return r.Kind == kind && r.Key != "" && r.Key == key
}

// Referrer is a record that refers to a target; Dependent when it cannot
// exist without it, and is deleted with it rather than rewritten.
type Referrer struct {
	Record
	Dependent bool
}

// Tx is what a delete needs of a store, inside the one transaction that
// makes it.
type Tx interface {
	// Referrers lists what refers to t, by kind (actors, events,
	// statements, relationships), then key.
	Referrers(t Record) ([]Referrer, error)
	// Rewrite writes each of rs again without its references to t; the
	// store may do it record by record or set-wise.
	Rewrite(rs []Record, t Record) error
	// Drop deletes t's own row and what derives from it, once nothing
	// refers to it any more; derived rows of the records rewritten before
	// it must be brought up to date first.
	Drop(t Record) error
}

// Delete deletes t through tx, with its dependents and rewriting its other
// referrers when cascade is set, and says what it did. A cascade that would
// touch more than max records besides t is refused before anything is
// written.
//
// Errors: BAD_USER_INPUT when t is referred to and cascade is not set, or
// when the cascade is larger than max; whatever tx returns.
func Delete(tx Tx, t Record, cascade bool, max int) (db.Deletion, error) {
	d := &deletion{tx: tx, max: max, gone: map[key]bool{}}
	d.res.Kind, d.res.Key = t.Kind, t.Name
	if err := d.remove(t, cascade); err != nil {
		return db.Deletion{}, err
	}
	return d.res, nil
}

// key identifies a record across kinds.
type key struct {
	kind db.RefKind
	id   int64
}

type deletion struct {
	tx   Tx
	max  int
	res  db.Deletion
	gone map[key]bool
}

func (d *deletion) remove(t Record, cascade bool) error {
	refs, err := d.tx.Referrers(t)
	if err != nil {
		return err
	}
	if len(refs) > 0 && !cascade {
		return Conflict(t, refs)
	}
	// Only the target's referrers can be many: what depends on it
	// (statements, relationships) is referred to by nothing, so refs is
	// everything the cascade touches besides t.
	if len(refs) > d.max && t.Kind == d.res.Kind && t.Name == d.res.Key {
		return TooLarge(t, refs, d.max)
	}
	d.res.Deleted = append(d.res.Deleted, t.Ref())
	d.gone[key{t.Kind, t.ID}] = true
	for _, r := range refs {
		if r.Dependent && !d.gone[key{r.Kind, r.ID}] {
			if err := d.remove(r.Record, true); err != nil {
				return err
			}
		}
	}
	var rewrite []Record
	for _, r := range refs {
		if r.Dependent || d.gone[key{r.Kind, r.ID}] {
			continue
		}
		rewrite = append(rewrite, r.Record)
		d.res.Updated = append(d.res.Updated, r.Ref())
	}
	if len(rewrite) > 0 {
		if err := d.tx.Rewrite(rewrite, t); err != nil {
			return err
		}
	}
	return d.tx.Drop(t)
}

// Conflict is the error for a delete without cascade of a record that
// others refer to: it names them, at most five of each kind.
func Conflict(t Record, refs []Referrer) error {
	const shown = 5
	var parts []string
	for _, kind := range []db.RefKind{db.RefActor, db.RefEvent, db.RefStatement, db.RefRelationship} {
		var names []string
		for _, r := range refs {
			if r.Kind == kind {
				names = append(names, r.Name)
			}
		}
		if len(names) == 0 {
			continue
		}
		noun := string(kind)
		if len(names) > 1 {
			noun += "s"
		}
		list := strings.Join(names[:min(shown, len(names))], ", ")
		if len(names) > shown {
			list += fmt.Sprintf(" and %d more", len(names)-shown)
		}
		parts = append(parts, fmt.Sprintf("%d %s (%s)", len(names), noun, list))
	}
	refersBy := parts[len(parts)-1]
	if len(parts) > 1 {
		refersBy = strings.Join(parts[:len(parts)-1], ", ") + " and " + refersBy
	}
	return db.Errorf(db.CodeInvalid, "%s %q is referred to by %s; delete with cascade: true to remove those references",
		t.Kind, t.Name, refersBy)
}

// TooLarge refuses, before anything is written, a cascade that would touch
// more than max records: rewriting them would hold the write lock, which
// every other writer waits for, for longer than they wait.
func TooLarge(t Record, refs []Referrer, max int) error {
	var parts []string
	for _, dependent := range []bool{false, true} {
		for _, kind := range []db.RefKind{db.RefActor, db.RefEvent, db.RefStatement, db.RefRelationship} {
			n := 0
			for _, r := range refs {
				if r.Kind == kind && r.Dependent == dependent {
					n++
				}
			}
			if n == 0 {
				continue
			}
			verb := "rewrite"
			if dependent {
				verb = "delete"
			}
			parts = append(parts, fmt.Sprintf("%s %s", verb, plural(n, string(kind))))
		}
	}
	return db.Errorf(db.CodeInvalid, "deleting %s %q with cascade would %s: %s, more than the %d one delete may touch "+
		"(it would hold the database's write lock too long); write the referring records without it in smaller loads first, then delete it",
		t.Kind, t.Name, strings.Join(parts, ", "), plural(len(refs), "record"), max)
}

// plural is "1 record", "2 records".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// StripEvent removes from e its references to t: a participant, a link, a
// source.
func StripEvent(e *db.Event, t Record) {
	e.Participants = slices.DeleteFunc(e.Participants, func(p db.Participant) bool { return t.Is(db.RefActor, p.Actor) })
	e.Links = slices.DeleteFunc(e.Links, func(l db.Link) bool { return t.Is(db.RefEvent, l.Event) })
	e.Sources = slices.DeleteFunc(e.Sources, func(s string) bool { return t.Is(db.RefSource, s) })
	// An estimate outlives its source: the figure stays, unattributed.
	for i := range e.Estimates {
		if t.Is(db.RefSource, e.Estimates[i].Source) {
			e.Estimates[i].Source = ""
		}
	}
}

// StripStatement removes from st its references to t: its deliverer, a
// co-speaker, an addressee, an event it is about, a source.
func StripStatement(st *db.Statement, t Record) {
	if t.Is(db.RefActor, st.DeliveredBy) {
		st.DeliveredBy = ""
	}
	st.CoSpeakers = slices.DeleteFunc(st.CoSpeakers, func(a string) bool { return t.Is(db.RefActor, a) })
	st.Addressees = slices.DeleteFunc(st.Addressees, func(a string) bool { return t.Is(db.RefActor, a) })
	st.About = slices.DeleteFunc(st.About, func(e string) bool { return t.Is(db.RefEvent, e) })
	st.Sources = slices.DeleteFunc(st.Sources, func(s string) bool { return t.Is(db.RefSource, s) })
}

// StripSources removes t from a list of source keys.
func StripSources(sources []string, t Record) []string {
	return slices.DeleteFunc(sources, func(key string) bool { return t.Is(db.RefSource, key) })
}

package db

import (
	"fmt"
	"strings"
)

// RefRelationship names a relationship in a Deletion. No record refers to a
// relationship, so it never appears in a Ref of the loader.
const RefRelationship RefKind = "relationship"

// Deletion is what deleting one record did. Records are named as fixtures
// name them: by key, or for a relationship without one by its Label (which
// holds spaces, so it never reads as a key).
//
// A delete without cascade refuses a record that anything refers to, so its
// Deletion lists the target alone. With cascade, every record that referred
// to the target is either rewritten without the reference (an event loses a
// participant or a link, a statement an addressee, its deliverer or an event
// it is about, any record a source) and listed in Updated, or, when it
// cannot exist without the target (a statement whose speaker it is, a
// relationship whose subject or object it is), deleted too and listed in
// Deleted.
type Deletion struct {
	// Kind and Key name the record the delete was asked for.
	Kind RefKind
	Key  string
	// Updated lists the records rewritten to drop their reference to a
	// deleted record, by kind (actors, events, statements, relationships),
	// then key.
	Updated []Ref
	// Deleted lists the records deleted: the target first, then those that
	// could not exist without it, statements before relationships, each
	// kind by key.
	Deleted []Ref
}

// Label names a relationship for people: its key when it has one, otherwise
// "KIND subject → object", followed by its title and start when it has them
// (`HOLDS_POSITION rubio → senate "Senator" from 2011-01-03`), the
// fields that tell keyless relationships apart. A country object is written
// as its alpha-2 code.
func (r *Relationship) Label() string {
	if r.Key != "" {
		return r.Key
	}
	obj := r.Object.Actor
	if r.Object.Country != "" {
		obj = r.Object.Country
	}
	return label(string(r.Kind), r.Subject, obj, r.Title, r.From.String())
}

// label is Label's form of a keyless relationship, from (a Date's String)
// "" when it has no start.
func label(kind, subject, obj, title, from string) string {
	s := fmt.Sprintf("%s %s → %s", kind, subject, obj)
	if title != "" {
		s += fmt.Sprintf(" %q", title)
	}
	if from != "" {
		s += " from " + from
	}
	return s
}

// IdentityLabel is the Label of the relationship with this Identity: how
// a store that keeps only the identity (the changes feed) names it.
func IdentityLabel(identity string) string {
	if key, ok := strings.CutPrefix(identity, "k:"); ok {
		return key
	}
	f := strings.Split(strings.TrimPrefix(identity, "t:"), identitySep)
	if len(f) != 5 {
		return identity
	}
	obj, ok := strings.CutPrefix(f[2], "actor:")
	if !ok {
		obj = strings.TrimPrefix(f[2], "country:")
	}
	return label(f[0], f[1], obj, f[3], f[4])
}

package db

// The optional fields of the records as the API shows them: nil when absent
// (GraphQL's null), otherwise a pointer into the record, so reading one
// allocates nothing. As methods of the records they let gqlgen read them
// inline; a resolver would cost a goroutine and a field context per field
// of every record of a page.

// orNil is s, or nil when *s is empty.
func orNil(s *string) *string {
	if *s == "" {
		return nil
	}
	return s
}

// precisionOrNil is the precision of d, nil when there is no date.
func (d *Date) precisionOrNil() *Precision {
	if d.IsZero() {
		return nil
	}
	p := d.SpanPrecision()
	return &p
}

// Alpha3OrNil is the alpha-3 code, nil when unknown.
func (c *Country) Alpha3OrNil() *string { return orNil(&c.Alpha3) }

// RegionOrNil is the region, nil when unknown.
func (c *Country) RegionOrNil() *string { return orNil(&c.Region) }

// DescriptionOrNil is the description, nil when there is none.
func (a *Actor) DescriptionOrNil() *string { return orNil(&a.Description) }

// SummaryOrNil is the summary, nil when there is none.
func (e *Event) SummaryOrNil() *string { return orNil(&e.Summary) }

// Precision is how much of the event's start is known.
func (e *Event) Precision() Precision { return e.OccurredAt.SpanPrecision() }

// EndedPrecision is how much of the event's end is known, nil without one.
func (e *Event) EndedPrecision() *Precision { return e.EndedAt.precisionOrNil() }

// When is the span in which the event took place: from the start of its
// occurredAt to the end of its endedAt (of its occurredAt without one), so
// that a ten-day siege is under way on each of its days.
func (e *Event) When() Span {
	end := e.OccurredAt.End()
	if !e.EndedAt.IsZero() {
		end = e.EndedAt.End()
	}
	return Span{Earliest: e.OccurredAt.At, Latest: end, Precision: e.OccurredAt.SpanPrecision()}
}

// SummaryOrNil is the summary, nil when there is none.
func (s *Statement) SummaryOrNil() *string { return orNil(&s.Summary) }

// Precision is how much of the statement's date is known.
func (s *Statement) Precision() Precision { return s.MadeAt.SpanPrecision() }

// When is the span in which the statement was made.
func (s *Statement) When() Span {
	return Span{Earliest: s.MadeAt.At, Latest: s.MadeAt.End(), Precision: s.MadeAt.SpanPrecision()}
}

// KeyOrNil is the key, nil for a relationship identified without one.
func (r *Relationship) KeyOrNil() *string { return orNil(&r.Key) }

// TitleOrNil is the title, nil when there is none.
func (r *Relationship) TitleOrNil() *string { return orNil(&r.Title) }

// FromPrecision is how much of the start is known, nil without a start.
func (r *Relationship) FromPrecision() *Precision { return r.From.precisionOrNil() }

// ToPrecision is how much of the end is known, nil without an end.
func (r *Relationship) ToPrecision() *Precision { return r.To.precisionOrNil() }

// URLOrNil is the URL, nil when there is none.
func (s *Source) URLOrNil() *string { return orNil(&s.URL) }

// TitleOrNil is the title, nil when there is none.
func (s *Source) TitleOrNil() *string { return orNil(&s.Title) }

// PublisherOrNil is the publisher, nil when unknown.
func (s *Source) PublisherOrNil() *string { return orNil(&s.Publisher) }

// AuthorOrNil is the author, nil when unknown.
func (s *Source) AuthorOrNil() *string { return orNil(&s.Author) }

// PublishedPrecision is how much of the publication date is known, nil
// without one.
func (s *Source) PublishedPrecision() *Precision { return s.PublishedAt.precisionOrNil() }

// RoleOrNil is the role, nil for an edge without one.
func (e *Edge) RoleOrNil() *string { return orNil(&e.Role) }

// KeyOrNil is the group's key, nil when the counts are not grouped.
func (b *EventBucket) KeyOrNil() *string { return orNil(&b.Key) }

// LabelOrNil is the code's label, nil when there is none.
func (c *EventCode) LabelOrNil() *string { return orNil(&c.Label) }

// NoteOrNil is the estimate's note, nil when there is none.
func (e *Estimate) NoteOrNil() *string { return orNil(&e.Note) }

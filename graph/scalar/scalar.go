// Package scalar implements the API's custom scalars for gqlgen.
package scalar

import (
	"io"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/geotimeline/geotimeline/db"
)

// dateTimeLayout is RFC 3339 in UTC, with milliseconds only when there are
// any. Nothing in it needs quoting in JSON.
const dateTimeLayout = "2006-01-02T15:04:05.999Z07:00"

// MarshalDateTime writes an instant as an RFC 3339 timestamp in UTC, with
// milliseconds only when there are any.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		var buf [len(dateTimeLayout) + 8]byte
		b := append(buf[:0], '"')
		b = t.UTC().AppendFormat(b, dateTimeLayout)
		w.Write(append(b, '"'))
	})
}

// UnmarshalDateTime reads any date form of the fixture format: a partial
// date stands for the start of its period. Its errors are BAD_USER_INPUT.
func UnmarshalDateTime(v any) (time.Time, error) {
	d, err := UnmarshalDate(v)
	return d.At, err
}

// MarshalDate writes a record's date as the DateTime of its instant, and no
// date as null; its precision is a field of its own. Binding the records'
// dates to DateTime with it lets gqlgen read them without a resolver.
func MarshalDate(d db.Date) graphql.Marshaler {
	if d.IsZero() {
		return graphql.Null
	}
	return MarshalDateTime(d.At)
}

// UnmarshalDate reads a DateTime as UnmarshalDateTime does, keeping the
// precision of its written form.
func UnmarshalDate(v any) (db.Date, error) {
	s, ok := v.(string)
	if !ok {
		return db.Date{}, db.Errorf(db.CodeInvalid, "a DateTime is a string such as \"2025-05-08\" or \"2025-05-08T14:30:00Z\", not %s", jsonKind(v))
	}
	d, err := db.ParseDate(s)
	if err != nil {
		return db.Date{}, db.Errorf(db.CodeInvalid, "%s", err)
	}
	return d, nil
}

// jsonKind names a decoded JSON value's type the way a client wrote it.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "a number"
}

// Package scalar implements the API's custom scalars for gqlgen.
package scalar

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/geotimeline/geotimeline/db"
)

// MarshalDateTime writes an instant as an RFC 3339 timestamp in UTC, with
// milliseconds only when there are any.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.UTC().Format("2006-01-02T15:04:05.999Z07:00")))
	})
}

// UnmarshalDateTime reads any date form of the fixture format: a partial
// date stands for the start of its period. Its errors are BAD_USER_INPUT.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, db.Errorf(db.CodeInvalid, "a DateTime is a string such as \"2025-05-08\" or \"2025-05-08T14:30:00Z\", not %s", jsonKind(v))
	}
	d, err := db.ParseDate(s)
	if err != nil {
		return time.Time{}, db.Errorf(db.CodeInvalid, "%s", err)
	}
	return d.At, nil
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

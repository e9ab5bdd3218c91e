// Package scalar implements the API's custom scalars for gqlgen.
package scalar

import (
	"fmt"
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
// date stands for the start of its period.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("DateTime must be a string such as \"2025-05-08\" or \"2025-05-08T14:30:00Z\", not %T", v)
	}
	d, err := db.ParseDate(s)
	if err != nil {
		return time.Time{}, err
	}
	return d.At, nil
}

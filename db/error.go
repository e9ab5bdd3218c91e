package db

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error for callers: the API maps it to extensions.code
// and the CLI to a message. An error without a code is internal and its text
// is never shown to a client as is.
type Code string

// The error codes, named as the API reports them.
const (
	CodeInvalid  Code = "BAD_USER_INPUT"
	CodeNotFound Code = "NOT_FOUND"
	// CodeTooComplex refuses a request whose cost would pass a bound (a
	// traversal that would read too many edges), rather than answering it
	// wrongly.
	CodeTooComplex Code = "QUERY_TOO_COMPLEX"
	// CodeUnavailable refuses work the server has no room for right now
	// (every subscription slot taken); the same request may succeed later.
	CodeUnavailable Code = "UNAVAILABLE"
	// The storage codes say that the database itself failed, not the
	// request: nothing was written, and the server's operator, not the
	// client, has to act. CodeReadOnly: the database cannot be written
	// (a read-only file, directory or mount); CodeStorageFull: the disk
	// (or the database's size limit) is full; CodeStorageError: the file
	// could not be read or written (an I/O error, corruption, a file that
	// cannot be opened).
	CodeReadOnly     Code = "READ_ONLY"
	CodeStorageFull  Code = "STORAGE_FULL"
	CodeStorageError Code = "STORAGE_ERROR"
	CodeInternal     Code = "INTERNAL"
)

// IsStorageFault reports whether code is one of the storage codes: a fault
// of the database that the server's log should record, although its
// message may be shown.
func IsStorageFault(code Code) bool {
	return code == CodeReadOnly || code == CodeStorageFull || code == CodeStorageError
}

// Error is an error a caller may show: a code and a message a person can act on.
type Error struct {
	Code    Code
	Message string
	// Err is the cause, when there is one (the driver's error behind a
	// storage fault): it is for logs, never shown to a client.
	Err error
}

// Error implements error: the message, then the cause for logs.
func (e *Error) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, CodeInternal
// when there is none, and "" for a nil error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	if p := (Problems{}); errors.As(err, &p) {
		return CodeInvalid
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic text for an internal error, whose details belong in the logs.
func ErrorMessage(err error) string {
	if p := (Problems{}); errors.As(err, &p) {
		return p.Error()
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Problem is one thing wrong with input: where (a file and JSON path, or an
// argument name) and what.
type Problem struct {
	Where string // "fixtures/x.json: events[3].participants[1].actor"
	What  string // `unknown actor "jaishanker"`
}

// String formats the problem as "where: what".
func (p Problem) String() string {
	if p.Where == "" {
		return p.What
	}
	return p.Where + ": " + p.What
}

// Problems is every problem found in one input. As an error it is always
// CodeInvalid; loaders return all problems at once, not only the first.
type Problems []Problem

// Error lists the problems one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Add appends a problem at where.
func (ps *Problems) Add(where, format string, args ...any) {
	*ps = append(*ps, Problem{Where: where, What: fmt.Sprintf(format, args...)})
}

// Err returns ps as an error, or nil when there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// RefKind names the type of record a reference points at.
type RefKind string

// The kinds of reference a record can hold.
const (
	RefActor     RefKind = "actor"
	RefEvent     RefKind = "event"
	RefStatement RefKind = "statement"
	RefSource    RefKind = "source"
	RefCountry   RefKind = "country"
)

// Ref is a reference, by key or code, that the input itself does not satisfy
// and that must be found among stored records. Where says where it was
// written, for the error when it is not found.
type Ref struct {
	Kind  RefKind
	Key   string
	Where string
}

// UnknownRef is the problem reported for a reference to nothing.
func UnknownRef(r Ref) Problem {
	return Problem{Where: r.Where, What: fmt.Sprintf("unknown %s %q", r.Kind, r.Key)}
}

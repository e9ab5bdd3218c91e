// Package relay encodes what the API hands out as opaque strings: global
// object IDs and list cursors, and it validates paging arguments (Relay cursor
// connections, with GitHub's limits).
//
// Opaque means clients must not parse them; it does not mean secret. Both are
// base64url of a short versioned text, so that the format can change later
// without breaking the ones already handed out.
package relay

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// Type names of global IDs.
const (
	TypeActor        = "Actor"
	TypeCountry      = "Country"
	TypeEvent        = "Event"
	TypeStatement    = "Statement"
	TypeRelationship = "Relationship"
	TypeSource       = "Source"
)

var idTypes = []string{TypeActor, TypeCountry, TypeEvent, TypeStatement, TypeRelationship, TypeSource}

// Strict decoding makes each ID and cursor have exactly one spelling, once
// decode has refused the newlines encoding/base64 skips even when strict.
var enc = base64.RawURLEncoding.Strict()

// decode decodes an ID or a cursor.
func decode(s string) ([]byte, error) {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return nil, base64.CorruptInputError(i)
	}
	return enc.DecodeString(s)
}

// ID is the global ID of the object of type typ with row id id.
func ID(typ string, id int64) string {
	return enc.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}

// MaxIDBytes bounds an ID argument: the longest ID written, a relationship's
// with a 19-digit row id, is 44 bytes.
const MaxIDBytes = 64

// ParseID decodes a global ID. A string that is not one gives a
// BAD_USER_INPUT error.
func ParseID(s string) (typ string, id int64, err error) {
	if len(s) > MaxIDBytes {
		// Not echoed: the message would be as large as the argument.
		return "", 0, db.Errorf(db.CodeInvalid, "the ID is %d bytes, more than the limit of %d", len(s), MaxIDBytes)
	}
	bad := db.Errorf(db.CodeInvalid, "%q is not a geotimeline ID", s)
	raw, decErr := decode(s)
	if decErr != nil {
		return "", 0, bad
	}
	typ, num, ok := strings.Cut(string(raw), ":")
	if !ok || !isIDType(typ) {
		return "", 0, bad
	}
	id, convErr := strconv.ParseInt(num, 10, 64)
	if convErr != nil || id <= 0 || strconv.FormatInt(id, 10) != num {
		return "", 0, bad
	}
	return typ, id, nil
}

func isIDType(t string) bool {
	for _, x := range idTypes {
		if x == t {
			return true
		}
	}
	return false
}

// Cursor formats: "t1:" time-ordered positions, "k1:" key-ordered ones,
// "c1:" places in the changes feed.
const (
	timePrefix   = "t1:"
	keyPrefix    = "k1:"
	changePrefix = "c1:"
)

// TimeCursor encodes a position in a time-ordered list (timeline, events,
// statements). It holds the sort key itself, not an offset, so it stays
// valid while items are added before it.
func TimeCursor(p db.Position) string {
	kind := "e"
	if p.Kind == db.ItemStatement {
		kind = "s"
	}
	return enc.EncodeToString([]byte(timePrefix + strconv.FormatInt(p.At, 10) + ":" + strconv.Itoa(p.Rank) + ":" + kind + ":" + p.Key))
}

// KeyCursor encodes a position in a key-ordered list (actors, countries).
func KeyCursor(key string) string {
	return enc.EncodeToString([]byte(keyPrefix + key))
}

// ChangeCursor encodes a place in the changes feed: the sequence number of
// the change it follows.
func ChangeCursor(seq int64) string {
	return enc.EncodeToString([]byte(changePrefix + strconv.FormatInt(seq, 10)))
}

// ParseChangeCursor decodes a ChangeCursor; arg names the argument for the
// error.
func ParseChangeCursor(arg, s string) (int64, error) {
	if len(s) > MaxCursorBytes {
		return 0, badCursor(arg, s)
	}
	raw, err := decode(s)
	if err != nil || !strings.HasPrefix(string(raw), changePrefix) {
		return 0, badCursor(arg, s)
	}
	num := strings.TrimPrefix(string(raw), changePrefix)
	seq, err := strconv.ParseInt(num, 10, 64)
	if err != nil || seq < 0 || strconv.FormatInt(seq, 10) != num {
		return 0, badCursor(arg, s)
	}
	return seq, nil
}

// MaxCursorBytes bounds a cursor argument: the longest cursor written, a
// timeline position with a 128-byte key, is under 200 bytes.
const MaxCursorBytes = 512

func badCursor(arg, s string) error {
	if len(s) > MaxCursorBytes {
		// Not echoed: thirty aliases would repeat a megabyte thirty times.
		return db.Errorf(db.CodeInvalid, "%s is %d bytes, more than the limit of %d", arg, len(s), MaxCursorBytes)
	}
	return db.Errorf(db.CodeInvalid, "%s: %q is not a cursor of this list", arg, s)
}

// ParseTimeCursor decodes a TimeCursor; arg names the argument for the error.
func ParseTimeCursor(arg, s string) (*db.Position, error) {
	if len(s) > MaxCursorBytes {
		return nil, badCursor(arg, s)
	}
	raw, err := decode(s)
	if err != nil || !strings.HasPrefix(string(raw), timePrefix) {
		return nil, badCursor(arg, s)
	}
	parts := strings.SplitN(strings.TrimPrefix(string(raw), timePrefix), ":", 4)
	if len(parts) != 4 {
		return nil, badCursor(arg, s)
	}
	at, err1 := strconv.ParseInt(parts[0], 10, 64)
	rank, err2 := strconv.Atoi(parts[1])
	_, rankOK := db.PrecisionOfRank(rank)
	if err1 != nil || err2 != nil || !rankOK || !db.ValidKey(parts[3]) {
		return nil, badCursor(arg, s)
	}
	p := &db.Position{At: at, Rank: rank, Key: parts[3]}
	switch parts[2] {
	case "e":
		p.Kind = db.ItemEvent
	case "s":
		p.Kind = db.ItemStatement
	default:
		return nil, badCursor(arg, s)
	}
	return p, nil
}

// ParseKeyCursor decodes a KeyCursor; arg names the argument for the error.
func ParseKeyCursor(arg, s string) (*db.Position, error) {
	if len(s) > MaxCursorBytes {
		return nil, badCursor(arg, s)
	}
	raw, err := decode(s)
	if err != nil || !strings.HasPrefix(string(raw), keyPrefix) {
		return nil, badCursor(arg, s)
	}
	key := strings.TrimPrefix(string(raw), keyPrefix)
	if key == "" || len(key) > db.MaxKeyLength {
		return nil, badCursor(arg, s)
	}
	return &db.Position{Key: key}, nil
}

// Page size limits, as on GitHub.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Args are a connection's paging arguments as the client sent them.
type Args struct {
	First, Last   *int
	After, Before *string
}

// Page validates a and decodes its cursors with parse. first and last must
// lie in [0, 100] and may not be given together; with neither, the page is
// the first 20 items.
func (a Args) Page(parse func(arg, s string) (*db.Position, error)) (db.Page, error) {
	var p db.Page
	for _, n := range []struct {
		name string
		v    *int
	}{{"first", a.First}, {"last", a.Last}} {
		if n.v != nil && (*n.v < 0 || *n.v > MaxPageSize) {
			return p, db.Errorf(db.CodeInvalid, "%s must be between 0 and %d, not %d", n.name, MaxPageSize, *n.v)
		}
	}
	switch {
	case a.First != nil && a.Last != nil:
		return p, db.Errorf(db.CodeInvalid, "give first or last, not both")
	case a.Last != nil:
		p.Limit, p.Backward = *a.Last, true
	case a.First != nil:
		p.Limit = *a.First
	default:
		p.Limit = DefaultPageSize
	}
	var err error
	if a.After != nil {
		if p.After, err = parse("after", *a.After); err != nil {
			return p, err
		}
	}
	if a.Before != nil {
		if p.Before, err = parse("before", *a.Before); err != nil {
			return p, err
		}
	}
	return p, nil
}

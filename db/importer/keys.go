package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/iso3166"
)

// Key makes a record key from a prefix ("gdelt") and a dataset's id or
// name: lower-cased, accents dropped, every run of other characters than
// a-z 0-9 . _ : one "-". A key longer than db.MaxKeyLength is cut and ends
// in a hash of the whole, so that it stays unique.
func Key(prefix string, parts ...string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, p := range parts {
		if s := Slug(p); s != "" {
			b.WriteByte('-')
			b.WriteString(s)
		}
	}
	k := b.String()
	if len(k) <= db.MaxKeyLength {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	h := hex.EncodeToString(sum[:6])
	return strings.TrimRight(k[:db.MaxKeyLength-len(h)-1], "-") + "-" + h
}

// Slug writes s with the characters of keys only: "Côte d'Ivoire" →
// "cote-d-ivoire".
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // the accent of a decomposed letter
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.' || r == '_' || r == ':':
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		default:
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteRune(r)
	}
	return strings.TrimLeft(b.String(), ".:_")
}

// StateKey is the key of the state actor an import makes for a country
// the database has no state for: its short name (StateName) as a slug
// ("india", "united-states", "iran"), the keys the demo's states have, so
// that every dataset shares one node per country.
func StateKey(alpha2 string) string {
	if s, ok := states[alpha2]; ok {
		return s.key
	}
	return Key("state", alpha2)
}

// StateName is the name of the state actor an import makes for a country:
// its ISO name without what the name adds in parentheses ("Iran" for "Iran
// (Islamic Republic of)", "Taiwan" for "Taiwan (Province of China)"),
// unless two countries would then share a name.
func StateName(alpha2 string) string {
	if s, ok := states[alpha2]; ok {
		return s.name
	}
	return alpha2
}

type state struct{ key, name string }

var states = func() map[string]state {
	all := iso3166.All()
	short := map[string]string{}
	count := map[string]int{}
	for _, c := range all {
		name := c.Name
		if i := strings.Index(name, " ("); i > 0 {
			name = name[:i]
		}
		short[c.Code] = name
		count[Slug(name)]++
	}
	out := map[string]state{}
	for _, c := range all {
		name := short[c.Code]
		if count[Slug(name)] > 1 || Slug(name) == "" {
			// Two names that differ only in parentheses: both keep
			// their whole name.
			name = c.Name
		}
		out[c.Code] = state{key: Slug(name), name: name}
	}
	return out
}()

// URLSource is the source record of an article's URL, keyed by a hash of
// the URL so that every dataset citing it shares one record; the
// publisher is the URL's host. False for what is not an http(s) URL.
func URLSource(raw string) (db.Source, bool) {
	u, err := url.Parse(raw)
	// The scheme in lower case, as fixtures want it.
	web := strings.HasPrefix(raw, "http://") || strings.HasPrefix(raw, "https://")
	if err != nil || !web || u.Host == "" || strings.ContainsAny(raw, " \t\n") {
		return db.Source{}, false
	}
	sum := sha256.Sum256([]byte(raw))
	return db.Source{Key: "url-" + hex.EncodeToString(sum[:8]), URL: raw, Publisher: strings.TrimPrefix(u.Hostname(), "www.")}, true
}

// AddParticipant appends p unless its actor already takes part: an event
// lists an actor once, in the first role the dataset gives it.
func AddParticipant(ps []db.Participant, p db.Participant) []db.Participant {
	for _, q := range ps {
		if q.Actor == p.Actor {
			return ps
		}
	}
	return append(ps, p)
}

// AddKey appends key to keys unless it is there already or empty.
func AddKey(keys []string, key string) []string {
	if key == "" {
		return keys
	}
	for _, k := range keys {
		if k == key {
			return keys
		}
	}
	return append(keys, key)
}

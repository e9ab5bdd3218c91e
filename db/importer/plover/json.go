package plover

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// lines tells the line of an offset in the file: it counts the newlines of
// what the decoder reads, and forgets those behind the last offset asked
// for, so that memory stays bounded by the decoder's buffer however long
// the file is. Offsets must be asked for in order.
type lines struct {
	r       io.Reader
	read    int64   // bytes read so far
	pending []int64 // offsets of the newlines not yet passed
	line    int     // line of the last offset asked for, less one
}

func (l *lines) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.pending = append(l.pending, l.read+int64(i))
		}
	}
	l.read += int64(n)
	return n, err
}

// at is the line (1 for the first) of the byte at off.
func (l *lines) at(off int64) int {
	i := 0
	for i < len(l.pending) && l.pending[i] < off {
		i++
	}
	l.line += i
	l.pending = l.pending[i:]
	return l.line + 1
}

// newLines wraps r, dropping a UTF-8 byte order mark, which encoding/json
// refuses and some editors write.
func newLines(r io.Reader) *lines {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(3); bytes.Equal(head, []byte("\ufeff")) {
		br.Discard(3)
	}
	return &lines{r: br}
}

// member is one field of a JSON object, or one element of an array, with
// the offset of its value in the record's bytes, so that a problem names
// the field's own line.
type member struct {
	key string // "" for an array element
	val json.RawMessage
	off int
}

// kindOf names the JSON type of a value for problems: "a string", "an
// array".
func kindOf(v json.RawMessage) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// members splits an object into its fields, in their order; a key given
// twice keeps its first value.
func members(raw json.RawMessage) ([]member, error) {
	return walk(raw, '{')
}

// elements splits an array into its elements.
func elements(raw json.RawMessage) ([]member, error) {
	return walk(raw, '[')
}

func walk(raw json.RawMessage, open json.Delim) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok != open {
		return nil, fmt.Errorf("want %s, got %s", map[json.Delim]string{'{': "an object", '[': "an array"}[open], kindOf(raw))
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		var m member
		if open == '{' {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, ok := tok.(string)
			if !ok {
				return nil, errors.New("an object key is not a string")
			}
			m.key = key
		}
		if err := dec.Decode(&m.val); err != nil {
			return nil, err
		}
		m.off = int(dec.InputOffset()) - len(m.val)
		if m.key != "" && seen[m.key] {
			continue
		}
		seen[m.key] = true
		out = append(out, m)
	}
	return out, nil
}

package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Table reads a delimited dataset file a row at a time: GDELT's and ICEWS's
// tab-separated files (no quoting: a tab or newline never occurs in a
// field), UCDP's and ACLED's CSV (RFC 4180 quoting). Fields are read by
// column name; a row with another number of fields than the header is
// reported and skipped, and so is a field that is not UTF-8 (Get gives "").
type Table struct {
	out     *Output
	header  []string
	index   map[string]int
	missing map[string]bool // values that mean "no value" ("NA")
	line    int             // of the current row
	fields  []string
	next    func() ([]string, int, error)
	err     error
}

// TableOptions say how a Table reads.
type TableOptions struct {
	// Comma is the field separator: '\t' for a TSV file (split on tabs,
	// no quoting), ',' for CSV.
	Comma rune
	// Header names the columns of a file without a header row (GDELT);
	// nil when the first row is the header.
	Header []string
	// Required are the columns the header must have.
	Required []string
	// Missing are the values that stand for no value, read as "".
	Missing []string
}

// NewTable starts reading in. A header that lacks a required column is a
// problem, and the file is then not read further (Next is false).
func NewTable(in *Input, out *Output, o TableOptions) *Table {
	t := &Table{out: out, missing: map[string]bool{}}
	for _, m := range o.Missing {
		t.missing[m] = true
	}
	if o.Comma == '\t' {
		t.next = tsv(in.R)
	} else {
		cr := csv.NewReader(in.R)
		cr.Comma = o.Comma
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		t.next = func() ([]string, int, error) {
			rec, err := cr.Read()
			line := 0
			if err == nil {
				line, _ = cr.FieldPos(0)
			}
			return rec, line, err
		}
	}
	t.header = o.Header
	if t.header == nil {
		rec, line, err := t.next()
		switch {
		case errors.Is(err, io.EOF):
			out.Problem(0, "", "the file is empty: want a header row")
			t.err = io.EOF
			return t
		case err != nil:
			t.fail(line, err)
			return t
		}
		t.header = make([]string, len(rec))
		for i, h := range rec {
			t.header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		}
	}
	t.index = make(map[string]int, len(t.header))
	for i, h := range t.header {
		if _, dup := t.index[h]; !dup {
			t.index[h] = i
		}
	}
	var absent []string
	for _, c := range o.Required {
		if _, ok := t.index[c]; !ok {
			absent = append(absent, c)
		}
	}
	if len(absent) > 0 {
		out.Problem(1, "", "the header lacks the column%s %s: is this a %s file?", plural(len(absent)), strings.Join(absent, ", "), out.format)
		t.err = io.EOF
	}
	return t
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// tsv splits lines on tabs. A file with a header has no quoting in these
// datasets, and csv's quote rules would misread the stray quotes their
// text fields hold.
func tsv(r io.Reader) func() ([]string, int, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	line := 0
	var fields []string
	return func() ([]string, int, error) {
		for {
			b, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				// A line over 1 MB: read the rest of it.
				long := append([]byte(nil), b...)
				for errors.Is(err, bufio.ErrBufferFull) {
					b, err = br.ReadSlice('\n')
					long = append(long, b...)
				}
				b = long
			}
			if len(b) == 0 && err != nil {
				return nil, line, err
			}
			line++
			b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
			if len(b) == 0 {
				continue // a blank line, the last one of many files
			}
			// One string for the line, the fields slices of it: a
			// GDELT row has 61 fields, and one allocation instead of
			// 61 is most of the cost of reading it.
			fields = fields[:0]
			for rest := string(b); ; {
				i := strings.IndexByte(rest, '\t')
				if i < 0 {
					fields = append(fields, rest)
					break
				}
				fields = append(fields, rest[:i])
				rest = rest[i+1:]
			}
			return fields, line, nil
		}
	}
}

func (t *Table) fail(line int, err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		t.out.Problem(pe.Line, "", "%v", pe.Err)
		t.err = io.EOF
		return
	}
	t.err = err
}

// Next reads the next row, false at the end of the file or when reading
// failed (Err says why).
func (t *Table) Next() bool {
	for t.err == nil {
		rec, line, err := t.next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.fail(line, err)
			} else {
				t.err = err
			}
			return false
		}
		t.line = line
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(t.header) {
			t.out.Problem(line, "", "%d fields, want %d (%s)", len(rec), len(t.header), t.what())
			continue
		}
		t.fields = rec
		return true
	}
	return false
}

// ReadRows reads in as a Table with options o, calling row on each row
// read: the loop of a format's Read. It stops when the import is
// cancelled (out.Row is false: the context's error is returned) and at
// row's first error; otherwise it returns what stopped the table (Err).
func ReadRows(ctx context.Context, in *Input, out *Output, o TableOptions, row func(*Table) error) error {
	t := NewTable(in, out, o)
	for t.Next() {
		if !out.Row() {
			return ctx.Err()
		}
		if err := row(t); err != nil {
			return err
		}
	}
	return t.Err()
}

func (t *Table) what() string {
	if len(t.header) > 0 && t.index != nil {
		return "one per column of the header"
	}
	return "the columns of the format"
}

// Err is what stopped the reading, nil at the end of the file.
func (t *Table) Err() error {
	if errors.Is(t.err, io.EOF) {
		return nil
	}
	return t.err
}

// Line is the current row's line in the file.
func (t *Table) Line() int { return t.line }

// Get is the current row's field in column, trimmed; "" for a missing
// value or a column the file does not have.
func (t *Table) Get(column string) string {
	i, ok := t.index[column]
	if !ok {
		return ""
	}
	return t.At(i)
}

// Index is the position of column in the header, -1 for a column the
// file does not have; At(Index(column)) is Get(column) without looking
// the name up for every row.
func (t *Table) Index(column string) int {
	if i, ok := t.index[column]; ok {
		return i
	}
	return -1
}

// At is the current row's field at position i of the header, as Get
// gives it; "" for i < 0.
func (t *Table) At(i int) string {
	if i < 0 {
		return ""
	}
	s := strings.TrimSpace(t.fields[i])
	if len(t.missing) > 0 && t.missing[s] {
		return ""
	}
	return t.out.Text(t.line, t.header[i], s)
}

// given reports whether the current row has a value in column, without
// checking it (Get reports a bad one).
func (t *Table) given(column string) bool {
	i, ok := t.index[column]
	if !ok {
		return false
	}
	s := strings.TrimSpace(t.fields[i])
	return s != "" && !t.missing[s]
}

// Problem reports a problem with the current row's column.
func (t *Table) Problem(column, format string, args ...any) {
	t.out.Problem(t.line, column, format, args...)
}

// Int reads an integer column: nil when empty, reported when not a whole
// number in [min, max].
func (t *Table) Int(column string, min, max int) *int {
	s := t.Get(column)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		// Some exports write whole numbers as "26.0".
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int(f)) {
			t.Problem(column, "not a whole number: %q", s)
			return nil
		}
		n = int(f)
	}
	if n < min || n > max {
		t.Problem(column, "%d is out of range [%d, %d]", n, min, max)
		return nil
	}
	return &n
}

// Float reads a decimal column: nil when empty, reported when not a
// number in [min, max].
func (t *Table) Float(column string, min, max float64) *float64 {
	s := t.Get(column)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Problem(column, "not a number: %q", s)
		return nil
	}
	if f < min || f > max {
		t.Problem(column, "%s is out of range [%s, %s]", s, fmt.Sprint(min), fmt.Sprint(max))
		return nil
	}
	return &f
}

// Point reads a latitude and a longitude column: both or neither.
func (t *Table) Point(latColumn, lonColumn string) (lat, lon *float64) {
	lat = t.Float(latColumn, -90, 90)
	lon = t.Float(lonColumn, -180, 180)
	if (lat == nil) != (lon == nil) {
		// One is missing, or bad and reported already.
		switch {
		case lat == nil && t.given(latColumn), lon == nil && t.given(lonColumn):
		case lat == nil:
			t.Problem(latColumn, "missing, though %s is given", lonColumn)
		default:
			t.Problem(lonColumn, "missing, though %s is given", latColumn)
		}
		return nil, nil
	}
	return lat, lon
}

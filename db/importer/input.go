package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
)

// Source is one file named on the command line: a dataset file, a .gz of
// one, a .zip holding several, or "-" for standard input. Which of these it
// is comes from its first bytes, not its name, so that a download renamed
// or piped in reads the same.
type Source struct {
	Name string
	// Open gives the file's bytes; for "-", standard input, it is called
	// once.
	Open func() (io.ReadCloser, error)
	sum  string
}

// Input is one dataset file as a Format reads it: decompressed, named as
// problems name it ("events.zip:events.csv" for a file inside an archive).
type Input struct {
	Name string
	R    io.Reader
}

// each calls read for every dataset file s holds, and records s's SHA-256.
func (s *Source) each(read func(*Input) error) error {
	rc, err := s.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(rc, h), 1<<20)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		if err := read(&Input{Name: s.Name, R: zr}); err != nil {
			return err
		}
		if err := zr.Close(); err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		// A local file header, or the end record alone of an empty archive.
		if err := s.eachEntry(br, h, read); err != nil {
			return err
		}
	default:
		if err := read(&Input{Name: s.Name, R: br}); err != nil {
			return err
		}
	}
	// What the format left unread counts for the hash too.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	s.sum = hex.EncodeToString(h.Sum(nil))
	return nil
}

// eachEntry reads a zip archive, which needs random access: it is copied
// to a temporary file first (removed at once where the system allows).
func (s *Source) eachEntry(r io.Reader, h hash.Hash, read func(*Input) error) error {
	f, err := os.CreateTemp("", "geotimeline-import-*.zip")
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	defer func() { f.Close(); os.Remove(f.Name()) }()
	n, err := io.Copy(f, r)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	zr, err := zip.NewReader(f, n)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	found := false
	for _, e := range zr.File {
		if e.FileInfo().IsDir() || path.Base(e.Name)[0] == '.' || path.Dir(e.Name) == "__MACOSX" {
			continue
		}
		found = true
		rc, err := e.Open()
		if err != nil {
			return fmt.Errorf("%s:%s: %w", s.Name, e.Name, err)
		}
		err = read(&Input{Name: s.Name + ":" + e.Name, R: bufio.NewReaderSize(rc, 1<<20)})
		rc.Close()
		if err != nil {
			return err
		}
	}
	if !found {
		return fmt.Errorf("%s: the archive holds no file", s.Name)
	}
	return nil
}

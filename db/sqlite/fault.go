package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/mattn/go-sqlite3"

	"github.com/geotimeline/geotimeline/db"
)

// Storage faults. SQLite reports a full disk, a read-only database and an
// I/O error with result codes of their own; without classification they
// would reach a client as "internal error" and the operator would have to
// read the logs to learn that the disk is full. classify turns them into
// db.Errors with the storage codes, keeping the driver's error as the cause
// for the logs.

// classify returns err as a storage fault when SQLite's result code says
// it is one, and err unchanged otherwise (an error that already carries a
// code keeps it).
func classify(err error) error {
	if err == nil {
		return nil
	}
	if p := (db.Problems{}); errors.As(err, &p) {
		return err
	}
	if e := (*db.Error)(nil); errors.As(err, &e) {
		return err
	}
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code {
	case sqlite3.ErrFull:
		return &db.Error{Code: db.CodeStorageFull, Err: err,
			Message: "the database's disk is full: nothing was written; the server's disk needs free space before writes can succeed"}
	case sqlite3.ErrReadonly:
		return &db.Error{Code: db.CodeReadOnly, Err: err,
			Message: "the database is read-only: nothing was written; the server's database file, its directory or its disk does not allow writing"}
	case sqlite3.ErrIoErr, sqlite3.ErrCorrupt, sqlite3.ErrNotADB, sqlite3.ErrCantOpen:
		return &db.Error{Code: db.CodeStorageError, Err: err,
			Message: fmt.Sprintf("the database file could not be read or written (%s); nothing was written", se.Code)}
	}
	return err
}

// Classify gives an error from the store its storage code when SQLite's
// own result code says the storage failed (see classify). Writes are
// classified by the store itself; this is for the errors of reads, which
// pass up through many functions, and is applied where errors are shown.
//
// It is a method, not a function, so that the server asks whichever store
// it has and never names a backend.
func (s *Store) Classify(err error) error { return classify(err) }

// storageFault returns err's *db.Error when it carries a storage code.
func storageFault(err error) (*db.Error, bool) {
	var e *db.Error
	if errors.As(err, &e) && db.IsStorageFault(e.Code) {
		return e, true
	}
	return nil, false
}

// Writable reports whether writes can succeed, cheaply and without taking
// the write lock: nil, or a *db.Error with a storage code saying why not.
// Not writable: a store opened with Options.ReadOnly; a database file, or
// its -wal or -shm file, that this process cannot open for writing (a
// read-only file or mount); or a last write that failed with a storage
// fault (a full disk, an I/O error), until a write succeeds again. It does
// not look for free space: a disk that fills up shows in the next write.
func (s *Store) Writable() error {
	if s.opts.ReadOnly {
		return db.Errorf(db.CodeReadOnly, "the database was opened read-only")
	}
	// Named by role, not path: /healthz shows the reason to anyone, and
	// the file's place on the server is none of their business (the
	// start-up warning logs the path beside it).
	for _, f := range []struct{ path, name string }{
		{s.path, "the database file"}, {s.path + "-wal", "its write-ahead log (-wal)"}, {s.path + "-shm", "its shared-memory file (-shm)"},
	} {
		p := f.path
		// Opening for writing, without truncating, changes nothing and is
		// refused exactly as SQLite's own open would be (by permissions,
		// which root bypasses, or by a read-only mount, which it does not).
		file, err := os.OpenFile(p, os.O_WRONLY, 0)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			if errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EROFS) {
				return &db.Error{Code: db.CodeReadOnly, Err: err,
					Message: fmt.Sprintf("the database is read-only: %s cannot be opened for writing", f.name)}
			}
			return &db.Error{Code: db.CodeStorageError, Err: err,
				Message: fmt.Sprintf("%s cannot be opened for writing", f.name)}
		}
		file.Close()
	}
	if e := s.lastFault.Load(); e != nil {
		return e
	}
	return nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/backend"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
)

const seedAbout = `Loads fixture files (see FIXTURES.md) into the database, creating it if
needed. "-" reads a fixture from standard input. All files are one
transaction: either every record of every file is stored, or nothing is.

References may point into another file of the same run or at records
already stored. On invalid input every problem is printed to standard error,
one a line as FILE: PATH: what, and nothing is written.

The summary ("seed: loaded 2 files: 45 inserted, 0 updated, 0 unchanged")
goes to standard error, so that standard output stays empty. When standard
error is a terminal, progress is shown there while the files are checked
and written (records, records per second, time elapsed).

Files of any size load in bounded memory: they are read as streams, their
records wait in temporary files (in $TMPDIR, about 60% of the fixtures'
size) until every file has been checked, and are then written. At most
1000 problems are printed, then how many more were found.

Every seed that writes is recorded as a run (see the runs query): its files
with their SHA-256, the system user and what it changed.

--dry-run checks everything and prints to standard output what the load
would insert, update and leave unchanged, and for each record it would
update the fixture fields that would change, writing nothing (not even a
database file that does not exist yet).`

// defaultSeedWriteWait is how long seed waits for the write lock by
// default: a server's writes are short, but another seed may hold the lock
// for minutes.
const defaultSeedWriteWait = 10 * time.Minute

// loadFlags are the flags of the commands that load records (seed,
// import): --db, --dry-run and --write-wait.
func (cmd *command) loadFlags(dbPath *string, dryRun *bool, writeWait *time.Duration) {
	cmd.dbFlag(dbPath)
	cmd.boolFlag(dryRun, "dry-run", "GEOTIMELINE_DRY_RUN", "check the files and report what would change, writing nothing")
	cmd.durationFlag(writeWait, "write-wait", "DURATION", "GEOTIMELINE_WRITE_WAIT", defaultSeedWriteWait,
		"how long to wait for another process's write (a server's, another seed's) before giving up")
}

func (c *cli) seed(ctx context.Context, args []string) error {
	cmd := c.newCommand("seed", "seed [flags] FILE...", seedAbout)
	var (
		dbPath    string
		writeWait time.Duration
		dryRun    bool
	)
	cmd.loadFlags(&dbPath, &dryRun, &writeWait)
	names, err := cmd.parse(args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return usagef("at least one FILE is required (\"-\" for standard input)")
	}
	if err := cmd.positive(nil, map[string]time.Duration{"write-wait": writeWait}); err != nil {
		return err
	}

	limitSeedMemory()
	files, cleanup, err := c.openFixtures(names)
	if err != nil {
		return err
	}
	defer cleanup()
	return c.load(ctx, loadRun{command: "seed", files: files, inputs: len(files), dbPath: dbPath, dryRun: dryRun, writeWait: writeWait})
}

// loadRun is one seed or import: fixture files to load in one transaction.
type loadRun struct {
	command string // "seed", "import"
	files   []fixture.File
	// inputs is how many files the user named; recorded, when set, are
	// they, for the run record, instead of the fixtures (an import's
	// dataset files).
	inputs    int
	recorded  []db.RunFile
	dbPath    string
	dryRun    bool
	writeWait time.Duration
	progress  *progress
}

// load checks and writes r's files, or with dryRun reports what writing
// them would change, and prints the summary.
func (c *cli) load(ctx context.Context, r loadRun) error {
	progress := r.progress
	if progress == nil {
		progress = newProgress(c.stderr, r.command)
	}
	defer progress.clear()
	loader := &seed.Loader{Progress: progress.update,
		Record: &db.Run{Command: r.command, Client: systemUser(), StartedAt: time.Now().UTC(), Files: r.recorded}}
	// Read and check every file before the database is touched: a
	// fixture with mistakes then leaves no empty database file behind and
	// holds no lock while it is read.
	dec, err := loader.Decode(ctx, r.files)
	if err != nil {
		return err
	}
	defer dec.Close()
	dbPath := r.dbPath
	exists, statErr := backend.Exists(dbPath)
	missing := statErr == nil && !exists
	if r.dryRun {
		progress.clear()
		return c.dryRun(ctx, dec, r.command, dbPath, missing, r.inputs)
	}
	created := missing
	if created {
		if err := dec.Check(ctx, nil); err != nil {
			progress.clear()
			return c.reportProblems(r.command, err)
		}
	}
	store, err := backend.Open(ctx, dbPath, backend.Options{WriteWait: r.writeWait, Writer: "geotimeline " + r.command})
	if err != nil {
		return err
	}
	sum, err := dec.Write(ctx, store)
	closeErr := store.Close()
	progress.clear()
	if err != nil {
		if created {
			// Nothing was written, so leave no empty database behind
			// either: the next seed should start from the same state.
			backend.Remove(dbPath)
		}
		return c.reportProblems(r.command, err)
	}
	if closeErr != nil {
		return fmt.Errorf("close %s: %w", backend.Redact(dbPath), closeErr)
	}
	fmt.Fprintf(c.stderr, "%s: loaded %s: %s\n", r.command, plural(r.inputs, "file"), sum)
	return nil
}

// openFixtures checks that every named file can be opened, and returns
// them as files to be read as streams; "-" is standard input, which may
// appear once and is copied to a temporary file first, since a fixture is
// read more than once. cleanup removes that copy.
func (c *cli) openFixtures(names []string) (files []fixture.File, cleanup func(), err error) {
	cleanup = func() {}
	files = make([]fixture.File, 0, len(names))
	stdin := false
	for _, name := range names {
		if name != "-" {
			// os errors already name the file ("open x.json: no such
			// file or directory").
			if err := checkReadable(name); err != nil {
				cleanup()
				return nil, nil, err
			}
			files = append(files, fixture.File{Name: name, Open: openFile(name)})
			continue
		}
		if stdin {
			cleanup()
			return nil, nil, usagef(`"-" (standard input) may be given only once`)
		}
		stdin = true
		open, done, err := spoolStdin(c.stdin)
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		cleanup = done
		files = append(files, fixture.File{Name: name, Open: open})
	}
	return files, cleanup, nil
}

func openFile(path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

// checkReadable fails as reading the file would: for a missing file, one
// without permission, or a directory.
func checkReadable(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
	}
	return nil
}

// spoolStdin copies standard input to a temporary file, removed at once
// where the system allows (it stays open), so that nothing is left behind;
// done closes it, and removes it if it could not be removed before.
func spoolStdin(stdin io.Reader) (open func() (io.ReadCloser, error), done func(), err error) {
	f, err := os.CreateTemp("", "geotimeline-stdin-*.json")
	if err != nil {
		return nil, nil, fmt.Errorf("read standard input: %w", err)
	}
	name := f.Name()
	if os.Remove(name) == nil {
		name = ""
	}
	done = func() {
		f.Close()
		if name != "" {
			os.Remove(name)
		}
	}
	n, err := io.Copy(f, stdin)
	if err != nil {
		done()
		return nil, nil, fmt.Errorf("read standard input: %w", err)
	}
	open = func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(f, 0, n)), nil }
	return open, done, nil
}

// reportProblems prints a db.Problems one problem a line, followed by a
// count, and returns errShown; any other error is returned as it is.
func (c *cli) reportProblems(command string, err error) error {
	var ps db.Problems
	if !errors.As(err, &ps) {
		return err
	}
	for _, p := range ps {
		fmt.Fprintln(c.stderr, p.String())
	}
	// Past fixture.MaxProblems the last line counts the problems left out.
	kept, more := fixture.Untruncate(ps)
	fmt.Fprintf(c.stderr, "%s: %s; nothing was written\n", command, plural(len(kept)+more, "problem"))
	return errShown
}

// progress shows how far a seed has come on one line of a terminal,
// rewritten in place at most a few times a second. On anything else it
// shows nothing: a log wants the summary alone.
type progress struct {
	w          io.Writer
	command    string
	start      time.Time
	phase      seed.Phase
	phaseStart time.Time
	last       time.Time
	shown      bool
}

// progressInterval is the least time between two updates of the line.
const progressInterval = 250 * time.Millisecond

// isTerminal reports whether w is a terminal; tests replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// newProgress returns the progress display for w, nil when w is not a
// terminal; a nil *progress does nothing.
func newProgress(w io.Writer, command string) *progress {
	if !isTerminal(w) {
		return nil
	}
	now := time.Now()
	return &progress{w: w, command: command, start: now, phaseStart: now}
}

// update is a seed.Loader's Progress.
func (p *progress) update(pr seed.Progress) {
	if p == nil {
		return
	}
	now := time.Now()
	if pr.Phase != p.phase {
		p.phase, p.phaseStart = pr.Phase, now
	} else if now.Sub(p.last) < progressInterval && (pr.Total == 0 || pr.Done < pr.Total) {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "\r%s: %s\x1b[K", p.command, progressLine(pr, now.Sub(p.phaseStart), now.Sub(p.start)))
	p.shown = true
}

// progressLine reads like "writing 41%: 412,000 of 1,006,523 records,
// 6,120 records/s, 1m07s".
func progressLine(pr seed.Progress, inPhase, elapsed time.Duration) string {
	var b strings.Builder
	b.WriteString(string(pr.Phase))
	if pr.Total > 0 {
		fmt.Fprintf(&b, " %d%%: %s of %s records", pr.Done*100/pr.Total, thousands(pr.Done), thousands(pr.Total))
	} else {
		fmt.Fprintf(&b, ": %s records", thousands(pr.Done))
	}
	if s := inPhase.Seconds(); s > 0 {
		fmt.Fprintf(&b, ", %s records/s", thousands(int(float64(pr.Done)/s)))
	}
	fmt.Fprintf(&b, ", %s", elapsed.Round(100*time.Millisecond))
	return b.String()
}

// clear removes the progress line, before anything else is printed.
func (p *progress) clear() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
	p.shown = false
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	start := len(s) % 3
	if n < 0 {
		start = (len(s)-1)%3 + 1
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i >= start && (i-start)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// systemUser names who runs the command, for the run it records: the
// account's name, "" when the system cannot tell.
func systemUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

// dryRun reports what dec would change in the database at dbPath, writing
// nothing. A database that does not exist yet is stood in for by an empty
// one in a temporary directory, so that the report is exact and no file is
// left at dbPath.
func (c *cli) dryRun(ctx context.Context, dec *seed.Decoded, command, dbPath string, missing bool, files int) error {
	if missing {
		dir, err := os.MkdirTemp("", "geotimeline-dry-run-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "empty.db")
	}
	store, err := backend.Open(ctx, dbPath, backend.Options{Writer: "geotimeline " + command + " --dry-run"})
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := dec.DryRun(ctx, store)
	if err != nil {
		return c.reportProblems(command, err)
	}
	fmt.Fprintf(c.stdout, command+": dry run of %s, nothing written: %s\n", plural(files, "file"), rep.Summary)
	for _, u := range rep.Updates {
		fmt.Fprintf(c.stdout, "  %s %s: %s\n", u.List, u.Key, strings.Join(u.Fields, ", "))
	}
	if more := rep.Updated - len(rep.Updates); more > 0 {
		fmt.Fprintf(c.stdout, "  and %s\n", plural(more, "more updated record"))
	}
	return nil
}

// seedMemoryLimit is the Go heap a seed aims to stay under, unless
// GOMEMLIMIT says otherwise. A bulk load of 1M events keeps about 200 MB
// live (every key's row id, every key the files define) and, left to
// GOGC alone, let the heap reach 330 MB before collecting; SQLite's page
// cache and sorters come on top.
const seedMemoryLimit = 256 << 20

func limitSeedMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(seedMemoryLimit)
	}
}

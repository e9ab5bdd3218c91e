// Package pgtest gives tests a real PostgreSQL database of their own.
//
// GEOTIMELINE_TEST_POSTGRES names a database the tests may use (a
// postgres:// URL whose role may CREATE DATABASE); each test gets a fresh
// database made from it and dropped when the test ends, so that tests run
// in parallel and leave nothing behind. Without the variable the tests
// skip: `bash .ci/postgres.sh go test ./...` runs them against a private,
// throwaway cluster, as .ci/run does.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL is the environment variable that names the tests' database.
const EnvURL = "GEOTIMELINE_TEST_POSTGRES"

// URL returns the URL of a new, empty database for tb alone, dropped at
// tb's cleanup, or skips tb when EnvURL is unset.
func URL(tb testing.TB) string {
	tb.Helper()
	return URLWith(tb, "")
}

// URLWith is URL for a database made with more options of CREATE
// DATABASE, such as "LOCALE_PROVIDER icu ICU_LOCALE 'en'" for a default
// collation other than the server's.
func URLWith(tb testing.TB, options string) string {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		tb.Skipf("no PostgreSQL: set %s to a postgres:// URL (bash .ci/postgres.sh go test ./db/postgres/... starts one)", EnvURL)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", EnvURL, err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	name := "test_" + hex.EncodeToString(b[:])

	// The context of neither the test nor its cleanup: the drop must run
	// after the test's context is done.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to %s: %v", EnvURL, err)
	}
	defer admin.Close(ctx)
	// template0: a copy of template1 would carry whatever a previous user
	// put there, and fails while anyone is connected to it.
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8' "+options); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		// FORCE: a pool the test forgot to close must not keep it.
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// WaitSessionsGone waits until no session of the database at url has the
// application_name name, polling for up to timeout, and fails tb if one
// still has. A process that was killed leaves its sessions to the server,
// which ends them (rolling back what they had not committed) only once it
// notices the client is gone: until then a transaction of the dead process
// may still commit.
func WaitSessionsGone(tb testing.TB, url, name string, timeout time.Duration) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("connect to watch sessions of %q: %v", name, err)
	}
	defer conn.Close(context.Background())
	for {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1`, name).Scan(&n); err != nil {
			tb.Fatalf("count sessions of %q: %v", name, err)
		}
		if n == 0 {
			return
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("%d sessions of %q still open after %v", n, name, timeout)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

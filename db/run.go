package db

import "time"

// Run is one seed, import or loadFixture that wrote to the database: where
// its records came from and what it changed, so that an analyst can tell
// which file a record came from and when.
type Run struct {
	ID         int64
	StartedAt  time.Time
	FinishedAt time.Time
	// Command is what ran: "seed", "import" or "loadFixture".
	Command string
	// Client is who ran it: a token's client for the API, the system
	// user for the CLI; "" when unknown.
	Client string
	Files  []RunFile
	Summary
}

// RunFile is one file of a run, by name and content.
type RunFile struct {
	Name string `json:"name"`
	// SHA256 is the hex SHA-256 of the file's bytes as read (a .gz file's
	// compressed bytes).
	SHA256 string `json:"sha256"`
}

// Package demo holds the built-in demo fixture, so that a newcomer who runs
// `geotimeline serve` on a new database sees real data in the playground at
// once.
package demo

import _ "embed"

// JSON is the demo fixture: the May 2025 India–Pakistan escalation from the
// seed article, loaded by serve into a new empty database. It is a version 1
// fixture (see FIXTURES.md) whose references all resolve inside the file.
//
//go:embed demo.json
var JSON []byte

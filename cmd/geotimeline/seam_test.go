package main

import (
	"github.com/geotimeline/geotimeline/db/export"
	"github.com/geotimeline/geotimeline/db/importer"
	"github.com/geotimeline/geotimeline/db/importer/importtest"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/graph"
	"github.com/geotimeline/geotimeline/graph/live"
	"github.com/geotimeline/geotimeline/graph/loader"
	"github.com/geotimeline/geotimeline/graph/server"
)

// The SQLite store is every consumer's store: checked here, where the
// binary wires them, since db/sqlite may not import its consumers.
var (
	_ loader.BatchReader = (*sqlite.Store)(nil)
	_ live.ChangeLog     = (*sqlite.Store)(nil)
	_ graph.Store        = (*sqlite.Store)(nil)
	_ server.Store       = (*sqlite.Store)(nil)
	_ seed.Writer        = (*sqlite.Store)(nil)
	_ seed.DryRunner     = (*sqlite.Store)(nil)
	_ export.Reader      = (*sqlite.Store)(nil)
	_ importer.Store     = (*sqlite.Store)(nil)
	_ importtest.Store   = (*sqlite.Store)(nil)
)

#!/usr/bin/env bash
# Installs the test-only libraries the export tests open the exports in
# (TimelineJS, graphology-gexf), and TypeScript, whose tsc type-checks the
# dashboard's modules (graph/web TestDashboardTypes), at the exact versions
# of package-lock.json, into node_modules here (git-ignored), and prints
# that directory: the value for GEOTIMELINE_EXPORT_TOOLS. --ignore-scripts: nothing of theirs
# runs at install time; the tests run them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
echo "$PWD/node_modules"

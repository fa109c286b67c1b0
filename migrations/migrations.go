// Package migrations holds the numbered SQL files that build Assay's database schema.
// They are embedded into the binary and applied in order at start, one transaction each.
package migrations

import "embed"

// FS holds every NNNN_name.sql file of this directory.
//
//go:embed *.sql
var FS embed.FS

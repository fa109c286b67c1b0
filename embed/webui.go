// Package webui embeds the built single-page app. Vite writes it into dist/app; until it has
// been built, the binary still runs and serves a page explaining how to build it.
package webui

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Assets returns the built SPA's files, and false when the UI was not built into this binary.
func Assets() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist/app")
	if err != nil {
		return nil, false
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil, false
	}
	return sub, true
}

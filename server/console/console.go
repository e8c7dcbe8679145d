// Package console holds the web console's static assets, embedded in the
// binary so the console works offline (no CDN). The server serves them at
// "/"; files added under static/ are picked up by the next build.
package console

import (
	"embed"
	"io/fs"
)

//go:embed static
var files embed.FS

// FS returns the console's files, rooted at static/.
func FS() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

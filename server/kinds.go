package server

// The kinds every server has: importing them registers them.
import (
	_ "github.com/vigilhq/vigil/sources/http"
	_ "github.com/vigilhq/vigil/sources/mysql"
	_ "github.com/vigilhq/vigil/sources/postgres"
)

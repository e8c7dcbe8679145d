module github.com/vigilhq/vigil

go 1.26

require (
	github.com/antlr4-go/antlr/v4 v4.13.1
	gopkg.in/yaml.v3 v3.0.1
)

require golang.org/x/exp v0.0.0-20240506185415-9bf2ced13842 // indirect

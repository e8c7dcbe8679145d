package gql

import (
	"testing"

	"github.com/vigilhq/vigil/grammar/grammartest"
)

// TestGrammarHash catches an edited grammar whose parser was not
// regenerated, without needing java.
func TestGrammarHash(t *testing.T) { grammartest.Hash(t, "GQL.g4", GrammarSHA256) }

// TestGeneratedUpToDate regenerates the parser and compares it with the
// committed files.
func TestGeneratedUpToDate(t *testing.T) { grammartest.UpToDate(t, "GQL.g4", "gql_") }

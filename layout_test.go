package whippyware

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every sentinel error and size limit of the package is declared in errors.go, where
// a reader looks for what a call can fail with and how much it reads.
func TestSentinelsAndLimitsLiveInErrorsGo(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	wanted := regexp.MustCompile(`^(Err|err)[A-Z]|^max[A-Z]`)
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, "_gen.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || (gen.Tok != token.VAR && gen.Tok != token.CONST) {
				continue
			}
			for _, spec := range gen.Specs {
				for _, id := range spec.(*ast.ValueSpec).Names {
					if wanted.MatchString(id.Name) {
						found++
						assert.Equal(t, "errors.go", name, "%s is declared in %s", id.Name, name)
					}
				}
			}
		}
	}
	assert.Greater(t, found, 10, "the sentinels and limits were found")
}

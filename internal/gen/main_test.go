package main

import (
	"bytes"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const generatedFile = "../../services_gen.go"

// The committed services_gen.go must be what the generator writes today: a
// change to the table or the template without go generate fails here.
func TestGeneratedFileIsCurrent(t *testing.T) {
	want, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(generatedFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not current: run go generate ./... from the module root", generatedFile)
	}
}

// What go doc shows for each service: a type doc that names its collection, and
// its own List, All, Get, Create, Update and Delete, with concrete types (no type
// parameter) and a doc comment that names the endpoint and says whether the
// reference documents it.
func TestServiceDocsAreConcrete(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("../../*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	pkg, err := doc.NewFromFiles(fset, files, "github.com/whippyware-go/whippyware")
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]*doc.Type{}
	for _, typ := range pkg.Types {
		types[typ.Name] = typ
	}
	for _, svc := range services {
		typ := types[svc.Type]
		if typ == nil {
			t.Errorf("no type %s", svc.Type)
			continue
		}
		if !strings.HasPrefix(typ.Doc, svc.Type+" ") || !strings.Contains(typ.Doc, "api/v1/"+svc.Path) {
			t.Errorf("%s: its doc does not start with its name and name its collection api/v1/%s:\n%s", svc.Type, svc.Path, typ.Doc)
		}
		methods := map[string]*doc.Func{}
		for _, m := range typ.Methods {
			methods[m.Name] = m
		}
		wantTypes := map[string]string{
			"List": "*" + svc.Filter, "All": "*" + svc.Filter, "Get": "*" + svc.Record,
			"Create": "*" + svc.Create, "Update": "*" + svc.Update, "Delete": "(*Response, error)",
		}
		for name, wantType := range wantTypes {
			m := methods[name]
			if m == nil || m.Level != 0 {
				t.Errorf("%s.%s: not a method of its own", svc.Type, name)
				continue
			}
			var sig bytes.Buffer
			if err := printer.Fprint(&sig, fset, m.Decl.Type); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(sig.String(), wantType) {
				t.Errorf("%s.%s%s: want %s in it", svc.Type, name, sig.String(), wantType)
			}
			if !strings.Contains(sig.String(), "callOpts ...CallOption)") {
				t.Errorf("%s.%s%s: does not take per-call options last", svc.Type, name, sig.String())
			}
			if !strings.Contains(m.Doc, "api/v1/"+svc.Path) {
				t.Errorf("%s.%s: doc does not name the endpoint api/v1/%s:\n%s", svc.Type, name, svc.Path, m.Doc)
			}
			oneLine := strings.Join(strings.Fields(m.Doc), " ") // the doc as wrapped
			if !strings.Contains(oneLine, string(documented)) && !strings.Contains(oneLine, string(convention)) {
				t.Errorf("%s.%s: doc does not say whether the endpoint is documented:\n%s", svc.Type, name, m.Doc)
			}
		}
	}
}

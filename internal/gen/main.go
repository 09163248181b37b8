// Command gen writes services_gen.go: the concrete methods of every resource
// service of package whippyware, each a call to the one generic resource
// underneath, so that go doc and pkg.go.dev show concrete types and say, per
// method, what is sent to which endpoint and whether the public reference
// documents it. It is the one place where those signatures are written.
//
// Run it from the module root with go generate (see resource.go), or
// go run ./internal/gen -o services_gen.go.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"strings"
	"text/template"
)

// source says where an endpoint comes from: the D and C tags of the API reference
// (the Whippy Ware reference the README links, §2).
type source string

const (
	documented source = "Documented in the public Whippy Ware reference."
	convention source = "Not in the public Whippy Ware reference: it follows the Akinon REST " +
		"convention (Django REST framework), as the package documentation explains."
)

// service is one row of the table: a service type, its types and its endpoints.
type service struct {
	Type   string // the service type, e.g. StocksService
	Field  string // the Client field that holds it
	Record string // the record type the service returns
	Create string // the create request type
	Update string // the update request type
	Filter string // the list filter type
	Path   string // the collection under api/v1/, ending in "/"
	Noun   string // one record, for the docs ("stock row")
	Plural string // several records ("stock rows")
	Doc    string // the service type's doc comment, after its name

	// Docs per method: where the endpoint comes from, and anything a caller must
	// know beyond the common text.
	ListSource, GetSource, CreateSource, UpdateSource, DeleteSource source
	ListNote, CreateNote, UpdateNote                                string
}

// services is the table: one row per Whippy Ware resource, tagged after
// section 2 of the API reference the SDK is built on (D documented, C convention).
var services = []service{
	{
		Type: "StocksService", Field: "Stocks", Record: "Stock",
		Create: "StockCreateRequest", Update: "StockUpdateRequest", Filter: "StockFilter",
		Path: "stocks/", Noun: "stock row", Plural: "stock rows",
		Doc: "reads and writes stock under api/v1/stocks/. List is documented; Get, Create, Update and " +
			"Delete follow the Akinon REST convention (the brand's integration writes stock rows).",
		ListSource: documented, GetSource: convention, CreateSource: convention, UpdateSource: convention, DeleteSource: convention,
		ListNote: "Of its filters, sku is documented on a neighbouring Akinon page; provider, " +
			"location, stock_type and is_active follow the convention.",
		CreateNote: "A stock row is identified by (sku, provider, location, stock_type), with stock_type " +
			"\"standard\" when not sent: a second row with the same four is refused with a " +
			"*ValidationError. The brand's integration writes stock rows this way.",
		UpdateNote: "To find the row to update, filter List or All by all four of sku, provider, " +
			"location and stock_type: rows may share the first three. Null[DateOrTime]() as " +
			"req.Period clears the period.",
	},
	{
		Type: "StockListsService", Field: "StockLists", Record: "StockList",
		Create: "StockListCreateRequest", Update: "StockListUpdateRequest", Filter: "StockListFilter",
		Path: "stock-lists/", Noun: "stock list", Plural: "stock lists",
		Doc: "manages stock lists under api/v1/stock-lists/. List, Get and Create are documented; " +
			"Update and Delete follow the Akinon REST convention.",
		ListSource: documented, GetSource: documented, CreateSource: documented, UpdateSource: convention, DeleteSource: convention,
		CreateNote: "Code and Name are required (documented); remote_id, stock_list_rule and is_active " +
			"follow the convention.",
		UpdateNote: "Null[int64]() as req.RemoteID or req.StockListRule clears it.",
	},
	{
		Type: "StockListRulesService", Field: "StockListRules", Record: "StockListRule",
		Create: "StockListRuleCreateRequest", Update: "StockListRuleUpdateRequest", Filter: "StockListRuleFilter",
		Path: "stock-list-rules/", Noun: "stock list rule", Plural: "stock list rules",
		Doc: "manages stock list rules under api/v1/stock-list-rules/. List, Get and Create are " +
			"documented (Create's fields are not); Update and Delete follow the Akinon REST convention.",
		ListSource: documented, GetSource: documented, CreateSource: documented, UpdateSource: convention, DeleteSource: convention,
		CreateNote: "Its fields (name, rule_type, rule, is_active) follow the convention.",
	},
	{
		Type: "ProvidersService", Field: "Providers", Record: "Provider",
		Create: "ProviderCreateRequest", Update: "ProviderUpdateRequest", Filter: "ProviderFilter",
		Path: "providers/", Noun: "provider", Plural: "providers",
		Doc: "manages providers under api/v1/providers/. List, Get and Create are documented; Update " +
			"and Delete follow the Akinon REST convention (PATCH and DELETE on providers/{id}/).",
		ListSource: documented, GetSource: documented, CreateSource: documented, UpdateSource: convention, DeleteSource: convention,
		CreateNote: "Its fields (name, code, should_add_reservations, is_active) follow " +
			"the convention.",
	},
	{
		Type: "StockLocationsService", Field: "StockLocations", Record: "StockLocation",
		Create: "StockLocationCreateRequest", Update: "StockLocationUpdateRequest", Filter: "StockLocationFilter",
		Path: "stock-locations/", Noun: "stock location", Plural: "stock locations",
		Doc: "manages stock locations under api/v1/stock-locations/. List, Get and Create are " +
			"documented; Update and Delete follow the Akinon REST convention.",
		ListSource: documented, GetSource: documented, CreateSource: documented, UpdateSource: convention, DeleteSource: convention,
		CreateNote: "Its fields (name, code, provider, is_active) follow the convention.",
	},
}

var fileTemplate = template.Must(template.New("services").Parse(`// Code generated by internal/gen; DO NOT EDIT.

package whippyware

import (
	"context"
	"iter"
)

// initServices gives the client one service per resource, each over the generic
// resource for its collection.
func (c *Client) initServices() {
{{- range .}}
	c.{{.Field}} = &{{.Type}}{resource[{{.Record}}, {{.Create}}, {{.Update}}, {{.Filter}}]{c, apiPrefix + "{{.Path}}"}}
{{- end}}
}
{{range .}}
// {{.Type}} {{.Doc}}
type {{.Type}} struct {
	resource resource[{{.Record}}, {{.Create}}, {{.Update}}, {{.Filter}}]
}

// List fetches one page of {{.Plural}} (GET api/v1/{{.Path}}). opts may be nil; its
// Page and Limit choose the page and its other fields filter the {{.Plural}}.
// Page.Results holds the {{.Plural}} of the page; use All to walk every page.
// callOpts adjust this call alone (see CallOption).
//
// {{.ListSource}}{{with .ListNote}} {{.}}{{end}}
func (s *{{.Type}}) List(ctx context.Context, opts *{{.Filter}}, callOpts ...CallOption) (*Page[{{.Record}}], *Response, error) {
	return s.resource.list(ctx, opts, callOpts)
}

// All iterates over every {{.Noun}} opts selects (GET api/v1/{{.Path}}, one request
// per page), from opts.Page on. It fetches a page only when the loop reaches it and
// none after the loop stops; an error ends the iteration after it is yielded. opts
// may be nil and is copied: changing it during the loop has no effect. callOpts
// apply to each page's request.
//
// {{.ListSource}}
func (s *{{.Type}}) All(ctx context.Context, opts *{{.Filter}}, callOpts ...CallOption) iter.Seq2[*{{.Record}}, error] {
	return s.resource.all(ctx, opts, callOpts)
}

// Get fetches the {{.Noun}} with the given id (GET api/v1/{{.Path}}{id}/). An
// unknown id is ErrNotFound; an id below 1 is ErrInvalidRequest and sends nothing.
// callOpts adjust this call alone (see CallOption).
//
// {{.GetSource}}
func (s *{{.Type}}) Get(ctx context.Context, id int64, callOpts ...CallOption) (*{{.Record}}, *Response, error) {
	return s.resource.get(ctx, id, callOpts)
}

// Create sends req as a JSON body (POST api/v1/{{.Path}}) and returns the
// {{.Noun}} as stored; the service answers 201. A refused field is a
// *ValidationError. Create is not retried after a 5xx or a lost connection unless
// the client has WithRetryNonIdempotent, or the call WithCallRetryNonIdempotent:
// the service has no idempotency key, so a resent POST could create twice. A nil
// req is ErrInvalidRequest. callOpts adjust this call alone (see CallOption).
//
// {{.CreateSource}}{{with .CreateNote}} {{.}}{{end}}
func (s *{{.Type}}) Create(ctx context.Context, req *{{.Create}}, callOpts ...CallOption) (*{{.Record}}, *Response, error) {
	return s.resource.create(ctx, req, callOpts)
}

// Update sends the fields set in req (PATCH api/v1/{{.Path}}{id}/) and returns
// the {{.Noun}} as stored; fields left unset are not sent and keep their value.
// Like Create, it is not retried after a 5xx or a lost connection unless the
// client has WithRetryNonIdempotent or the call WithCallRetryNonIdempotent. A nil
// req or an id below 1 is ErrInvalidRequest and sends nothing. callOpts adjust this
// call alone (see CallOption).
//
// {{.UpdateSource}}{{with .UpdateNote}} {{.}}{{end}}
func (s *{{.Type}}) Update(ctx context.Context, id int64, req *{{.Update}}, callOpts ...CallOption) (*{{.Record}}, *Response, error) {
	return s.resource.update(ctx, id, req, callOpts)
}

// Delete deletes the {{.Noun}} with the given id (DELETE api/v1/{{.Path}}{id}/);
// the service answers 204 with no body. An unknown id is ErrNotFound. callOpts
// adjust this call alone (see CallOption).
//
// {{.DeleteSource}}
func (s *{{.Type}}) Delete(ctx context.Context, id int64, callOpts ...CallOption) (*Response, error) {
	return s.resource.delete(ctx, id, callOpts)
}
{{end}}`))

// generate returns the formatted services_gen.go.
func generate() ([]byte, error) {
	var buf bytes.Buffer
	if err := fileTemplate.Execute(&buf, services); err != nil {
		return nil, err
	}
	src, err := format.Source(wrapComments(buf.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("formatting the generated code: %w\n%s", err, buf.Bytes())
	}
	return src, nil
}

// commentWidth is the longest comment line wrapComments leaves as it is.
const commentWidth = 84

// wrapComments refills every comment paragraph that has a line longer than
// commentWidth, so that the notes of the table can be written as one string each.
func wrapComments(src []byte) []byte {
	var out, para []string
	flush := func() {
		long := false
		for _, line := range para {
			long = long || len(line) > commentWidth
		}
		if long {
			para = fill(strings.Fields(strings.ReplaceAll(strings.Join(para, " "), "// ", " ")))
		}
		out = append(out, para...)
		para = nil
	}
	for _, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(line, "// ") {
			para = append(para, line)
			continue
		}
		flush()
		out = append(out, line)
	}
	flush()
	return []byte(strings.Join(out, "\n"))
}

// fill lays words out in "// " lines of at most commentWidth characters.
func fill(words []string) []string {
	var lines []string
	line := "//"
	for _, word := range words {
		if len(line)+1+len(word) > commentWidth && line != "//" {
			lines = append(lines, line)
			line = "//"
		}
		line += " " + word
	}
	return append(lines, line)
}

func main() {
	out := flag.String("o", "services_gen.go", "the file to write")
	flag.Parse()
	src, err := generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

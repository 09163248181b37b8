package whippyware

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware/internal/jsonread"
)

// decodeTarget is one type the client decodes answers into.
type decodeTarget struct {
	name string
	new  func() any
}

// decodeTargets are the models and their pages.
var decodeTargets = []decodeTarget{
	{"Provider", func() any { return new(Provider) }},
	{"StockLocation", func() any { return new(StockLocation) }},
	{"Stock", func() any { return new(Stock) }},
	{"StockList", func() any { return new(StockList) }},
	{"StockListRule", func() any { return new(StockListRule) }},
	{"Page[Provider]", func() any { return new(Page[Provider]) }},
	{"Page[StockLocation]", func() any { return new(Page[StockLocation]) }},
	{"Page[Stock]", func() any { return new(Page[Stock]) }},
	{"Page[StockList]", func() any { return new(Page[StockList]) }},
	{"Page[StockListRule]", func() any { return new(Page[StockListRule]) }},
}

// decodeBoth decodes body into a new value of target twice, through the client's
// reader and through encoding/json, and fails t when the two differ in value or
// error. It reports whether the reader decoded it without encoding/json.
func decodeBoth(t *testing.T, target decodeTarget, body []byte) (read bool) {
	t.Helper()
	got, want := target.new(), target.new()
	r := jsonReader{jsonread.New(body)}
	read = got.(jsonReadable).readJSON(&r) && r.End()
	got = target.new()
	gotErr := unmarshalAnswer(body, got, true)
	wantErr := json.Unmarshal(body, want)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%s from %q: error %v, encoding/json's %v", target.name, body, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s from %q:\n got %#v\nwant %#v", target.name, body, got, want)
	}
	if read && wantErr != nil {
		t.Fatalf("%s from %q: the reader accepted what encoding/json refuses (%v)", target.name, body, wantErr)
	}
	return read
}

// serviceBodies are the documented list bodies, each of their records alone, and
// records in the other shapes the service sends.
func serviceBodies(t testing.TB) map[string][]string {
	bodies := map[string][]string{}
	for target, file := range map[string]string{
		"Provider": "providers_list.json", "StockLocation": "stock_locations_list.json",
		"Stock": "stocks_list.json", "StockList": "stock_lists_list.json", "StockListRule": "stock_list_rules_list.json",
	} {
		b, err := os.ReadFile(filepath.Join("whippywaretest", "testdata", file))
		require.NoError(t, err)
		bodies["Page["+target+"]"] = append(bodies["Page["+target+"]"], string(b))
		var page struct{ Results []json.RawMessage }
		require.NoError(t, json.Unmarshal(b, &page))
		for _, record := range page.Results {
			bodies[target] = append(bodies[target], string(record))
		}
	}
	bodies["Stock"] = append(bodies["Stock"],
		`{"id":7,"created_date":"2026-03-01T10:00:00Z","modified_date":"2026-03-01T10:00:00.5Z","period":"2026-03-01","stock_type":"standard","unit_type":"qty","provider":"p","location":110,"stock":-3,"reserved_stock":9223372036854775807,"is_active":false,"sku":"SKU-ü"}`,
		`{"id":8,"period":"2026-03-01T10:00:00+03:00","location":"110","extra":{"a":[1,2.5e3,"x\"y",null,true]},"stock":0}`)
	bodies["StockList"] = append(bodies["StockList"],
		`{"id":3,"code":"c","name":"n","remote_id":null,"stock_list_rule":"4","is_active":true}`)
	bodies["StockListRule"] = append(bodies["StockListRule"],
		`{"id":1,"name":"r","rule_type":"sql","rule":{"providers":[1,2],"query":"SELECT 1"}}`,
		`{"id":2,"name":"r","rule_type":"sql","rule":null}`)
	bodies["Page[Stock]"] = append(bodies["Page[Stock]"],
		`{"count":0,"next":null,"previous":null,"results":[]}`,
		`{"count":2,"next":"http://x/api/v1/stocks/?page=3","previous":"http://x/api/v1/stocks/","results":[{"id":1},null]}`)
	// Pages as a real Django REST framework 3.14 service answers them (the reference
	// service in ../shared/refservice, 2026-11-29).
	bodies["Page[Provider]"] = append(bodies["Page[Provider]"], `{"count":1,"next":null,"previous":null,"results":[{"id":9,"created_date":"2026-11-29T06:45:53.886330+03:00","modified_date":"2026-11-29T06:45:53.886395+03:00","is_active":true,"name":"P","code":"pc","should_add_reservations":false}]}`)
	bodies["Page[StockLocation]"] = append(bodies["Page[StockLocation]"], `{"count":1,"next":null,"previous":null,"results":[{"id":9,"created_date":"2026-11-29T06:45:54.264615+03:00","modified_date":"2026-11-29T06:45:54.264638+03:00","is_active":true,"name":"L","code":"110","provider":9}]}`)
	bodies["Page[StockListRule]"] = append(bodies["Page[StockListRule]"], `{"count":1,"next":null,"previous":null,"results":[{"id":8,"created_date":"2026-11-29T06:45:54.330760+03:00","modified_date":"2026-11-29T06:45:54.330789+03:00","is_active":true,"name":"R","rule":{"a":[1,2.5]},"rule_type":"sql"}]}`)
	bodies["Page[StockList]"] = append(bodies["Page[StockList]"], `{"count":1,"next":null,"previous":null,"results":[{"id":7,"created_date":"2026-11-29T06:45:54.364028+03:00","modified_date":"2026-11-29T06:45:54.364056+03:00","is_active":true,"code":"c","name":"n","remote_id":null,"stock_list_rule":null}]}`)
	bodies["Page[Stock]"] = append(bodies["Page[Stock]"], `{"count":1,"next":null,"previous":null,"results":[{"id":7,"created_date":"2026-11-29T06:45:54.299480+03:00","modified_date":"2026-11-29T06:45:54.299509+03:00","period":"2026-03-01","stock_type":"standard","unit_type":"qty","provider":"pc","location":"110","stock":5,"reserved_stock":0,"is_active":true,"sku":"S1"}]}`)
	return bodies
}

// The service's answers take the reader's path, and decode as encoding/json
// decodes them.
func TestDecodeReadsTheServicesAnswers(t *testing.T) {
	bodies := serviceBodies(t)
	for _, target := range decodeTargets {
		require.NotEmpty(t, bodies[target.name], target.name)
		for _, body := range bodies[target.name] {
			assert.True(t, decodeBoth(t, target, []byte(body)), "%s: the reader gave up on %s", target.name, body)
		}
	}
}

// What the reader gives up on is decoded by encoding/json, from a zero value, with
// encoding/json's result or error.
func TestDecodeLeavesTheRestToEncodingJSON(t *testing.T) {
	for _, body := range []string{
		`{"id":1,"name":"a\"b"}`,                  // an escape
		`{"ID":2,"name":"x"}`,                     // a key in other case fills the field
		`{"id":1,"ſhould_add_reservations":true}`, // folded onto ASCII by encoding/json
		`{"id":1.5}`, `{"id":"1"}`, `{"id":1e2}`, `{"id":99999999999999999999}`,
		`{"id":1,"name":"x"} trailing`, `{"id":1,}`, `{"id":1`, `[]`, `null`, ``,
		`{"id":1,"name":"\u00e9"}`, "{\"id\":1,\"name\":\"a\x01\"}", "{\"id\":1,\"name\":\"\xff\"}",
		`{"id":1,"extra":[1,}`, `{"id":1,"extra":"\x"}`, `{"id":1,"extra":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
		`{"id":1,"name":"a","name":null,"is_active":null}`,
	} {
		decodeBoth(t, decodeTargets[0], []byte(body)) // Provider
	}
	for _, body := range []string{
		`{"count":1,"results":[{"id":1,"sku":"a"}],"results":[{"id":2}]}`, // items decoded into the first ones
		`{"count":1,"results":null}`, `{"count":1.0,"results":[]}`, `{"results":[{"id":1},]}`,
		`{"results":[{"id":1,"period":"2026-13-01"}]}`, `{"results":[{"id":1,"location":{}}]}`,
		`{"results":[{"id":1,"period":null,"period":"2026-03-01"}]}`,
	} {
		decodeBoth(t, decodeTargets[7], []byte(body)) // Page[Stock]
	}
}

// Every field of every model has a reader: a field added to a model and not here
// would still decode (through encoding/json), but every answer would take the slow
// path.
func TestDecodeKnowsEveryField(t *testing.T) {
	names := func(fields any) []string {
		v := reflect.ValueOf(fields)
		out := make([]string, v.Len())
		for i := range out {
			out[i] = v.Index(i).FieldByName("name").String()
		}
		slices.Sort(out)
		return out
	}
	for model, fields := range map[reflect.Type]any{
		reflect.TypeFor[Provider](): providerFields, reflect.TypeFor[StockLocation](): stockLocationFields,
		reflect.TypeFor[Stock](): stockFields, reflect.TypeFor[StockList](): stockListFields,
		reflect.TypeFor[StockListRule](): stockListRuleFields,
	} {
		assert.Equal(t, jsonNames(model), names(fields), "%s", model)
	}
}

// jsonNames returns the JSON keys of t's fields, embedded structs' included, sorted.
func jsonNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, jsonNames(f.Type)...)
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func FuzzDecodeAnswer(f *testing.F) {
	for _, bodies := range serviceBodies(f) {
		for _, body := range bodies {
			f.Add([]byte(body))
		}
	}
	f.Add([]byte(`{"results":[{"id":1,"location":12.5e1,"period":"2026-03-01"},null]}`))
	f.Add([]byte(`{"rule":{"a":"\u0041\n"},"Rule":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		// Every body into every type, so that the shapes cross.
		for _, target := range decodeTargets {
			decodeBoth(t, target, body)
		}
	})
}

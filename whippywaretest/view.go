package whippywaretest

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strings"
)

// view is what DRF's APIView adds around every handler of one URL: content negotiation, the
// Allow header (and Vary: Accept with more than one renderer) on every answer, and the
// metadata OPTIONS answers (SimpleMetadata).
type view struct {
	allow []string // the Allow header, one value
	// jsonOnly is a view with JSONRenderer alone (authtoken's login): no Vary, and an Accept
	// of text/html cannot be satisfied.
	jsonOnly bool
	// options is the OPTIONS body; optionsGone, for a detail view, the body when the record
	// does not exist (SimpleMetadata leaves out the PUT action then).
	options, optionsGone []byte
}

var varyAccept = []string{"Accept"}

// begin sets the view's headers and negotiates the answer's type, answering 406 itself when
// no renderer suits Accept (before authentication, as APIView.initial does).
func (v *view) begin(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h["Allow"] = v.allow
	if !v.jsonOnly {
		h["Vary"] = varyAccept
	}
	if strings.Contains(r.URL.RawQuery, "format") {
		// negotiation.py filter_renderers: ?format= names a renderer, or raises Http404.
		switch f := r.URL.Query()["format"]; {
		case len(f) == 0, f[len(f)-1] == "", f[len(f)-1] == "json", f[len(f)-1] == "api" && !v.jsonOnly:
		default:
			writeDetail(w, http.StatusNotFound, "Not found.")
			return false
		}
	}
	if !acceptable(r.Header.Values("Accept"), v.jsonOnly) {
		writeDetail(w, http.StatusNotAcceptable, "Could not satisfy the request Accept header.")
		return false
	}
	return true
}

// viewMethod is the method a view dispatches on: DRF's APIView.dispatch looks the handler
// up by request.method.lower(), so "put" is a PUT; messages quote the method as sent.
func viewMethod(r *http.Request) string { return strings.ToUpper(r.Method) }

// postData reads the body of a POST to a view that takes only POST; it answers OPTIONS and
// any other method itself, returning false.
func (v *view) postData(w http.ResponseWriter, r *http.Request) (requestData, bool) {
	switch viewMethod(r) {
	case http.MethodPost:
		return readData(w, r)
	case http.MethodOptions:
		writeOptions(w, v.options)
	default:
		methodNotAllowed(w, r)
	}
	return requestData{}, false
}

// acceptable tells whether JSON (or, unless jsonOnly, the browsable API's text/html, which the
// fake answers with JSON too) matches one of the Accept header's media ranges, as DRF's
// media_type_matches does: parameters ignored, case ignored, "*" matching any type. No header
// means */*.
func acceptable(accept []string, jsonOnly bool) bool {
	if len(accept) == 0 || (len(accept) == 1 && (accept[0] == "application/json" || accept[0] == "*/*")) {
		return true // the usual cases, without parsing
	}
	for _, value := range accept {
		for item := range strings.SplitSeq(value, ",") {
			mt, _, _ := strings.Cut(item, ";")
			// Django's parse_header lower-cases the type.
			main, sub, _ := strings.Cut(strings.ToLower(strings.TrimSpace(mt)), "/")
			sub = strings.TrimSpace(sub)
			if (main == "*" || main == "application") && (sub == "*" || sub == "json") {
				return true
			}
			if !jsonOnly && (main == "*" || main == "text") && (sub == "*" || sub == "html") {
				return true
			}
		}
	}
	return false
}

// fieldSpec is one serializer field, for OPTIONS metadata and the order of error keys.
type fieldSpec struct {
	name      string
	kind      string // SimpleMetadata's type: integer, string, boolean, date, datetime, field
	required  bool
	readOnly  bool
	maxLength int
	// integer range, when set (hasRange): Django's IntegerField on PostgreSQL
	hasRange         bool
	minValue, maxVal int64
}

// The limits the fake's model gives its fields (an assumption: the reference states none).
const (
	nameLength = 255 // names, SKUs, stock and unit types, rule types
	codeLength = 128 // provider, location and stock list codes
	minInt32   = math.MinInt32
	maxInt32   = math.MaxInt32
)

// The fields every record starts with.
var headFields = []fieldSpec{
	{name: "id", kind: "integer", readOnly: true},
	{name: "created_date", kind: "datetime", readOnly: true},
	{name: "modified_date", kind: "datetime", readOnly: true},
}

var isActiveField = fieldSpec{name: "is_active", kind: "boolean"}

func textField(name string, required bool, maxLength int) fieldSpec {
	return fieldSpec{name: name, kind: "string", required: required, maxLength: maxLength}
}

func intField(name string, required bool, minValue int64) fieldSpec {
	return fieldSpec{name: name, kind: "integer", required: required, hasRange: true, minValue: minValue, maxVal: maxInt32}
}

func relatedField(name string, required bool) fieldSpec {
	return fieldSpec{name: name, kind: "field", required: required}
}

// names lists the fields' names, in order.
func names(fields []fieldSpec) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.name
	}
	return out
}

// label is DRF's label for a model field: its verbose name, capitalised ("ID" for id).
func label(name string) string {
	if name == "id" {
		return "ID"
	}
	s := strings.ReplaceAll(name, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// metadata renders SimpleMetadata's answer; with action ("POST" or "PUT") and fields, the
// serializer's field info under actions.
func metadata(name, description string, renders, parses []string, action string, fields []fieldSpec) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(noNewline{&b})
	enc.SetEscapeHTML(false)
	b.WriteString(`{"name":`)
	_ = enc.Encode(name)
	b.WriteString(`,"description":`)
	_ = enc.Encode(description)
	b.WriteString(`,"renders":`)
	_ = enc.Encode(renders)
	b.WriteString(`,"parses":`)
	_ = enc.Encode(parses)
	if action != "" {
		b.WriteString(`,"actions":{"` + action + `":{`)
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			_ = enc.Encode(f.name)
			b.WriteByte(':')
			info := fieldInfo{Type: f.kind, Required: f.required, ReadOnly: f.readOnly, Label: label(f.name),
				MaxLength: f.maxLength}
			if f.hasRange {
				info.MinValue, info.MaxValue = &f.minValue, &f.maxVal
			}
			_ = enc.Encode(info)
		}
		b.WriteString("}}")
	}
	b.WriteByte('}')
	return b.Bytes()
}

// fieldInfo is one field in SimpleMetadata's actions, keys in its order.
type fieldInfo struct {
	Type      string `json:"type"`
	Required  bool   `json:"required"`
	ReadOnly  bool   `json:"read_only"`
	Label     string `json:"label"`
	MaxLength int    `json:"max_length,omitempty"`
	MinValue  *int64 `json:"min_value,omitempty"`
	MaxValue  *int64 `json:"max_value,omitempty"`
}

// What DRF's default settings render and parse, in the order metadata lists them.
var (
	rendersDefault = []string{"application/json", "text/html"}
	parsesDefault  = []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}
)

// collectionViews makes the list and detail views of a resource named as DRF names a
// ModelViewSet's views ("Stock Location List", "Stock Location Instance").
func collectionViews(title string, fields []fieldSpec) (list, detail *view) {
	list = &view{allow: []string{"GET, POST, HEAD, OPTIONS"},
		options: metadata(title+" List", "", rendersDefault, parsesDefault, "POST", fields)}
	detail = &view{allow: []string{"GET, PUT, PATCH, DELETE, HEAD, OPTIONS"},
		options:     metadata(title+" Instance", "", rendersDefault, parsesDefault, "PUT", fields),
		optionsGone: metadata(title+" Instance", "", rendersDefault, parsesDefault, "", nil)}
	return list, detail
}

// The views that are not a resource's.
var (
	// loginView is authtoken's ObtainAuthToken: JSON rendering only, form parsers first.
	loginView = &view{allow: []string{"POST, OPTIONS"}, jsonOnly: true,
		options: metadata("Obtain Auth Token", "", []string{"application/json"},
			[]string{"application/x-www-form-urlencoded", "multipart/form-data", "application/json"},
			"POST", loginFields)}
	loginFields = []fieldSpec{textField("username", true, 0), textField("password", true, 0),
		{name: "token", kind: "string", readOnly: true}}
	// expireTokenView is a plain APIView: no serializer, so no actions.
	expireTokenView = &view{allow: []string{"POST, OPTIONS"},
		options: metadata("Expire Token", "", rendersDefault, parsesDefault, "", nil)}
	expireTokenFields = []string{"username"}
	// rootView is DefaultRouter's API root.
	rootView = &view{allow: []string{"GET, HEAD, OPTIONS"},
		options: metadata("Api Root", "The default basic root view for DefaultRouter", rendersDefault, parsesDefault, "", nil)}
)

// writeOptions answers OPTIONS with the view's metadata.
func writeOptions(w http.ResponseWriter, body []byte) { writeBody(w, http.StatusOK, jsonType, body) }

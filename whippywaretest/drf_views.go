package whippywaretest

import (
	"math"
	"net/http"
	"strings"
)

// view is what views.py APIView adds around the handlers of one URL: negotiation, Allow and
// Vary on every answer, and OPTIONS metadata.
type view struct {
	allow []string // the Allow header, one value
	// jsonOnly is a view with JSONRenderer alone (authtoken's login): no Vary, and an Accept
	// of text/html cannot be satisfied.
	jsonOnly bool
	// options is the OPTIONS body; optionsGone a detail's without the record (no PUT action).
	options, optionsGone []byte
}

var varyAccept = []string{"Accept"}

// begin sets the view's headers and answers 406 itself when no renderer suits Accept, before
// authentication, as views.py APIView.initial negotiates first.
func (v *view) begin(w http.ResponseWriter, r *http.Request) bool {
	v.setHeaders(w.Header())
	if accept := r.Header.Values("Accept"); len(accept) > 0 && !acceptable(accept, v.jsonOnly) {
		writeDetail(w, http.StatusNotAcceptable, msgNotAcceptable)
		return false
	}
	return true
}

// acceptable is negotiation.py DefaultContentNegotiation.select_renderer reduced to its
// outcome: some media range of Accept (type case-insensitive, parameters ignored) matches
// the JSON renderer or, unless jsonOnly, the browsable API's text/html, which the fake
// answers with JSON.
func acceptable(accept []string, jsonOnly bool) bool {
	for _, value := range accept {
		for item := range strings.SplitSeq(value, ",") {
			mediaType, _, _ := strings.Cut(item, ";")
			main, sub, _ := strings.Cut(strings.ToLower(strings.TrimSpace(mediaType)), "/")
			matches := func(m, s string) bool { return (main == "*" || main == m) && (sub == "*" || sub == s) }
			if matches("application", "json") || (!jsonOnly && matches("text", "html")) {
				return true
			}
		}
	}
	return false
}

// viewMethod is request.method as Django gives it, upper-cased (WSGIRequest): what DRF's
// APIView.dispatch looks the handler up by (lower-cased) and its 405 message quotes.
func viewMethod(r *http.Request) string { return strings.ToUpper(r.Method) }

// setHeaders sets APIView.default_response_headers: Allow, and Vary unless JSON renders alone.
func (v *view) setHeaders(h http.Header) {
	h["Allow"] = v.allow
	if !v.jsonOnly {
		h["Vary"] = varyAccept
	}
}

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

// metadata renders metadata.py SimpleMetadata's answer; with action ("POST" or "PUT") and
// fields, the serializer's field info under actions (get_field_info).
func metadata(name, description string, renders, parses []string, action string, fields []fieldSpec) []byte {
	body := struct {
		Name        string                   `json:"name"`
		Description string                   `json:"description"`
		Renders     []string                 `json:"renders"`
		Parses      []string                 `json:"parses"`
		Actions     map[string]orderedObject `json:"actions,omitempty"`
	}{Name: name, Description: description, Renders: renders, Parses: parses}
	if action != "" {
		infos := make(orderedObject, len(fields))
		for i, f := range fields {
			info := fieldInfo{Type: f.kind, Required: f.required, ReadOnly: f.readOnly, Label: label(f.name),
				MaxLength: f.maxLength}
			if f.hasRange {
				info.MinValue, info.MaxValue = &f.minValue, &f.maxVal
			}
			infos[i] = member{f.name, info}
		}
		body.Actions = map[string]orderedObject{action: infos}
	}
	return encodeJSON(body)
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

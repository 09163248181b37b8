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
	v.setHeaders(w.Header())
	if strings.Contains(r.URL.RawQuery, "format") {
		// negotiation.py filter_renderers: ?format= names a renderer, or raises Http404.
		switch f := pyParseQuery(r.URL.RawQuery)["format"]; {
		case len(f) == 0, f[len(f)-1] == "", f[len(f)-1] == "json", f[len(f)-1] == "api" && !v.jsonOnly:
		default:
			writeDetail(w, http.StatusNotFound, "Not found.")
			return false
		}
	}
	accept := r.Header.Values("Accept")
	if len(accept) == 0 || (len(accept) == 1 && (accept[0] == "application/json" || accept[0] == "*/*")) {
		return true // the usual cases, answered as they are, without parsing
	}
	mediaType, ok := negotiate(accept, v.jsonOnly)
	if !ok {
		writeDetail(w, http.StatusNotAcceptable, msgNotAcceptable)
		return false
	}
	if sw, isStatus := w.(*statusWriter); isStatus {
		sw.indent = jsonIndent(mediaType) // for writeBody
	}
	return true
}

// viewMethod is request.method as Django gives it, upper-cased (WSGIRequest): what DRF's
// APIView.dispatch looks the handler up by (lower-cased) and its 405 message quotes.
func viewMethod(r *http.Request) string { return strings.ToUpper(r.Method) }

// setHeaders sets the headers APIView gives every answer of the view: Allow, and Vary:
// Accept unless JSON is its only renderer.
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

// acceptMediaType is one media range of an Accept header, as DRF's _MediaType reads it
// (through Django's parse_header: the type lower-cased, parameters by name).
type acceptMediaType struct {
	raw, main, sub string
	params         [][2]string
}

func parseMediaType(raw string) acceptMediaType {
	full, rest, _ := strings.Cut(raw, ";")
	main, sub, _ := strings.Cut(strings.ToLower(strings.TrimSpace(full)), "/")
	m := acceptMediaType{raw: raw, main: main, sub: sub}
	for rest != "" {
		var p string
		p, rest, _ = strings.Cut(rest, ";")
		if k, v, ok := strings.Cut(p, "="); ok {
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			m.params = append(m.params, [2]string{strings.ToLower(strings.TrimSpace(k)), v})
		}
	}
	return m
}

// precedence is _MediaType.precedence: 3 for a type with parameters (q aside), 2 for
// a full type, 1 for type/*, 0 for */*.
func (m acceptMediaType) precedence() int {
	switch {
	case m.main == "*":
		return 0
	case m.sub == "*":
		return 1
	case len(m.params) == 0 || (len(m.params) == 1 && m.params[0][0] == "q"):
		return 2
	}
	return 3
}

// accepts tells whether the renderer's type main/sub satisfies m (_MediaType.match).
func (m acceptMediaType) accepts(main, sub string) bool {
	return (m.sub == "*" || m.sub == sub) && (m.main == "*" || m.main == main)
}

// negotiate is DRF's DefaultContentNegotiation.select_renderer over the JSON renderer
// and, unless jsonOnly, the browsable API's text/html (which the fake answers with JSON):
// the most specific media ranges first, the JSON renderer before the other within them,
// parameters and q-values otherwise ignored. It returns the accepted media type, which
// JSONRenderer reads indent=N from (the Content-Type stays application/json): the range as
// written when it names the type itself ("application/json; indent=4"), else
// "application/json" with the range's parameters.
func negotiate(accept []string, jsonOnly bool) (mediaType string, ok bool) {
	var ranges [4][]acceptMediaType
	for _, value := range accept {
		for item := range strings.SplitSeq(value, ",") {
			m := parseMediaType(strings.TrimSpace(item))
			ranges[m.precedence()] = append(ranges[m.precedence()], m)
		}
	}
	for p := 3; p >= 0; p-- {
		for _, m := range ranges[p] {
			if !m.accepts("application", "json") {
				continue
			}
			if p >= 2 {
				return m.raw, true
			}
			mediaType = "application/json"
			for _, kv := range m.params {
				mediaType += ";" + kv[0] + "=" + kv[1]
			}
			return mediaType, true
		}
		if jsonOnly {
			continue
		}
		for _, m := range ranges[p] {
			if m.accepts("text", "html") {
				return "application/json", true // no browsable API: JSON (an assumption)
			}
		}
	}
	return "", false
}

// jsonIndent is JSONRenderer.get_indent: the accepted media type's indent parameter,
// read as Python's int() and kept within 0 to 8; 0 is none.
func jsonIndent(mediaType string) int {
	indent := ""
	for _, kv := range parseMediaType(mediaType).params {
		if kv[0] == "indent" {
			indent = kv[1] // parse_header makes a dict: the last one counts
		}
	}
	if n, ok, overflow := pyInt(indent); ok && !overflow {
		return int(max(min(n, 8), 0))
	}
	return 0
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

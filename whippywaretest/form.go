package whippywaretest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxBody bounds what one request body may hold, so a runaway test cannot eat the memory.
const maxBody = 1 << 20

// requestData is a parsed request body: field → JSON value. A form body (html) holds each
// field's last value as a JSON string, and DRF reads form fields by its HTML rules.
type requestData struct {
	raw  map[string]json.RawMessage
	html bool
}

// readData parses a request body as DRF's default parsers (JSON, form, multipart) do, and
// answers the error itself, returning false, when it cannot:
//   - no body (Content-Length 0) is no data, whatever the Content-Type, so required fields
//     are reported;
//   - a body whose Content-Type no parser takes (none at all included) is 415;
//   - malformed JSON is 400 "JSON parse error - ...", a JSON value that is not an object 400
//     "Invalid data. Expected a dictionary, ...", JSON null 400 "No data provided".
func readData(w http.ResponseWriter, r *http.Request) (requestData, bool) {
	ct := r.Header.Get("Content-Type")
	if r.ContentLength == 0 {
		return requestData{raw: map[string]json.RawMessage{}, html: isForm(ct)}, true
	}
	mt, _, _ := mime.ParseMediaType(ct)
	switch {
	case mediaMatches("application/json", mt):
	case mediaMatches("application/x-www-form-urlencoded", mt):
		return readForm(w, r)
	case mediaMatches("multipart/form-data", mt):
		return readMultipart(w, r)
	default:
		writeDetailf(w, http.StatusUnsupportedMediaType, "Unsupported media type %q in request.", ct)
		return requestData{}, false
	}
	body, ok := readBody(w, r)
	if !ok {
		return requestData{}, false
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err == nil && obj != nil {
		return requestData{raw: obj}, true
	}
	if !json.Valid(body) {
		var v any
		err := json.Unmarshal(body, &v)
		writeDetailf(w, http.StatusBadRequest, "JSON parse error - %v", err)
		return requestData{}, false
	}
	msg := "No data provided"
	if t := pyType(body); t != "NoneType" {
		msg = "Invalid data. Expected a dictionary, but got " + t + "."
	}
	writeJSON(w, http.StatusBadRequest, fieldErrors{nonFieldErrors: {msg}})
	return requestData{}, false
}

// readBody reads a body up to maxBody, answering 413 past it.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		bodyError(w, err)
		return nil, false
	}
	return body, true
}

func bodyError(w http.ResponseWriter, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeDetail(w, http.StatusRequestEntityTooLarge, "Request body is too large.")
	} else {
		writeDetailf(w, http.StatusBadRequest, "Could not read the request body: %v", err)
	}
}

func isForm(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

// mediaMatches is DRF's media_type_matches for a parser's type and a request's: "*" in the
// request's type matches anything.
func mediaMatches(parser, request string) bool {
	pm, ps, _ := strings.Cut(parser, "/")
	rm, rs, _ := strings.Cut(request, "/")
	return (rm == "*" || rm == pm) && (rs == "*" || rs == ps) && request != ""
}

func readForm(w http.ResponseWriter, r *http.Request) (requestData, bool) {
	body, ok := readBody(w, r)
	if !ok {
		return requestData{}, false
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		writeDetailf(w, http.StatusBadRequest, "Form parse error - %v", err)
		return requestData{}, false
	}
	return formData(values, nil), true
}

func readMultipart(w http.ResponseWriter, r *http.Request) (requestData, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseMultipartForm(maxBody); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			bodyError(w, err)
		} else {
			writeDetailf(w, http.StatusBadRequest, "Multipart form parse error - %v", err)
		}
		return requestData{}, false
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	return formData(r.MultipartForm.Value, r.MultipartForm.File), true
}

// formData turns form values into JSON strings, the last value of each field as Django's
// QueryDict gives it; an uploaded file is an object, which no field of the fake takes.
func formData(values url.Values, files map[string][]*multipart.FileHeader) requestData {
	raw := make(map[string]json.RawMessage, len(values)+len(files))
	for k, vs := range values {
		raw[k], _ = json.Marshal(vs[len(vs)-1])
	}
	for k := range files {
		raw[k] = json.RawMessage(`{}`)
	}
	return requestData{raw: raw, html: true}
}

// pyType names a JSON value's type as Python does, for messages copied from DRF.
func pyType(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "NoneType"
	}
	switch raw[0] {
	case '{':
		return "dict"
	case '[':
		return "list"
	case '"':
		return "str"
	case 't', 'f':
		return "bool"
	case 'n':
		return "NoneType"
	}
	if bytes.ContainsAny(raw, ".eE") {
		return "float"
	}
	return "int"
}

// form decodes the fields of one request body into a record, collecting DRF-shaped errors.
// Unless partial (PATCH), an absent required field is an error; a partial update reads only
// the fields sent.
type form struct {
	requestData
	partial bool
	// seed is a record stored by an Add method: a stock's location is its code then, whatever
	// WithStockLocationByID says of request bodies.
	seed bool
	errs fieldErrors
}

func newForm(data requestData, partial bool) *form {
	return &form{requestData: data, partial: partial, errs: fieldErrors{}}
}

// value returns the raw value of a sent, non-null field. It reports a missing required field
// and a null one, unless nullable, in which case it returns (nil, true) for null. A form's
// empty value is null for a nullable field and absent for an optional one (DRF's
// Field.get_value for HTML input).
func (f *form) value(name string, required, nullable bool) (json.RawMessage, bool) {
	raw, sent := f.raw[name]
	if sent && f.html && string(raw) == `""` {
		switch {
		case nullable:
			return nil, true
		case !required:
			sent = false
		}
	}
	if !sent {
		if required && !f.partial {
			f.errs.add(name, msgRequired)
		}
		return nil, false
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		if !nullable {
			f.errs.add(name, msgNull)
			return nil, false
		}
		return nil, true
	}
	return raw, true
}

// ok tells whether a field was sent and decoded without error: what relation checks build on.
func (f *form) ok(name string) bool {
	_, sent := f.raw[name]
	return sent && !f.errs.has(name)
}

// pyStr is Python's str() of a JSON string or number, what DRF's CharField and IntegerField
// read; false for any other JSON value.
func pyStr(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	switch pyType(raw) {
	case "int":
		return string(bytes.TrimSpace(raw)), true
	case "float":
		x, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
		if err != nil {
			return "inf", true // Python reads an overflowing literal as inf
		}
		return pyFloat(x), true
	}
	return "", false
}

// pyFloat formats x as Python's repr does: shortest digits, ".0" on whole numbers, an
// exponent below 1e-4 and from 1e16.
func pyFloat(x float64) string {
	if a := math.Abs(x); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(x, 'e', -1, 64)
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// str reads a string field as DRF's CharField does: a string or a number, trimmed, not blank,
// at most maxLength characters, no NUL.
func (f *form) str(name string, dst *string, required bool, maxLength int) {
	raw, ok := f.value(name, required, false)
	if !ok {
		return
	}
	s, isText := pyStr(raw)
	if !isText {
		f.errs.add(name, msgString)
		return
	}
	s = strings.TrimSpace(s)
	if s == "" {
		f.errs.add(name, msgBlank)
		return
	}
	valid := true
	if maxLength > 0 && utf8.RuneCountInString(s) > maxLength {
		f.errs.addf(name, "Ensure this field has no more than %d characters.", maxLength)
		valid = false
	}
	if strings.IndexByte(s, 0) >= 0 {
		f.errs.add(name, "Null characters are not allowed.")
		valid = false
	}
	if valid {
		*dst = s
	}
}

// password reads a required string that DRF does not trim (authtoken's password field).
func (f *form) password(name string, dst *string) {
	raw, ok := f.value(name, true, false)
	if !ok {
		return
	}
	switch s, isText := pyStr(raw); {
	case !isText:
		f.errs.add(name, msgString)
	case s == "":
		f.errs.add(name, msgBlank)
	default:
		*dst = s
	}
}

// boolean accepts what DRF's BooleanField accepts: its TRUE_VALUES and FALSE_VALUES, exactly.
// A form that leaves the field out means false, as an unticked checkbox does.
func (f *form) boolean(name string, dst *bool) {
	if _, sent := f.raw[name]; !sent && f.html && !f.partial {
		*dst = false
		return
	}
	raw, ok := f.value(name, false, false)
	if !ok {
		return
	}
	if b, ok := parseBool(raw); ok {
		*dst = b
	} else {
		f.errs.add(name, msgBoolean)
	}
}

func parseBool(raw json.RawMessage) (bool, bool) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, true
	}
	if t := pyType(raw); t == "int" || t == "float" {
		x, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
		return x == 1, err == nil && (x == 0 || x == 1) // 1.0 == 1 in Python's set
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	switch s {
	case "t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1":
		return true, true
	case "f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0":
		return false, true
	}
	return false, false
}

// pyInt parses s as Python's int() does: surrounding spaces, a sign, underscores between
// digits. overflow reports a valid integer outside int64, with its sign in n.
func pyInt(s string) (n int64, ok, overflow bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "_") {
		if strings.Contains(s, "__") || strings.HasSuffix(s, "_") || strings.HasPrefix(strings.TrimLeft(s, "+-"), "_") {
			return 0, false, false
		}
		s = strings.ReplaceAll(s, "_", "")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return n, true, true
	}
	return n, err == nil, false
}

// parseInt reads a JSON value as DRF's IntegerField does: int(str(value)) after dropping a
// ".0" tail, so 5, "5" and 5.0 are 5 and true, 5.5 and 1e3 are not integers.
func parseInt(raw json.RawMessage) (n int64, ok, overflow bool) {
	if t := pyType(raw); t == "bool" || t == "list" || t == "dict" {
		return 0, false, false
	}
	s, _ := pyStr(raw)
	if n, ok, overflow := pyInt(s); ok {
		return n, true, overflow // the common case
	}
	if len(s) > 1000 {
		return 0, false, false
	}
	return pyInt(trimDecimal(s))
}

// trimDecimal drops what DRF's IntegerField.re_decimal (`\.0*\s*?$`) matches.
func trimDecimal(s string) string {
	t := strings.TrimRight(s, " \t\n\r\f\v")
	u := strings.TrimRight(t, "0")
	if strings.HasSuffix(u, ".") {
		return u[:len(u)-1]
	}
	return s
}

// integer reads an integer field within [minValue, 2147483647], Django's IntegerField range
// on PostgreSQL.
func (f *form) integer(name string, dst *int64, required bool, minValue int64) {
	raw, ok := f.value(name, required, false)
	if !ok {
		return
	}
	if s, isStr := pyStr(raw); isStr && pyType(raw) == "str" && len(s) > 1000 {
		f.errs.add(name, "String value too large.")
		return
	}
	n, isInt, overflow := parseInt(raw)
	switch {
	case !isInt:
		f.errs.add(name, msgInteger)
	case (overflow && n > 0) || n > maxInt32:
		f.errs.addf(name, "Ensure this value is less than or equal to %d.", maxInt32)
	case overflow || n < minValue:
		f.errs.addf(name, "Ensure this value is greater than or equal to %d.", minValue)
	default:
		*dst = n
	}
}

// nullInt reads a nullable integer field in Django's IntegerField range.
func (f *form) nullInt(name string, dst **int64) {
	raw, ok := f.value(name, false, true)
	if !ok {
		return
	}
	if raw == nil {
		*dst = nil
		return
	}
	var n int64
	errs := len(f.errs[name])
	f.raw[name] = raw
	f.integer(name, &n, false, minInt32)
	if len(f.errs[name]) == errs {
		*dst = &n
	}
}

// pk reads a primary key of a related record as DRF's PrimaryKeyRelatedField does (a number,
// or a string Python's int() reads); whether that record exists is the caller's check, under
// the lock. An empty string is null, as for every related field.
func (f *form) pk(name string, dst **int64, required, nullable bool) {
	if raw, sent := f.raw[name]; sent && string(raw) == `""` {
		f.raw[name] = json.RawMessage("null")
	}
	raw, ok := f.value(name, required, nullable)
	if !ok {
		return
	}
	if raw == nil {
		*dst = nil
		return
	}
	n, isInt := pkValue(raw)
	if !isInt {
		f.errs.addf(name, "Incorrect type. Expected pk value, received %s.", pyType(raw))
		return
	}
	*dst = &n
}

// pkValue reads a primary key as Django's AutoField does: int(value), so 2.7 is 2.
func pkValue(raw json.RawMessage) (int64, bool) {
	switch pyType(raw) {
	case "int", "str":
		s, _ := pyStr(raw)
		n, ok, overflow := pyInt(s)
		return n, ok && !overflow
	case "float":
		x, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
		return int64(x), err == nil && math.Abs(x) < math.MaxInt64
	}
	return 0, false
}

// slug reads a related record's slug (a code) as DRF's SlugRelatedField does, kept as sent:
// a number is the code it spells, "" is null. Whether the record exists is the caller's
// check, under the lock.
func (f *form) slug(name string, dst *string, required bool) {
	if raw, sent := f.raw[name]; sent && string(raw) == `""` {
		f.raw[name] = json.RawMessage("null")
	}
	raw, ok := f.value(name, required, false)
	if !ok {
		return
	}
	if s, ok := slugValue(raw); ok {
		*dst = s
	} else {
		f.errs.add(name, "Invalid value.")
	}
}

// slugValue is the text Django compares a code with: str() of a string, number or boolean.
func slugValue(raw json.RawMessage) (string, bool) {
	switch pyType(raw) {
	case "bool":
		b, _ := parseBool(raw)
		if b {
			return "True", true
		}
		return "False", true
	case "list", "dict":
		return "", false
	}
	return pyStr(raw)
}

// object reads a field that must hold a JSON object, kept raw; a form sends it as JSON text.
func (f *form) object(name string, dst *json.RawMessage) {
	raw, ok := f.value(name, false, false)
	if !ok {
		return
	}
	if f.html {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if !json.Valid([]byte(s)) {
				f.errs.add(name, "Value must be valid JSON.")
				return
			}
			raw = json.RawMessage(s)
		}
	}
	if t := pyType(raw); t != "dict" {
		f.errs.addf(name, "Expected a dictionary of items but got type %q.", t)
		return
	}
	*dst = raw
}

// date reads a nullable DateField as DRF does with Django's parse_date: YYYY-MM-DD (one or
// two digits for month and day), stored and answered as YYYY-MM-DD.
func (f *form) date(name string, dst **string) {
	raw, ok := f.value(name, false, true)
	if !ok {
		return
	}
	if raw == nil {
		*dst = nil
		return
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if d, ok := parseDate(s); ok {
			*dst = &d
			return
		}
	}
	f.errs.add(name, "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")
}

// parseDate matches Django's date_re (`(\d{4})-(\d{1,2})-(\d{1,2})$`, where $ also allows a
// final newline) and checks the date exists; it returns the date in ISO form.
func parseDate(s string) (string, bool) {
	s = strings.TrimSuffix(s, "\n")
	y, rest, ok1 := strings.Cut(s, "-")
	m, d, ok2 := strings.Cut(rest, "-")
	if !ok1 || !ok2 || len(y) != 4 || len(m) < 1 || len(m) > 2 || len(d) < 1 || len(d) > 2 ||
		!digits(y) || !digits(m) || !digits(d) {
		return "", false
	}
	yy, _ := strconv.Atoi(y)
	mm, _ := strconv.Atoi(m)
	dd, _ := strconv.Atoi(d)
	if yy < 1 || mm < 1 || mm > 12 || dd < 1 || dd > daysIn(yy, mm) {
		return "", false
	}
	return y + "-" + pad2(mm) + "-" + pad2(dd), true
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

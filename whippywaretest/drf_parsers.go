package whippywaretest

import (
	"encoding/json"
	"errors"
	"io"
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

const formType, multipartType = "application/x-www-form-urlencoded", "multipart/form-data"

// requestData is a parsed request body: field → JSON value. A form body (html) holds each
// field's last value as a JSON string, and DRF reads form fields by its HTML rules.
type requestData struct {
	raw  map[string]json.RawMessage
	html bool
}

// readData parses a body as DRF's default parsers do, answering the error itself (false):
//   - no body is no data, whatever the Content-Type (request.py Request._parse), and so is a
//     body sent chunked: Django 3.2's WSGIRequest reads CONTENT_LENGTH bytes, 0 without it;
//   - no parser for the Content-Type (or none) is 415 (request.py UnsupportedMediaType);
//   - parsers.py JSONParser: malformed or non-UTF-8 JSON is 400 "JSON parse error - ..." (the
//     fake's text after the dash); serializers.py to_internal_value: a value that is not an
//     object is 400 "Invalid data. Expected a dictionary, ...", null "No data provided".
func readData(w http.ResponseWriter, r *http.Request) (requestData, bool) {
	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if r.ContentLength <= 0 {
		return requestData{raw: map[string]json.RawMessage{}, html: mt == formType || mt == multipartType}, true
	}
	switch mt {
	case "application/json":
	case formType:
		return readForm(w, r)
	case multipartType:
		return readMultipart(w, r)
	default:
		writeDetailf(w, http.StatusUnsupportedMediaType, fmtUnsupportedMedia, ct)
		return requestData{}, false
	}
	body, ok := readBody(w, r)
	if !ok {
		return requestData{}, false
	}
	if !utf8.Valid(body) {
		writeDetail(w, http.StatusBadRequest, "JSON parse error - the body is not valid UTF-8")
		return requestData{}, false
	}
	var obj map[string]json.RawMessage
	err := json.Unmarshal(body, &obj)
	if err == nil && obj != nil {
		return requestData{raw: obj}, true
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) { // Unmarshal checks the whole body before decoding any of it
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

func readForm(w http.ResponseWriter, r *http.Request) (requestData, bool) {
	body, ok := readBody(w, r)
	if !ok {
		return requestData{}, false
	}
	return formData(parseQueryDict(string(body)), nil), true
}

// parseQueryDict reads a form body or a query string as Django's QueryDict does (Python's
// parse_qsl): pairs split on "&" only and a "%" that starts no escape kept as written, where
// Go's url.ParseQuery drops the pair (curl -d "name=ACME; 50% off" sends both).
func parseQueryDict(s string) url.Values {
	values := url.Values{}
	for pair := range strings.SplitSeq(s, "&") {
		if name, value, _ := strings.Cut(pair, "="); pair != "" {
			values[unquotePlus(name)] = append(values[unquotePlus(name)], unquotePlus(value))
		}
	}
	return values
}

// unquotePlus is urllib.parse.unquote_plus: "+" is a space, "%XX" a byte, anything else as
// written.
func unquotePlus(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch n, err := strconv.ParseUint(s[i+1:min(i+3, len(s))], 16, 8); {
		case s[i] == '%' && i+2 < len(s) && err == nil:
			b, i = append(b, byte(n)), i+2
		case s[i] == '+':
			b = append(b, ' ')
		default:
			b = append(b, s[i])
		}
	}
	return string(b)
}

func readMultipart(w http.ResponseWriter, r *http.Request) (requestData, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	switch err := r.ParseMultipartForm(maxBody); {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// No boundary in the body: Django's MultiPartParser finds no part, which is no data.
		return requestData{raw: map[string]json.RawMessage{}, html: true}, true
	case errors.As(err, new(*http.MaxBytesError)):
		bodyError(w, err)
		return requestData{}, false
	case err != nil: // parsers.py ParseError; the text after the dash is Go's
		writeDetailf(w, http.StatusBadRequest, "Multipart form parse error - %v", err)
		return requestData{}, false
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	return formData(r.MultipartForm.Value, r.MultipartForm.File), true
}

// formData turns form values into JSON strings, each field's last value (QueryDict); a file
// is an object, which no field takes.
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

package whippywaretest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
)

// Error bodies in the shapes Django REST framework gives them (views.py exception_handler):
// {"detail": "..."} for an APIException (a malformed body, 401, 404, 405, 406, 413, 415,
// 429); {"field": ["message", ...]} for a serializer's ValidationError (non-field ones under
// "non_field_errors"); ["message"] for a ValidationError raised with a list.

const nonFieldErrors = "non_field_errors"

// Messages DRF uses (fields.py default_error_messages, exceptions.py default_detail,
// authentication.py, pagination.py, authtoken/serializers.py), kept in one place.
const (
	msgRequired     = "This field is required."
	msgBlank        = "This field may not be blank."
	msgNull         = "This field may not be null."
	msgInteger      = "A valid integer is required."
	msgBoolean      = "Must be a valid boolean."
	msgString       = "Not a valid string."
	msgNotFound     = "Not found."
	msgInvalidPage  = "Invalid page."
	msgInvalidToken = "Invalid token."
	msgNoCredential = "Authentication credentials were not provided."
	msgBadLogin     = "Unable to log in with provided credentials."
	// msgNullCharacters is Django's ProhibitNullCharactersValidator, on fields and filters.
	msgNullCharacters = "Null characters are not allowed."
	// msgNotAcceptable is DRF's NotAcceptable; fmtMethodNotAllowed and fmtUnsupportedMedia
	// take the method and the request's Content-Type, quoted as DRF quotes them.
	msgNotAcceptable    = "Could not satisfy the request Accept header."
	fmtMethodNotAllowed = "Method \"%s\" not allowed."
	fmtUnsupportedMedia = "Unsupported media type \"%s\" in request."
	// msgInvalidChoice is django-filter's refusal of a related filter value naming no record.
	msgInvalidChoice = "Select a valid choice. That choice is not one of the available choices."
)

// fieldErrors collects validation errors, field name → messages, so that one 400 reports all
// of them as DRF does.
type fieldErrors map[string][]string

func (e fieldErrors) add(field, msg string) { e[field] = append(e[field], msg) }

func (e fieldErrors) addf(field, format string, args ...any) {
	e.add(field, fmt.Sprintf(format, args...))
}

func (e fieldErrors) has(field string) bool { return len(e[field]) > 0 }

// writeJSON writes v compact and without a trailing newline, as renderers.py JSONRenderer
// writes it (ensure_ascii off, so HTML characters are not escaped either).
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeBody(w, status, jsonType, encodeJSON(v))
}

// encodeJSON is v as JSONRenderer writes it. The fake writes only values that encode.
func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Python's json leaves <, > and & as they are
	_ = enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// writeBody answers status with body, whole. Django's CommonMiddleware sets Content-Length
// on every response that is not streamed; without it net/http would send a body over 2 KiB
// chunked.
func writeBody(w http.ResponseWriter, status int, contentType []string, body []byte) {
	h := w.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body) // an error means the client went away; nobody is left to tell
}

var jsonType = []string{"application/json"}

// writeDetail answers exceptions.py APIException's body, {"detail": "..."}.
func writeDetail(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, struct {
		Detail string `json:"detail"`
	}{detail})
}

func writeDetailf(w http.ResponseWriter, status int, format string, args ...any) {
	writeDetail(w, status, fmt.Sprintf(format, args...))
}

// writeFieldErrors answers 400 with errs, keys in the order of fields (the serializer's field
// order, as DRF reports them), then any other key, non_field_errors last.
func writeFieldErrors(w http.ResponseWriter, errs fieldErrors, fields []string) {
	out := make(orderedObject, 0, len(errs))
	for _, name := range fields {
		if msgs, ok := errs[name]; ok {
			out = append(out, member{name, msgs})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(errs)) {
		if name != nonFieldErrors && !slices.Contains(fields, name) {
			out = append(out, member{name, errs[name]})
		}
	}
	if msgs, ok := errs[nonFieldErrors]; ok {
		out = append(out, member{nonFieldErrors, msgs})
	}
	writeJSON(w, http.StatusBadRequest, out)
}

// unauthorized answers 401 with authentication.py TokenAuthentication.authenticate_header.
func unauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", "Token")
	writeDetail(w, http.StatusUnauthorized, detail)
}

// methodNotAllowed is views.py APIView.http_method_not_allowed; the view has set Allow.
func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	// Django upper-cases request.method (WSGIRequest), which DRF's message quotes.
	writeDetailf(w, http.StatusMethodNotAllowed, fmtMethodNotAllowed, viewMethod(r))
}

// orderedObject is a JSON object whose keys keep their order.
type orderedObject []member

type member struct {
	key   string
	value any
}

// MarshalJSON writes the members in order, each as encodeJSON writes it.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, encodeJSON(m.key)...), ':'), encodeJSON(m.value)...)
	}
	return append(b, '}'), nil
}

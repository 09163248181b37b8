package whippywaretest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Error bodies in the shapes Django REST framework gives them, which the service sends:
// {"detail": "..."} for 401, 404, 405, 415 and 429; {"field": ["message", ...]} for validation
// errors (non-field ones under "non_field_errors"); ["message"] for an error raised as a list.

const nonFieldErrors = "non_field_errors"

// Messages DRF uses, kept in one place so handlers and tests agree.
const (
	msgRequired     = "This field is required."
	msgBlank        = "This field may not be blank."
	msgNull         = "This field may not be null."
	msgInteger      = "A valid integer is required."
	msgBoolean      = "Must be a valid boolean."
	msgString       = "Not a valid string."
	msgMinZero      = "Ensure this value is greater than or equal to 0."
	msgNotFound     = "Not found."
	msgInvalidPage  = "Invalid page."
	msgInvalidToken = "Invalid token."
	msgNoCredential = "Authentication credentials were not provided."
	msgBadLogin     = "Unable to log in with provided credentials."
)

// fieldErrors collects validation errors, field name → messages, so that one 400 reports all
// of them as DRF does.
type fieldErrors map[string][]string

func (e fieldErrors) add(field, msg string) { e[field] = append(e[field], msg) }

func (e fieldErrors) addf(field, format string, args ...any) {
	e.add(field, fmt.Sprintf(format, args...))
}

func (e fieldErrors) has(field string) bool { return len(e[field]) > 0 }

// writeJSON encodes v straight to the response: no intermediate buffer for big list pages.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // Python's json leaves <, > and & as they are
	// An error here means the client went away; there is nobody left to tell.
	_ = enc.Encode(v)
}

func writeDetail(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, map[string]string{"detail": detail})
}

func writeDetailf(w http.ResponseWriter, status int, format string, args ...any) {
	writeDetail(w, status, fmt.Sprintf(format, args...))
}

func writeFieldErrors(w http.ResponseWriter, errs fieldErrors) {
	writeJSON(w, http.StatusBadRequest, errs)
}

func notFound(w http.ResponseWriter) { writeDetail(w, http.StatusNotFound, msgNotFound) }

// unauthorized answers 401 with the WWW-Authenticate challenge DRF's TokenAuthentication sends.
func unauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", "Token")
	writeDetail(w, http.StatusUnauthorized, detail)
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeDetailf(w, http.StatusMethodNotAllowed, "Method %q not allowed.", r.Method)
}

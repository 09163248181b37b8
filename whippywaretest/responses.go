package whippywaretest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
)

// Error bodies in the shapes Django REST framework gives them, which the service sends:
// {"detail": "..."} for a malformed body (400), 401, 404, 405, 406, 413, 415 and 429; {"field": ["message", ...]} for validation
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
	msgNotFound     = "Not found."
	msgInvalidPage  = "Invalid page."
	msgInvalidToken = "Invalid token."
	msgNoCredential = "Authentication credentials were not provided."
	msgBadLogin     = "Unable to log in with provided credentials."
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

// writeJSON writes v compact and without a trailing newline, as DRF's JSONRenderer
// writes it: by its own renderer when it has one (records, pages), else through
// encoding/json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if a, ok := v.(appender); ok {
		writeRendered(w, status, a)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(noNewline{&buf})
	enc.SetEscapeHTML(false) // Python's json leaves <, > and & as they are
	_ = enc.Encode(v)        // the values written here are maps and slices of strings: they encode
	writeBody(w, status, jsonType, buf.Bytes())
}

// noNewline drops the newline json.Encoder ends its output with. Compact JSON holds no raw
// newline (strings escape it), so a newline at the end of a write can only be that one.
type noNewline struct{ w io.Writer }

func (n noNewline) Write(b []byte) (int, error) {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		k, err := n.w.Write(b[:len(b)-1])
		if err == nil {
			k++
		}
		return k, err
	}
	return n.w.Write(b)
}

var (
	jsonType = []string{"application/json"}
	htmlType = []string{"text/html"}
)

func writeDetail(w http.ResponseWriter, status int, detail string) {
	writeRendered(w, status, detailBody(detail))
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

// notFound is DRF's 404, for a detail path whose record does not exist.
func notFound(w http.ResponseWriter) { writeDetail(w, http.StatusNotFound, msgNotFound) }

// unauthorized answers 401 with the WWW-Authenticate challenge DRF's TokenAuthentication sends.
func unauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", "Token")
	writeDetail(w, http.StatusUnauthorized, detail)
}

// methodNotAllowed answers 405; the view has set Allow already.
func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	// Django upper-cases request.method (WSGIRequest), which DRF's message quotes.
	writeDetailf(w, http.StatusMethodNotAllowed, fmtMethodNotAllowed, viewMethod(r))
}

// Pages Django itself answers with, outside DRF's views (django/views/defaults.py's
// ERROR_PAGE_TEMPLATE with DEBUG off), and the one a proxy in front answers with.
const (
	djangoNotFoundPage = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n" +
		"<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n"
	djangoServerErrorPage = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Server Error (500)</title>\n" +
		"</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n"
)

// proxyErrorPage is the page nginx, a usual proxy in front of Django, answers a 5xx with.
func proxyErrorPage(status int) string {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
}

func writeHTML(w http.ResponseWriter, status int, page string) {
	writeBody(w, status, htmlType, []byte(page))
}

// pageNotFound is Django's own 404 for a path no URL pattern matches.
func pageNotFound(w http.ResponseWriter) { writeHTML(w, http.StatusNotFound, djangoNotFoundPage) }

// serverError is Django's own 500 for an unhandled exception.
func serverError(w http.ResponseWriter) {
	writeHTML(w, http.StatusInternalServerError, djangoServerErrorPage)
}

// redirectWithSlash is CommonMiddleware's APPEND_SLASH answer: 301 to the path with its slash
// and the same query, an empty text/html body, for every method (DEBUG off).
func redirectWithSlash(w http.ResponseWriter, r *http.Request) {
	// HttpRequest.get_full_path: escape_uri_path of the decoded path, iri_to_uri of the
	// query string, so "%31" comes back as "1" and a raw "é" as "%C3%A9".
	loc := pyQuote(r.URL.Path, "/:@&+$,-_.!~*'()") + "/"
	if r.URL.RawQuery != "" {
		loc += "?" + pyQuote(r.URL.RawQuery, "/#%[]=:;$&()+,!?*@'~")
	}
	w.Header()["Location"] = []string{loc}
	writeBody(w, http.StatusMovedPermanently, []string{"text/html; charset=utf-8"}, nil)
}

// orderedObject is a JSON object whose keys keep their order.
type orderedObject []member

type member struct {
	key   string
	value any
}

// MarshalJSON writes the members in order, without escaping HTML as Python's json does not.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(noNewline{&b})
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := enc.Encode(m.key); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := enc.Encode(m.value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

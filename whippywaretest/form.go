package whippywaretest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds what one request body may hold, so a runaway test cannot eat the memory.
const maxBody = 1 << 20

// readObject reads a request body the way DRF's parsers do: no Content-Type or no body gives
// an empty object (so required fields are reported), a Content-Type other than JSON is 415,
// malformed JSON is 400 "JSON parse error", and a JSON value that is not an object is 400
// "Expected a dictionary". It answers the error itself and returns false then.
func readObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeDetail(w, http.StatusRequestEntityTooLarge, "Request body is too large.")
		} else {
			writeDetailf(w, http.StatusBadRequest, "Could not read the request body: %v", err)
		}
		return nil, false
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" || len(body) == 0 {
		return map[string]json.RawMessage{}, true
	}
	if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
		writeDetailf(w, http.StatusUnsupportedMediaType, "Unsupported media type %q in request.", ct)
		return nil, false
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		writeDetailf(w, http.StatusBadRequest, "JSON parse error - %v", err)
		return nil, false
	}
	var obj map[string]json.RawMessage
	if _, ok := v.(map[string]any); !ok || json.Unmarshal(body, &obj) != nil {
		writeJSON(w, http.StatusBadRequest, fieldErrors{nonFieldErrors: {
			"Invalid data. Expected a dictionary, but got " + pyType(body) + "."}})
		return nil, false
	}
	return obj, true
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
// On create an absent required field is an error; on update (PATCH) only sent fields are read.
type form struct {
	raw    map[string]json.RawMessage
	create bool
	errs   fieldErrors
}

func newForm(raw map[string]json.RawMessage, create bool) *form {
	return &form{raw: raw, create: create, errs: fieldErrors{}}
}

// value returns the raw value of a sent, non-null field. It reports a missing required field
// (on create) and a null one, unless nullable, in which case it returns (nil, true) for null.
func (f *form) value(name string, required, nullable bool) (json.RawMessage, bool) {
	raw, sent := f.raw[name]
	if !sent {
		if required && f.create {
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

// text reads a string or a number as text, as DRF's CharField accepts both.
func text(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	if t := pyType(raw); t == "int" || t == "float" {
		return string(bytes.TrimSpace(raw)), true
	}
	return "", false
}

// str reads a non-blank string field, trimmed as DRF trims.
func (f *form) str(name string, dst *string, required bool) {
	raw, ok := f.value(name, required, false)
	if !ok {
		return
	}
	s, isText := text(raw)
	switch s = strings.TrimSpace(s); {
	case !isText:
		f.errs.add(name, msgString)
	case s == "":
		f.errs.add(name, msgBlank)
	default:
		*dst = s
	}
}

// boolean accepts what DRF's BooleanField accepts: true/false, 1/0 and the usual words.
func (f *form) boolean(name string, dst *bool) {
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
	s, _ := text(raw)
	switch strings.ToLower(s) {
	case "true", "t", "yes", "y", "on", "1":
		return true, true
	case "false", "f", "no", "n", "off", "0":
		return false, true
	}
	return false, false
}

// trailingZeros is what DRF's IntegerField strips before int(): "5.0" is 5, "5.5" is not.
var trailingZeros = regexp.MustCompile(`\.0*\s*$`)

// parseInt accepts a JSON integer, an integral float or a string holding one, like IntegerField.
func parseInt(raw json.RawMessage) (int64, bool) {
	if t := pyType(raw); t == "bool" || t == "list" || t == "dict" {
		return 0, false
	}
	s, _ := text(raw)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true // the common case, without the regexp
	}
	n, err := strconv.ParseInt(strings.TrimSpace(trailingZeros.ReplaceAllString(s, "")), 10, 64)
	return n, err == nil
}

// integer reads an integer field, optionally refusing negative values.
func (f *form) integer(name string, dst *int64, required bool, nonNegative bool) {
	raw, ok := f.value(name, required, false)
	if !ok {
		return
	}
	n, isInt := parseInt(raw)
	switch {
	case !isInt:
		f.errs.add(name, msgInteger)
	case nonNegative && n < 0:
		f.errs.add(name, msgMinZero)
	default:
		*dst = n
	}
}

// nullInt reads a nullable integer field.
func (f *form) nullInt(name string, dst **int64) {
	raw, ok := f.value(name, false, true)
	if !ok {
		return
	}
	if raw == nil {
		*dst = nil
	} else if n, isInt := parseInt(raw); isInt {
		*dst = &n
	} else {
		f.errs.add(name, msgInteger)
	}
}

// pk reads a primary key of a related record (a number or a string of digits, like DRF's
// PrimaryKeyRelatedField); whether that record exists is the caller's check, under the lock.
func (f *form) pk(name string, dst **int64, required, nullable bool) {
	raw, ok := f.value(name, required, nullable)
	if !ok {
		return
	}
	if raw == nil {
		*dst = nil
		return
	}
	t := pyType(raw)
	n, isInt := parseInt(raw)
	if t == "float" || !isInt {
		f.errs.addf(name, "Incorrect type. Expected pk value, received %s.", t)
		return
	}
	*dst = &n
}

// object reads a field that must hold a JSON object, kept raw.
func (f *form) object(name string, dst *json.RawMessage) {
	raw, ok := f.value(name, false, false)
	if !ok {
		return
	}
	if t := pyType(raw); t != "dict" {
		f.errs.addf(name, "Expected a dictionary of items but got type %q.", t)
		return
	}
	*dst = raw
}

// dateLayouts are what a stock's period accepts: a date or a timestamp.
var dateLayouts = []string{time.DateOnly, time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"}

// date reads a nullable date-or-timestamp field and stores it as it was sent.
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
		for _, layout := range dateLayouts {
			if _, err := time.Parse(layout, s); err == nil {
				*dst = &s
				return
			}
		}
	}
	f.errs.add(name, "Date has wrong format. Use one of these formats instead: "+
		"YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")
}

package whippywaretest

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The serializer fields of DRF 3.14 (rest_framework/fields.py, relations.py) as the fake's
// model uses them: how each reads what clients send, and its common messages.

// form decodes the fields of one request body into a record, collecting DRF-shaped errors;
// a partial one (PATCH) reads only the fields sent.
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

// value returns the raw value of a sent field, (nil, true) for null if nullable, reporting a
// missing required or a null field (fields.py Field.validate_empty_values); a form's empty
// value is null for a nullable field and absent for an optional one (Field.get_value).
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

// str reads a string field. fields.py CharField: a string or a number, trimmed with
// str.strip() (trim_whitespace), not blank, at most max_length characters
// (MaxLengthValidator), no NUL (ProhibitNullCharactersValidator). The login's password is the
// one field not trimmed: authtoken/serializers.py gives it trim_whitespace=False.
func (f *form) str(name string, dst *string, required bool, maxLength int) {
	raw, ok := f.value(name, required, false)
	if !ok {
		return
	}
	s, isText := textOf(raw)
	if !isText {
		f.errs.add(name, msgString)
		return
	}
	if name != "password" {
		s = pyStrip(s)
	}
	if s == "" {
		f.errs.add(name, msgBlank)
		return
	}
	if maxLength > 0 && utf8.RuneCountInString(s) > maxLength {
		f.errs.addf(name, "Ensure this field has no more than %d characters.", maxLength)
	}
	if strings.IndexByte(s, 0) >= 0 {
		f.errs.add(name, msgNullCharacters)
	}
	if !f.errs.has(name) {
		*dst = s
	}
}

// boolean reads fields.py BooleanField: its TRUE_VALUES and FALSE_VALUES, exactly. A form
// that leaves the field out means false (BooleanField.default_empty_html), as an unticked
// checkbox does.
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

// parseBool is BooleanField.to_internal_value: true, false, 1, 0 and the words in its sets.
func parseBool(raw json.RawMessage) (value, ok bool) {
	switch pyType(raw) {
	case "bool":
		return string(bytes.TrimSpace(raw)) == "true", true
	case "int", "float": // 1.0 == 1 in a Python set
		x, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
		return x == 1, err == nil && (x == 0 || x == 1)
	}
	s, _ := textOf(raw)
	switch s {
	case "t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1":
		return true, true
	case "f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0":
		return false, true
	}
	return false, false
}

// integer reads fields.py IntegerField within [minValue, 2147483647], PostgreSQL's range:
// int(str(value)) after dropping a ".0" tail, so 5, "5" and 5.0 are 5 and 5.5 is no integer.
func (f *form) integer(name string, dst *int64, required bool, minValue int64) {
	raw, ok := f.value(name, required, false)
	if !ok {
		return
	}
	n, isInt := parseInt(raw)
	switch {
	case !isInt:
		f.errs.add(name, msgInteger)
	case n > maxInt32:
		f.errs.addf(name, "Ensure this value is less than or equal to %d.", maxInt32)
	case n < minValue:
		f.errs.addf(name, "Ensure this value is greater than or equal to %d.", minValue)
	default:
		*dst = n
	}
}

// parseInt reads an integer as IntegerField does; one past int64 comes back clamped to it,
// which the range checks then refuse.
func parseInt(raw json.RawMessage) (int64, bool) {
	s, isText := textOf(raw)
	switch t := pyType(raw); {
	case !isText:
		return 0, false
	case t == "float":
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x != math.Trunc(x) || math.Abs(x) >= 1e16 {
			return 0, false
		}
		return int64(x), true
	case t == "str":
		// IntegerField.re_decimal, `\.0*\s*$`
		if t := strings.TrimRight(strings.TrimRightFunc(s, unicode.IsSpace), "0"); strings.HasSuffix(t, ".") {
			s = t[:len(t)-1]
		}
	}
	return pyInt(s)
}

// pyInt is Python's int() of a string of ASCII digits: surrounding white space and a sign
// allowed; outside int64 it is clamped, still an integer.
func pyInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil || errors.Is(err, strconv.ErrRange)
}

// nullInt reads a nullable integer field in Django's IntegerField range.
func (f *form) nullInt(name string, dst **int64) {
	var n int64
	if raw, ok := f.value(name, false, true); ok && raw == nil {
		*dst = nil
	} else if ok {
		if f.integer(name, &n, false, minInt32); !f.errs.has(name) { // reads raw again, not null
			*dst = &n
		}
	}
}

// pk reads the primary key of a related record. relations.py PrimaryKeyRelatedField: a
// number, or a string int() reads, else incorrect_type; RelatedField.run_validation: "" is
// null. Whether the record exists is the caller's check, under the lock.
func (f *form) pk(name string, dst **int64, required, nullable bool) {
	relatedEmptyIsNull(f, name)
	raw, ok := f.value(name, required, nullable)
	switch n, isInt := pkValue(raw); {
	case !ok:
	case raw == nil:
		*dst = nil
	case !isInt:
		f.errs.addf(name, "Incorrect type. Expected pk value, received %s.", pyType(raw))
	default:
		*dst = &n
	}
}

// pkValue is the pk lookup's int(value): 2, "2" and 2.7 are 2.
func pkValue(raw json.RawMessage) (int64, bool) {
	s, isText := textOf(raw)
	if t := pyType(raw); t == "float" {
		x, err := strconv.ParseFloat(s, 64)
		return int64(x), err == nil && math.Abs(x) < math.MaxInt64
	}
	n, ok := pyInt(s)
	return n, ok && isText
}

// relatedEmptyIsNull is RelatedField.run_validation: an empty string is null.
func relatedEmptyIsNull(f *form, name string) {
	if raw, sent := f.raw[name]; sent && string(raw) == `""` {
		f.raw[name] = json.RawMessage("null")
	}
}

// slug reads a related record's code. relations.py SlugRelatedField: kept as sent, a number
// is the code it spells (Django's CharField lookup takes str() of it); a list or an object
// is "Invalid value.". Whether the record exists is the caller's check, under the lock.
func (f *form) slug(name string, dst *string, required bool) {
	relatedEmptyIsNull(f, name)
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

// slugValue is str() of a string, number or boolean, what a CharField lookup compares.
func slugValue(raw json.RawMessage) (string, bool) {
	if pyType(raw) == "bool" {
		b, _ := parseBool(raw)
		return map[bool]string{true: "True", false: "False"}[b], true
	}
	return textOf(raw)
}

// object reads a field that must hold a JSON object, kept raw (the fake's rule for a stock
// list rule). A form sends it as JSON text, which fields.py JSONField.get_value reads itself:
// an empty value is no JSON, not a value left out.
func (f *form) object(name string, dst *json.RawMessage) {
	raw, ok := f.raw[name]
	if !f.html {
		raw, ok = f.value(name, false, false)
	}
	if !ok {
		return
	}
	if f.html {
		var s string
		if _ = json.Unmarshal(raw, &s); !json.Valid([]byte(s)) { // a file is no text either
			f.errs.add(name, "Value must be valid JSON.")
			return
		}
		raw = json.RawMessage(s)
	}
	if t := pyType(raw); t != "dict" {
		f.errs.addf(name, "Expected a dictionary of items but got type %q.", t)
		return
	}
	*dst = raw
}

// date reads a nullable date. fields.py DateField with Django's parse_date
// (`\d{4}-\d{1,2}-\d{1,2}`, a date that exists), answered as isoformat(): YYYY-MM-DD.
func (f *form) date(name string, dst **string) {
	raw, ok := f.value(name, false, true)
	s, isText := textOf(raw)
	t, err := time.Parse("2006-1-2", s) // one or two digits for month and day
	switch d := t.Format(time.DateOnly); {
	case !ok:
	case raw == nil:
		*dst = nil
	case isText && pyType(raw) == "str" && err == nil && t.Year() >= 1:
		*dst = &d
	default:
		f.errs.add(name, "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")
	}
}

// textOf is str() of a JSON string or number, what CharField and IntegerField read; false
// for any other JSON value. A number keeps the text it was sent as.
func textOf(raw json.RawMessage) (string, bool) {
	switch pyType(raw) {
	case "str":
		var s string
		return s, json.Unmarshal(raw, &s) == nil
	case "int", "float":
		return string(bytes.TrimSpace(raw)), true
	}
	return "", false
}

// pyTypes are the Python types of the JSON values whose first byte tells their type.
var pyTypes = map[byte]string{'{': "dict", '[': "list", '"': "str", 't': "bool", 'f': "bool", 'n': "NoneType"}

// pyType names a JSON value's type as Python does, for messages copied from DRF.
func pyType(raw json.RawMessage) string {
	switch raw = bytes.TrimSpace(raw); {
	case len(raw) == 0:
		return "NoneType"
	case pyTypes[raw[0]] != "":
		return pyTypes[raw[0]]
	case bytes.ContainsAny(raw, ".eE"):
		return "float"
	}
	return "int"
}

// pyStrip is Python's str.strip(), which CharField's trim_whitespace and django-filter's
// CharFilter use: Go's white space and the separators U+001C to U+001F, which Python also
// counts as white space. The sync must match what the service stores.
func pyStrip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) })
}

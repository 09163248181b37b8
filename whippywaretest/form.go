package whippywaretest

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

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

// str reads a string field as DRF's CharField does: a string or a number, trimmed, not blank,
// at most maxLength characters, no NUL, no lone surrogate.
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
	s = pyStrip(s)
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
	if r, lone := loneSurrogate(raw); lone {
		f.errs.addf(name, "Surrogate characters are not allowed: U+%X.", r)
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

// integer reads an integer field within [minValue, 2147483647], Django's IntegerField range
// on PostgreSQL.
func (f *form) integer(name string, dst *int64, required bool, minValue int64) {
	raw, ok := f.value(name, required, false)
	if !ok {
		return
	}
	if s, isStr := jsonString(raw); isStr && len(s) > 1000 {
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
	f.integer(name, &n, false, minInt32) // reads raw again, not null now
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
	if s, ok := jsonString(raw); ok {
		if d, ok := parseDate(s); ok {
			*dst = &d
			return
		}
	}
	f.errs.add(name, "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")
}

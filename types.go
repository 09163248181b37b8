package whippyware

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/whippyware-go/whippyware/internal/jsonread"
)

// Record holds the fields every Whippy Ware resource has.
type Record struct {
	ID           int64     `json:"id"`
	CreatedDate  time.Time `json:"created_date"`
	ModifiedDate time.Time `json:"modified_date"`
	IsActive     bool      `json:"is_active"`
}

// StringOrNumber is a field the reference shows both as a JSON string and as a
// number (a stock's location, a stock list's rule). It decodes from either and
// keeps the text.
//
// It is sent as a JSON string, and what the text means is the field's, not the
// type's: a stock's location is the stock location's Code (the service looks it
// up by code, as Django REST framework's SlugRelatedField(slug_field="code")
// does), so "4" is the location whose code is "4", never the location with id 4.
// Pass StockLocation.Code, not StockLocation.ID. A stock list's rule, which is an
// id, is sent by the requests as a number (an int64 id), never as a StringOrNumber.
type StringOrNumber string

// UnmarshalJSON accepts a string, a number or null (which leaves "").
//
// A string without escapes and a number are read here, without a second pass of
// encoding/json (a page of stocks has one per stock); anything else (escapes,
// invalid UTF-8, malformed input) is left to encoding/json, so that the result is
// always what encoding/json reads.
func (s *StringOrNumber) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		return nil
	case len(data) > 0 && data[0] == '"':
		if text, ok := jsonread.PlainString(data); ok {
			*s = StringOrNumber(text)
			return nil
		}
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		*s = StringOrNumber(v)
		return nil
	case jsonread.IsNumber(data):
		*s = StringOrNumber(data)
		return nil
	}
	return fmt.Errorf("whippyware: want a string or a number, got %.40s", data)
}

// Int64 returns the value as an integer, for fields that hold an id.
func (s StringOrNumber) Int64() (int64, error) {
	return strconv.ParseInt(string(s), 10, 64)
}

// String returns the text.
func (s StringOrNumber) String() string { return string(s) }

// DateOrTime is a field typed "date" that may come as a date ("2023-05-10") or a
// full timestamp (a stock's period). It keeps which one it was and encodes the same
// way.
type DateOrTime struct {
	time.Time
	// DateOnly is true for a plain date.
	DateOnly bool
}

const dateLayout = time.DateOnly

// timestampLayouts are tried in order; the last is a timestamp with no offset,
// read as UTC.
var timestampLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"}

// UnmarshalJSON accepts null, a date or a timestamp. A plain date is read here
// without allocating; anything else goes through encoding/json and
// ParseDateOrTime, as it always did.
func (d *DateOrTime) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*d = DateOrTime{}
		return nil
	}
	if text, ok := jsonread.PlainString(data); ok {
		if date, ok := parseDate(text); ok {
			*d = date
			return nil
		}
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("whippyware: want a date or a timestamp, got %.40s", data)
	}
	parsed, err := ParseDateOrTime(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// parseDate reads "YYYY-MM-DD" as time.Parse(time.DateOnly, ...) does, a day that
// the month has; ok is false for anything else, which ParseDateOrTime then reads.
func parseDate(b []byte) (DateOrTime, bool) {
	if len(b) != len(dateLayout) || b[4] != '-' || b[7] != '-' {
		return DateOrTime{}, false
	}
	num := func(digits []byte) int {
		n := 0
		for _, c := range digits {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(b[:4]), num(b[5:7]), num(b[8:])
	if year < 0 || month < 1 || month > 12 || day < 1 {
		return DateOrTime{}, false
	}
	// time.Date normalises a day past the month's end into the next month; such a
	// day is one time.Parse refuses.
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day {
		return DateOrTime{}, false
	}
	return DateOrTime{Time: t, DateOnly: true}, true
}

// MarshalJSON encodes a date as "2006-01-02" and a timestamp as RFC 3339, so that
// a decoded value encodes as it came. Requests do not use it for a stock's
// period: they send the date only (see StockCreateRequest).
func (d DateOrTime) MarshalJSON() ([]byte, error) {
	if d.DateOnly {
		return json.Marshal(d.Format(dateLayout))
	}
	return json.Marshal(d.Format(time.RFC3339Nano))
}

// ParseDateOrTime reads a date ("2023-05-10") or a timestamp
// ("2023-05-10T13:37:18.209869+03:00").
func ParseDateOrTime(s string) (DateOrTime, error) {
	if t, err := time.Parse(dateLayout, s); err == nil {
		return DateOrTime{Time: t, DateOnly: true}, nil
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOrTime{Time: t}, nil
		}
	}
	return DateOrTime{}, fmt.Errorf("whippyware: %q is neither a date nor a timestamp", s)
}

// Date returns a DateOrTime for a calendar date.
func Date(year int, month time.Month, day int) DateOrTime {
	return DateOrTime{Time: time.Date(year, month, day, 0, 0, 0, 0, time.UTC), DateOnly: true}
}

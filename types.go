package whippyware

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Record holds the fields every Whippy Ware resource has.
type Record struct {
	ID           int64     `json:"id"`
	CreatedDate  time.Time `json:"created_date"`
	ModifiedDate time.Time `json:"modified_date"`
	IsActive     bool      `json:"is_active"`
}

// checkAnswer: every record the service returns has an id, from 1.
func (r *Record) checkAnswer() error {
	if r.ID < 1 {
		return errors.New("the answer is not a record: it has no id")
	}
	return nil
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

// UnmarshalJSON accepts a string, a number (kept as written) or null (which
// leaves "").
func (s *StringOrNumber) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	var text string
	var number json.Number
	switch {
	case bytes.Equal(data, []byte("null")):
		return nil
	case len(data) > 0 && data[0] == '"':
		if err := json.Unmarshal(data, &text); err != nil {
			return err
		}
	case json.Unmarshal(data, &number) == nil:
		text = string(data)
	default:
		return fmt.Errorf("whippyware: want a string or a number, got %.40s", data)
	}
	*s = StringOrNumber(text)
	return nil
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

// timestampLayouts are tried in order; the last is a timestamp with no offset,
// read as UTC.
var timestampLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"}

// UnmarshalJSON accepts null, a date or a timestamp.
func (d *DateOrTime) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*d = DateOrTime{}
		return nil
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

// MarshalJSON encodes a date as "2006-01-02" and a timestamp as RFC 3339, so that
// a decoded value encodes as it came. Requests do not use it for a stock's
// period: they send the date only (see StockCreateRequest).
func (d DateOrTime) MarshalJSON() ([]byte, error) {
	if d.DateOnly {
		return json.Marshal(d.Format(time.DateOnly))
	}
	return json.Marshal(d.Format(time.RFC3339Nano))
}

// ParseDateOrTime reads a date ("2023-05-10") or a timestamp
// ("2023-05-10T13:37:18.209869+03:00").
func ParseDateOrTime(s string) (DateOrTime, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
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

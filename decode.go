package whippyware

import (
	"bytes"
	"encoding/json"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/whippyware-go/whippyware/internal/jsonread"
)

// The service's records and pages are decoded here, without reflection, in the
// shapes the service sends: keys as the models name them, strings without escapes,
// integers, booleans, null. Anything else (an escape, a float where an integer
// goes, a key in other case, malformed input) makes the reader give up, and the
// answer is decoded again by encoding/json from a zero value: the result, or the
// error, is always encoding/json's. encoding/json was a third to a half of a
// call's CPU time (it scans the whole body once to validate it, then again to
// decode it, looking each key up by reflection); FuzzDecodeAnswer holds the two to
// the same results.

// jsonReader reads one JSON document into the models: jsonread's reading of
// JSON, and the models' field types.
type jsonReader struct{ jsonread.Reader }

// readString sets *v to the next string; null leaves it, as encoding/json does.
func (r *jsonReader) readString(v *string) bool {
	if r.Literal("null") {
		return true
	}
	text, ok := r.Text()
	if ok {
		*v = string(text)
	}
	return ok
}

// readInt sets *v to the next number, which must be an integer that fits; null
// leaves it.
func (r *jsonReader) readInt(v *int64) bool {
	if r.Literal("null") {
		return true
	}
	raw, ok := r.RawNumber()
	if !ok {
		return false
	}
	digits, negative := raw, false
	if digits[0] == '-' {
		digits, negative = digits[1:], true
	}
	var n uint64
	for _, c := range digits {
		if c < '0' || c > '9' || n > (1<<63)/10 {
			return false // a fraction or an exponent, or too many digits
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case negative && n <= 1<<63:
		*v = int64(-n) // -(1<<63) wraps to itself, the one value that does
	case !negative && n < 1<<63:
		*v = int64(n)
	default:
		return false
	}
	return true
}

// readIntValue is readInt for an int.
func (r *jsonReader) readIntValue(v *int) bool {
	n := int64(*v)
	if !r.readInt(&n) || int64(int(n)) != n {
		return false
	}
	*v = int(n)
	return true
}

// readBool sets *v to the next boolean; null leaves it.
func (r *jsonReader) readBool(v *bool) bool {
	switch {
	case r.Literal("true"):
		*v = true
	case r.Literal("false"):
		*v = false
	default:
		return r.Literal("null")
	}
	return true
}

// readTime reads a timestamp through time.Time's UnmarshalJSON, as encoding/json
// does; null leaves it.
func (r *jsonReader) readTime(v *time.Time) bool {
	if r.Literal("null") {
		return true
	}
	raw, ok := r.RawString()
	return ok && v.UnmarshalJSON(raw) == nil
}

// scalar returns the next string, number or null as it is written.
func (r *jsonReader) scalar() ([]byte, bool) {
	switch r.Peek() {
	case '"':
		return r.RawString()
	case 'n':
		start := r.Pos()
		ok := r.Literal("null")
		return r.Since(start), ok
	}
	return r.RawNumber()
}

// readStringOrNumber reads the next string, number or null through the type's
// UnmarshalJSON, as encoding/json does.
func (r *jsonReader) readStringOrNumber(v *StringOrNumber) bool {
	raw, ok := r.scalar()
	return ok && v.UnmarshalJSON(raw) == nil
}

// readDateOrTimePointer sets *v to nil on null, as encoding/json does; otherwise
// it reads into the value *v points to, new when *v is nil.
func (r *jsonReader) readDateOrTimePointer(v **DateOrTime) bool {
	if r.Literal("null") {
		*v = nil
		return true
	}
	raw, ok := r.RawString()
	if !ok {
		return false
	}
	if *v == nil {
		*v = new(DateOrTime)
	}
	return (*v).UnmarshalJSON(raw) == nil
}

// readRaw sets *v to the next value as it is written, null included, as
// encoding/json does for a json.RawMessage.
func (r *jsonReader) readRaw(v *json.RawMessage) bool {
	start := r.Pos()
	if !r.Skip() {
		return false
	}
	*v = append((*v)[:0], r.Since(start)...)
	return true
}

// jsonField reads one field of a T: name is its JSON key, read its value.
type jsonField[T any] struct {
	name string
	read func(r *jsonReader, v *T) bool
}

// readObject reads the next object into v, through fields. A key that is not a
// field's is skipped, as encoding/json skips it, unless it could be a field's in
// other case (encoding/json would then fill the field): the reader gives up.
func readObject[T any](r *jsonReader, v *T, fields []jsonField[T]) bool {
	if !r.Consume('{') {
		return false
	}
	if r.Consume('}') {
		return true
	}
	for {
		key, ok := r.Text()
		if !ok || !r.Consume(':') {
			return false
		}
		if !readField(r, v, fields, key) {
			return false
		}
		if r.Consume('}') {
			return true
		}
		if !r.Consume(',') {
			return false
		}
	}
}

// readField reads the value of key into v.
func readField[T any](r *jsonReader, v *T, fields []jsonField[T], key []byte) bool {
	for _, f := range fields {
		if string(key) == f.name {
			return f.read(r, v)
		}
	}
	for _, c := range key {
		if c >= utf8.RuneSelf {
			// encoding/json matches a struct's fields through Unicode case folding
			// too ("ſku" fills SKU): a key outside ASCII is left to it.
			return false
		}
	}
	for _, f := range fields {
		if bytes.EqualFold(key, []byte(f.name)) {
			return false
		}
	}
	return r.Skip()
}

// recordFields are the fields of a Record, for a type that embeds it.
func recordFields[T any](record func(*T) *Record) []jsonField[T] {
	return []jsonField[T]{
		{"id", func(r *jsonReader, v *T) bool { return r.readInt(&record(v).ID) }},
		{"created_date", func(r *jsonReader, v *T) bool { return r.readTime(&record(v).CreatedDate) }},
		{"modified_date", func(r *jsonReader, v *T) bool { return r.readTime(&record(v).ModifiedDate) }},
		{"is_active", func(r *jsonReader, v *T) bool { return r.readBool(&record(v).IsActive) }},
	}
}

// jsonReadable is implemented by the models the reader decodes.
type jsonReadable interface {
	readJSON(r *jsonReader) bool
}

var providerFields = append(recordFields(func(v *Provider) *Record { return &v.Record }),
	jsonField[Provider]{"name", func(r *jsonReader, v *Provider) bool { return r.readString(&v.Name) }},
	jsonField[Provider]{"code", func(r *jsonReader, v *Provider) bool { return r.readString(&v.Code) }},
	jsonField[Provider]{"should_add_reservations", func(r *jsonReader, v *Provider) bool { return r.readBool(&v.ShouldAddReservations) }},
)

func (v *Provider) readJSON(r *jsonReader) bool { return readObject(r, v, providerFields) }

var stockLocationFields = append(recordFields(func(v *StockLocation) *Record { return &v.Record }),
	jsonField[StockLocation]{"name", func(r *jsonReader, v *StockLocation) bool { return r.readString(&v.Name) }},
	jsonField[StockLocation]{"code", func(r *jsonReader, v *StockLocation) bool { return r.readString(&v.Code) }},
	jsonField[StockLocation]{"provider", func(r *jsonReader, v *StockLocation) bool { return r.readInt(&v.Provider) }},
)

func (v *StockLocation) readJSON(r *jsonReader) bool { return readObject(r, v, stockLocationFields) }

var stockFields = append(recordFields(func(v *Stock) *Record { return &v.Record }),
	jsonField[Stock]{"sku", func(r *jsonReader, v *Stock) bool { return r.readString(&v.SKU) }},
	jsonField[Stock]{"provider", func(r *jsonReader, v *Stock) bool { return r.readString(&v.Provider) }},
	jsonField[Stock]{"location", func(r *jsonReader, v *Stock) bool { return r.readStringOrNumber(&v.Location) }},
	jsonField[Stock]{"stock", func(r *jsonReader, v *Stock) bool { return r.readInt(&v.Stock) }},
	jsonField[Stock]{"reserved_stock", func(r *jsonReader, v *Stock) bool { return r.readInt(&v.ReservedStock) }},
	jsonField[Stock]{"period", func(r *jsonReader, v *Stock) bool { return r.readDateOrTimePointer(&v.Period) }},
	jsonField[Stock]{"stock_type", func(r *jsonReader, v *Stock) bool { return r.readString(&v.StockType) }},
	jsonField[Stock]{"unit_type", func(r *jsonReader, v *Stock) bool { return r.readString(&v.UnitType) }},
)

func (v *Stock) readJSON(r *jsonReader) bool { return readObject(r, v, stockFields) }

var stockListFields = append(recordFields(func(v *StockList) *Record { return &v.Record }),
	jsonField[StockList]{"code", func(r *jsonReader, v *StockList) bool { return r.readString(&v.Code) }},
	jsonField[StockList]{"name", func(r *jsonReader, v *StockList) bool { return r.readString(&v.Name) }},
	jsonField[StockList]{"remote_id", func(r *jsonReader, v *StockList) bool { return r.readInt(&v.RemoteID) }},
	jsonField[StockList]{"stock_list_rule", func(r *jsonReader, v *StockList) bool { return r.readStringOrNumber(&v.StockListRule) }},
)

func (v *StockList) readJSON(r *jsonReader) bool { return readObject(r, v, stockListFields) }

var stockListRuleFields = append(recordFields(func(v *StockListRule) *Record { return &v.Record }),
	jsonField[StockListRule]{"name", func(r *jsonReader, v *StockListRule) bool { return r.readString(&v.Name) }},
	jsonField[StockListRule]{"rule_type", func(r *jsonReader, v *StockListRule) bool { return r.readString(&v.RuleType) }},
	jsonField[StockListRule]{"rule", func(r *jsonReader, v *StockListRule) bool { return r.readRaw(&v.Rule) }},
)

func (v *StockListRule) readJSON(r *jsonReader) bool { return readObject(r, v, stockListRuleFields) }

// readJSON reads a page whose results are a model the reader decodes.
func (p *Page[T]) readJSON(r *jsonReader) bool {
	return readObject(r, p, []jsonField[Page[T]]{
		{"count", func(r *jsonReader, p *Page[T]) bool { return r.readIntValue(&p.Count) }},
		{"next", func(r *jsonReader, p *Page[T]) bool { return r.readString(&p.Next) }},
		{"previous", func(r *jsonReader, p *Page[T]) bool { return r.readString(&p.Previous) }},
		{"results", readResults[T]},
	})
}

// readResults reads a page's results: null makes them nil, [] empty, and a null
// item a nil one, as encoding/json does.
func readResults[T any](r *jsonReader, p *Page[T]) bool {
	if r.Literal("null") {
		p.Results = nil
		return true
	}
	if p.Results != nil || !r.Consume('[') {
		// A second "results": encoding/json would decode into the first one's items.
		return false
	}
	results := make([]*T, 0, 8)
	if !r.Consume(']') {
		for {
			if r.Literal("null") {
				results = append(results, nil)
			} else {
				item := new(T)
				readable, ok := any(item).(jsonReadable)
				if !ok || !readable.readJSON(r) {
					return false
				}
				results = append(results, item)
			}
			if r.Consume(']') {
				break
			}
			if !r.Consume(',') {
				return false
			}
		}
	}
	p.Results = results
	return true
}

// unmarshalAnswer decodes body into out as json.Unmarshal does. When fresh (out
// points to a zero value the client made) and out is a model the reader decodes,
// the reader tries first; encoding/json, from a zero value again, decodes what it
// gives up on.
func unmarshalAnswer(body []byte, out any, fresh bool) error {
	if readable, ok := out.(jsonReadable); ok && fresh {
		r := jsonReader{jsonread.New(body)}
		if readable.readJSON(&r) && r.End() {
			return nil
		}
		reflect.ValueOf(out).Elem().SetZero()
	}
	return json.Unmarshal(body, out)
}

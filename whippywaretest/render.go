package whippywaretest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// The records, list pages and {"detail": ...} bodies are the fake's hot answers: they are
// rendered here by appending to a pooled buffer, keys in their fixed order, without the
// reflection encoding/json does on every value. The bytes are exactly encoding/json's with
// SetEscapeHTML(false), as writeJSON wrote them before (render_test.go compares the two).

// appender is a value that renders itself as JSON.
type appender interface {
	appendJSON(b []byte) []byte
}

// renderPool holds rendering buffers. A buffer that grew past maxPooledRender (a page of
// about a thousand stocks) is left to the collector, so the pool never pins a huge one.
var renderPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxPooledRender = 256 << 10

// writeRendered answers status with v rendered into a pooled buffer.
func writeRendered(w http.ResponseWriter, status int, v appender) {
	p := renderPool.Get().(*[]byte)
	b := v.appendJSON((*p)[:0])
	writeBody(w, status, jsonType, b)
	if cap(b) <= maxPooledRender {
		*p = b
		renderPool.Put(p)
	}
}

// writeBody answers status with body, whole. Django's CommonMiddleware sets
// Content-Length on every response that is not streamed (and nginx on its own
// pages); without it net/http would send a body over 2 KiB chunked.
func writeBody(w http.ResponseWriter, status int, contentType []string, body []byte) {
	if sw, ok := w.(*statusWriter); ok && sw.indent > 0 && &contentType[0] == &jsonType[0] {
		// JSONRenderer with an accepted media type asking for indent=N, written as
		// json.dumps(indent=N, separators=(",", ": ")) does; the Content-Type stays
		// the renderer's own.
		var buf bytes.Buffer
		if json.Indent(&buf, body, "", strings.Repeat(" ", sw.indent)) == nil {
			body = buf.Bytes()
		}
	}
	h := w.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body) // an error means the client went away; nobody is left to tell
}

// appendString appends s as a JSON string. Printable ASCII without quote or backslash, what
// codes, SKUs, timestamps and most names are, is copied as is; anything else goes through
// encoding/json, so that escapes, invalid UTF-8 and U+2028/U+2029 come out as it writes them.
func appendString(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return appendEncoded(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendEncoded appends v as encoding/json writes it with SetEscapeHTML(false), without the
// newline.
func appendEncoded(b []byte, v any) []byte {
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return append(b, "null"...) // not reached: the fake renders only encodable values
	}
	out := buf.Bytes()
	return out[:len(out)-1]
}

func appendBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

func appendIntPtr(b []byte, n *int64) []byte {
	if n == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *n, 10)
}

// appendHead appends the keys every record starts with, from the opening brace.
func appendHead(b []byte, id int64, created, modified string) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"created_date":`...)
	b = appendString(b, created)
	b = append(b, `,"modified_date":`...)
	return appendString(b, modified)
}

func (p Provider) appendJSON(b []byte) []byte {
	b = appendHead(b, p.ID, p.CreatedDate, p.ModifiedDate)
	b = append(b, `,"is_active":`...)
	b = appendBool(b, p.IsActive)
	b = append(b, `,"name":`...)
	b = appendString(b, p.Name)
	b = append(b, `,"code":`...)
	b = appendString(b, p.Code)
	b = append(b, `,"should_add_reservations":`...)
	b = appendBool(b, p.ShouldAddReservations)
	return append(b, '}')
}

func (l StockLocation) appendJSON(b []byte) []byte {
	b = appendHead(b, l.ID, l.CreatedDate, l.ModifiedDate)
	b = append(b, `,"is_active":`...)
	b = appendBool(b, l.IsActive)
	b = append(b, `,"name":`...)
	b = appendString(b, l.Name)
	b = append(b, `,"code":`...)
	b = appendString(b, l.Code)
	b = append(b, `,"provider":`...)
	b = strconv.AppendInt(b, l.Provider, 10)
	return append(b, '}')
}

func (r StockListRule) appendJSON(b []byte) []byte {
	b = appendHead(b, r.ID, r.CreatedDate, r.ModifiedDate)
	b = append(b, `,"is_active":`...)
	b = appendBool(b, r.IsActive)
	b = append(b, `,"name":`...)
	b = appendString(b, r.Name)
	b = append(b, `,"rule":`...)
	b = appendEncoded(b, r.Rule) // free-form JSON: encoding/json compacts it
	b = append(b, `,"rule_type":`...)
	b = appendString(b, r.RuleType)
	return append(b, '}')
}

func (l StockList) appendJSON(b []byte) []byte {
	b = appendHead(b, l.ID, l.CreatedDate, l.ModifiedDate)
	b = append(b, `,"is_active":`...)
	b = appendBool(b, l.IsActive)
	b = append(b, `,"code":`...)
	b = appendString(b, l.Code)
	b = append(b, `,"name":`...)
	b = appendString(b, l.Name)
	b = append(b, `,"remote_id":`...)
	b = appendIntPtr(b, l.RemoteID)
	b = append(b, `,"stock_list_rule":`...)
	b = appendIntPtr(b, l.StockListRule)
	return append(b, '}')
}

func (s Stock) appendJSON(b []byte) []byte {
	b = appendHead(b, s.ID, s.CreatedDate, s.ModifiedDate)
	b = append(b, `,"period":`...)
	b = appendStringPtr(b, s.Period)
	b = append(b, `,"stock_type":`...)
	b = appendString(b, s.StockType)
	b = append(b, `,"unit_type":`...)
	b = appendString(b, s.UnitType)
	b = append(b, `,"provider":`...)
	b = appendString(b, s.Provider)
	b = append(b, `,"location":`...)
	b = appendString(b, s.Location)
	b = append(b, `,"stock":`...)
	b = strconv.AppendInt(b, s.Stock, 10)
	b = append(b, `,"reserved_stock":`...)
	b = strconv.AppendInt(b, s.ReservedStock, 10)
	b = append(b, `,"is_active":`...)
	b = appendBool(b, s.IsActive)
	b = append(b, `,"sku":`...)
	b = appendString(b, s.SKU)
	return append(b, '}')
}

// appendElem appends *v by its own renderer, or as encoding/json writes it. It takes a
// pointer so that a record is not copied into an interface.
func appendElem[T any](b []byte, v *T) []byte {
	if a, ok := any(v).(appender); ok {
		return a.appendJSON(b)
	}
	if a, ok := any(*v).(appender); ok { // an interface element holding a renderer
		return a.appendJSON(b)
	}
	return appendEncoded(b, *v)
}

// appendJSON renders the list envelope; a nil Results is null, as encoding/json has it.
func (p pageBody[T]) appendJSON(b []byte) []byte {
	b = append(b, `{"count":`...)
	b = strconv.AppendInt(b, int64(p.Count), 10)
	b = append(b, `,"next":`...)
	b = appendStringPtr(b, p.Next)
	b = append(b, `,"previous":`...)
	b = appendStringPtr(b, p.Previous)
	b = append(b, `,"results":`...)
	if p.Results == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range p.Results {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendElem(b, &p.Results[i])
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// detailBody is DRF's {"detail": "..."}.
type detailBody string

func (d detailBody) appendJSON(b []byte) []byte {
	b = append(b, `{"detail":`...)
	b = appendString(b, string(d))
	return append(b, '}')
}

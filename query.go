package whippyware

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-querystring/query"
)

// How a call's query is built. go-querystring reads a filter's struct tags again on
// every call (about 14 allocations for a StockFilter); most lists only page, so a
// filter whose only non-zero fields are its ListOptions is encoded here, after a
// check made once per filter type that go-querystring would leave every other field
// out when it is zero. Every other filter still goes through go-querystring.

// listQuery checks and encodes list options; nil options are no query.
func listQuery[O any](opts *O) (url.Values, error) {
	if opts == nil {
		return url.Values{}, nil
	}
	if c, ok := any(opts).(requestChecker); ok {
		if err := c.checkRequest(); err != nil {
			return nil, err
		}
	}
	if lo, ok := onlyListOptions(reflect.ValueOf(opts).Elem()); ok {
		q := make(url.Values, 2)
		if lo.Page != 0 {
			q["page"] = []string{strconv.Itoa(lo.Page)}
		}
		if lo.Limit != 0 {
			q["limit"] = []string{strconv.Itoa(lo.Limit)}
		}
		return q, nil
	}
	q, err := query.Values(opts)
	if err != nil {
		return nil, fmt.Errorf("%w: list options: %w", ErrInvalidRequest, err)
	}
	return q, nil
}

var listOptionsType = reflect.TypeFor[ListOptions]()

// pagingOnly caches, per filter type, whether go-querystring leaves out each of its
// fields but an embedded ListOptions when the field is zero: true when every such
// field is tagged omitempty or "-".
var pagingOnly sync.Map // reflect.Type -> bool

// onlyListOptions returns the ListOptions embedded in the filter v (addressable)
// when it is the only part of v that go-querystring would encode.
func onlyListOptions(v reflect.Value) (ListOptions, bool) {
	if v.Kind() != reflect.Struct {
		return ListOptions{}, false
	}
	t := v.Type()
	omits, known := pagingOnly.Load(t)
	if !known {
		omits, _ = pagingOnly.LoadOrStore(t, zeroFieldsOmitted(t))
	}
	if !omits.(bool) {
		return ListOptions{}, false
	}
	var lo ListOptions
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case f.Type() == listOptionsType:
			lo = *f.Addr().Interface().(*ListOptions) // a pointer: no copy boxed
		case !f.IsZero():
			return ListOptions{}, false
		}
	}
	return lo, true
}

// zeroFieldsOmitted reports whether go-querystring encodes nothing for a zero field
// of t, apart from embedded ListOptions, which onlyListOptions reads itself.
func zeroFieldsOmitted(t reflect.Type) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type == listOptionsType {
			continue
		}
		tag := f.Tag.Get("url")
		if !f.IsExported() || tag == "-" {
			continue
		}
		_, opts, _ := strings.Cut(tag, ",")
		if !slices.Contains(strings.Split(opts, ","), "omitempty") {
			return false
		}
	}
	return true
}

// encodeQuery is url.Values.Encode in one allocation for a query that needs no
// escaping, which is what the filters send; any other query is left to Encode.
func encodeQuery(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	var keysArray [8]string
	keys := keysArray[:0]
	n := 0
	for k, vs := range v {
		if !plainQueryText(k) {
			return v.Encode()
		}
		for _, s := range vs {
			if !plainQueryText(s) {
				return v.Encode()
			}
			n += len(k) + len(s) + 2 // "k=v" and a separator
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(n)
	for _, k := range keys {
		for _, s := range v[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(s)
		}
	}
	return b.String()
}

// plainQueryText reports whether url.QueryEscape leaves s as it is.
func plainQueryText(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
		default:
			return false
		}
	}
	return true
}

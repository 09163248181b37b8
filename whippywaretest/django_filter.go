package whippywaretest

import (
	"net/url"
	"strings"
)

// The filters of django-filter 23 (rest_framework.DjangoFilterBackend with a FilterSet per
// resource), applied to lists and, through GenericAPIView.get_object, to detail routes.

// filter turns one query parameter's value into a predicate over records; a non-empty refusal
// answers 400 under the parameter's name (filterset.errors, raised as a ValidationError).
type filter[T any] func(st *store, value string) (match func(*T) bool, refusal string)

// namedFilter is a filter and its parameter, listed in the FilterSet's field order, which
// its errors keep.
type namedFilter[T any] struct {
	name  string
	apply filter[T]
}

// matcher combines the filters the query names; unknown parameters are ignored, as the
// service ignores them. refusals, when any, is the 400's body.
func (res *resource[T, P]) matcher(st *store, q url.Values) (match func(*T) bool, refusals orderedObject) {
	var preds []func(*T) bool
	if v, ok := boolWords[strings.ToLower(lastValue(q, "is_active"))]; ok {
		preds = append(preds, func(rec *T) bool { return *P(rec).head().active == v })
	}
	for _, f := range res.filters {
		if v := lastValue(q, f.name); v != "" {
			if match, refusal := f.apply(st, v); refusal != "" {
				refusals = append(refusals, member{f.name, []string{refusal}})
			} else {
				preds = append(preds, match)
			}
		}
	}
	if len(preds) == 0 {
		return nil, refusals
	}
	return func(rec *T) bool {
		for _, p := range preds {
			if !p(rec) {
				return false
			}
		}
		return true
	}, refusals
}

// lastValue is a parameter's last value, the one Django's QueryDict.get returns.
func lastValue(q url.Values, name string) string {
	if vs := q[name]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

// boolWords are what rest_framework.BooleanWidget reads for a boolean filter, in any case;
// any other value means "no filter".
var boolWords = map[string]bool{"true": true, "1": true, "false": false, "0": false}

// equal is the filter for a string field matched exactly: django-filter's CharFilter, whose
// forms.CharField strips the value first (a value of only spaces filters nothing) and
// refuses a NUL (ProhibitNullCharactersValidator).
func equal[T any](field func(*T) string) filter[T] {
	return func(_ *store, v string) (func(*T) bool, string) {
		switch v = pyStrip(v); {
		case v == "":
			return func(*T) bool { return true }, ""
		case strings.IndexByte(v, 0) >= 0:
			return nil, msgNullCharacters
		}
		return func(rec *T) bool { return field(rec) == v }, ""
	}
}

package whippywaretest

import (
	"net/http"
	"net/url"
	"strings"
)

// filter turns one query parameter's value into a predicate over records; a non-empty refusal
// answers 400 under the parameter's name (as django-filter does for a choice it cannot find).
type filter[T any] func(st *store, value string) (match func(*T) bool, refusal string)

func (res *resource[T, P]) list(s *Server, w http.ResponseWriter, r *http.Request) {
	q := pyParseQuery(r.URL.RawQuery) // request.GET, a QueryDict
	pg, ok := s.cfg.pageRequest(q)
	if !ok {
		writeDetail(w, http.StatusNotFound, msgInvalidPage)
		return
	}
	st := s.st
	st.mu.RLock()
	match, errs := res.matcher(st, q)
	if len(errs) > 0 {
		st.mu.RUnlock()
		writeFieldErrors(w, errs, nil)
		return
	}
	rows := res.table(st).rows
	if pg.last {
		count := len(rows)
		if match != nil {
			count = 0
			for i := range rows {
				if match(&rows[i]) {
					count++
				}
			}
		}
		pg.number = pg.pages(count)
	}
	start, end := pg.window()
	results := make([]T, 0, min(pg.size, len(rows)))
	count := 0
	if match == nil {
		count = len(rows) // no filter: slice the page out directly
		if start < count {
			results = append(results, rows[start:min(end, count)]...)
		}
	} else {
		for i := range rows {
			if match(&rows[i]) {
				if count >= start && count < end {
					results = append(results, rows[i])
				}
				count++
			}
		}
	}
	if render := res.rendering(st); render != nil {
		wire := make([]any, len(results))
		for i := range results {
			wire[i] = render(&results[i])
		}
		st.mu.RUnlock()
		writePage(w, r, q, pg, count, wire)
		return
	}
	st.mu.RUnlock()
	writePage(w, r, q, pg, count, results)
}

// matcher combines the filters the query names; unknown parameters are ignored, as the
// service ignores them.
func (res *resource[T, P]) matcher(st *store, q url.Values) (func(*T) bool, fieldErrors) {
	var preds []func(*T) bool
	if v, ok := queryBool(lastValue(q, "is_active")); ok {
		preds = append(preds, func(rec *T) bool { return *P(rec).head().active == v })
	}
	var errs fieldErrors // made at the first refusal: most lists have none
	for name, f := range res.filters {
		if v := lastValue(q, name); v != "" {
			if match, refusal := f(st, v); refusal != "" {
				if errs == nil {
					errs = fieldErrors{}
				}
				errs.add(name, refusal)
			} else {
				preds = append(preds, match)
			}
		}
	}
	if len(preds) == 0 {
		return nil, errs
	}
	return func(rec *T) bool {
		for _, p := range preds {
			if !p(rec) {
				return false
			}
		}
		return true
	}, errs
}

// lastValue is a parameter's last value, the one Django's QueryDict.get returns.
func lastValue(q url.Values, name string) string {
	if vs := q[name]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

// queryBool reads a boolean filter as django-filter does; anything else means "no filter".
func queryBool(v string) (value, ok bool) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// equal is the filter for a string field matched exactly: django-filter's CharFilter,
// whose form field strips the value first (a value of only spaces filters nothing).
func equal[T any](field func(*T) string) filter[T] {
	return func(_ *store, v string) (func(*T) bool, string) {
		v = pyStrip(v)
		if v == "" {
			return func(*T) bool { return true }, ""
		}
		return func(rec *T) bool { return field(rec) == v }, ""
	}
}

package whippywaretest

import (
	"maps"
	"math"
	"net/http"
	"net/url"
	"strconv"
)

// Pagination follows pagination.py PageNumberPagination with page_size_query_param "limit"
// and max_page_size, over Django's Paginator.

// pageRequest is one list request's page (from 1, or last) and page size.
type pageRequest struct {
	number, size int
	last         bool
}

// pageRequest reads page and limit, each from its last value (QueryDict.get): a limit that is
// not a positive integer is the default size, one above the maximum is clamped; a page is a
// positive integer or "last", anything else (empty too, as in DRF 3.14) is refused (404).
func (c *config) pageRequest(q url.Values) (pageRequest, bool) {
	pg := pageRequest{number: 1, size: c.pageSize}
	if n, ok := pyInt(lastValue(q, "limit")); ok && n > 0 {
		pg.size = int(min(n, int64(c.maxPageSize)))
	}
	v := lastValue(q, "page")
	n, isInt := pyInt(v)
	switch {
	case !q.Has("page"):
	case v == "last":
		pg.last = true
	case !isInt || n < 1 || n > int64(math.MaxInt/pg.size):
		return pg, false
	default:
		pg.number = int(n)
	}
	return pg, true
}

// pages is the number of pages count records fill; page 1 always exists.
func (pg pageRequest) pages(count int) int { return max(1, (count+pg.size-1)/pg.size) }

// pageBody is the list envelope.
type pageBody[T any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

// writePage answers one page of count matching records, or 404 "Invalid page." past the end.
// Page 1 always exists, empty when nothing matches. q is the request's query, parsed.
func writePage[T any](w http.ResponseWriter, r *http.Request, q url.Values, pg pageRequest, count int, results []T) {
	pages := pg.pages(count)
	if pg.number > pages {
		writeDetail(w, http.StatusNotFound, msgInvalidPage)
		return
	}
	body := pageBody[T]{Count: count, Results: results}
	if pg.number < pages {
		next := pageURL(r, q, pg.number+1)
		body.Next = &next
	}
	if pg.number > 1 {
		prev := pageURL(r, q, pg.number-1)
		body.Previous = &prev
	}
	writeJSON(w, http.StatusOK, body)
}

// pageURL is the request's absolute URL with the page replaced, keeping every other parameter
// (filters, limit), as DRF's replace_query_param does; page 1 drops the parameter, as DRF's
// remove_query_param does for the previous link of page 2. The host is the one the request
// named, so behind the fake's loopback listener the links point back at it.
func pageURL(r *http.Request, q url.Values, page int) string {
	q = maps.Clone(q)
	if q.Del("page"); page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: q.Encode()}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return u.String()
}

package whippywaretest

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
)

// Pagination follows DRF's PageNumberPagination with page_size_query_param "limit".

// pageRequest is one list request's page number (from 1) and page size.
type pageRequest struct{ number, size int }

// pageRequest reads page and limit. A limit that is not a positive integer means the default
// size, one above the maximum is clamped; a page that is not a positive integer is refused
// (false), which answers 404 "Invalid page." like a page past the end.
func (c *config) pageRequest(q url.Values) (pageRequest, bool) {
	pg := pageRequest{number: 1, size: c.pageSize}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		pg.size = min(n, c.maxPageSize)
	}
	if q.Has("page") {
		n, err := strconv.Atoi(q.Get("page"))
		if err != nil || n < 1 || n > math.MaxInt/pg.size {
			return pg, false
		}
		pg.number = n
	}
	return pg, true
}

// window is the range of matching records, by position, that the page holds.
func (pg pageRequest) window() (start, end int) {
	start = (pg.number - 1) * pg.size
	return start, start + pg.size
}

// pageBody is the list envelope.
type pageBody[T any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

// writePage answers one page of count matching records, or 404 "Invalid page." past the end.
// Page 1 always exists, empty when nothing matches.
func writePage[T any](w http.ResponseWriter, r *http.Request, pg pageRequest, count int, results []T) {
	pages := max(1, (count+pg.size-1)/pg.size)
	if pg.number > pages {
		writeDetail(w, http.StatusNotFound, msgInvalidPage)
		return
	}
	body := pageBody[T]{Count: count, Results: results}
	if pg.number < pages {
		next := pageURL(r, pg.number+1)
		body.Next = &next
	}
	if pg.number > 1 {
		prev := pageURL(r, pg.number-1)
		body.Previous = &prev
	}
	writeJSON(w, http.StatusOK, body)
}

// pageURL is the request's absolute URL with the page replaced, keeping every other parameter
// (filters, limit), as DRF's replace_query_param does; page 1 drops the parameter, as DRF's
// remove_query_param does for the previous link of page 2. The host is the one the request
// named, so behind the fake's loopback listener the links point back at it.
func pageURL(r *http.Request, page int) string {
	q := r.URL.Query()
	if page == 1 {
		q.Del("page")
	} else {
		q.Set("page", strconv.Itoa(page))
	}
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: q.Encode()}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return u.String()
}

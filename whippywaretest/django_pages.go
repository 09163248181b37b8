package whippywaretest

import (
	"fmt"
	"net/http"
	"net/url"
)

// What Django answers outside DRF's views, with DEBUG off.

// Django's own pages: django/views/defaults.py ERROR_PAGE_TEMPLATE for page_not_found and
// server_error.
const (
	djangoNotFoundPage = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n" +
		"<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n"
	djangoServerErrorPage = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Server Error (500)</title>\n" +
		"</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n"
)

var htmlType = []string{"text/html"}

// proxyErrorPage is the page nginx, a usual proxy in front of Django, answers a 5xx with.
func proxyErrorPage(status int) string {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
}

func writeHTML(w http.ResponseWriter, status int, page string) {
	writeBody(w, status, htmlType, []byte(page))
}

// pageNotFound is defaults.py page_not_found, for a path no URL pattern matches.
func pageNotFound(w http.ResponseWriter) { writeHTML(w, http.StatusNotFound, djangoNotFoundPage) }

// serverError is defaults.py server_error, for an unhandled exception.
func serverError(w http.ResponseWriter) {
	writeHTML(w, http.StatusInternalServerError, djangoServerErrorPage)
}

// redirectWithSlash is middleware/common.py CommonMiddleware with APPEND_SLASH: a 301 to the
// path with its slash and the same query, an empty text/html body, for every method (the
// RuntimeError for a POST is DEBUG's only), before any view runs.
func redirectWithSlash(w http.ResponseWriter, r *http.Request) {
	loc := (&url.URL{Path: r.URL.Path + "/", RawQuery: r.URL.RawQuery}).String()
	w.Header()["Location"] = []string{loc}
	writeBody(w, http.StatusMovedPermanently, []string{"text/html; charset=utf-8"}, nil)
}

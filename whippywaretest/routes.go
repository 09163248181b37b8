package whippywaretest

import (
	"net/http"
	"strings"
)

// collections are the resources under /api/v1/, by path segment.
var collections = map[string]endpoint{
	"providers":        providers,
	"stock-locations":  locations,
	"stock-list-rules": rules,
	"stock-lists":      lists,
	"stocks":           stocks,
}

// route dispatches /api/v1/ paths, with or without their trailing slash; anything else is a
// JSON 404.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/")
	rest = strings.TrimSuffix(rest, "/")
	switch {
	case !ok:
	case rest == "auth/login":
		s.login(w, r)
		return
	case rest == "expire-token":
		s.expireToken(w, r)
		return
	default:
		name, id, hasID := strings.Cut(rest, "/")
		if e, known := collections[name]; known && !(hasID && (id == "" || strings.Contains(id, "/"))) {
			e.serve(s, w, r, id)
			return
		}
	}
	notFound(w)
}

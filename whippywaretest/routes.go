package whippywaretest

import (
	"net/http"
	"strings"
)

// collections are the resources under /api/v1/, by path segment, as DefaultRouter registers
// them.
var collections = map[string]endpoint{
	"providers":        providers,
	"stock-locations":  locations,
	"stock-list-rules": rules,
	"stock-lists":      lists,
	"stocks":           stocks,
}

// route dispatches a request as Django's URL resolver behind CommonMiddleware does. A path
// that no pattern matches but would with a trailing slash is redirected there (301, any
// method: DEBUG off), before any view, so nothing is stored; any other unknown path is
// Django's HTML 404 page.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if !strings.HasSuffix(path, "/") {
		if resolve(path + "/").found() {
			redirectWithSlash(w, r)
		} else {
			pageNotFound(w)
		}
		return
	}
	switch t := resolve(path); {
	case t.view != nil:
		t.view(s, w, r)
	case t.collection != nil:
		t.collection.serve(s, w, r, t.id)
	default:
		pageNotFound(w)
	}
}

type handler func(*Server, http.ResponseWriter, *http.Request)

// target is what a URL pattern routes to: a view of its own, or a collection with the id of
// a detail path ("" for the collection's own path).
type target struct {
	view       handler
	collection endpoint
	id         string
	// api is the APIView of a view function's path (a collection's is its own).
	api *view
}

// apiView is the APIView of the path, for what answers before the view (a fault).
func (t target) apiView() *view {
	if t.collection != nil {
		return t.collection.view(t.id != "")
	}
	return t.api
}

func (t target) found() bool { return t.view != nil || t.collection != nil }

// resolve returns the target of the URL pattern path matches, or none. A detail pattern takes
// any id without "/" or "." (DefaultRouter's lookup_value_regex); an id that is no integer is
// then the view's 404.
func resolve(path string) target {
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	if !ok {
		return target{}
	}
	switch rest = strings.TrimSuffix(rest, "/"); rest {
	case "":
		return target{view: (*Server).root, api: rootView}
	case "auth/login":
		return target{view: (*Server).login, api: loginView}
	case "expire-token":
		return target{view: (*Server).expireToken, api: expireTokenView}
	}
	name, id, hasID := strings.Cut(rest, "/")
	e, known := collections[name]
	if !known || (hasID && (id == "" || strings.ContainsAny(id, "/."))) {
		return target{}
	}
	return target{collection: e, id: id}
}

// root is DefaultRouter's API root: a link to each collection.
func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	if !rootView.begin(w, r) || !s.authenticate(w, r) {
		return
	}
	switch viewMethod(r) {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		writeOptions(w, rootView.options)
		return
	default:
		methodNotAllowed(w, r)
		return
	}
	base := "http://" + r.Host + "/api/v1/"
	if r.TLS != nil {
		base = "https://" + r.Host + "/api/v1/"
	}
	var links orderedObject
	for _, name := range []string{"providers", "stock-locations", "stock-list-rules", "stock-lists", "stocks"} {
		links = append(links, member{name, base + name + "/"})
	}
	writeJSON(w, http.StatusOK, links)
}

package whippyware

import (
	"maps"
	"net/http"
	"net/url"

	"github.com/hashicorp/go-retryablehttp"
)

// What one request costs the client besides net/http's own work: send allocates an
// exchange, the request it sends with its header map (a clone of one built per key),
// the header map of the copy it hands back, and a reader of the body when there is
// one; the values of the headers are built once.

// exchange is what one send needs beyond the request it sends and its body's
// reader, in one allocation: the call's state, which is also the context of every
// attempt; go-retryablehttp's wrapper of the request; the Response handed back
// with the copy of its request; and (for the first send of a call) the URL. A
// Response keeps the exchange alive while the caller holds it; send clears what it
// must not keep (the sent request, whose header has the key, and the body, which
// may hold a password). At 696 bytes and the runtime's 8-byte header of a large
// object with pointers it takes the 704-byte size class;
// the first attempt's body reader, a GET's for nothing, is allocated apart.
type exchange struct {
	state    callState
	retry    retryablehttp.Request
	resp     Response
	returned http.Request
	url      url.URL
}

// jsonValue is the value of Accept and Content-Type.
var jsonValue = headerValue("application/json")

// headerValue returns v as a header's values, to be shared by every request that
// sends it: net/http's transports only read a request's header (a RoundTripper
// must not change the request), Header.Set replaces a slice instead of writing
// into it, and the capacity of one makes Header.Add copy it.
func headerValue(v string) []string { return []string{v}[:1:1] }

// headerMaps are the header maps a request starts from, one without a body and one
// with: Accept, User-Agent, Content-Type with a body, and Authorization when there
// is a key. Built once per key and client, they are never written into, only
// cloned: maps.Clone copies a small map's one group of slots as it is, where
// building a map assigns (hashes) each header anew, and net/http's Header.Clone
// does the same plus a copy of every value.
type headerMaps struct{ get, body http.Header }

// newHeaderMaps builds the header maps of the requests with userAgent and, when
// not nil, authorization as values.
func newHeaderMaps(userAgent, authorization []string) *headerMaps {
	get := http.Header{"Accept": jsonValue, "User-Agent": userAgent}
	if authorization != nil {
		get["Authorization"] = authorization
	}
	body := maps.Clone(get)
	body["Content-Type"] = jsonValue
	return &headerMaps{get: get, body: body}
}

// requestHeader returns a new header map for one request: a clone of the header
// maps of held's key, or of the client's without a key when held has none. The
// map is the request's own (a transport may read it after the call, and one that
// breaks the RoundTripper contract may write into it); only the values are shared.
func (c *Client) requestHeader(hasBody bool, held heldKey) http.Header {
	m := held.headers
	if m == nil {
		m = c.anonHeaders
	}
	if hasBody {
		return maps.Clone(m.body)
	}
	return maps.Clone(m.get)
}

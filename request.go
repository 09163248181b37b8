package whippyware

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/hashicorp/go-retryablehttp"
)

// What one request costs the client besides net/http's own work: send allocates an
// exchange, the request it sends with its header map, and the header map of the copy
// it hands back; the values of the headers are built once.

// exchange is what one send needs beyond the request it sends, in one allocation:
// the call's state, which is also the context of every attempt; go-retryablehttp's
// wrapper of the request; the first attempt's body reader; the Response handed
// back with the copy of its request; and (for the first send of a call) the URL. A Response keeps the exchange alive while the
// caller holds it; send clears what it must not keep (the sent request, whose
// header has the key, and the body, which may hold a password).
type exchange struct {
	state    callState
	retry    retryablehttp.Request
	body     bytes.Reader
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

// requestHeader returns a new header map for one request, with the values built
// once: Accept, User-Agent, Content-Type when it has a body, and Authorization when
// held has a key. The map is the request's own (a transport may read it after the
// call); only the values are shared.
func (c *Client) requestHeader(hasBody bool, held heldKey) http.Header {
	h := make(http.Header, 4)
	h["Accept"] = jsonValue
	h["User-Agent"] = c.userAgent
	if hasBody {
		h["Content-Type"] = jsonValue
	}
	if held.header != nil {
		h["Authorization"] = held.header
	}
	return h
}

package whippyware

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// Do sends one request to any endpoint under the base URL, for the endpoints the
// services do not wrap, and decodes a 2xx answer's JSON into out. It takes the
// same path as every service method: the key (a login first if there is none, one
// re-login and resend on a 401), the retry policy of method (GET, HEAD, PUT, DELETE
// and OPTIONS retried after a 5xx or a lost connection, POST, PATCH and any other
// method only after a 429 unless WithCallRetryNonIdempotent or
// WithRetryNonIdempotent allows it), the typed errors, the bounds on bodies and the
// secret handling. callOpts adjust this call alone (see CallOption).
//
// path is relative to the base URL, so API endpoints start with api/v1/
// ("api/v1/stock-imports/"), and may carry a query ("api/v1/x/?page=2"), which is
// sent re-encoded, its keys sorted. A path
// that would leave the base URL is refused with ErrInvalidRequest before anything
// is sent: an absolute URL, one with a host ("//host/x"), a leading "/", a "." or
// ".." segment (escaped too), a backslash, a fragment, or an escaped / (%2F),
// which the client would send as a /. So is a method that is not an
// upper-case HTTP token.
//
// body, when not nil, is sent as JSON (encoding/json): pass a struct, a map or a
// json.RawMessage for bytes already encoded; []byte and io.Reader are refused, as
// JSON would send them as base64 or {}. out, when not nil, must be a non-nil
// pointer; the answer is decoded into it with encoding/json, except a 204's,
// which leaves it as it is. Response is non-nil whenever the service answered.
func (c *Client) Do(ctx context.Context, method, path string, body, out any, callOpts ...CallOption) (*Response, error) {
	if !isToken(method) || strings.ToUpper(method) != method {
		return nil, fmt.Errorf("%w: Do: method %q is not an upper-case HTTP method", ErrInvalidRequest, method)
	}
	ref, err := relativePath(path)
	if err != nil {
		return nil, err
	}
	switch body.(type) {
	case []byte, io.Reader:
		return nil, fmt.Errorf("%w: Do: body %T would not be sent as JSON; pass json.RawMessage for encoded bytes", ErrInvalidRequest, body)
	}
	if v := reflect.ValueOf(out); out != nil && (v.Kind() != reflect.Pointer || v.IsNil()) {
		return nil, fmt.Errorf("%w: Do: out must be a non-nil pointer, not %T", ErrInvalidRequest, out)
	}
	return c.do(ctx, call{method: method, path: ref.Path, query: ref.Query(), body: body, out: out, callOpts: callOpts})
}

// relativePath parses a path given to Do and refuses any that would not resolve
// under the base URL by concatenation (see resolve): the key would go wherever it
// leads.
func relativePath(path string) (*url.URL, error) {
	u, err := url.Parse(path)
	if err != nil {
		u = &url.URL{} // refused by the first check
	}
	_, queryErr := url.ParseQuery(u.RawQuery)
	segments := strings.Split(u.Path, "/")
	for _, check := range []struct {
		bad bool
		why string
	}{
		{err != nil || path == "", "is empty or not a URL path"},
		{u.Scheme != "" || u.Opaque != "", "has a scheme (a colon in the first segment reads as one)"},
		{u.Host != "" || u.User != nil || strings.HasPrefix(path, "//"), "names a host"},
		{strings.HasPrefix(u.Path, "/"), "starts with /, which would leave the base URL's path"},
		{u.Fragment != "" || strings.Contains(path, "#"), "has a fragment, which is never sent"},
		{strings.Contains(u.Path, `\`), "has a backslash, which servers may read as /"},
		// Sent as the client encodes paths, it would become a "/".
		{strings.Contains(strings.ToLower(u.EscapedPath()), "%2f"), "has an escaped /, which the client would send as /"},
		{slices.Contains(segments, ".") || slices.Contains(segments, ".."), "has a dot segment"},
		{queryErr != nil, "has a query that does not parse"},
	} {
		if check.bad {
			return nil, fmt.Errorf("%w: Do: path %q %s; give a path relative to the base URL, such as api/v1/stocks/", ErrInvalidRequest, path, check.why)
		}
	}
	return u, nil
}

// Package whippyware is a client for Akinon's Whippy Ware stock API.
//
// Whippy Ware keeps stock per SKU, provider and location and combines it through
// stock list rules into the stock lists that Omnitron and OMS use. A Client has one
// service per resource (Stocks, StockLists, StockListRules, Providers,
// StockLocations) and an Auth service for login and expire-token.
//
// Every network method takes a context first and returns a *Response whenever the
// server answered, even together with an error. Errors are typed: see APIError,
// ValidationError and the Err sentinels, which work with errors.Is and errors.As.
// Every network method takes per-call options last (CallOption), and Client.Do
// calls the endpoints no service wraps through the same request path.
//
// Endpoints that the public Whippy Ware reference does not document follow the
// Akinon REST convention (Django REST framework): create is POST collection/, read
// is GET collection/{id}/, partial update is PATCH collection/{id}/ and delete is
// DELETE collection/{id}/. Each method's doc comment names its endpoint and says
// whether the reference documents it or it follows the convention.
package whippyware

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Version is the SDK's version, sent in the default User-Agent.
const Version = "0.1.0"

const (
	defaultUserAgent = "whippyware-go/" + Version
	apiPrefix        = "api/v1/"
)

// Client talks to one Whippy Ware service. It is safe for concurrent use; create
// one and share it.
type Client struct {
	baseURL *url.URL // ends in "/", without dot segments: see parseBaseURL
	http    *retryablehttp.Client
	cfg     config // the options; the credentials are the token store's alone
	tokens  *tokenStore
	// tracedTransport is set when the transport is net/http's own, whose trace
	// tells ConnectionError.MaybeSent whether an attempt had a connection.
	tracedTransport bool
	maxBody         int64 // maxResponseBytes, less in tests (32 MiB is slow under -race)

	// Auth logs in and expires keys.
	Auth *AuthService
	// Stocks reads and writes stock per SKU, provider and location.
	Stocks *StocksService
	// StockLists manages the stock lists that tie Omnitron's lists to rules.
	StockLists *StockListsService
	// StockListRules manages the rules that combine stock into stock lists.
	StockListRules *StockListRulesService
	// Providers manages the brand's providers (warehouses or stock sources).
	Providers *ProvidersService
	// StockLocations manages the locations (warehouses, stores) of each provider.
	StockLocations *StockLocationsService
}

// Response wraps the *http.Response of a call. Its body has been read and closed,
// and Body is empty. Request is a copy of the request sent without its
// Authorization header, body and GetBody, so that nothing a call returns holds the
// key or the password.
type Response struct {
	*http.Response
	// Attempts is how many times the request was sent, retries included.
	Attempts int
}

// NewClient returns a client for the Whippy Ware service at baseURL, the backend's
// own host with an optional path prefix (https://stock.example.com or
// https://example.com/whippy/); the client adds api/v1/ to it. A base URL that
// already ends in api/v1/ (https://stock.example.com/api/v1/) means the same
// service: the client takes api/v1/ off, and BaseURL returns what is left.
//
// baseURL must be https unless its host is loopback or WithInsecureHTTP is given:
// the service is HTTPS-only and every call carries a key. NewClient refuses a base
// URL without a scheme (its error says what to type), with user info, a query or
// a fragment (none of which could be kept, and none of which the error repeats), a
// port over 65535, or a path inside the API (…/api/v1/stocks/). Every error it
// returns matches ErrInvalidConfig.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	cfg := defaultConfig // a copy
	if err := apply(&cfg, opts, ErrInvalidConfig, "option"); err != nil {
		return nil, err
	}
	base, err := parseBaseURL(baseURL, cfg.insecureHTTP)
	if err != nil {
		return nil, err
	}
	c := &Client{baseURL: base, tokens: newTokenStore(cfg), maxBody: maxResponseBytes}
	cfg.username, cfg.password, cfg.key = "", "", ""
	c.cfg = cfg
	hc := cfg.httpClient
	if hc == nil {
		hc = newDefaultHTTPClient(cfg.transportTimeouts)
	}
	_, std := hc.Transport.(*http.Transport)
	c.tracedTransport = std || hc.Transport == nil
	c.http = newRetryableClient(guardHTTPClient(hc, base), cfg.retry, cfg.logger)
	c.Auth = &AuthService{client: c}
	c.initServices()
	return c, nil
}

// BaseURL returns the base URL the client resolves every path against.
func (c *Client) BaseURL() string { return c.baseURL.String() }

// String describes the client without its password or key.
func (c *Client) String() string {
	return fmt.Sprintf("whippyware.Client{base: %s, auth: %s}", c.baseURL, c.tokens)
}

// Format makes every fmt verb print String, so that %+v and %#v cannot reach the
// credentials held inside.
func (c *Client) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// call is one logical API call: what to send, and where to decode the answer.
type call struct {
	method string
	path   string     // relative to the base URL, e.g. "api/v1/providers/"
	id     int64      // above 0: the call is to the item {id}/ under path
	query  url.Values // may be nil
	body   any        // marshalled to JSON once; nil sends no body
	out    any        // decoded from a 2xx answer; nil discards it
	// login marks the login itself: it carries no key, and its answer, which
	// holds one, is never quoted in an error.
	login bool
	// repeatable marks a request that is safe to resend whatever its method
	// (login, expire-token): retried as a GET is.
	repeatable bool
	callOpts   []CallOption // the caller's; do applies them to opts
	opts       callOptions
}

// do is the one request path: it builds the request, takes a key (logging in
// first when there is none), sends it with retries, logs in again once on a 401
// when it can, and decodes the answer or turns it into a typed error.
func (c *Client) do(ctx context.Context, cl call) (*Response, error) {
	cl.opts = callOptions{retryMax: c.cfg.retry.max}
	err := apply(&cl.opts, cl.callOpts, ErrInvalidRequest, "call option")
	if err != nil {
		return nil, err
	}
	for _, timeout := range []time.Duration{c.cfg.timeout, cl.opts.timeout} {
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
	}
	u := c.resolve(cl.path, cl.id, cl.query)
	var payload any // nil, not an empty []byte, sends no body
	if cl.body != nil {
		data, err := json.Marshal(cl.body)
		if err != nil {
			return nil, fmt.Errorf("%w: encoding %s %s body: %w", ErrInvalidRequest, cl.method, u, err)
		}
		payload = data // each attempt gets a fresh reader and Content-Length
	}
	held := c.tokens.get()
	if cl.login {
		held = heldKey{} // the login is the one call that carries no key
	} else if held.key == "" { // no key yet: log in first
		var loginResp *Response
		if held, loginResp, err = c.tokens.refresh(ctx, c, held.gen); err != nil {
			return loginResp, err // the login's answer, when the service gave one
		}
	}
	resp, body, err := c.send(ctx, cl, u, payload, held)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && !cl.login && c.tokens.mayLoginAgain() {
		held, resp, body, err = c.loginAndResend(ctx, cl, u, payload, held, resp)
	}
	if err != nil {
		return resp, err
	}
	if resp.StatusCode >= 300 {
		return resp, newResponseError(cl.method, u, resp.Response, resp.Attempts, c.tokens.redact(body, held))
	}
	return resp, c.decodeAnswer(cl, u, resp, body, held)
}

// doInto is do for a call that answers a V: it returns a new V decoded from the
// answer, or nil with the error.
func doInto[V any](ctx context.Context, c *Client, cl call) (*V, *Response, error) {
	out := new(V)
	cl.out = out
	resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// loginAndResend gets a key newer than held (one login for every call that got
// a 401 with it) and sends the call once more. A 401 to the fresh key starts the
// cool-down; the attempts of the answer that returns count the 401's too.
func (c *Client) loginAndResend(ctx context.Context, cl call, u *url.URL, payload any, held heldKey, refused *Response) (heldKey, *Response, []byte, error) {
	fresh, loginResp, err := c.tokens.refresh(ctx, c, held.gen)
	if err != nil {
		return held, cmp.Or(loginResp, refused), nil, err
	}
	resp, body, err := c.send(ctx, cl, u, payload, fresh)
	var connErr *ConnectionError
	switch {
	case resp != nil:
		resp.Attempts += refused.Attempts
		if resp.StatusCode == http.StatusUnauthorized {
			c.tokens.startCooldown()
		}
	case errors.As(err, &connErr):
		connErr.Attempts += refused.Attempts
	}
	return fresh, resp, body, err
}

// resolve returns the URL of path (relative, without dot segments), or of its
// item id/ when id is above 0, under the base URL, with query sorted by key. The
// base path ends in "/" and has no dot segments, so a concatenation is what
// ResolveReference would give.
func (c *Client) resolve(path string, id int64, query url.Values) *url.URL {
	u := *c.baseURL
	u.Path += path
	if id > 0 {
		u.Path += strconv.FormatInt(id, 10) + "/"
	}
	u.RawQuery = query.Encode()
	return &u
}

// Ptr returns a pointer to v, for the optional fields of update requests and list
// options: Ptr("Main warehouse"), Ptr(true).
func Ptr[T any](v T) *T { return &v }

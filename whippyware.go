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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	policy  retryPolicy
	timeout time.Duration
	logger  *slog.Logger
	tokens  *tokenStore
	// anonHeaders are the header maps of a request sent without a key (the login).
	anonHeaders *headerMaps
	// tracedTransport is set when the transport is net/http's own (the default
	// client's, or a caller's *http.Transport): its trace tells whether an attempt
	// had a connection, which ConnectionError.MaybeSent reports.
	tracedTransport bool
	// maxBody bounds a successful response body: maxResponseBytes, or less in the
	// tests, which would otherwise read 32 MiB (slow under -race) to reach it.
	maxBody int64

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
// URL with user info, a query or a fragment (none of which could be kept), a port
// over 65535, or a path inside the API (…/api/v1/stocks/). Every error it
// returns matches ErrInvalidConfig.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for i, opt := range opts {
		if opt == nil {
			return nil, invalid("option %d is nil", i+1)
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	base, err := parseBaseURL(baseURL, cfg.insecureHTTP)
	if err != nil {
		return nil, err
	}
	c := &Client{
		baseURL: base,
		policy:  cfg.retry,
		timeout: cfg.timeout,
		logger:  cfg.logger,
		maxBody: maxResponseBytes,
	}
	// The User-Agent value is one slice, shared by every request (see requestHeader).
	userAgent := headerValue(cfg.userAgent)
	c.tokens = newTokenStore(cfg.username, cfg.password, cfg.key, userAgent, cfg.loginTimeout, cfg.keyHook)
	c.anonHeaders = newHeaderMaps(userAgent, nil)
	hc := cfg.httpClient
	if hc == nil {
		hc = newDefaultHTTPClient(cfg.transportTimeouts)
	}
	switch hc.Transport.(type) {
	case nil, *http.Transport:
		c.tracedTransport = true
	}
	c.http = newRetryableClient(guardHTTPClient(hc, base), cfg.retry, c.logger)
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

// service is what every resource service shares: the client that sends requests.
type service struct{ client *Client }

func parseBaseURL(raw string, insecureHTTP bool) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, invalid("base URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // without the URL, which may hold a password
		}
		return nil, invalid("base URL: %v", err)
	}
	if u.User != nil {
		// Checked first: every message below quotes the URL.
		return nil, invalid("base URL must not carry credentials; use WithCredentials")
	}
	if u.Host == "" {
		return nil, invalid("base URL %q has no host", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !insecureHTTP && !isLoopback(u.Hostname()) {
			return nil, invalid("base URL %q is plain http to a non-loopback host; the service is HTTPS-only (WithInsecureHTTP overrides)", raw)
		}
	default:
		return nil, invalid("base URL %q must be https", raw)
	}
	if port := u.Port(); port != "" {
		// Port 0 stays allowed: it names no server, so an in-process transport's
		// URL uses it (whippywaretest.WithoutListener).
		if n, err := strconv.Atoi(port); err != nil || n > 65535 {
			return nil, invalid("base URL %q: port %s is not between 0 and 65535", raw, port)
		}
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		// Every call builds its own query, so these would be dropped silently.
		return nil, invalid("base URL %q has a query or fragment, which the client cannot send; pass the host and path prefix only", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		// Without the slash, a relative path would replace the prefix's last segment.
		u.Path += "/"
	}
	u.RawPath = ""
	// Dot segments resolved once here make every call's URL a concatenation (see
	// resolve), which costs a fraction of ResolveReference.
	u = u.ResolveReference(&url.URL{})
	if prefix, ok := strings.CutSuffix(u.Path, "/"+apiPrefix); ok {
		u.Path = prefix + "/" // the client adds api/v1/ itself
	}
	if strings.Contains(u.Path, "/"+apiPrefix) {
		return nil, invalid("base URL %q points inside the API; pass the host and path prefix before api/v1/", raw)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// call is one logical API call: what to send, and where to decode the answer.
type call struct {
	method string
	path   string     // relative to the base URL, e.g. "api/v1/providers/"
	id     int64      // above 0: the call is to the item {id}/ under path
	query  url.Values // may be nil
	body   any        // marshalled to JSON once; nil sends no body
	out    any        // decoded from a 2xx answer; nil discards it
	fresh  bool       // out points to a zero value the client made (see unmarshalAnswer)
	anon   bool       // true for login, which must not carry a key
	// secret is what the body carries that must not come back (the login's
	// password): redacted from error bodies; and the answer, which holds a key, is
	// never quoted.
	secret string
	// repeatable marks a request that is safe to resend whatever its method
	// (login, expire-token): retried as a GET is.
	repeatable bool
	opts       callOptions // the caller's CallOptions for this call
}

// do is the one request path: it builds, authenticates, sends (with retries), logs
// in again once on a 401 when it can, decodes and maps errors.
func (c *Client) do(ctx context.Context, cl call) (*Response, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	if cl.opts.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cl.opts.timeout)
		defer cancel()
	}
	// The call's exchange (see send) also holds its URL: one allocation less.
	ex := new(exchange)
	u := c.resolve(&ex.url, cl.path, cl.id, encodeQuery(cl.query))
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("%w: encoding %s %s body: %w", ErrInvalidRequest, cl.method, u.String(), err)
		}
	}
	var held heldKey
	if !cl.anon {
		var loginResp *Response
		var err error
		if held, loginResp, err = c.tokens.current(ctx, c); err != nil {
			return loginResp, err // the login's answer, when the service gave one
		}
	}
	resp, body, err := c.send(ctx, ex, cl, u, payload, held)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && !cl.anon && c.tokens.canLogin() {
		// The key expired or was withdrawn: one fresh login, then one resend.
		body.release()
		fresh, loginResp, lerr := c.tokens.refresh(ctx, c, held.gen)
		if lerr != nil {
			if loginResp == nil {
				loginResp = resp
			}
			return loginResp, lerr
		}
		sent := resp.Attempts
		held = fresh
		resp, body, err = c.send(ctx, new(exchange), cl, u, payload, held)
		var connErr *ConnectionError
		switch { // the 401 answered attempts too
		case resp != nil:
			resp.Attempts += sent
		case errors.As(err, &connErr):
			connErr.Attempts += sent
		}
	}
	// The body's buffer goes back to the pool once the answer is decoded or its
	// error built: both copy what they keep (see body.go).
	defer body.release()
	if err != nil {
		return resp, err
	}
	if resp.StatusCode >= 300 {
		return resp, newResponseError(cl.method, u, resp.Response, resp.Attempts, redact(body.b, held.key, cl.secret))
	}
	return resp, decodeAnswer(cl, u, resp, body.b, held.key)
}

// resolve sets u to the URL of path (relative, without dot segments: the services'
// own paths), or of its item id/ when id is above 0, with rawQuery under the base
// URL, what ResolveReference gives, since the base path ends in "/" and has no dot
// segments; it returns u. The path is one concatenation, whatever the id.
func (c *Client) resolve(u *url.URL, path string, id int64, rawQuery string) *url.URL {
	b := c.baseURL
	var full string
	if id > 0 {
		var digits [20]byte
		full = b.Path + path + string(strconv.AppendInt(digits[:0], id, 10)) + "/"
	} else {
		full = b.Path + path
	}
	*u = url.URL{Scheme: b.Scheme, Host: b.Host, Path: full, RawQuery: rawQuery}
	return u
}

// send sends one request through go-retryablehttp and reads its answer's body
// within bounds, into a pooled buffer the caller releases (nil when there is no
// body). The *Response is nil only when no answer came, and the error is then a
// *ConnectionError.
//
// It builds the *http.Request itself rather than through http.NewRequest or
// go-retryablehttp's NewRequest: u is already parsed (NewRequest would print and
// parse it again), the headers share values built once (requestHeader), and the
// body is one reader over the payload, without go-retryablehttp's rewindable
// wrapper (prepareRetry gives a retry a fresh reader; GetBody, which net/http needs
// to resend a body on a redirect, is the request's one closure). What the call
// needs besides is ex, new for each send, the body's reader and GetBody when there
// is a body.
func (c *Client) send(ctx context.Context, ex *exchange, cl call, u *url.URL, payload []byte, held heldKey) (*Response, *bodyBuffer, error) {
	method := cl.method
	state := &ex.state
	c.policy.initCallState(state, cl)
	state.traced = c.tracedTransport
	state.payload = payload
	ctx = withCallState(ctx, state)
	tmpl := http.Request{
		Method: method, URL: u, Host: strings.TrimSuffix(u.Host, ":"),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: c.requestHeader(payload != nil, held),
	}
	if payload != nil {
		// io.NopCloser over a *bytes.Reader, a body net/http knows is in memory: it
		// then writes the headers and the body in one go, where another reader type
		// costs a flush (a packet) of its own. The reader is the request's own, not
		// in ex (a GET would carry it for nothing), and never reset after Do: the
		// transport may still be reading it (HTTP/2 writes a body on a goroutine of
		// its own, and an early answer can return first). Nothing returned refers to it.
		tmpl.Body, tmpl.ContentLength = io.NopCloser(bytes.NewReader(payload)), int64(len(payload))
		tmpl.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(payload)), nil }
	}
	for name, values := range cl.opts.header {
		tmpl.Header[name] = values // WithHeader refuses the headers requestHeader sets but User-Agent
	}
	ex.retry.Request = tmpl.WithContext(ctx)
	var start time.Time
	if c.logger != nil {
		start = time.Now() // only the debug line needs how long the call took
	}
	httpResp, err := c.http.Do(&ex.retry)
	// The key (the sent request's header) and the body (a login's holds the
	// password) stay out of what the Response keeps alive.
	ex.retry.Request, state.payload = nil, nil
	attempts := int(state.attempts)
	if err != nil {
		if httpResp != nil {
			httpResp.Body.Close() // an answer that came with an error (the context ended) is not read
		}
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%v)", ctxErr, err)
		}
		connErr := &ConnectionError{Method: method, URL: u.String(), Attempts: attempts, MaybeSent: state.maybeSent.Load(), Err: err}
		c.log(ctx, "whippyware request failed", method, u, 0, attempts, start, connErr)
		return nil, nil, connErr
	}
	limit := c.maxBody
	if httpResp.StatusCode >= 300 {
		limit = maxErrorBodyBytes
	}
	body, err := readBody(httpResp.Body, httpResp.ContentLength, limit)
	httpResp.Body.Close()
	ex.resp = Response{Response: withoutSecrets(httpResp, &ex.returned), Attempts: attempts}
	resp := &ex.resp
	switch {
	case errors.Is(err, errBodyTooLarge) && httpResp.StatusCode >= 300:
		err = nil // an error body is only read for its message
	case errors.Is(err, errBodyTooLarge):
		err = fmt.Errorf("%w: %s %s answered more than %d bytes", ErrUnexpectedResponse, method, u.String(), limit)
	case err != nil:
		err = fmt.Errorf("%w: reading %s %s (status %d): %w", ErrUnexpectedResponse, method, u.String(), httpResp.StatusCode, err)
	}
	c.log(ctx, "whippyware request", method, u, httpResp.StatusCode, attempts, start, err)
	if err != nil {
		body.release()
		return resp, nil, err
	}
	return resp, body, nil
}

// log writes one debug line per call; it never logs headers, so neither the key
// nor the password can reach it.
func (c *Client) log(ctx context.Context, msg, method string, u *url.URL, status, attempts int, start time.Time, err error) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("url", u.String()),
		slog.Int("attempts", attempts),
		slog.Duration("took", time.Since(start)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
}

// Ptr returns a pointer to v, for the optional fields of update requests and list
// options: Ptr("Main warehouse"), Ptr(true).
func Ptr[T any](v T) *T { return &v }

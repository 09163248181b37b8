package whippyware

import (
	"cmp"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// transportTimeouts bounds each stage of one attempt on the default transport. The
// whole call is bounded by WithTimeout and the caller's context.
type transportTimeouts struct {
	dial, tlsHandshake, responseHeader, idle time.Duration
	// attempt bounds one attempt from its start to the end of its body: a server
	// that sends the headers and then stalls would otherwise hold the call for ever.
	attempt time.Duration
}

// defaultTimeouts are the default transport's, each from where the comment says.
var defaultTimeouts = transportTimeouts{
	dial:           30 * time.Second, // net/http's DefaultTransport and the AWS SDK's
	tlsHandshake:   10 * time.Second, // the same in both
	responseHeader: 60 * time.Second, // nginx's proxy_read_timeout: a proxy in front answers 504 by then
	idle:           90 * time.Second, // the same in both
	attempt:        80 * time.Second, // stripe-go's bound on a whole request, above responseHeader
}

// idleConnsPerHost keeps a connection per goroutine for up to this many
// goroutines sharing a client; net/http keeps 2, so a busier client closed and
// reopened connections (a TLS handshake each) on nearly every call.
const idleConnsPerHost = 100

// newDefaultHTTPClient is the client used when the caller passes none: a transport
// of its own with bounded stages and a pool sized for concurrent use, following no
// redirect (a 3xx comes back as an *APIError).
func newDefaultHTTPClient(t transportTimeouts) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: t.dial, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   t.tlsHandshake,
			ResponseHeaderTimeout: t.responseHeader,
			IdleConnTimeout:       t.idle,
			MaxIdleConns:          idleConnsPerHost,
			MaxIdleConnsPerHost:   idleConnsPerHost,
			ExpectContinueTimeout: time.Second,
		},
		// A redirect within the service would still turn a POST into a GET (302)
		// or resend a body; the API never redirects, so none is followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		// Each attempt, body included: go-retryablehttp sends each through Do.
		Timeout: t.attempt,
	}
}

// guardHTTPClient returns a shallow copy of hc, which is never modified, that
//   - follows no redirect to a scheme, host or port other than base's, whatever hc's
//     CheckRedirect says: it would take the key (a header) or the password (a
//     login's body) there, and an answer from there is not the service's;
//   - does not pass CloseIdleConnections on to hc's transport: go-retryablehttp
//     calls it whenever one call gives up (retries exhausted or context ended),
//     which would close the idle connections every other call is about to reuse.
func guardHTTPClient(hc *http.Client, base *url.URL) *http.Client {
	guarded := *hc
	guarded.Transport = keepIdleConns{cmp.Or(hc.Transport, http.DefaultTransport)}
	next := hc.CheckRedirect
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, base) {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects") // net/http's rule when CheckRedirect is nil
		}
		return nil
	}
	return &guarded
}

// keepIdleConns is a RoundTripper without CloseIdleConnections (see guardHTTPClient).
type keepIdleConns struct{ http.RoundTripper }

// sameOrigin reports whether u has base's scheme, host and port.
func sameOrigin(u, base *url.URL) bool {
	defaultPort := "443"
	if strings.EqualFold(base.Scheme, "http") {
		defaultPort = "80"
	}
	return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Hostname(), base.Hostname()) &&
		cmp.Or(u.Port(), defaultPort) == cmp.Or(base.Port(), defaultPort)
}

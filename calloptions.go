package whippyware

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// CallOption adjusts one call: every service method, Auth.Logout and Client.Do
// take them last. They apply to that call's own requests (its retries and the
// resend after a re-login included) and to no other call; the login a call waits
// for is shared with every other call, so it gets none of them, and Auth.Login,
// which makes or joins that shared login, takes none. A bad option is
// ErrInvalidRequest, and the call sends nothing.
type CallOption func(*callOptions) error

// callOptions is what a call's options asked for; the zero value asks for nothing.
type callOptions struct {
	header  http.Header   // added to each request; nil when none
	timeout time.Duration // 0: only WithTimeout and the context bound the call
	// retryMax is the client's WithRetryMax unless WithCallRetryMax replaced it.
	retryMax int
	// retryNonIdempotent lets this call's POST or PATCH be retried as a GET is.
	retryNonIdempotent bool
}

// reservedHeaders are the headers WithHeader refuses: the client sets them from
// its own state (the key, the JSON body, the JSON it decodes) and net/http from the
// request, so a per-call value would either be ignored or break the call.
var reservedHeaders = []string{"Authorization", "Content-Type", "Accept", "Accept-Encoding", "Content-Length", "Host", "Transfer-Encoding"}

// WithHeader adds a header to this call's requests, after the client's own, so
// that it can replace User-Agent but no header the client derives from its state:
// Authorization (the client owns the key, and re-logs in with it), Content-Type
// and Accept (bodies are JSON both ways), Accept-Encoding (net/http asks for gzip
// and unpacks the answer only when the request does not set it), Content-Length,
// Host and Transfer-Encoding (net/http's) are refused with ErrInvalidRequest, as are a name
// that is not an HTTP token and a value with a line break. Given twice for one
// name, both values are sent. The value is never logged, but it is kept in
// Response.Request like every header but Authorization: pass no secret you would
// not hand to the code that reads the response.
func WithHeader(name, value string) CallOption {
	return func(o *callOptions) error {
		if !isToken(name) {
			return fmt.Errorf("%w: WithHeader: %q is not a header name", ErrInvalidRequest, name)
		}
		if canonical := http.CanonicalHeaderKey(name); slices.Contains(reservedHeaders, canonical) {
			return fmt.Errorf("%w: WithHeader: the client sets %s itself", ErrInvalidRequest, canonical)
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			return fmt.Errorf("%w: WithHeader: the value of %s has a line break or NUL", ErrInvalidRequest, name)
		}
		if o.header == nil {
			o.header = http.Header{}
		}
		o.header.Add(name, value)
		return nil
	}
}

// WithCallTimeout bounds this call as a whole (retries, backoff and the wait for
// a login included), within the client's WithTimeout and the context: the
// earliest bound wins. It must be above zero.
func WithCallTimeout(d time.Duration) CallOption {
	return option(d <= 0, fmt.Errorf("%w: WithCallTimeout needs a duration above zero, not %s", ErrInvalidRequest, d),
		func(o *callOptions) { o.timeout = d })
}

// WithCallRetryMax sets how many times this call's failed attempts may be
// retried, in place of the client's WithRetryMax; 0 sends each request once (see
// WithoutCallRetries). Which answers are retried does not change.
func WithCallRetryMax(n int) CallOption {
	return option(n < 0, fmt.Errorf("%w: WithCallRetryMax needs zero or more, not %d", ErrInvalidRequest, n),
		func(o *callOptions) { o.retryMax = n })
}

// WithoutCallRetries sends this call's requests once each: for a caller that must
// not wait, or that handles failures itself.
func WithoutCallRetries() CallOption { return WithCallRetryMax(0) }

// WithCallRetryNonIdempotent lets this call's POST or PATCH be retried after a 5xx
// answer or a connection error, as WithRetryNonIdempotent does for every call. Give
// it only to a request the caller knows is safe to apply twice: the service has no
// idempotency key.
func WithCallRetryNonIdempotent() CallOption {
	return option(false, nil, func(o *callOptions) { o.retryNonIdempotent = true })
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2): a valid method or
// header name.
func isToken(s string) bool {
	const tchar = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	return s != "" && strings.Trim(s, tchar) == "" // Trim stops at the first character not in tchar
}

package whippyware

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Option configures a Client. Options check their arguments: NewClient returns the
// first option's error, which matches ErrInvalidConfig.
type Option func(*config) error

type config struct {
	username, password string
	key                string
	httpClient         *http.Client
	timeout            time.Duration
	userAgent          string
	retry              retryPolicy
	logger             *slog.Logger
	insecureHTTP       bool
	loginTimeout       time.Duration
	keyHook            func(KeyEvent)
	transportTimeouts  transportTimeouts // of the default client; only tests change them
}

var defaultConfig = config{
	userAgent:         defaultUserAgent,
	loginTimeout:      time.Minute,
	transportTimeouts: defaultTimeouts,
	retry: retryPolicy{
		max:     3,
		minWait: 500 * time.Millisecond,
		maxWait: 30 * time.Second,
	},
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}

// option is the shape of every Option and CallOption: it fails with refusal when
// its argument is bad, and applies set otherwise.
func option[T any](bad bool, refusal error, set func(*T)) func(*T) error {
	return func(t *T) error {
		if bad {
			return refusal
		}
		set(t)
		return nil
	}
}

// apply applies opts to t in order, stopping at a nil option (an error that
// matches sentinel) or the first option that refuses its argument.
func apply[T any, O ~func(*T) error](t *T, opts []O, sentinel error, kind string) error {
	for i, opt := range opts {
		if opt == nil {
			return fmt.Errorf("%w: %s %d is nil", sentinel, kind, i+1)
		}
		if err := opt(t); err != nil {
			return err
		}
	}
	return nil
}

// WithCredentials sets the Omnitron user name and password the client logs in with.
// The client logs in on its first call, and once more when a key stops working.
// When the service refuses a key a login has just given, the client logs in no
// more on a 401 for 10 seconds: each 401 comes back as ErrUnauthorized, where a
// loop of calls would otherwise log in on every call. Auth.Login ends the pause.
func WithCredentials(username, password string) Option {
	return option(strings.TrimSpace(username) == "" || password == "", invalid("WithCredentials needs a user name and a password"),
		func(c *config) { c.username, c.password = username, password })
}

// WithKey sets a key obtained earlier (from Auth.Key or elsewhere). With
// WithCredentials too, the key is used until it stops working, then the client logs
// in; alone, a 401 is returned as ErrUnauthorized.
func WithKey(key string) Option {
	return option(strings.TrimSpace(key) == "", invalid("WithKey needs a non-empty key"), func(c *config) { c.key = key })
}

// WithHTTPClient sets the *http.Client that sends each attempt, for a proxy, TLS
// settings or a transport of your own; hc itself is never modified. The client
// sends through a shallow copy of it that differs in two ways: a redirect to any
// scheme, host or port other than the base URL's is not followed, whatever hc's
// CheckRedirect says (it would take the key, or a login's password, there; the 3xx
// comes back as an *APIError), and the CloseIdleConnections that go-retryablehttp
// calls when one call gives up does not reach hc's transport, so the other calls
// keep their connections. Unlike the default client, hc's transport timeouts and
// pool size are hc's own.
func WithHTTPClient(hc *http.Client) Option {
	return option(hc == nil, invalid("WithHTTPClient needs a non-nil *http.Client"), func(c *config) { c.httpClient = hc })
}

// WithTimeout bounds each call as a whole, retries and backoff included. Zero, the
// default, leaves the bound to the caller's context; the default client bounds each
// attempt anyway: 30 s to connect, 10 s for the TLS handshake, 60 s to the
// answer's headers, 80 s in all.
func WithTimeout(d time.Duration) Option {
	return option(d < 0, invalid("WithTimeout needs a duration of zero or more, not %s", d), func(c *config) { c.timeout = d })
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return option(strings.TrimSpace(ua) == "", invalid("WithUserAgent needs a non-empty value"), func(c *config) { c.userAgent = ua })
}

// WithRetryMax sets how many times a failed attempt may be retried (default 3).
func WithRetryMax(n int) Option {
	return option(n < 0, invalid("WithRetryMax needs zero or more, not %d", n), func(c *config) { c.retry.max = n })
}

// WithRetryWait sets the shortest and longest wait between attempts (defaults
// 500ms and 30s). The longest wait also caps a server's Retry-After.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return option(minWait < 0 || maxWait < minWait, invalid("WithRetryWait needs 0 <= min <= max, not %s and %s", minWait, maxWait),
		func(c *config) { c.retry.minWait, c.retry.maxWait = minWait, maxWait })
}

// WithRetryNonIdempotent lets POST and PATCH be retried after a 5xx answer or a connection
// error. Off by default: the service has no idempotency key, so a retried create
// can create twice. A 429 is retried for every method, since the service did not
// process the request.
func WithRetryNonIdempotent() Option {
	return option(false, nil, func(c *config) { c.retry.writes = true })
}

// WithoutRetries sends every request once.
func WithoutRetries() Option { return WithRetryMax(0) }

// WithLogger sets the logger for debug lines: one per call (method, URL, status or
// error, attempts, time) and one per retry ("whippyware retry", with the attempt's
// number). No logger is the default; headers, keys and passwords are never logged.
func WithLogger(l *slog.Logger) Option {
	return option(l == nil, invalid("WithLogger needs a non-nil *slog.Logger"), func(c *config) { c.logger = l })
}

// WithLoginTimeout bounds each login the client makes, retries included (default 1
// minute). A login is shared by every call that needs a key meanwhile and runs
// detached from their contexts: each stops waiting when its own context ends, and
// the login goes on for the rest. Only this bound ends it.
func WithLoginTimeout(d time.Duration) Option {
	return option(d <= 0, invalid("WithLoginTimeout needs a duration above zero, not %s", d), func(c *config) { c.loginTimeout = d })
}

// WithInsecureHTTP allows a plain http:// base URL to a host that is not loopback,
// for a test service behind a trusted network. Keys then travel unencrypted.
func WithInsecureHTTP() Option {
	return option(false, nil, func(c *config) { c.insecureHTTP = true })
}

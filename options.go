package whippyware

import (
	"errors"
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
}

func defaultConfig() config {
	return config{
		userAgent: defaultUserAgent,
		retry: retryPolicy{
			max:     3,
			minWait: 500 * time.Millisecond,
			maxWait: 30 * time.Second,
		},
	}
}

// ErrInvalidConfig is matched by every error NewClient returns for a bad base URL
// or option.
var ErrInvalidConfig = errors.New("whippyware: invalid configuration")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}

// WithCredentials sets the Omnitron user name and password the client logs in with.
// The client logs in on its first call, and once more when a key stops working.
func WithCredentials(username, password string) Option {
	return func(c *config) error {
		if strings.TrimSpace(username) == "" || password == "" {
			return invalid("WithCredentials needs a user name and a password")
		}
		c.username, c.password = username, password
		return nil
	}
}

// WithKey sets a key obtained earlier (from Auth.Key or elsewhere). With
// WithCredentials too, the key is used until it stops working, then the client logs
// in; alone, a 401 is returned as ErrUnauthorized.
func WithKey(key string) Option {
	return func(c *config) error {
		if strings.TrimSpace(key) == "" {
			return invalid("WithKey needs a non-empty key")
		}
		c.key = key
		return nil
	}
}

// WithHTTPClient sets the *http.Client that sends each attempt. The client is used
// as it is, never replaced or reconfigured, so its transport, proxy and TLS settings
// hold. Two things to know: after a call's last attempt go-retryablehttp closes the
// client's idle connections; and a client that follows redirects would resend a
// request's body, a login's password included, to the host a redirect names: set
// CheckRedirect to return http.ErrUseLastResponse, as the default client does.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return invalid("WithHTTPClient needs a non-nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each call as a whole, retries and backoff included. Zero, the
// default, leaves the bound to the caller's context.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalid("WithTimeout needs a duration of zero or more, not %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if strings.TrimSpace(ua) == "" {
			return invalid("WithUserAgent needs a non-empty value")
		}
		c.userAgent = ua
		return nil
	}
}

// WithRetryMax sets how many times a failed attempt may be retried (default 3).
func WithRetryMax(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return invalid("WithRetryMax needs zero or more, not %d", n)
		}
		c.retry.max = n
		return nil
	}
}

// WithRetryWait sets the shortest and longest wait between attempts (defaults
// 500ms and 30s). The longest wait also caps a server's Retry-After.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return func(c *config) error {
		if minWait < 0 || maxWait < minWait {
			return invalid("WithRetryWait needs 0 <= min <= max, not %s and %s", minWait, maxWait)
		}
		c.retry.minWait, c.retry.maxWait = minWait, maxWait
		return nil
	}
}

// WithRetryNonIdempotent lets POST and PATCH be retried after a 5xx answer or a connection
// error. Off by default: the service has no idempotency key, so a retried create
// can create twice. A 429 is retried for every method, since the service did not
// process the request.
func WithRetryNonIdempotent() Option {
	return func(c *config) error {
		c.retry.writes = true
		return nil
	}
}

// WithoutRetries sends every request once.
func WithoutRetries() Option { return WithRetryMax(0) }

// WithLogger sets the logger for one debug line per call (method, URL, status,
// attempts, time). No logger is the default; headers, keys and passwords are never
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return invalid("WithLogger needs a non-nil *slog.Logger")
		}
		c.logger = l
		return nil
	}
}

// WithInsecureHTTP allows a plain http:// base URL to a host that is not loopback,
// for a test service behind a trusted network. Keys then travel unencrypted.
func WithInsecureHTTP() Option {
	return func(c *config) error {
		c.insecureHTTP = true
		return nil
	}
}

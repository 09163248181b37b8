package whippyware

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Sentinels for errors.Is. An *APIError matches the one for its status; a
// *ValidationError also matches ErrValidation.
var (
	// ErrValidation is a 400: malformed or missing parameters (see ValidationError).
	ErrValidation = errors.New("whippyware: validation failed")
	// ErrUnauthorized is a 401: no key, or one the service no longer accepts.
	ErrUnauthorized = errors.New("whippyware: unauthorized")
	// ErrNotFound is a 404: an unknown id, or a page past the end.
	ErrNotFound = errors.New("whippyware: not found")
	// ErrRateLimited is a 429 that outlasted the retries; APIError.RetryAfter says
	// how long the service asked to wait.
	ErrRateLimited = errors.New("whippyware: rate limited")
	// ErrServer is a 5xx, from the service or a proxy in front of it.
	ErrServer = errors.New("whippyware: server error")
	// ErrNoCredentials means a call needs a key and the client has neither a key
	// nor credentials to log in with. Nothing was sent.
	ErrNoCredentials = errors.New("whippyware: no credentials: use WithCredentials or WithKey")
	// ErrInvalidCredentials is a login refused for a wrong user name or password.
	ErrInvalidCredentials = errors.New("whippyware: invalid user name or password")
	// ErrUnexpectedResponse is an answer the client cannot read or must not take:
	// a 2xx that is not the JSON expected, a truncated body, one over the size
	// limit, a record without an id, a page without results, a login answer
	// without a key, or (in All) a next link to any page but the following one.
	ErrUnexpectedResponse = errors.New("whippyware: unexpected response")
	// ErrConnection is matched by every *ConnectionError: a request that got no
	// answer.
	ErrConnection = errors.New("whippyware: no answer")
	// ErrInvalidRequest is a call the client refuses before sending anything: a
	// nil request, an id below 1, a page or limit below zero, options or a body
	// it cannot encode, a bad CallOption, a path or method Client.Do refuses.
	ErrInvalidRequest = errors.New("whippyware: invalid request")
	// ErrInvalidConfig is matched by every error NewClient returns for a bad base URL
	// or option.
	ErrInvalidConfig = errors.New("whippyware: invalid configuration")
)

const (
	// maxResponseBytes bounds a successful response body: a page of 1,000 stocks is
	// well under 1 MiB, so anything near this limit is not a Whippy Ware answer.
	maxResponseBytes  = 32 << 20
	maxErrorBodyBytes = 1 << 20 // how much of an error body is read
	maxKeptBodyBytes  = 4 << 10 // how much of it an APIError keeps
	snippetBytes      = 200
)

// APIError is an answer with a status of 300 or more. Every error the client
// returns for such an answer is, or unwraps to, an *APIError.
type APIError struct {
	// StatusCode is the HTTP status of the last attempt.
	StatusCode int
	// Method and URL are the request's; the URL never carries credentials.
	Method, URL string
	// Attempts is how many times the request was sent, retries included.
	Attempts int
	// Detail is the service's "detail" message, or a snippet of a body that was
	// not JSON (a proxy's HTML page).
	Detail string
	// RetryAfter is the wait the service asked for in a Retry-After header.
	RetryAfter time.Duration
	// Body is the start of the error body (at most 4 KiB).
	Body []byte
}

// Error says what failed, where, and after how many attempts.
func (e *APIError) Error() string {
	msg := fmt.Sprintf("whippyware: %s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return msg
}

// Is matches the sentinel for the status: ErrValidation, ErrUnauthorized,
// ErrNotFound, ErrRateLimited or ErrServer.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrValidation:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

// ConnectionError is a request that got no answer: the connection could not be
// made or was lost, an attempt timed out, or the context ended first. It matches
// ErrConnection, and unwraps to its cause, so errors.Is(err, context.Canceled) and
// context.DeadlineExceeded tell a caller's own cancellation apart.
type ConnectionError struct {
	// Method and URL are the request's; the URL never carries credentials.
	Method, URL string
	// Attempts is how many times the request was sent, retries included.
	Attempts int
	// MaybeSent is false only when no attempt got as far as a connection (the
	// name did not resolve, the connection was refused, the TLS handshake failed),
	// so the service cannot have seen the request: even a POST may be sent again.
	// When true, a write may have been applied although its answer was lost: read
	// before writing again.
	MaybeSent bool
	// Err is the cause.
	Err error
}

// provesNotSent reports whether a transport error shows that the request never
// left the client: the name did not resolve, the dial failed, or the TLS handshake
// failed or timed out, all before any byte of the request. net/http does not
// export its handshake timeout's type, so that one is known by its fixed text.
func provesNotSent(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	return errors.As(err, &dnsErr) || errors.As(err, &certErr) || errors.As(err, &recordErr) || answersPlainHTTP(err) ||
		(errors.As(err, &opErr) && opErr.Op == "dial") ||
		strings.Contains(err.Error(), "net/http: TLS handshake timeout")
}

// Error says what failed, where, after how many attempts, and whether the request
// may have reached the service.
func (e *ConnectionError) Error() string {
	reached := "it never reached the service"
	if e.MaybeSent {
		reached = "it may have reached the service"
	}
	return fmt.Sprintf("whippyware: %s %s failed after %d attempt(s), %s: %v", e.Method, e.URL, e.Attempts, reached, e.Err)
}

// Unwrap returns the cause.
func (e *ConnectionError) Unwrap() error { return e.Err }

// Is matches ErrConnection.
func (e *ConnectionError) Is(target error) bool { return target == ErrConnection }

// ValidationError is a 400 with the service's messages. Field errors nested in
// objects are flattened to dotted names ("rule.providers"); messages not tied to a
// field ("non_field_errors", a bare list or string) are in NonField.
type ValidationError struct {
	*APIError
	// Fields maps a field name to its messages.
	Fields map[string][]string
	// NonField holds the messages that name no field.
	NonField []string

	invalidCredentials bool
}

// Error lists every message, fields in name order.
func (e *ValidationError) Error() string {
	msg := cmp.Or(strings.Join(e.Messages(), "; "), e.APIError.Detail)
	return fmt.Sprintf("whippyware: %s %s: validation failed: %s", e.Method, e.URL, msg)
}

// Messages returns the non-field messages, then "field: messages" for each field in
// name order, for a report or a log line.
func (e *ValidationError) Messages() []string {
	parts := slices.Clone(e.NonField)
	for _, name := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, name+": "+strings.Join(e.Fields[name], " "))
	}
	return parts
}

// Unwrap returns the *APIError, so errors.As finds both types.
func (e *ValidationError) Unwrap() error { return e.APIError }

// Is matches ErrValidation, and ErrInvalidCredentials for a refused login.
func (e *ValidationError) Is(target error) bool {
	return target == ErrValidation || (target == ErrInvalidCredentials && e.invalidCredentials)
}

// newResponseError turns an answer of 300 or more to method and u into a typed
// error.
func newResponseError(method string, u *url.URL, resp *http.Response, attempts int, body []byte) error {
	fields, nonField, detail := parseErrorBody(body)
	apiErr := &APIError{
		StatusCode: resp.StatusCode,
		Method:     method,
		URL:        u.String(),
		Attempts:   attempts,
		Detail:     detail,
		Body:       bytes.Clone(body[:min(len(body), maxKeptBodyBytes)]), // not pinning the whole body
	}
	apiErr.RetryAfter, _ = retryAfter(resp.Header) // 0 without one
	if resp.StatusCode != http.StatusBadRequest {
		return apiErr
	}
	return &ValidationError{APIError: apiErr, Fields: fields, NonField: nonField}
}

// parseErrorBody reads the shapes Django REST framework gives an error body:
// {"detail": "..."}, {"field": ["..."]}, {"field": "..."}, nested objects, and a
// bare list or string. The detail of anything else (a proxy's HTML page) is a
// snippet of it.
func parseErrorBody(body []byte) (fields map[string][]string, nonField []string, detail string) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, nil, snippet(body)
	}
	fields = map[string][]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, sub := range t {
				walk(strings.TrimPrefix(prefix+"."+k, "."), sub) // "k" at the top, "prefix.k" below
			}
		case []any:
			for i, item := range t {
				if _, nested := item.(map[string]any); nested {
					// A list of objects holds the errors of each item of a list field.
					walk(fmt.Sprintf("%s[%d]", prefix, i), item)
					continue
				}
				walk(prefix, item)
			}
		case nil:
		default:
			msg := fmt.Sprint(t)
			switch prefix {
			case "", "non_field_errors":
				nonField = append(nonField, msg)
			case "detail":
				detail = msg
			default:
				fields[prefix] = append(fields[prefix], msg)
			}
		}
	}
	walk("", v)
	if detail != "" && len(fields) == 0 && len(nonField) == 0 {
		nonField = []string{detail}
	}
	return fields, nonField, detail
}

// snippet returns the start of a body as valid UTF-8 text on one line.
func snippet(body []byte) string {
	s := strings.ToValidUTF8(string(body[:min(len(body), 4*snippetBytes)]), "\uFFFD")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > snippetBytes {
		s = strings.ToValidUTF8(s[:snippetBytes], "") + "…" // without a rune the cut split
	}
	return s
}

package whippyware

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// callState is what the retry hooks, which see only the request's context, need
// to know of one send. The hooks run one after the other on the goroutine that
// called Do; net/http's trace, which also sets maybeSent, makes no such promise.
type callState struct {
	retryMax     int
	resendable   bool // see retryPolicy.resendable
	traced       bool // the transport is net/http's own, whose trace tells maybeSent
	attempts     int
	attemptStart time.Time // when the last attempt began
	maybeSent    atomic.Bool
}

type callStateKey struct{}

// send sends one request through go-retryablehttp and reads its answer's body
// within bounds. The *Response is nil only when no answer came, and the error is
// then a *ConnectionError.
func (c *Client) send(ctx context.Context, cl call, u *url.URL, payload any, held heldKey) (*Response, []byte, error) {
	state := &callState{
		retryMax:   cl.opts.retryMax,
		resendable: c.cfg.retry.resendable(cl),
		traced:     c.tracedTransport,
	}
	ctx = context.WithValue(ctx, callStateKey{}, state)
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { state.maybeSent.Store(true) },
	})
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, u.String(), payload)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s %s: %w", ErrInvalidRequest, cl.method, u, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if held.key != "" {
		req.Header.Set("Authorization", "Token "+held.key)
	}
	maps.Copy(req.Header, cl.opts.header) // WithHeader refuses the names set above but User-Agent
	start := time.Now()
	httpResp, err := c.http.Do(req)
	if err != nil {
		if httpResp != nil {
			httpResp.Body.Close() // an answer that came with an error (the context ended) is not read
		}
		connErr := c.connectionError(ctx, cl.method, u, state, held, err)
		c.log(ctx, "whippyware request failed", cl.method, u, 0, state.attempts, start, connErr)
		return nil, nil, connErr
	}
	defer httpResp.Body.Close()
	limit := c.maxBody
	if httpResp.StatusCode >= 300 {
		limit = maxErrorBodyBytes
	}
	data, err := io.ReadAll(io.LimitReader(httpResp.Body, limit+1))
	resp := &Response{Response: withoutSecrets(httpResp), Attempts: state.attempts}
	switch {
	case int64(len(data)) > limit && httpResp.StatusCode >= 300:
		data = data[:limit] // an error body is only read for its message
	case int64(len(data)) > limit:
		err = fmt.Errorf("%w: %s %s answered more than %d bytes", ErrUnexpectedResponse, cl.method, u, limit)
	case err != nil:
		err = fmt.Errorf("%w: reading %s %s (status %d): %w", ErrUnexpectedResponse, cl.method, u, httpResp.StatusCode,
			c.tokens.redactError(err, held)) // net/http quotes a malformed trailer
	}
	c.log(ctx, "whippyware request", cl.method, u, httpResp.StatusCode, state.attempts, start, err)
	return resp, data, err // callers read data only without an error
}

// connectionError is the error of a send that got no answer. An https base URL
// that reaches a plain-http port is a configuration error, and the error says so.
// A cause whose text holds a secret (net/http quotes a malformed status line,
// which may echo the request) gives way to its redacted text.
func (c *Client) connectionError(ctx context.Context, method string, u *url.URL, state *callState, held heldKey, err error) *ConnectionError {
	err = c.tokens.redactError(err, held)
	switch ctxErr := ctx.Err(); {
	case answersPlainHTTP(err):
		err = fmt.Errorf("%w: the server at %s answers plain HTTP, not HTTPS: the base URL should start with http://: %w",
			ErrInvalidConfig, u.Host, err)
	case ctxErr != nil && !errors.Is(err, ctxErr):
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return &ConnectionError{Method: method, URL: u.String(), Attempts: state.attempts, MaybeSent: state.maybeSent.Load(), Err: err}
}

// answersPlainHTTP reports whether err is that of an https request answered in
// plain HTTP: net/http's ErrSchemeMismatch, or the TLS error it is made from,
// which a caller's transport may have wrapped out of net/http's sight.
func answersPlainHTTP(err error) bool {
	var recordErr tls.RecordHeaderError
	return errors.Is(err, http.ErrSchemeMismatch) ||
		errors.As(err, &recordErr) && string(recordErr.RecordHeader[:]) == "HTTP/"
}

// decodeAnswer decodes a 2xx answer into cl.out and checks it is what was asked
// for. A 204 has nothing to decode, so a call that expects a value fails its check.
// The error quotes the start of the body, redacted; the login's answer, which
// holds a key, is never quoted.
func (c *Client) decodeAnswer(cl call, u *url.URL, resp *Response, body []byte, held heldKey) error {
	if cl.out == nil {
		return nil
	}
	var err error
	if resp.StatusCode != http.StatusNoContent {
		if err = json.Unmarshal(body, cl.out); err != nil {
			err = fmt.Errorf("decoding: %w", err)
		}
	}
	if check, ok := cl.out.(answerChecker); ok && err == nil {
		err = check.checkAnswer()
	}
	switch {
	case err == nil:
		return nil
	case cl.login:
		// Not even the decoder's error: it quotes numbers ("number 12345").
		return fmt.Errorf("%w: %s %s (status %d): the answer is not a login answer with a key",
			ErrUnexpectedResponse, cl.method, u, resp.StatusCode)
	}
	return fmt.Errorf("%w: %s %s (status %d): %w; body starts %q", ErrUnexpectedResponse, cl.method, u,
		resp.StatusCode, c.tokens.redactError(err, held), snippet(c.tokens.redact(body, held))) // the decoder quotes numbers
}

// answerChecker is implemented by the values a call decodes into that can tell a
// real answer from an empty one. A proxy's or a maintenance page's `null`, `{}` or
// {"detail": "..."} decodes without error into a zero value, which a caller would
// read as a record with id 0 or "no stock"; decodeAnswer turns it into
// ErrUnexpectedResponse.
type answerChecker interface {
	checkAnswer() error
}

// withoutSecrets readies an *http.Response, read and closed, to be handed back:
// its body becomes empty (a mock transport's body could be read again), and its
// Request a copy without the Authorization header, the body or GetBody (a login's
// hold the password), user info in the URL, and the chain of redirected requests.
func withoutSecrets(r *http.Response) *http.Response {
	r.Body = http.NoBody
	if r.Request != nil {
		req := r.Request.Clone(r.Request.Context()) // a copy: the transport was given the original
		req.Header.Del("Authorization")
		req.Body, req.GetBody, req.Response = nil, nil, nil
		if req.URL != nil { // a caller's transport may hand back any request
			req.URL.User = nil
		}
		r.Request = req
	}
	return r
}

// log writes one debug line per call; it never logs headers, so neither the key
// nor the password can reach it.
func (c *Client) log(ctx context.Context, msg, method string, u *url.URL, status, attempts int, start time.Time, err error) {
	if c.cfg.logger == nil || !c.cfg.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	args := []any{"method", method, "url", u.String(), "attempts", attempts, "took", time.Since(start)}
	if status != 0 {
		args = append(args, "status", status)
	}
	if err != nil {
		args = append(args, "error", err.Error())
	}
	c.cfg.logger.Log(ctx, slog.LevelDebug, msg, args...)
}

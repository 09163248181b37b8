package whippyware

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryPolicy says which answers are retried and how long to wait between attempts.
type retryPolicy struct {
	max              int
	minWait, maxWait time.Duration
	writes           bool // POST and PATCH retried too (WithRetryNonIdempotent)
}

// resendable reports whether a 5xx or a lost connection may be retried without
// applying a write twice: GET, HEAD, PUT, DELETE and OPTIONS; login and
// expire-token (call.repeatable); any method the client or the call opted in.
func (p retryPolicy) resendable(cl call) bool {
	switch cl.method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return cl.repeatable || p.writes || cl.opts.retryNonIdempotent
}

// newRetryableClient builds a go-retryablehttp client without a logger of its own
// that passes the last answer through, to become a typed error. Its RetryMax is
// never reached: checkRetry keeps each call to its own bound, which a CallOption
// may set above the client's.
func newRetryableClient(hc *http.Client, p retryPolicy, logger *slog.Logger) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: p.minWait,
		RetryWaitMax: p.maxWait,
		RetryMax:     math.MaxInt32,
		CheckRetry:   p.checkRetry,
		Backoff:      backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			s := req.Context().Value(callStateKey{}).(*callState) // send always sets it
			s.attempts = attempt + 1
			s.attemptStart = time.Now()
			if attempt > 0 && logger != nil {
				logger.LogAttrs(req.Context(), slog.LevelDebug, "whippyware retry",
					slog.String("method", req.Method), slog.String("url", req.URL.String()), slog.Int("attempt", attempt+1))
			}
		},
	}
}

// checkRetry retries 429 for every method (the service did not process the
// request), and 5xx but 501 and connection errors only where resending cannot
// apply a write twice, while the call's retries last and the wait fits (see
// waitFits).
func (p retryPolicy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	s := ctx.Value(callStateKey{}).(*callState) // send always sets it; no default could say whether a write may be resent
	if err == nil || !s.traced && !provesNotSent(err) {
		s.maybeSent.Store(true) // an answer, or an error that does not prove nothing left
	}
	switch {
	case ctx.Err() != nil:
		return false, ctx.Err()
	case s.attempts > s.retryMax:
		return false, nil // this call's retries are spent
	case err != nil:
		// go-retryablehttp knows the transport errors a resend cannot mend (an
		// untrusted certificate, too many redirects); a plain-http port behind an
		// https base URL is one too.
		retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		return retry && s.resendable && !answersPlainHTTP(err) && p.waitFits(ctx, s, &http.Response{}), nil
	case resp.StatusCode == http.StatusTooManyRequests:
	case resp.StatusCode < 500 || resp.StatusCode == http.StatusNotImplemented || !s.resendable:
		return false, nil
	}
	return p.waitFits(ctx, s, resp), nil
}

// waitFits reports whether the retry of resp (empty after a lost connection) may
// begin. An answer whose Retry-After asks for longer than the longest wait is
// returned at once (retrying earlier is pointless and prolongs throttling), and so
// is one when the longest wait backoff may choose and an attempt as long as the
// last would not fit in the time the context has left: waiting into the deadline
// would lose the answer. It reads resp's body first (go-retryablehttp would drain
// it before waiting), so that the time it checks is the time the wait begins even
// when the body is slow to come; the body is put back for the answer that may be
// returned.
func (p retryPolicy) waitFits(ctx context.Context, s *callState, resp *http.Response) bool {
	if resp.Body != nil {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(data))
	}
	wait, asked := retryAfter(resp.Header)
	if asked && wait > p.maxWait {
		return false // longer than the client may wait
	}
	if !asked { // the longest wait backoff may choose
		wait = exponential(p.minWait, p.maxWait, s.attempts-1)
		wait = min(wait+wait/2, p.maxWait)
	}
	deadline, bounded := ctx.Deadline()
	return !bounded || max(wait, p.minWait)+time.Since(s.attemptStart) < time.Until(deadline)
}

// backoff is how long to wait before a retry: Retry-After when the answer has one,
// else exponential with jitter, both between min and max (go-retryablehttp's own
// backoff lets Retry-After exceed the cap, and retries at once for a Retry-After
// of 0 or a date past).
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header); ok {
			return min(max(d, minWait), maxWait)
		}
	}
	wait := exponential(minWait, maxWait, attempt)
	return min(wait+rand.N(wait/2+1), maxWait) // clients failing together spread out
}

// exponential doubles minWait for each attempt already retried, up to maxWait.
func exponential(minWait, maxWait time.Duration, attempt int) time.Duration {
	wait := minWait
	for i := 0; i < attempt && wait < maxWait; i++ {
		wait *= 2
	}
	return wait
}

// retryAfter reads a Retry-After header given in seconds or as an HTTP date; a
// negative number or a date past is 0.
func retryAfter(h http.Header) (time.Duration, bool) {
	v := h.Get("Retry-After") // "" parses as neither
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		const year = int64(365 * 24 * time.Hour / time.Second) // avoids overflow; maxWait caps it anyway
		return time.Duration(min(max(secs, 0), year)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

package whippyware

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryPolicy says which answers are retried and how long to wait between attempts.
type retryPolicy struct {
	max              int
	minWait, maxWait time.Duration
	writes           bool // POST and PATCH retried too (WithRetryNonIdempotent)
}

// callState travels in the request context to the hooks go-retryablehttp calls,
// which see the context but not our call. The hooks run in the goroutine that sent
// the request, so send reads attempts after Do returns without a lock; maybeSent is
// also set from net/http's trace hooks, which make no such promise.
//
// A callState is itself that context: it wraps the call's context and answers
// callStateFrom's key and, unless the caller's context holds a trace of its own,
// httptrace's key with its own trace. That saves the two context.WithValue (two
// allocations) a call would otherwise make, so withCallState allocates only the
// trace's hook.
type callState struct {
	context.Context // the call's; set by withCallState
	// retryMax and resendable are this call's policy: the client's, unless its
	// CallOptions changed them.
	// int32: the exchange holding the state must fit its size class (see
	// TestExchangeFitsItsSizeClass), and no call makes 2^31 attempts.
	retryMax int32
	attempts int32
	// attemptStart is when the last attempt began and retryAt when the retry
	// checkRetry allowed is due, both as monotonic offsets (sinceEpoch): the wait
	// is counted from the check, not from when go-retryablehttp gets to sleep
	// (after draining the answer's body), and the next attempt is expected to take
	// as long as the last one.
	attemptStart, retryAt time.Duration
	// payload is the request body, which prepareRetry gives each retry afresh; nil
	// when there is none.
	payload []byte
	trace   httptrace.ClientTrace
	// The flags last, together, so that they share one word.
	// resendable marks a request whose 5xx and connection errors may be retried
	// without applying a write twice: GET, HEAD, PUT, DELETE, OPTIONS; login and
	// expire-token (call.repeatable); any method the client or the call opted in.
	resendable bool
	// answersTrace is set when Value answers httptrace's key with trace.
	answersTrace bool
	// traced is set when the client's transport is net/http's own, whose trace
	// says whether an attempt had a connection: then only GotConn sets maybeSent.
	traced bool
	// maybeSent is set once an attempt may have reached the service: it had a
	// connection (net/http's trace) or an answer; with a transport that is not
	// net/http's own (an in-process one, a mock, a wrapper), also an error that
	// does not prove nothing left (provesNotSent).
	maybeSent atomic.Bool
}

// Value answers callStateFrom's key with s, httptrace's with s's trace when
// answersTrace, and passes every other key on.
func (s *callState) Value(key any) any {
	switch {
	case key == (callStateKey{}):
		return s
	case s.answersTrace && key == httpTraceKey:
		return &s.trace
	}
	return s.Context.Value(key)
}

type callStateKey struct{}

// httpTraceKey is the key under which httptrace.ContextClientTrace looks a trace up,
// asked of it once: its type is unexported. Nil if it ever stops asking the
// context, and withCallState then leaves the trace to httptrace.WithClientTrace.
var httpTraceKey = func() any {
	probe := keyProbe{Context: context.Background()}
	httptrace.ContextClientTrace(&probe)
	return probe.key
}()

// keyProbe is a context that remembers the key it was last asked for.
type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Value(key any) any {
	p.key = key
	return nil
}

// initCallState sets s up for one send of cl under policy p.
func (p retryPolicy) initCallState(s *callState, cl call) {
	s.resendable = cl.repeatable || p.writes || cl.opts.retryNonIdempotent
	switch cl.method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		s.resendable = true
	}
	s.retryMax = int32(min(p.max, math.MaxInt32))
	if cl.opts.retryMaxSet {
		s.retryMax = int32(min(cl.opts.retryMax, math.MaxInt32))
	}
}

// retryCeiling is go-retryablehttp's own bound on retries, never reached: checkRetry
// enforces each call's retryMax, which a CallOption may set above the client's.
const retryCeiling = math.MaxInt32

// withCallState makes s the context of the call's attempts, over ctx, with a trace
// that sets s.maybeSent. s answers httptrace's key itself, as WithClientTrace's
// context would, unless ctx holds the caller's own trace: WithClientTrace then
// makes the two hooks of each event call each other (ours first, then the
// caller's), which is what it has always done.
func withCallState(ctx context.Context, s *callState) context.Context {
	s.Context = ctx
	s.trace.GotConn = func(httptrace.GotConnInfo) { s.maybeSent.Store(true) }
	if httpTraceKey == nil || httptrace.ContextClientTrace(ctx) != nil {
		s.answersTrace = false
		return httptrace.WithClientTrace(s, &s.trace)
	}
	s.answersTrace = true
	return s
}

// prepareRetry gives a retry its own reader of the call's body: the attempt before
// may still be closing the one it had (go-retryablehttp sends each retry as a
// shallow copy of the request for that reason), and the first attempt's reader,
// made by send, cannot be rewound.
func prepareRetry(req *http.Request) error {
	if s := callStateFrom(req.Context()); s != nil && s.payload != nil {
		req.Body = io.NopCloser(bytes.NewReader(s.payload))
	}
	return nil
}

func callStateFrom(ctx context.Context) *callState {
	s, _ := ctx.Value(callStateKey{}).(*callState)
	return s
}

// newRetryableClient builds the go-retryablehttp client field by field: no logger
// of its own, our policy and backoff, and the last response passed through so that
// it becomes a typed error. hc is sent through as guardHTTPClient makes it.
func newRetryableClient(hc *http.Client, p retryPolicy, logger *slog.Logger) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: p.minWait,
		RetryWaitMax: p.maxWait,
		RetryMax:     retryCeiling,
		CheckRetry:   p.checkRetry,
		Backoff:      backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		PrepareRetry: prepareRetry,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			s := callStateFrom(req.Context())
			if s == nil {
				return
			}
			s.attempts = int32(min(attempt+1, math.MaxInt32)) // 2^31 attempts never happen
			s.attemptStart = sinceEpoch()
			if attempt > 0 && logger != nil {
				logger.LogAttrs(req.Context(), slog.LevelDebug, "whippyware retry",
					slog.String("method", req.Method), slog.String("url", req.URL.String()), slog.Int("attempt", attempt+1))
			}
		},
	}
}

// checkRetry retries 429 for every method (the service did not process the
// request) and 5xx but 501 and connection errors only where resending cannot apply
// a write twice. It chooses the wait before the retry (Retry-After, else
// exponential with jitter), which backoff then keeps to. An answer whose
// Retry-After asks for longer than the longest wait is returned at once (retrying
// earlier is pointless and prolongs throttling), and so is one whose wait and a
// next attempt as long as the last would not fit in the time the context has left:
// waiting into the deadline would lose the answer.
func (p retryPolicy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if err == nil && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests && ctx.Err() == nil {
		// Most answers: returned as they came, with nothing to update. maybeSent is
		// read only when Do returns no answer, which after this one it does not.
		return false, nil
	}
	s := callStateFrom(ctx)
	if s != nil {
		s.retryAt = 0 // a wait chosen for an earlier retry is not this one's
		if err == nil || !s.traced && !provesNotSent(err) {
			s.maybeSent.Store(true)
		}
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if s != nil && s.attempts > s.retryMax {
		return false, nil // this call's retries are spent
	}
	resendable := s == nil || s.resendable
	if err != nil {
		// go-retryablehttp knows the transport errors that a resend cannot mend: an
		// untrusted certificate, too many redirects, an unsupported scheme.
		transient, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		return resendable && transient, nil
	}
	retry := false
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		retry = true
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		retry = resendable
	}
	if !retry {
		return false, nil
	}
	// The wait is chosen here, not in backoff, so that a wait the call cannot
	// afford returns the answer instead of sleeping into the deadline.
	wait, asked := retryAfterWait(resp.Header, p.minWait)
	if asked && wait > p.maxWait {
		return false, nil // longer than the client may wait
	}
	attempt := 0
	if s != nil {
		attempt = int(s.attempts) - 1
	}
	if !asked {
		wait = exponentialWait(p.minWait, p.maxWait, attempt)
	}
	now := sinceEpoch()
	if deadline, bounded := ctx.Deadline(); bounded {
		// The retry must fit: its wait, and an attempt as long as the last one.
		var lastAttempt time.Duration
		if s != nil && s.attemptStart > 0 {
			lastAttempt = now - s.attemptStart
		}
		if wait+lastAttempt >= time.Until(deadline) {
			return false, nil
		}
	}
	if s != nil {
		s.retryAt = now + wait
	}
	return true, nil
}

// epoch is the origin of sinceEpoch: a monotonic clock that fits in a Duration.
var epoch = time.Now()

func sinceEpoch() time.Duration { return time.Since(epoch) }

// backoff waits until the retry checkRetry chose is due; without one (a
// connection error, or an error that came with an answer), it waits exponentially
// with jitter from min, honours Retry-After, and caps both at max:
// go-retryablehttp's own backoff lets Retry-After exceed the cap. keepIdleConns
// sets every answer's Request, through which the call's state is reached.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if resp.Request != nil {
			if s := callStateFrom(resp.Request.Context()); s != nil && s.retryAt > 0 {
				return max(s.retryAt-sinceEpoch(), 0)
			}
		}
		if d, ok := retryAfterWait(resp.Header, minWait); ok {
			return min(d, maxWait)
		}
	}
	return exponentialWait(minWait, maxWait, attempt)
}

// exponentialWait doubles minWait for each attempt already retried, adds up to half
// of it again, so that clients failing together spread out, and caps it at maxWait.
func exponentialWait(minWait, maxWait time.Duration, attempt int) time.Duration {
	wait := minWait
	for i := 0; i < attempt && wait < maxWait; i++ {
		wait *= 2
	}
	if wait > 0 {
		wait += rand.N(wait/2 + 1)
	}
	return min(wait, maxWait)
}

// retryAfterWait is how long to wait for a Retry-After header: at least minWait,
// also for 0, a negative number or a date past, which would otherwise retry at once.
func retryAfterWait(h http.Header, minWait time.Duration) (time.Duration, bool) {
	d, ok := retryAfter(h)
	return max(d, minWait), ok
}

// retryAfter reads a Retry-After header given in seconds or as an HTTP date.
func retryAfter(h http.Header) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, true
		}
		if secs > int64(365*24*time.Hour/time.Second) {
			secs = int64(365 * 24 * time.Hour / time.Second) // avoid overflow; max caps it anyway
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

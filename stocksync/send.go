package stocksync

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/whippyware-go/whippyware"
)

// sender is the one way a Plan or an Apply sends a request: it waits on the syncer's
// limiter, sends once (the caller passes whippyware.WithoutCallRetries, so that every
// answer comes back here), counts what was sent, and judges the answer, sending a 429
// again after the limiter's pause while the step's budget allows.
type sender struct {
	limiter *adaptiveLimiter

	mu        sync.Mutex
	requests  int // requests sent, retries included
	throttled int // 429s answered
}

// budget is what one step of a write (the send, or the lookup) may spend: answers other
// than 429 (attempts), and 429s, which cost no attempt (nothing was applied, and the
// limiter slowed everyone down) up to a bound of their own.
type budget struct{ attempts, throttles int }

// maxThrottles bounds the 429s one step may meet without using up its attempts.
const maxThrottles = 20

func newBudget(attempts int) budget { return budget{attempts: attempts, throttles: maxThrottles} }

// verdict is how a sync reads the answer to one call.
type verdict int

const (
	answered  verdict = iota // a 2xx
	throttled                // a 429 past the step's budget of them
	unclear                  // no clear answer (5xx, dropped connection): it may or may not have been applied
	missing                  // a 404: the row (or the page) is not there
	refused                  // a clear refusal (400 and the like)
	fatal                    // the run cannot go on (credentials refused, ctx ended)
)

// do sends call's request until the answer is not a 429 or the budget's 429s are spent,
// and returns how to read the last answer, with its error. Each answer but a 429 costs
// one of the budget's attempts.
func (s *sender) do(ctx context.Context, b *budget, call func(ctx context.Context) (*whippyware.Response, error)) (verdict, error) {
	for {
		sent, err := s.limiter.wait(ctx)
		if err != nil {
			return fatal, err
		}
		callCtx, done := inFlight(ctx)
		resp, err := call(callCtx)
		done()
		s.count(resp, err)
		v := s.judge(ctx, sent, err)
		if v == throttled && b.throttles > 0 {
			b.throttles--
			continue
		}
		b.attempts--
		return v, err
	}
}

// read is do for a request that is safe to send again (a GET): an unclear answer, or a
// 429 past the budget's, is sent again too, while the budget's attempts last.
func (s *sender) read(ctx context.Context, b *budget, call func(ctx context.Context) (*whippyware.Response, error)) (verdict, error) {
	for {
		v, err := s.do(ctx, b, call)
		if (v != unclear && v != throttled) || b.attempts <= 0 {
			return v, err
		}
	}
}

// count adds the attempts of one call: one, as the client's retries are off, unless a
// caller's client retries anyway.
func (s *sender) count(resp *whippyware.Response, err error) {
	n := 1
	var apiErr *whippyware.APIError
	var connErr *whippyware.ConnectionError
	switch {
	case errors.As(err, &apiErr):
		n = apiErr.Attempts
	case errors.As(err, &connErr):
		n = connErr.Attempts
	case resp != nil:
		n = resp.Attempts
	}
	s.mu.Lock()
	s.requests += max(n, 1)
	s.mu.Unlock()
}

// counts returns the requests sent and the 429s answered so far.
func (s *sender) counts() (requests, throttled int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.throttled
}

// judge reads the answer to the request of ticket sent, and tells the limiter: a 429 is
// congestion, any other answer a request the service's throttle let through.
func (s *sender) judge(ctx context.Context, sent ticket, err error) verdict {
	var apiErr *whippyware.APIError
	isAnswer := errors.As(err, &apiErr)
	switch {
	case err == nil:
		s.limiter.answered(sent)
		return answered
	case ctx.Err() != nil:
		return fatal
	case errors.Is(err, whippyware.ErrRateLimited):
		var wait time.Duration
		if isAnswer {
			wait = apiErr.RetryAfter
		}
		s.limiter.throttledBy(sent, wait)
		s.mu.Lock()
		s.throttled++
		s.mu.Unlock()
		return throttled
	case isAnswer:
		s.limiter.answered(sent)
	}
	switch {
	case errors.Is(err, whippyware.ErrUnauthorized), errors.Is(err, whippyware.ErrNoCredentials),
		errors.Is(err, whippyware.ErrInvalidCredentials):
		return fatal
	case errors.Is(err, whippyware.ErrNotFound):
		return missing
	case errors.Is(err, whippyware.ErrServer), errors.Is(err, whippyware.ErrUnexpectedResponse),
		errors.Is(err, whippyware.ErrConnection):
		// No answer at all (a dropped connection) is unclear too.
		return unclear
	}
	return refused
}

// inFlightGrace is how long a request already sent may go on after the run is
// cancelled: long enough for the answer of a write the service is applying.
const inFlightGrace = 10 * time.Second

// inFlight returns the context one request runs on: ctx's values, ending
// inFlightGrace after ctx ends rather than with it, so that a write in flight when the
// run is cancelled gets its answer and is reported as done (not as not done although
// the store holds it). Call done when the request has returned.
func inFlight(ctx context.Context) (callCtx context.Context, done func()) {
	callCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		grace := time.NewTimer(inFlightGrace)
		defer grace.Stop()
		select { // no timer left behind once the request is done
		case <-grace.C:
		case <-callCtx.Done():
		}
		cancel()
	})
	return callCtx, func() { stop(); cancel() }
}

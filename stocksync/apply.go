package stocksync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"

	"github.com/whippyware-go/whippyware"
)

// Sync plans and applies: the store then holds rows as the input asks. It returns the
// report with an error when planning failed (nil report), the run was cancelled, or the
// service refused the client's credentials (then the report says what was done).
func (s *Syncer) Sync(ctx context.Context, rows iter.Seq2[Row, error]) (*Report, error) {
	start := time.Now()
	plan, err := s.Plan(ctx, rows)
	if err != nil {
		return nil, err
	}
	return s.apply(ctx, plan, start)
}

// Apply makes the writes of plan, with Options.Workers in flight under one shared rate
// limit. A row that fails is reported and the others go on. When ctx ends, or the service
// refuses the client's credentials, Apply stops sending, waits for the writes in flight
// (up to inFlightGrace, 10 s, for their answers, so that a write the service applied is
// reported as done) and returns the report of what was done with the error; a rerun
// finishes the job.
//
// The client's own retries are off for Apply's calls: every answer comes back to Apply,
// so that a 429 slows every worker through the shared limit (and is counted once in
// Report.Throttled) instead of one worker resending on its own.
func (s *Syncer) Apply(ctx context.Context, plan *Plan) (*Report, error) {
	return s.apply(ctx, plan, time.Now())
}

// run is the state of one Apply: the outcomes by change, and the counts under one lock.
type run struct {
	s       *Syncer
	limiter *adaptiveLimiter

	mu       sync.Mutex
	report   *Report
	done     []bool
	failed   []Outcome // with Options.OnOutcome, the failed writes: all the report keeps
	progress Progress
	fatal    error
}

func (s *Syncer) apply(ctx context.Context, plan *Plan, start time.Time) (*Report, error) {
	r := &run{
		s:       s,
		limiter: newAdaptiveLimiter(s.opts.Rate),
		report: &Report{Unchanged: plan.Unchanged, Superseded: plan.Superseded, Requests: plan.Requests,
			Failed: plan.InvalidRows, InvalidRows: plan.InvalidRows, Skipped: plan.Skipped,
			ZeroesWithheld: plan.ZeroesWithheld, Refused: plan.Refused, InvalidListed: len(plan.Invalid)},
		done: make([]bool, len(plan.Changes)),
		progress: Progress{Planned: len(plan.Changes), Left: len(plan.Changes), Requests: plan.Requests,
			Failed: plan.InvalidRows, Invalid: plan.InvalidRows},
	}
	if s.opts.OnOutcome == nil {
		r.report.Outcomes = make([]Outcome, len(plan.Changes))
	} else {
		for _, o := range plan.Invalid {
			s.opts.OnOutcome(o)
		}
	}
	if err := plan.refusal(); err != nil {
		rep := r.report
		rep.NotDone = len(plan.Changes)
		rep.Outcomes = append([]Outcome{}, plan.Invalid...)
		rep.Duration = time.Since(start)
		return rep, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range s.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				o, err := r.write(ctx, &plan.Changes[i])
				r.finish(i, o, err, cancel)
			}
		}()
	}
feed:
	for i := range plan.Changes {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	rep := r.report
	outcomes := append(make([]Outcome, 0, len(plan.Invalid)+len(rep.Outcomes)+len(r.failed)), plan.Invalid...) // [] in JSON, never null
	for i, done := range r.done {
		switch {
		case !done:
			rep.NotDone++
		case s.opts.OnOutcome == nil && rep.Outcomes[i].Result != unchanged:
			outcomes = append(outcomes, rep.Outcomes[i])
		}
	}
	rep.Outcomes = append(outcomes, r.failed...)
	rep.Throttled = r.limiter.throttles()
	rep.Rate = r.limiter.rate()
	rep.Duration = time.Since(start)
	switch {
	case r.fatal != nil:
		return rep, r.fatal
	case ctx.Err() != nil && rep.NotDone > 0:
		return rep, fmt.Errorf("stocksync: stopped with %d writes not done: %w", rep.NotDone, context.Cause(ctx))
	}
	return rep, nil
}

// finish records one change's outcome. A cancelled change stays not done; a fatal error
// stops the run.
func (r *run) finish(i int, o Outcome, err error, cancel context.CancelFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if r.fatal == nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			r.fatal = err
			cancel()
		}
		return
	}
	r.done[i] = true
	r.report.count(o.Result)
	switch sink := r.s.opts.OnOutcome; {
	case sink == nil:
		r.report.Outcomes[i] = o
	case o.Result != unchanged:
		sink(o)
		if o.Result == Failed {
			r.failed = append(r.failed, o)
		}
	}
	if o.Result == Failed {
		r.progress.Failed++
	} else {
		r.progress.Done++
	}
	r.progress.Left--
	r.progress.Rate = r.limiter.rate()
	if r.s.opts.Progress != nil {
		r.s.opts.Progress(r.progress)
	}
}

// sent counts the attempts of one call.
func (r *run) sent(resp *whippyware.Response, err error) {
	n := 1
	var apiErr *whippyware.APIError
	switch {
	case errors.As(err, &apiErr):
		n = max(apiErr.Attempts, 1)
	case resp != nil:
		n = max(resp.Attempts, 1)
	}
	r.mu.Lock()
	r.report.Requests += n
	r.progress.Requests += n
	r.mu.Unlock()
}

// verdict is how a sync reads the answer to one call.
type verdict int

const (
	answered  verdict = iota // a 2xx
	throttled                // a 429: not processed, send again after slowing down
	unclear                  // no clear answer (5xx, dropped connection): it may or may not have been applied
	missing                  // a 404: the row is gone
	refused                  // a clear refusal (400 and the like): the row fails
	fatal                    // the run cannot go on (credentials refused, ctx ended)
)

func (r *run) judge(ctx context.Context, err error) verdict {
	var apiErr *whippyware.APIError
	switch {
	case err == nil:
		r.limiter.succeeded()
		return answered
	case ctx.Err() != nil:
		return fatal
	case errors.Is(err, whippyware.ErrRateLimited):
		var wait time.Duration
		if errors.As(err, &apiErr) {
			wait = apiErr.RetryAfter
		}
		r.limiter.throttledBy(wait)
		return throttled
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

// mayHaveArrived reports whether a write that got no clear answer may have reached
// the service: everything but a *whippyware.ConnectionError that says it did not.
func mayHaveArrived(err error) bool {
	var connErr *whippyware.ConnectionError
	return !errors.As(err, &connErr) || connErr.MaybeSent
}

// write makes one change happen, trying it up to MaxAttempts times. It returns an error
// only when the run must stop; the change then stays not done.
func (r *run) write(ctx context.Context, c *Change) (Outcome, error) {
	o := Outcome{Line: c.Row.Line, Key: c.Row.Key, ID: c.ID, Result: resultOf[c.Action]}
	action, id, fields := c.Action, c.ID, c.Fields
	lookUp := false // whether an earlier create may have been applied
	taken := false  // whether a create was refused because the row exists
	var lastErr error
	// A 429 costs no attempt (nothing was applied; the limiter slowed everyone down),
	// up to maxThrottles of them.
	for attempt, throttles := 0, 0; attempt < r.s.opts.MaxAttempts; attempt++ {
		if lookUp {
			st, err := r.find(ctx, c.Row.Key)
			switch r.judge(ctx, err) {
			case fatal:
				return o, runErr(ctx, err)
			case refused:
				return failed(o, err), nil
			case answered:
				lookUp = false
				if st == nil {
					action = Create
					break
				}
				// The create went through (or someone made the row): update what differs.
				o.ID = st.ID
				if taken {
					o.Result = Updated // another run made it: this one updates it, or finds it as asked
				}
				update, changed := diff(st, c.Row)
				if !changed {
					if taken {
						o.Result = unchanged
					}
					return o, nil
				}
				action, id, fields = Update, st.ID, update.Fields
			case throttled:
				attempt -= spare(&throttles)
				lastErr = err
				continue
			default:
				lastErr = err
				continue
			}
		}
		if err := r.limiter.wait(ctx); err != nil {
			return o, err
		}
		var st *whippyware.Stock
		var resp *whippyware.Response
		var err error
		callCtx, done := inFlight(ctx)
		if action == Create {
			st, resp, err = r.s.client.Stocks.Create(callCtx, createRequest(c.Row), whippyware.WithoutCallRetries())
		} else {
			st, resp, err = r.s.client.Stocks.Update(callCtx, id, updateRequest(c.Row, fields), whippyware.WithoutCallRetries())
		}
		done()
		r.sent(resp, err)
		lastErr = err
		switch r.judge(ctx, err) {
		case answered:
			o.ID = st.ID
			return o, nil
		case fatal:
			return o, runErr(ctx, err)
		case throttled:
			attempt -= spare(&throttles)
		case unclear:
			// A create may have been applied although its answer was lost; one that
			// provably never left the client (a refused dial) is simply sent again.
			lookUp = lookUp || (action == Create && mayHaveArrived(err))
		case missing:
			if c.Action == Zero {
				return o, nil // the row is gone: as good as zero
			}
			lookUp = true // the row was deleted meanwhile: create it, unless someone did
		case refused:
			if action == Create && isUniqueTogether(err) {
				lookUp, taken = true, true // the row exists after all: find it and update it
				continue
			}
			return failed(o, err), nil
		}
	}
	return failed(o, fmt.Errorf("gave up after %d attempts: %w", r.s.opts.MaxAttempts, lastErr)), nil
}

// runErr is the error a fatal verdict stops the run with: the run's own end when
// its context ended (an answer that came in the grace after a cancel is not the
// reason the run stopped), else err (credentials refused).
func runErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

// maxThrottles bounds the 429s one row may meet without using up its attempts.
const maxThrottles = 20

// spare counts one more 429 of a row and returns 1 while it costs no attempt (the
// limiter slowed everyone down and nothing was applied), 0 past maxThrottles.
func spare(throttles *int) int {
	if *throttles++; *throttles <= maxThrottles {
		return 1
	}
	return 0
}

// resultOf is what a change that went through did.
var resultOf = map[Action]Result{Create: Created, Update: Updated, Zero: Zeroed}

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

// find looks a row up by its full key; nil when there is none.
func (r *run) find(ctx context.Context, k Key) (*whippyware.Stock, error) {
	if err := r.limiter.wait(ctx); err != nil {
		return nil, err
	}
	callCtx, done := inFlight(ctx)
	page, resp, err := r.s.client.Stocks.List(callCtx, &whippyware.StockFilter{
		ListOptions: whippyware.ListOptions{Limit: 10},
		SKU:         k.SKU, Provider: k.Provider, Location: k.Location, StockType: k.StockType,
	}, whippyware.WithoutCallRetries())
	done()
	r.sent(resp, err)
	if err != nil {
		return nil, err
	}
	for _, st := range page.Results {
		// Match all four again: a service that ignored a filter must not pick a wrong row.
		if keyOf(st) == k {
			return st, nil
		}
	}
	return nil, nil
}

func failed(o Outcome, err error) Outcome {
	o.Result = Failed
	var vErr *whippyware.ValidationError
	if errors.As(err, &vErr) {
		o.Messages = vErr.Messages()
	} else {
		o.Messages = []string{err.Error()}
	}
	return o
}

// isUniqueTogether tells a create refused because the row's key is taken (DRF's
// unique-together message).
func isUniqueTogether(err error) bool {
	var vErr *whippyware.ValidationError
	if !errors.As(err, &vErr) {
		return false
	}
	for _, m := range vErr.NonField {
		if strings.Contains(m, "must make a unique set") {
			return true
		}
	}
	return false
}

func createRequest(r Row) *whippyware.StockCreateRequest {
	req := &whippyware.StockCreateRequest{
		SKU: r.SKU, Provider: r.Provider, Location: whippyware.StringOrNumber(r.Location),
		Stock: r.Quantity, StockType: r.StockType, ReservedStock: r.ReservedStock, UnitType: r.UnitType,
	}
	if r.Period != "" {
		p := periodDate(r.Period)
		req.Period = &p
	}
	return req
}

// updateRequest sends only fields, with the row's values.
func updateRequest(r Row, fields []string) *whippyware.StockUpdateRequest {
	req := &whippyware.StockUpdateRequest{}
	for _, f := range fields {
		switch f {
		case "stock":
			req.Stock = whippyware.Ptr(r.Quantity)
		case "reserved_stock":
			req.ReservedStock = r.ReservedStock
		case "unit_type":
			req.UnitType = whippyware.Ptr(r.UnitType)
		case "period":
			req.Period = whippyware.Value(periodDate(r.Period))
		}
	}
	return req
}

// periodDate turns a checked YYYY-MM-DD into the date the service's DateField reads.
func periodDate(s string) whippyware.DateOrTime {
	t, _ := time.Parse(time.DateOnly, s)
	return whippyware.Date(t.Year(), t.Month(), t.Day())
}

package stocksync

import (
	"context"
	"errors"
	"fmt"
	"iter"
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

// run is the state of one Apply: the outcomes by change, and the counts, all written by
// finish in the goroutine that runs Apply.
type run struct {
	s      *Syncer
	sender *sender
	plan   *Plan

	report   *Report
	done     []bool
	failed   []Outcome // with Options.OnOutcome, the failed writes: all the report keeps
	progress Progress
	fatal    error
}

func (s *Syncer) apply(ctx context.Context, plan *Plan, start time.Time) (*Report, error) {
	r := &run{
		s:      s,
		sender: &sender{limiter: s.limiter},
		plan:   plan,
		report: &Report{Unchanged: plan.Unchanged, Superseded: plan.Superseded,
			Failed: plan.InvalidRows, InvalidRows: plan.InvalidRows, InvalidListed: len(plan.Invalid), Skipped: plan.Skipped,
			ZeroesWithheld: plan.ZeroesWithheld, UnkeyedRows: plan.UnkeyedRows, Refused: plan.Refused},
		done: make([]bool, plan.Len()),
		progress: Progress{Planned: plan.Len(), Left: plan.Len(), Requests: plan.Requests,
			Failed: plan.InvalidRows, Invalid: plan.InvalidRows},
	}
	if s.opts.OnOutcome == nil {
		r.report.Outcomes = make([]Outcome, plan.Len())
	} else {
		for _, o := range plan.Invalid {
			s.opts.OnOutcome(o)
		}
	}
	if err := plan.refusal(); err != nil {
		rep := r.report
		rep.NotDone = plan.Len()
		rep.Outcomes = append([]Outcome{}, plan.Invalid...)
		rep.Requests, rep.Throttled = plan.Requests, plan.Throttled
		rep.Duration = time.Since(start)
		return rep, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_ = parallel(ctx, s.opts.Workers, plan.Len(), true,
		func(ctx context.Context, i int) (Outcome, error) { c := plan.Change(i); return r.write(ctx, &c) },
		func(i int, o Outcome, err error) error {
			r.finish(i, o, err, cancel)
			return nil // a fatal error cancels ctx, which stops the run
		})

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
	requests, throttled := r.sender.counts()
	rep.Requests, rep.Throttled = plan.Requests+requests, plan.Throttled+throttled
	rep.Rate = s.limiter.rate()
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
	requests, _ := r.sender.counts()
	r.progress.Requests = r.plan.Requests + requests
	r.progress.Rate = r.s.limiter.rate()
	if r.s.opts.Progress != nil {
		r.s.opts.Progress(r.progress)
	}
}

// mayHaveArrived reports whether a write that got no clear answer may have reached
// the service: everything but a *whippyware.ConnectionError that says it did not.
func mayHaveArrived(err error) bool {
	var connErr *whippyware.ConnectionError
	return !errors.As(err, &connErr) || connErr.MaybeSent
}

// write makes one change happen. It alternates two steps, each with its own budget of
// attempts and of 429s: sending the write, and looking the row up when a create may
// have been applied without a clear answer, or was refused because the row exists. It
// returns an error only when the run must stop; the change then stays not done.
func (r *run) write(ctx context.Context, c *Change) (Outcome, error) {
	o := Outcome{Line: c.Row.Line, Key: c.Row.Key, ID: c.ID, Result: resultOf[c.Action]}
	w := pending{action: c.Action, id: c.ID, fields: c.Fields}
	sends, lookups := newBudget(r.s.opts.MaxAttempts), newBudget(r.s.opts.MaxAttempts)
	var lastErr error
	// A lookup still due runs even when the sends are spent: the last create may have
	// been applied, and the row is then done, not failed.
	for lookups.attempts > 0 && (w.lookUp || sends.attempts > 0) {
		if w.lookUp {
			st, v, err := r.find(ctx, &lookups, c.Row.Key)
			switch v {
			case fatal:
				return o, runErr(ctx, err)
			case refused:
				return failed(o, err), nil
			case answered:
				w.lookUp = false
				switch {
				case st == nil && w.refusedAsTaken != nil:
					// The refusal named no field, and the row is not there: it was not the
					// unique set, so the service's own messages say why.
					return failed(o, w.refusedAsTaken), nil
				case st == nil:
					// Not there (a lost create, or a row deleted since the plan): create it.
					w.action, o.Result = Create, Created
				default:
					// The create went through (or someone made the row): update what differs.
					o.ID = st.ID
					if w.refusedAsTaken != nil {
						// Another run made it: this one updates it, or finds it as asked.
						o.Result = Updated
					}
					update, changed := diff(st, c.Row)
					if !changed {
						if w.refusedAsTaken != nil {
							o.Result = unchanged
						}
						return o, nil
					}
					w.action, w.id, w.fields = Update, st.ID, update.Fields
				}
			default:
				lastErr = err
				continue
			}
		}
		if sends.attempts <= 0 {
			break
		}
		st, v, err := r.send(ctx, &sends, c.Row, w)
		lastErr = err
		switch v {
		case answered:
			o.ID = st.ID
			return o, nil
		case fatal:
			return o, runErr(ctx, err)
		case unclear:
			// A create may have been applied although its answer was lost; one that
			// provably never left the client (a refused dial) is simply sent again.
			w.lookUp = w.action == Create && mayHaveArrived(err)
		case missing:
			if c.Action == Zero {
				return o, nil // the row is gone: as good as zero
			}
			w.lookUp = true // the row was deleted meanwhile: create it, unless someone did
		case refused:
			if w.action != Create || !refusedAsTaken(err) {
				return failed(o, err), nil
			}
			// Maybe the row exists after all (another run made it): a lookup confirms it,
			// and the row is then updated.
			w.lookUp, w.refusedAsTaken = true, err
		}
	}
	return failed(o, fmt.Errorf("gave up after %d attempts: %w", r.s.opts.MaxAttempts, lastErr)), nil
}

// pending is the write a change still needs: what to send, and whether to look the row
// up first.
type pending struct {
	action Action
	id     int64
	fields []string
	lookUp bool
	// refusedAsTaken is a create's refusal that named no field, until a lookup confirms
	// that the row exists.
	refusedAsTaken error
}

// send sends the pending write of row once (and again after 429s, within b).
func (r *run) send(ctx context.Context, b *budget, row Row, w pending) (*whippyware.Stock, verdict, error) {
	var st *whippyware.Stock
	v, err := r.sender.do(ctx, b, func(ctx context.Context) (resp *whippyware.Response, err error) {
		if w.action == Create {
			st, resp, err = r.s.client.Stocks.Create(ctx, createRequest(row), whippyware.WithoutCallRetries())
		} else {
			st, resp, err = r.s.client.Stocks.Update(ctx, w.id, updateRequest(row, w.fields), whippyware.WithoutCallRetries())
		}
		return resp, err
	})
	return st, v, err
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

// resultOf is what a change that went through did.
var resultOf = map[Action]Result{Create: Created, Update: Updated, Zero: Zeroed}

// find looks a row up by its full key; nil when there is none. A lookup answered with
// rows of other keys only cannot tell that the row is not there (the service ignored a
// filter): it is refused, so that a create whose answer was lost is not sent again on
// its word.
func (r *run) find(ctx context.Context, b *budget, k Key) (*whippyware.Stock, verdict, error) {
	var st *whippyware.Stock
	var ignored bool
	v, err := r.sender.do(ctx, b, func(ctx context.Context) (resp *whippyware.Response, err error) {
		st, ignored, resp, err = lookUp(ctx, r.s.client, k)
		return resp, err
	})
	if v == answered && st == nil && ignored {
		return nil, refused, fmt.Errorf("cannot tell whether the row exists: %w", errFilterIgnored)
	}
	return st, v, err
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

// refusedAsTaken tells a create refused with messages that name no field, as DRF's
// UniqueTogetherValidator refuses a row whose key is taken (under non_field_errors): the
// caller confirms it by looking the row up, whatever the message's language.
func refusedAsTaken(err error) bool {
	var vErr *whippyware.ValidationError
	return errors.As(err, &vErr) && len(vErr.NonField) > 0 && len(vErr.Fields) == 0
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

package whippyware_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

const (
	// soakSeed makes the run reproducible: each worker draws its operations and the faults
	// its requests meet from its own sources seeded with it, and nothing another worker
	// does steers it, so the ops, the faults and the counts logged are the same every run.
	// Only what a list page holds (other workers' providers) varies.
	soakSeed    = 20250611
	soakWorkers = 8
	soakOps     = 2000 // in all, split evenly among the workers
	// soakHeader carries each request's op tag to the fake's fault function and request log.
	soakHeader = "X-Soak-Op"
	// soakOpLimit bounds one operation (its context ends then). Half the 429s ask for 10
	// to 60 seconds, longer than the client's zero maximum wait, so they must come back at
	// once; an op this slow waited one out.
	soakOpLimit = 5 * time.Second
)

// TestSoakMixedOperationsUnderFaults runs creates, updates, deletes, gets and lists of
// providers from 8 goroutines sharing one client, while 30% of requests meet a fault
// (503, 429 with Retry-After, connection dropped before or after the handler). Each
// worker owns the providers it creates, so nobody else changes them, and keeps a ledger
// of what the SDK reported. Reads are checked against the ledger as they happen; after
// the run the ledger is reconciled with the store and the request log.
func TestSoakMixedOperationsUnderFaults(t *testing.T) {
	srv := wt.NewTestServer(t, wt.WithoutListener())
	client := srv.Client(whippyware.WithHTTPClient(&http.Client{Transport: soakTagger{srv.HTTPClient().Transport}}))
	// Log in before the faults start: the soak is about resources, and this keeps the
	// login out of the workers' ops.
	_, err := client.Auth.Login(t.Context())
	require.NoError(t, err)

	faults := newSoakFaults()
	srv.SetFaultFunc(faults.fault)
	started := time.Now()
	workers := make([]*soakWorker, soakWorkers)
	var wg sync.WaitGroup
	for i := range workers {
		w := &soakWorker{t: t, id: i, client: client, byCode: map[string]*soakRecord{},
			rng: rand.New(rand.NewPCG(soakSeed, uint64(i)))}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(t.Context(), soakOps/soakWorkers)
		}()
	}
	wg.Wait()
	took := time.Since(started)
	srv.SetFaultFunc(nil)

	audit := newSoakAudit(t, srv)
	ops, reads := 0, 0
	for _, w := range workers {
		assert.Nilf(t, w.panicked, "worker %d panicked", w.id)
		for _, op := range w.ops {
			audit.op(op)
		}
		for _, rec := range w.records {
			audit.record(rec)
		}
		ops += len(w.ops)
		reads += w.reads
	}
	audit.nothingElseStored()

	assert.Equal(t, soakOps, ops)
	t.Logf("soak: %d ops from %d workers in %s (seed %d); %d reads checked against the ledgers",
		ops, soakWorkers, took.Round(time.Millisecond), soakSeed, reads)
	for _, kind := range soakKinds {
		line := fmt.Sprintf("  %-6s %4d calls, %3d failed", kind, audit.calls[kind], audit.failed[kind])
		if soakWrites[kind] {
			line += fmt.Sprintf(", %2d of them applied all the same (answer lost)", audit.failedApplied[kind])
		}
		if kind == "list" {
			line += fmt.Sprintf(", %d pages past the end", audit.pastEnd)
		}
		t.Log(line)
	}
	t.Logf("  %d requests for %d calls: %d resends (SDK retries); faults injected: %s",
		audit.sent, ops, audit.sent-ops, faults.summary())
	// The run must have met every kind of fault and every outcome the audit reasons
	// about, or its checks proved less than they claim.
	for _, kind := range soakFaultKinds {
		assert.Positivef(t, faults.count(kind), "no %s fault was injected", kind)
	}
	assert.Positive(t, audit.failedApplied["create"], "no create was applied with its answer lost")
	assert.Positive(t, audit.failedApplied["update"], "no update was applied with its answer lost")
	assert.Positive(t, audit.failedApplied["delete"], "no delete was applied with its answer lost")
}

// soakKinds are the operations a worker performs; find is a list filtered by code
// through All, list one page of List.
var soakKinds = []string{"create", "update", "delete", "get", "find", "list"}

var soakWrites = map[string]bool{"create": true, "update": true, "delete": true}

type soakOpKey struct{}

// soakTagger is the soak client's transport: it stamps each attempt with the tag of the
// op that sent it, taken from the request's context, so that the fault function and the
// fake's request log can tell which op a request belongs to. It changes nothing else.
type soakTagger struct{ next http.RoundTripper }

func (s soakTagger) RoundTrip(req *http.Request) (*http.Response, error) {
	if tag, ok := req.Context().Value(soakOpKey{}).(string); ok {
		req = req.Clone(req.Context()) // a RoundTripper must not change the caller's request
		req.Header.Set(soakHeader, tag)
	}
	return s.next.RoundTrip(req)
}

// soakFaultKinds name the injected faults, for the counts.
var soakFaultKinds = []string{"503", "429", "drop before", "drop after"}

// soakFaults is the fault function: per request, 20% 503, 2.5% connection dropped before
// the handler, 2.5% dropped after it (applied, answer lost), 5% 429: half with a
// Retry-After of 10 to 60 seconds (returned at once), half without (retried).
// Requests without an op tag (none during the run) pass.
type soakFaults struct {
	mu     sync.Mutex // the function runs on every worker's goroutine
	rngs   []*rand.Rand
	counts map[string]int
}

func newSoakFaults() *soakFaults {
	f := &soakFaults{counts: map[string]int{}}
	for i := range soakWorkers {
		f.rngs = append(f.rngs, rand.New(rand.NewPCG(soakSeed, uint64(soakWorkers+i))))
	}
	return f
}

func (f *soakFaults) fault(r *http.Request) *wt.Fault {
	worker, _, found := strings.Cut(strings.TrimPrefix(r.Header.Get(soakHeader), "w"), "-")
	w, err := strconv.Atoi(worker)
	if !found || err != nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rng := f.rngs[w] // the worker's own source: its requests come one at a time
	var fault *wt.Fault
	switch roll := rng.IntN(1000); {
	case roll < 200:
		fault = &wt.Fault{Status: http.StatusServiceUnavailable}
		f.counts["503"]++
	case roll < 225:
		fault = &wt.Fault{Drop: wt.DropBefore}
		f.counts["drop before"]++
	case roll < 250:
		fault = &wt.Fault{Drop: wt.DropAfter}
		f.counts["drop after"]++
	case roll < 300:
		fault = &wt.Fault{Status: http.StatusTooManyRequests}
		if wait := rng.IntN(102); wait >= 51 {
			fault.RetryAfter = time.Duration(wait-41) * time.Second
		}
		f.counts["429"]++
	}
	return fault
}

func (f *soakFaults) count(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[kind]
}

func (f *soakFaults) summary() string {
	parts := make([]string, 0, len(soakFaultKinds))
	for _, kind := range soakFaultKinds {
		parts = append(parts, fmt.Sprintf("%s %d", kind, f.count(kind)))
	}
	return strings.Join(parts, ", ")
}

// soakState is what the server may hold for one provider: nothing (the zero value), or a
// provider with this name and flag. Code and id never change.
type soakState struct {
	present bool
	name    string
	reserve bool
}

var soakGone = soakState{}

func soakStateOf(name string, reserve bool) soakState { return soakState{true, name, reserve} }

// soakRecord is a provider a worker created or tried to: its code (unique per op), its id
// once the SDK reported one, and the states the server may hold for it given everything
// the SDK reported since. One state is what a careful caller knows; two mean a write
// failed and may or may not have been applied.
type soakRecord struct {
	code  string
	id    int64
	maybe []soakState
}

func (r *soakRecord) may(s soakState) bool { return slices.Contains(r.maybe, s) }

func (r *soakRecord) known() bool { return len(r.maybe) == 1 }

func (r *soakRecord) alsoMaybe(s soakState) {
	if !r.may(s) {
		r.maybe = append(r.maybe, s)
	}
}

// soakOp is one SDK call and what the SDK reported for it.
type soakOp struct {
	tag      string // unique per op: w<worker>-<n>; also the code of a create
	kind     string
	rec      *soakRecord // nil for a list page
	want     soakState   // what a create or update wrote
	err      error
	attempts int // Response.Attempts; 0 when no answer came or the call gives none (All)
}

// soakWorker runs one goroutine's ops and keeps its ledger.
type soakWorker struct {
	t        *testing.T
	id       int
	client   *whippyware.Client
	rng      *rand.Rand
	records  []*soakRecord // every provider it created or tried to
	live     []*soakRecord // those with a known id that may still exist
	byCode   map[string]*soakRecord
	ops      []soakOp
	reads    int
	panicked any
}

func (w *soakWorker) run(ctx context.Context, n int) {
	defer func() {
		if p := recover(); p != nil {
			w.panicked = fmt.Sprintf("%v\n%s", p, debug.Stack())
		}
	}()
	for i := range n {
		tag := fmt.Sprintf("w%d-%d", w.id, i)
		opCtx, cancel := context.WithTimeout(context.WithValue(ctx, soakOpKey{}, tag), soakOpLimit)
		op := w.step(opCtx, tag)
		// Not a measured time, which a loaded machine stretches: the op's own
		// deadline, which only waiting out a Retry-After could reach.
		assert.NoErrorf(w.t, opCtx.Err(), "%s %s: a Retry-After was waited out beyond the max wait", op.kind, tag)
		cancel()
		w.ops = append(w.ops, op)
	}
}

// step draws one op: 30% create, 20% update, 10% delete, 25% get, 8% find, 7% list. A
// provider left uncertain by a failed write is read before anything else is done to it,
// as a careful caller would.
func (w *soakWorker) step(ctx context.Context, tag string) soakOp {
	roll := w.rng.IntN(100)
	if roll < 30 || len(w.live) == 0 {
		return w.create(ctx, tag)
	}
	rec := w.live[w.rng.IntN(len(w.live))]
	switch {
	case !rec.known():
		return w.get(ctx, tag, rec)
	case roll < 50:
		return w.update(ctx, tag, rec)
	case roll < 60:
		return w.delete(ctx, tag, rec)
	case roll < 85:
		return w.get(ctx, tag, rec)
	case roll < 93:
		return w.find(ctx, tag, rec)
	}
	return w.list(ctx, tag)
}

func newSoakOp(kind, tag string, rec *soakRecord, want soakState, resp *whippyware.Response, err error) soakOp {
	op := soakOp{tag: tag, kind: kind, rec: rec, want: want, err: err}
	if resp != nil {
		op.attempts = resp.Attempts
	}
	return op
}

func (w *soakWorker) create(ctx context.Context, tag string) soakOp {
	want := soakStateOf("Provider "+tag, w.rng.IntN(2) == 0)
	p, resp, err := w.client.Providers.Create(ctx, &whippyware.ProviderCreateRequest{
		Name: want.name, Code: tag, ShouldAddReservations: whippyware.Ptr(want.reserve),
	})
	rec := &soakRecord{code: tag}
	w.records = append(w.records, rec)
	w.byCode[tag] = rec
	op := newSoakOp("create", tag, rec, want, resp, err)
	if err != nil {
		// The POST may have been applied with its answer lost. Its id is unknown, so the
		// worker leaves it alone; the audit finds it by its code.
		rec.maybe = []soakState{soakGone, want}
		w.expectFault(op)
		return op
	}
	rec.id, rec.maybe = p.ID, []soakState{want}
	w.observe(op, p)
	w.live = append(w.live, rec)
	return op
}

func (w *soakWorker) update(ctx context.Context, tag string, rec *soakRecord) soakOp {
	want := soakStateOf("Provider "+tag, w.rng.IntN(2) == 0)
	p, resp, err := w.client.Providers.Update(ctx, rec.id, &whippyware.ProviderUpdateRequest{
		Name: whippyware.Ptr(want.name), ShouldAddReservations: whippyware.Ptr(want.reserve),
	})
	op := newSoakOp("update", tag, rec, want, resp, err)
	if err != nil {
		rec.alsoMaybe(want)
		w.expectFault(op)
		return op
	}
	rec.maybe = []soakState{want}
	w.observe(op, p)
	return op
}

func (w *soakWorker) delete(ctx context.Context, tag string, rec *soakRecord) soakOp {
	resp, err := w.client.Providers.Delete(ctx, rec.id)
	op := newSoakOp("delete", tag, rec, soakGone, resp, err)
	switch {
	case err == nil, errors.Is(err, whippyware.ErrNotFound):
		// A 404 means a resend found it gone: the attempt before deleted it and lost its
		// answer. The audit proves that from the request log.
		w.gone(rec)
	default:
		rec.alsoMaybe(soakGone)
		w.expectFault(op)
	}
	return op
}

func (w *soakWorker) get(ctx context.Context, tag string, rec *soakRecord) soakOp {
	p, resp, err := w.client.Providers.Get(ctx, rec.id)
	op := newSoakOp("get", tag, rec, soakState{}, resp, err)
	switch {
	case err == nil:
		w.observe(op, p)
	case errors.Is(err, whippyware.ErrNotFound):
		w.observeGone(op)
	default:
		w.expectFault(op)
	}
	return op
}

// find looks the provider up by its code through All, the way a caller finds a record
// without its id.
func (w *soakWorker) find(ctx context.Context, tag string, rec *soakRecord) soakOp {
	op := newSoakOp("find", tag, rec, soakState{}, nil, nil)
	var found []*whippyware.Provider
	for p, err := range w.client.Providers.All(ctx, &whippyware.ProviderFilter{Code: rec.code}) {
		if err != nil {
			op.err = err
			break
		}
		found = append(found, p)
	}
	switch {
	case op.err != nil:
		w.expectFault(op)
	case len(found) == 0:
		w.observeGone(op)
	case assert.Lenf(w.t, found, 1, "find %s: providers with code %s", tag, rec.code):
		w.observe(op, found[0])
	}
	return op
}

// list reads one page of every provider; the worker checks those that are its own.
func (w *soakWorker) list(ctx context.Context, tag string) soakOp {
	opts := &whippyware.ProviderFilter{ListOptions: whippyware.ListOptions{Page: 1 + w.rng.IntN(3), Limit: 50}}
	page, resp, err := w.client.Providers.List(ctx, opts)
	op := newSoakOp("list", tag, nil, soakState{}, resp, err)
	switch {
	case errors.Is(err, whippyware.ErrNotFound): // a page past the end
	case err != nil:
		w.expectFault(op)
	default:
		for _, p := range page.Results {
			if rec := w.byCode[p.Code]; rec != nil && rec.id != 0 {
				mine := op
				mine.rec = rec
				// Checked only: narrowing the ledger on what a page happened to hold would
				// make the worker's next steps depend on the other workers.
				w.check(mine, p)
			}
		}
	}
	return op
}

// check checks a provider the SDK returned for op.rec against the ledger: the id and
// code asked for, and a state the SDK's reports allow.
func (w *soakWorker) check(op soakOp, p *whippyware.Provider) soakState {
	w.reads++
	rec, got := op.rec, soakStateOf(p.Name, p.ShouldAddReservations)
	assert.Equalf(w.t, rec.id, p.ID, "%s %s: id", op.kind, op.tag)
	assert.Equalf(w.t, rec.code, p.Code, "%s %s: code", op.kind, op.tag)
	assert.Truef(w.t, rec.may(got), "%s %s: read %+v where the ledger allows %+v", op.kind, op.tag, got, rec.maybe)
	return got
}

// observe checks p and records that the server holds it now.
func (w *soakWorker) observe(op soakOp, p *whippyware.Provider) {
	op.rec.maybe = []soakState{w.check(op, p)}
}

// observeGone checks a read that found nothing against the ledger.
func (w *soakWorker) observeGone(op soakOp) {
	w.reads++
	assert.Truef(w.t, op.rec.may(soakGone), "%s %s: not found where the ledger holds %+v", op.kind, op.tag, op.rec.maybe)
	w.gone(op.rec)
}

func (w *soakWorker) gone(rec *soakRecord) {
	rec.maybe = []soakState{soakGone}
	if i := slices.Index(w.live, rec); i >= 0 {
		w.live = slices.Delete(w.live, i, i+1)
	}
}

// expectFault asserts that a failed op failed the way an injected fault explains: a 5xx
// or 429 that outlasted the retries, or a dropped connection.
func (w *soakWorker) expectFault(op soakOp) {
	explained := errors.Is(op.err, whippyware.ErrServer) || errors.Is(op.err, whippyware.ErrRateLimited) ||
		errors.Is(op.err, io.EOF)
	assert.Truef(w.t, explained, "%s %s: an error no injected fault explains: %v", op.kind, op.tag, op.err)
}

// soakAudit reconciles the workers' ledgers with the fake's request log and store.
type soakAudit struct {
	t        *testing.T
	requests map[string][]wt.RequestRecord // by op tag, in the order sent
	// creates counts, per provider code, the POSTs not answered 429: the times a create
	// was sent for real.
	creates map[string]int
	stored  map[string][]wt.Provider // by code
	codes   map[string]bool          // every code a worker used

	calls, failed, failedApplied map[string]int
	sent, pastEnd                int
}

func newSoakAudit(t *testing.T, srv *wt.Server) *soakAudit {
	a := &soakAudit{t: t, requests: map[string][]wt.RequestRecord{}, creates: map[string]int{},
		stored: map[string][]wt.Provider{}, codes: map[string]bool{},
		calls: map[string]int{}, failed: map[string]int{}, failedApplied: map[string]int{}}
	for _, r := range srv.Requests() {
		if tag := r.Header.Get(soakHeader); tag != "" {
			a.requests[tag] = append(a.requests[tag], r)
		}
		if r.Method == http.MethodPost && r.Path == relProvidersPath && !soakThrottled(r) {
			var body struct{ Code string }
			if assert.NoError(t, json.Unmarshal(r.Body, &body), "a create's body") {
				a.creates[body.Code]++
			}
		}
	}
	for _, p := range srv.Providers() {
		a.stored[p.Code] = append(a.stored[p.Code], p)
	}
	return a
}

// What the log says about one request. The soak's faults either answer a status without
// handling the request, or drop the connection before or after handling it.
func soakHandled(r wt.RequestRecord) bool { return !r.Faulted || (r.Dropped && r.Status != 0) }

func soakApplied(r wt.RequestRecord) bool {
	return soakHandled(r) && r.Status >= 200 && r.Status < 300
}

// soakDelivered: a 2xx answer the client received.
func soakDelivered(r wt.RequestRecord) bool { return soakApplied(r) && !r.Dropped }

// soakThrottled: a 429 the service answered without processing the request.
func soakThrottled(r wt.RequestRecord) bool {
	return r.Faulted && !r.Dropped && r.Status == http.StatusTooManyRequests
}

var soakAttemptsText = regexp.MustCompile(`after (\d+) attempt`)

// reportedAttempts is the number of attempts the SDK reported for op: Response.Attempts,
// APIError.Attempts, or the text of a connection error. false for a successful All.
func (a *soakAudit) reportedAttempts(op soakOp) (int, bool) {
	var apiErr *whippyware.APIError
	switch {
	case op.attempts > 0:
		return op.attempts, true
	case errors.As(op.err, &apiErr):
		return apiErr.Attempts, true
	case op.err != nil:
		m := soakAttemptsText.FindStringSubmatch(op.err.Error())
		if !assert.NotNilf(a.t, m, "%s %s: the error does not say how many attempts were made: %v", op.kind, op.tag, op.err) {
			return 0, false
		}
		n, _ := strconv.Atoi(m[1])
		return n, true
	}
	return 0, false
}

// op checks one op's report against the requests it sent.
func (a *soakAudit) op(op soakOp) {
	t := a.t
	reqs := a.requests[op.tag]
	a.calls[op.kind]++
	if !assert.NotEmptyf(t, reqs, "%s %s: no request logged", op.kind, op.tag) {
		return
	}
	a.sent += len(reqs)
	if n, ok := a.reportedAttempts(op); ok {
		assert.Equalf(t, len(reqs), n, "%s %s: attempts reported vs requests sent", op.kind, op.tag)
	}
	applied := slices.ContainsFunc(reqs, soakApplied)
	switch {
	case op.err == nil:
		assert.Truef(t, soakDelivered(reqs[len(reqs)-1]), "%s %s: reported success, but the last answer was no 2xx: %+v",
			op.kind, op.tag, reqs[len(reqs)-1])
	case op.kind == "list" && errors.Is(op.err, whippyware.ErrNotFound):
		a.pastEnd++ // a page past the end, how many depends on the other workers
	default:
		a.failed[op.kind]++
		assert.Falsef(t, slices.ContainsFunc(reqs, soakDelivered), "%s %s: reported %v though a 2xx answer arrived",
			op.kind, op.tag, op.err)
		if applied && soakWrites[op.kind] {
			a.failedApplied[op.kind]++
		}
	}
	switch op.kind {
	case "create", "update":
		// POST and PATCH are resent only after a 429, which the service answers without
		// processing the request, and always with the same body: each reached the
		// handler at most once.
		for i, r := range reqs[:len(reqs)-1] {
			assert.Truef(t, soakThrottled(r), "%s %s: attempt %d was %d (faulted %v, dropped %v) and was resent",
				op.kind, op.tag, i+1, r.Status, r.Faulted, r.Dropped)
		}
		for _, r := range reqs[1:] {
			assert.Equalf(t, string(reqs[0].Body), string(r.Body), "%s %s: a resend changed the body", op.kind, op.tag)
		}
	case "delete":
		if errors.Is(op.err, whippyware.ErrNotFound) {
			assert.Truef(t, applied, "delete %s: 404 though no attempt deleted it", op.tag)
		}
	}
	if op.kind == "create" {
		a.create(op, applied)
	}
}

// create checks a create against the POSTs carrying its code and, when it failed,
// against the store.
func (a *soakAudit) create(op soakOp, applied bool) {
	code := op.rec.code
	// Codes are unique per op, so every POST with this code in the whole log is this op's.
	// Writes are not retried but after a 429, so exactly one was sent for real: none when
	// 429s outlasted the retries.
	sent := 1
	if errors.Is(op.err, whippyware.ErrRateLimited) {
		sent = 0
	}
	assert.Equalf(a.t, sent, a.creates[code], "create %s: POSTs sent that were not answered 429", op.tag)
	if op.err == nil {
		return
	}
	// A failed create is either absent or applied exactly once. Applied means its one
	// POST reached the handler, which answered 201, and the connection dropped before
	// the answer (DropAfter): then the store holds exactly one provider with its code
	// and the content sent, which nobody changed since (its id was never known).
	// Otherwise (a 503, a drop before the handler, 429s to the end) it holds none.
	found := a.stored[code]
	if !applied {
		assert.Emptyf(a.t, found, "create %s failed (%v) and was never applied, yet is stored", op.tag, op.err)
		return
	}
	if assert.Lenf(a.t, found, 1, "create %s was applied with its answer lost: stored once", op.tag) {
		assert.Equal(a.t, op.want, soakStateOf(found[0].Name, found[0].ShouldAddReservations), "create %s: content", op.tag)
	}
}

// record checks the store against what the SDK's reports allow for one provider: every
// write reported successful is there once with the content reported, unless a later
// delete took it; a failed write leaves one of the states it allowed.
func (a *soakAudit) record(rec *soakRecord) {
	a.codes[rec.code] = true
	found := a.stored[rec.code]
	if !assert.LessOrEqualf(a.t, len(found), 1, "%s: stored more than once", rec.code) {
		return
	}
	got := soakGone
	if len(found) == 1 {
		got = soakStateOf(found[0].Name, found[0].ShouldAddReservations)
		if rec.id != 0 {
			assert.Equalf(a.t, rec.id, found[0].ID, "%s: id", rec.code)
		}
	}
	assert.Truef(a.t, rec.may(got), "%s: the store holds %+v where the ledger allows %+v", rec.code, got, rec.maybe)
}

// nothingElseStored asserts that every stored provider is one a worker created.
func (a *soakAudit) nothingElseStored() {
	for code := range a.stored {
		assert.Truef(a.t, a.codes[code], "provider %q is stored but no worker created it", code)
	}
}

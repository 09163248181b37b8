package whippyware_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// The reliability tests run the SDK against the fake server with injected faults, in
// the normal test run: a soak of mixed operations reconciled against the store, a burst
// of 401s, a backoff cut short by its context, secrets at debug logging, and answers a
// client cannot trust.

const (
	relLoginPath     = "/api/v1/auth/login/"
	relProvidersPath = "/api/v1/providers/"
)

// ---------------------------------------------------------------------------------------
// Soak

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
		start := time.Now()
		op := w.step(opCtx, tag)
		cancel()
		assert.Lessf(w.t, time.Since(start), soakOpLimit, "%s %s: a Retry-After was waited out beyond the max wait", op.kind, tag)
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

// ---------------------------------------------------------------------------------------
// 401 storm

// TestReloginStormCausesOneLogin withdraws every key, then lets 100 goroutines call at
// once. The fake holds the login until all 100 have sent the withdrawn key, so every one
// of them meets a 401 before a fresh key exists: a real storm, every run.
func TestReloginStormCausesOneLogin(t *testing.T) {
	const callers = 100
	srv := wt.NewTestServer(t)
	p := srv.AddProvider(wt.Provider{Name: "Storm", Code: "storm", IsActive: true})
	c := srv.Client()
	ctx := t.Context()
	_, err := c.Auth.Login(ctx)
	require.NoError(t, err)
	stale := c.Auth.Key()
	srv.ExpireTokens()

	allRefused := make(chan struct{})
	var withStale atomic.Int32
	srv.SetFaultFunc(func(r *http.Request) *wt.Fault {
		switch {
		case r.Header.Get("Authorization") == "Token "+stale:
			if withStale.Add(1) == callers {
				close(allRefused)
			}
		case r.URL.Path == relLoginPath:
			select {
			case <-allRefused:
			case <-time.After(5 * time.Second): // they did not all send it: the counts below fail
			}
		}
		return nil
	})
	logins := srv.RequestCount(http.MethodPost, relLoginPath)

	got := make([]*whippyware.Provider, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got[i], _, errs[i] = c.Providers.Get(ctx, p.ID)
		}()
	}
	close(start)
	wg.Wait()

	for i := range callers {
		if assert.NoError(t, errs[i]) {
			assert.Equal(t, p.ID, got[i].ID)
			assert.Equal(t, "Storm", got[i].Name)
		}
	}
	assert.Equal(t, 1, srv.RequestCount(http.MethodPost, relLoginPath)-logins, "one login for the whole storm")
	fresh := c.Auth.Key()
	assert.NotEqual(t, stale, fresh)
	// Each caller was refused once with the withdrawn key and resent once with the fresh one.
	var refused, resent int
	for _, r := range srv.Requests() {
		switch r.Header.Get("Authorization") {
		case "Token " + stale:
			refused++
			assert.Equal(t, http.StatusUnauthorized, r.Status)
		case "Token " + fresh:
			resent++
			assert.Equal(t, http.StatusOK, r.Status)
		}
	}
	assert.Equal(t, callers, refused, "requests refused with the withdrawn key")
	assert.Equal(t, callers, resent, "requests resent with the fresh key")
}

// ---------------------------------------------------------------------------------------
// Backoff and context

// onAnswer is a transport that calls fn once, after the first answer with status arrives.
type onAnswer struct {
	next   http.RoundTripper
	status int
	once   sync.Once
	fn     func()
}

func (h *onAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.next.RoundTrip(req)
	if err == nil && resp.StatusCode == h.status && h.fn != nil {
		h.once.Do(h.fn)
	}
	return resp, err
}

// TestBackoffEndsWithTheContext starts a 30-second wait between attempts and ends the
// call's context during it: the call must return the context's error long before the
// wait is over. The 5-second bound is liveness, not speed.
func TestBackoffEndsWithTheContext(t *testing.T) {
	cases := []struct {
		name  string
		fault wt.Fault
		call  func(context.Context, *whippyware.Client) error
		// deadline, when set, ends the context; otherwise it is cancelled as soon as the
		// faulted answer has arrived, so during the backoff that follows.
		deadline time.Duration
		want     error
	}{
		{
			name:  "GET cancelled while waiting after a 503",
			fault: wt.Fault{Method: http.MethodGet, Path: relProvidersPath, Status: http.StatusServiceUnavailable},
			call: func(ctx context.Context, c *whippyware.Client) error {
				_, _, err := c.Providers.List(ctx, nil)
				return err
			},
			want: context.Canceled,
		},
		{
			// Without Retry-After: one asking for longer than the context has left is
			// returned at once (TestRetryAfterBeyondTheWait).
			name:  "POST past its deadline while waiting after a 429",
			fault: wt.Fault{Method: http.MethodPost, Path: relProvidersPath, Status: http.StatusTooManyRequests},
			call: func(ctx context.Context, c *whippyware.Client) error {
				_, _, err := c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Name: "P", Code: "p"})
				return err
			},
			deadline: 200 * time.Millisecond,
			want:     context.DeadlineExceeded,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := wt.NewTestServer(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			hook := &onAnswer{next: srv.HTTPClient().Transport, status: tc.fault.Status, fn: cancel}
			if tc.deadline > 0 {
				var stop context.CancelFunc
				ctx, stop = context.WithTimeout(ctx, tc.deadline)
				defer stop()
				hook.fn = nil
			}
			c := srv.Client(whippyware.WithRetryWait(30*time.Second, 30*time.Second),
				whippyware.WithHTTPClient(&http.Client{Transport: hook}))
			_, err := c.Auth.Login(t.Context())
			require.NoError(t, err)
			srv.FailNext(1, tc.fault)

			start := time.Now()
			done := make(chan error, 1)
			go func() { done <- tc.call(ctx, c) }()
			select {
			case err := <-done:
				assert.ErrorIs(t, err, tc.want)
				t.Logf("returned after %s: %v", time.Since(start).Round(time.Millisecond), err)
			case <-time.After(5 * time.Second):
				t.Fatal("the call kept waiting out its 30-second backoff after its context ended")
			}
			assert.Equal(t, 1, srv.RequestCount(tc.fault.Method, tc.fault.Path), "no attempt after the backoff")
		})
	}
}

// ---------------------------------------------------------------------------------------
// Secrets

// TestSecretsNeverLeakUnderFailures runs succeeding and failing calls at debug logging
// (401 and re-login, 400, 404, 429, 503, dropped connections, logout, a withdrawn fixed
// key, a wrong password) and looks for the passwords and every key in the log, in every
// error's text and in the formatted clients.
func TestSecretsNeverLeakUnderFailures(t *testing.T) {
	const user, password, wrongPassword = "keeper", "pw-3f9a1c-do-not-leak", "pw-wrong-77c1e0-do-not-leak"
	srv := wt.NewTestServer(t, wt.WithUser(user, password))
	var logs bytes.Buffer // one handler for all clients: slog serialises its writes
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := srv.Client(whippyware.WithLogger(logger), whippyware.WithRetryMax(2))
	ctx := t.Context()

	var errs []error
	failing := func(err error, want error) {
		t.Helper()
		require.ErrorIs(t, err, want)
		errs = append(errs, err)
	}
	// noAnswer: a dropped connection (EOF, or a reset, as the socket has it).
	noAnswer := func(err error) {
		t.Helper()
		require.Error(t, err)
		var apiErr *whippyware.APIError
		require.False(t, errors.As(err, &apiErr), "no answer came: %v", err)
		errs = append(errs, err)
	}
	p, _, err := c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Name: "P", Code: "p"})
	require.NoError(t, err, "lazy login, then a create")
	srv.ExpireTokens()
	_, _, err = c.Providers.Get(ctx, p.ID)
	require.NoError(t, err, "401, one re-login, resent")

	_, _, err = c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Code: "p"})
	failing(err, whippyware.ErrValidation)
	_, _, err = c.Providers.Get(ctx, 9999)
	failing(err, whippyware.ErrNotFound)
	// Longer than the zero longest wait: returned at once, not retried.
	srv.FailNext(1, wt.Fault{Method: http.MethodGet, Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second})
	_, _, err = c.Providers.List(ctx, nil)
	failing(err, whippyware.ErrRateLimited)
	srv.FailNext(3, wt.Fault{Method: http.MethodGet, Status: http.StatusServiceUnavailable})
	_, _, err = c.Providers.List(ctx, nil)
	failing(err, whippyware.ErrServer)
	// Drops on a DELETE (retried by the SDK) and a POST (sent once): net/http itself
	// resends a GET whose reused connection closed without an answer, so a dropped GET
	// may never reach the SDK.
	srv.FailNext(3, wt.Fault{Method: http.MethodDelete, Drop: wt.DropBefore})
	_, err = c.Providers.Delete(ctx, p.ID)
	noAnswer(err)
	srv.FailNext(1, wt.Fault{Method: http.MethodPost, Drop: wt.DropAfter})
	_, _, err = c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Name: "Q", Code: "q"})
	noAnswer(err)

	withdrawn := c.Auth.Key()
	_, err = c.Auth.Logout(ctx)
	require.NoError(t, err)
	_, _, err = c.Providers.Get(ctx, p.ID)
	require.NoError(t, err, "a new login after logout")
	keyOnly, err := whippyware.NewClient(srv.URL, whippyware.WithKey(withdrawn),
		whippyware.WithHTTPClient(srv.HTTPClient()), whippyware.WithLogger(logger))
	require.NoError(t, err)
	_, _, err = keyOnly.Providers.Get(ctx, p.ID)
	failing(err, whippyware.ErrUnauthorized)
	wrong := srv.Client(whippyware.WithCredentials(user, wrongPassword), whippyware.WithLogger(logger))
	_, _, err = wrong.Providers.List(ctx, nil)
	failing(err, whippyware.ErrInvalidCredentials)

	// Every key the service saw, and the one the client holds: the first login's, the
	// one after ExpireTokens and the one after Logout.
	keys := []string{c.Auth.Key()}
	for _, r := range srv.Requests() {
		if key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Token "); ok && !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	require.Len(t, keys, 3, "keys to look for")
	secrets := map[string]string{"the password": password, "the wrong password": wrongPassword}
	for i, key := range keys {
		secrets[fmt.Sprintf("key %d", i+1)] = key
	}

	logged := logs.String()
	for _, want := range []string{"status=401", "status=400", "status=404", "status=429", "status=503",
		"whippyware retry", "whippyware request failed"} {
		require.Contains(t, logged, want, "the debug log covered every kind of failure")
	}
	texts := map[string]string{"debug log": logged}
	for i, err := range errs {
		texts[fmt.Sprintf("error %d", i)] = fmt.Sprintf("%s\n%v\n%+v\n%#v\n%q", err.Error(), err, err, err, err)
	}
	for name, client := range map[string]*whippyware.Client{"client": c, "key-only client": keyOnly, "wrong-password client": wrong} {
		texts[name] = fmt.Sprintf("%v\n%+v\n%#v\n%s\n%v\n%+v", client, client, client, client, client.Auth, *client.Providers)
	}
	for name, text := range texts {
		for label, secret := range secrets {
			// Not assert.NotContains: its message would print the text, secret included.
			assert.Falsef(t, strings.Contains(text, secret), "the %s holds %s", name, label)
		}
	}
}

// ---------------------------------------------------------------------------------------
// Bad responses

// hostGuard is a transport that records the host of every request and refuses any host
// but the configured one, so that nothing leaves loopback whatever the SDK does.
type hostGuard struct {
	next    http.RoundTripper
	allowed string

	mu   sync.Mutex
	sent []guardedRequest
}

type guardedRequest struct {
	host          string
	authorization bool
}

func (g *hostGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	g.mu.Lock()
	g.sent = append(g.sent, guardedRequest{host: req.URL.Host, authorization: req.Header.Get("Authorization") != ""})
	g.mu.Unlock()
	if req.URL.Host != g.allowed {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("test transport: refusing to reach %s", req.URL.Host)
	}
	return g.next.RoundTrip(req)
}

// assertOnlyAllowedHost asserts that requests were made, and every one went to the
// configured host; it returns how many carried a key.
func (g *hostGuard) assertOnlyAllowedHost(t *testing.T) int {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	require.NotEmpty(t, g.sent)
	keyed := 0
	for _, r := range g.sent {
		assert.Equal(t, g.allowed, r.host, "a request left the configured host")
		if r.authorization {
			keyed++
		}
	}
	return keyed
}

// guardedClient returns a client of the API at base whose every request goes through a
// hostGuard over next, with no wait between retries, and then opts.
func guardedClient(t *testing.T, base string, next http.RoundTripper, opts ...whippyware.Option) (*whippyware.Client, *hostGuard) {
	t.Helper()
	u, err := url.Parse(base)
	require.NoError(t, err)
	guard := &hostGuard{next: next, allowed: u.Host}
	c, err := whippyware.NewClient(base, append([]whippyware.Option{
		whippyware.WithCredentials(wt.DefaultUsername, wt.DefaultPassword),
		whippyware.WithHTTPClient(&http.Client{Transport: guard}),
		whippyware.WithRetryWait(0, 0),
	}, opts...)...)
	require.NoError(t, err)
	return c, guard
}

func getProvider1(ctx context.Context, c *whippyware.Client) (*whippyware.Response, error) {
	_, resp, err := c.Providers.Get(ctx, 1)
	return resp, err
}

// TestBadResponses serves answers a client must not trust: each gives a typed error or
// the right result, and no request leaves the configured host.
func TestBadResponses(t *testing.T) {
	const html502 = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
	cases := []struct {
		name string
		// serve answers every request in place of the API; without it the fake serves,
		// meeting fault on every attempt of the call.
		serve http.HandlerFunc
		fault wt.Fault
		call  func(context.Context, *whippyware.Client) (*whippyware.Response, error)
		check func(t *testing.T, resp *whippyware.Response, err error)
	}{
		{
			name: "truncated JSON with 200",
			serve: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"id": 1, "name": "Prov`)
			},
			call:  getProvider1,
			check: unexpectedAnswer(http.StatusOK),
		},
		{
			name: "body cut short of its Content-Length",
			serve: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", "200")
				io.WriteString(w, `{"id": 1, "name": "Prov`)
			},
			call: getProvider1,
			check: func(t *testing.T, resp *whippyware.Response, err error) {
				unexpectedAnswer(http.StatusOK)(t, resp, err)
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "the body could not be read whole")
			},
		},
		{
			name:  "empty 200 to a read",
			serve: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) },
			call:  getProvider1,
			check: unexpectedAnswer(http.StatusOK),
		},
		{
			name:  "empty 200 to a delete, which reads nothing",
			serve: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) },
			call: func(ctx context.Context, c *whippyware.Client) (*whippyware.Response, error) {
				return c.Providers.Delete(ctx, 1)
			},
			check: func(t *testing.T, resp *whippyware.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusOK, resp.StatusCode)
			},
		},
		{
			name:  "HTML 502 from a proxy",
			fault: wt.Fault{Method: http.MethodGet, Path: relProvidersPath + "1/", Status: http.StatusBadGateway, Body: html502},
			call:  getProvider1,
			check: func(t *testing.T, resp *whippyware.Response, err error) {
				apiErr := serverError(t, resp, err, http.StatusBadGateway)
				assert.Contains(t, apiErr.Detail, "502 Bad Gateway", "a snippet of the page")
			},
		},
		{
			name: "10 MiB error body",
			fault: wt.Fault{Method: http.MethodGet, Path: relProvidersPath + "1/", Status: http.StatusInternalServerError,
				Body: strings.Repeat("x", 10<<20)},
			call: getProvider1,
			check: func(t *testing.T, resp *whippyware.Response, err error) {
				apiErr := serverError(t, resp, err, http.StatusInternalServerError)
				assert.LessOrEqual(t, len(apiErr.Body), 4<<10, "the error keeps the start of the body")
				assert.Less(t, len(err.Error()), 1000, "the error text carries a snippet")
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c *whippyware.Client
			var guard *hostGuard
			if tc.serve != nil {
				ts := httptest.NewServer(tc.serve)
				t.Cleanup(ts.Close)
				c, guard = guardedClient(t, ts.URL, ts.Client().Transport, whippyware.WithKey("bad-responses-key"))
			} else {
				srv := wt.NewTestServer(t)
				srv.AddProvider(wt.Provider{Name: "P", Code: "p", IsActive: true})
				srv.FailNext(4, tc.fault) // the first attempt and 3 retries
				c, guard = guardedClient(t, srv.URL, srv.HTTPClient().Transport)
			}
			resp, err := tc.call(t.Context(), c)
			if err != nil {
				t.Logf("%v", err)
			}
			tc.check(t, resp, err)
			guard.assertOnlyAllowedHost(t)
		})
	}
	t.Run("next link to another host", testNextLinkToAnotherHost)
}

// unexpectedAnswer checks a 2xx answer the client cannot read.
func unexpectedAnswer(status int) func(t *testing.T, resp *whippyware.Response, err error) {
	return func(t *testing.T, resp *whippyware.Response, err error) {
		require.ErrorIs(t, err, whippyware.ErrUnexpectedResponse)
		assert.NotErrorIs(t, err, whippyware.ErrServer)
		require.NotNil(t, resp, "the server answered")
		assert.Equal(t, status, resp.StatusCode)
	}
}

// serverError checks a 5xx retried to the end and returns its *APIError.
func serverError(t *testing.T, resp *whippyware.Response, err error, status int) *whippyware.APIError {
	t.Helper()
	require.ErrorIs(t, err, whippyware.ErrServer)
	assert.NotErrorIs(t, err, whippyware.ErrUnexpectedResponse)
	var apiErr *whippyware.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, status, apiErr.StatusCode)
	assert.Equal(t, 4, apiErr.Attempts)
	require.NotNil(t, resp)
	assert.Equal(t, status, resp.StatusCode)
	return apiErr
}

// testNextLinkToAnotherHost serves the fake behind a proxy that tells it its host is
// evil.example:8000, so that its next links point there, as a misconfigured service's
// would. The client must read only the page number and ask the configured host again.
func testNextLinkToAnotherHost(t *testing.T) {
	srv := wt.NewTestServer(t, wt.WithPageSize(2), wt.WithoutListener())
	p := srv.AddProvider(wt.Provider{Name: "P", Code: "p", IsActive: true})
	srv.AddStockLocation(wt.StockLocation{Name: "110", Code: "110", Provider: p.ID, IsActive: true})
	var ids []int64
	for i := range 5 {
		s := srv.AddStock(wt.Stock{SKU: fmt.Sprintf("SKU-%d", i), Provider: "p", Location: "110", Stock: 1, IsActive: true})
		ids = append(ids, s.ID)
	}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.Clone(r.Context())
		r.Host = "evil.example:8000"
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	c, guard := guardedClient(t, proxy.URL, proxy.Client().Transport)

	page, _, err := c.Stocks.List(t.Context(), nil)
	require.NoError(t, err)
	require.Equal(t, "http://evil.example:8000/api/v1/stocks/?page=2", page.Next, "the link points elsewhere")
	assert.Equal(t, 2, page.NextPage())
	var got []int64
	for s, err := range c.Stocks.All(t.Context(), nil) {
		require.NoError(t, err)
		got = append(got, s.ID)
	}
	assert.Equal(t, ids, got, "every page, in order")
	// Page 1 by List, then pages 1 to 3 by All: 4 requests carrying the key (and the
	// login, which carries none), all to the configured host.
	assert.Equal(t, 4, guard.assertOnlyAllowedHost(t), "requests carrying the key")
}

package whippywaretest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Drop says whether a Fault drops the connection instead of answering, and when.
type Drop int

const (
	// NoDrop answers (with Fault.Status, or the real answer after Fault.Latency).
	NoDrop Drop = iota
	// DropBefore closes the connection before the request is handled: it had no effect.
	DropBefore
	// DropAfter handles the request, then closes the connection without the answer: a write
	// that was applied but whose answer was lost, what makes retrying a POST unsafe.
	DropAfter
)

// Fault is an injected failure. Method and Path say which requests it applies to: Method ""
// matches any method; Path "" matches any path, a Path ending in "*" matches every path that
// starts with what precedes the "*" (e.g. "/api/v1/stocks/*"), and any other Path matches that
// path exactly, with or without its trailing slash.
//
// A matching request first waits Latency (ending early if the request's context ends or the
// server closes). Then a Drop drops the connection: in socket mode the server closes it without
// an answer, in-process the client's RoundTrip returns an error wrapping io.EOF. Else a non-zero
// Status is answered without handling the request. Else the request is handled normally, so a
// Fault with only Latency makes a slow request.
type Fault struct {
	Method  string
	Path    string
	Latency time.Duration
	Drop    Drop
	// Status is the status to answer with, e.g. 429, 502 or 503.
	Status int
	// RetryAfter, if above 0, is sent as the Retry-After header in whole seconds, rounded up
	// as DRF's throttles round their wait.
	RetryAfter time.Duration
	// Body is sent as is. Empty means what the stack would answer: for 500 Django's HTML page
	// "<h1>Server Error (500)</h1>", for any other 5xx a proxy's (nginx's) HTML page, for 429
	// DRF's throttling message naming RetryAfter, for another status DRF's {"detail": "..."}
	// with the default detail of DRF's exception for it ("Not found.", "Invalid token.",
	// "Malformed request.", ...).
	Body string
	// ContentType is sent with Body; empty means application/json if Body is JSON, else
	// text/html.
	ContentType string
}

// faults holds the injected faults, under their own lock: they are about the transport, not
// the API state.
type faults struct {
	mu    sync.Mutex
	queue []PendingFault
	fn    func(*http.Request) *Fault
}

func (fs *faults) reset() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.queue, fs.fn = nil, nil
}

// matches is the method and path rule of Fault, shared by RequestCount.
func matches(wantMethod, wantPath, method, path string) bool {
	if wantMethod != "" && !strings.EqualFold(wantMethod, method) {
		return false
	}
	if prefix, ok := strings.CutSuffix(wantPath, "*"); ok {
		return strings.HasPrefix(path, prefix) || strings.HasPrefix(path+"/", prefix)
	}
	return wantPath == "" || strings.TrimSuffix(wantPath, "/") == strings.TrimSuffix(path, "/")
}

// FailNext makes the next n requests that match f's Method and Path meet f. Calls queue up in
// order: a request meets the first queued fault it matches. Queued faults win over the
// function set with SetFaultFunc.
func (s *Server) FailNext(n int, f Fault) {
	if n < 1 {
		return
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.queue = append(s.faults.queue, PendingFault{f, n})
}

// SetFaultFunc sets a function asked about every request no queued fault matched, for random
// injection in soak tests; it returns the fault to apply, or nil. It is called concurrently and
// must not read the request body. nil removes it.
func (s *Server) SetFaultFunc(fn func(*http.Request) *Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.fn = fn
}

// PendingFault is a fault FailNext queued, with how many more requests it applies to.
type PendingFault struct {
	Fault
	Left int
}

// PendingFaults returns the faults FailNext queued that are not spent yet, in the order
// requests meet them.
func (s *Server) PendingFaults() []PendingFault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return slices.Clone(s.faults.queue)
}

// ClearFaults removes every queued fault and the fault function; the store and the request
// log stay as they are.
func (s *Server) ClearFaults() { s.faults.reset() }

func (fs *faults) take(r *http.Request) *Fault {
	fs.mu.Lock()
	for i := range fs.queue {
		if q := &fs.queue[i]; matches(q.Method, q.Path, r.Method, r.URL.Path) {
			f := q.Fault
			if q.Left--; q.Left == 0 {
				fs.queue = append(fs.queue[:i], fs.queue[i+1:]...)
			}
			fs.mu.Unlock()
			return &f
		}
	}
	fn := fs.fn
	fs.mu.Unlock()
	if fn != nil {
		return fn(r)
	}
	return nil
}

func writeFault(w http.ResponseWriter, r *http.Request, f *Fault) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.retryAfterSeconds()))
	}
	switch {
	case f.Body != "":
	case f.Status == http.StatusInternalServerError:
		serverError(w)
		return
	case f.Status > 500:
		writeHTML(w, f.Status, proxyErrorPage(f.Status))
		return
	default:
		// The headers of the view the path names, as APIView.finalize_response sets them.
		if api := resolve(r.URL.Path).apiView(); api != nil {
			api.setHeaders(w.Header())
		}
		if f.Status == http.StatusUnauthorized {
			unauthorized(w, msgInvalidToken) // authtoken's answer to a key it does not know
		} else {
			writeDetail(w, f.Status, faultDetail(f, r))
		}
		return
	}
	ct := f.ContentType
	if ct == "" {
		ct = "text/html; charset=utf-8"
		if json.Valid([]byte(f.Body)) {
			ct = "application/json"
		}
	}
	writeBody(w, f.Status, []string{ct}, []byte(f.Body))
}

// retryAfterSeconds is RetryAfter in whole seconds, rounded up (DRF's Throttled uses math.ceil).
func (f *Fault) retryAfterSeconds() int {
	return int((f.RetryAfter + time.Second - 1) / time.Second)
}

// faultDetail is the default detail of DRF's exception for the status (exceptions.py), or
// the status text where DRF has none.
func faultDetail(f *Fault, r *http.Request) string {
	switch f.Status {
	case http.StatusTooManyRequests:
		n := f.retryAfterSeconds()
		return throttledDetail(n, n > 0)
	case http.StatusBadRequest:
		return "Malformed request."
	case http.StatusForbidden:
		return "You do not have permission to perform this action."
	case http.StatusNotFound:
		return msgNotFound
	case http.StatusMethodNotAllowed:
		return fmt.Sprintf(fmtMethodNotAllowed, viewMethod(r))
	}
	return http.StatusText(f.Status)
}

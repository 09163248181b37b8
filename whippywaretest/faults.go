package whippywaretest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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
	// Body is sent as is; empty means a DRF-shaped {"detail": "..."} (for 429 the throttling
	// message naming RetryAfter). An HTML page from a proxy is a Body too.
	Body string
	// ContentType is sent with Body; empty means application/json if Body is JSON, else
	// text/html.
	ContentType string
}

// RequestRecord is one request as the server saw it, in the request log.
type RequestRecord struct {
	Method string
	Path   string
	// Query is the raw query string, without "?".
	Query  string
	Header http.Header
	// Body is the request body, cut short past 1 MiB (where the server refuses it).
	Body []byte
	// Status is the status the handler answered, also when a DropAfter fault lost that answer;
	// 0 when no answer was made (DropBefore, or the client gave up during Latency).
	Status int
	// Faulted tells whether an injected fault applied; Dropped whether the connection was
	// dropped.
	Faulted, Dropped bool
}

// faults holds the injected faults and the request log, under their own lock: they are about
// the transport, not the API state.
type faults struct {
	mu    sync.Mutex
	queue []queuedFault
	fn    func(*http.Request) *Fault
	log   []RequestRecord
}

type queuedFault struct {
	Fault
	left int
}

func (fs *faults) reset() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.queue, fs.fn, fs.log = nil, nil, nil
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
	s.faults.queue = append(s.faults.queue, queuedFault{f, n})
}

// SetFaultFunc sets a function asked about every request no queued fault matched, for random
// injection in soak tests; it returns the fault to apply, or nil. It is called concurrently and
// must not read the request body. nil removes it.
func (s *Server) SetFaultFunc(fn func(*http.Request) *Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.fn = fn
}

func (fs *faults) take(r *http.Request) *Fault {
	fs.mu.Lock()
	for i := range fs.queue {
		if q := &fs.queue[i]; matches(q.Method, q.Path, r.Method, r.URL.Path) {
			f := q.Fault
			if q.left--; q.left == 0 {
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

// record appends rec to the log. With a limit, the log is cut back to the newest limit
// records once it holds twice as many: amortised O(1) a request, bounded memory.
func (fs *faults) record(rec RequestRecord, limit int) {
	fs.log = append(fs.log, rec)
	if limit > 0 && len(fs.log) >= 2*limit {
		fs.log = append([]RequestRecord(nil), fs.log[len(fs.log)-limit:]...)
	}
}

// logged returns the part of the log that Requests and RequestCount see: all of it, or the
// newest limit records.
func (fs *faults) logged(limit int) []RequestRecord {
	if limit > 0 && len(fs.log) > limit {
		return fs.log[len(fs.log)-limit:]
	}
	return fs.log
}

// Requests returns a copy of the request log, in the order requests finished: every request,
// or the newest WithRequestLogLimit of them.
func (s *Server) Requests() []RequestRecord {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return append([]RequestRecord(nil), s.faults.logged(s.cfg.logLimit)...)
}

// RequestCount counts the logged requests that match method and path, by the rule of Fault
// (method "" for any, a path ending in "*" for a prefix).
func (s *Server) RequestCount(method, path string) int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	n := 0
	for _, rec := range s.faults.logged(s.cfg.logLimit) {
		if matches(method, path, rec.Method, rec.Path) {
			n++
		}
	}
	return n
}

// serveHTTP is the outermost handler: it logs the request and applies any fault around the
// router. A drop panics with http.ErrAbortHandler, which net/http answers by closing the
// connection and the in-process transport turns into an error.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// Keep a copy of the body for the log; the handler still reads all of it.
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if len(body) == 0 {
		body = nil
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	rec := RequestRecord{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body}
	defer func() { // deferred, so that a drop is logged too
		s.faults.mu.Lock()
		s.faults.record(rec, s.cfg.logLimit)
		s.faults.mu.Unlock()
	}()

	f := s.faults.take(r)
	if f == nil {
		sw := &statusWriter{ResponseWriter: w}
		s.route(sw, r)
		rec.Status = sw.status
		return
	}
	rec.Faulted = true
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return // the client is gone: nobody to answer
		case <-s.closed:
			rec.Dropped = true
			panic(http.ErrAbortHandler)
		}
	}
	switch {
	case f.Drop == DropBefore:
		rec.Dropped = true
		panic(http.ErrAbortHandler)
	case f.Drop == DropAfter:
		lost := httptest.NewRecorder()
		s.route(lost, r)
		rec.Status, rec.Dropped = lost.Code, true
		panic(http.ErrAbortHandler)
	case f.Status != 0:
		writeFault(w, f)
		rec.Status = f.Status
	default:
		sw := &statusWriter{ResponseWriter: w}
		s.route(sw, r)
		rec.Status = sw.status
	}
}

func writeFault(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.retryAfterSeconds()))
	}
	if f.Body == "" {
		writeDetail(w, f.Status, faultDetail(f))
		return
	}
	ct := f.ContentType
	if ct == "" {
		ct = "text/html; charset=utf-8"
		if json.Valid([]byte(f.Body)) {
			ct = "application/json"
		}
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, f.Body)
}

// retryAfterSeconds is RetryAfter in whole seconds, rounded up (DRF's Throttled uses math.ceil).
func (f *Fault) retryAfterSeconds() int {
	return int((f.RetryAfter + time.Second - 1) / time.Second)
}

// faultDetail is the message DRF (or Django) would give for the status.
func faultDetail(f *Fault) string {
	switch {
	case f.Status == http.StatusTooManyRequests && f.retryAfterSeconds() == 1:
		return "Request was throttled. Expected available in 1 second."
	case f.Status == http.StatusTooManyRequests && f.retryAfterSeconds() > 1:
		return fmt.Sprintf("Request was throttled. Expected available in %d seconds.", f.retryAfterSeconds())
	case f.Status == http.StatusTooManyRequests:
		return "Request was throttled."
	case f.Status >= 500:
		return "A server error occurred."
	}
	return http.StatusText(f.Status)
}

// statusWriter remembers the status a handler answered, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

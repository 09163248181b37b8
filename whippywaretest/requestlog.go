package whippywaretest

import (
	"io"
	"net/http"
	"sync"
)

// RequestRecord is one request as the server saw it, in the request log.
type RequestRecord struct {
	Method string
	Path   string
	// Query is the raw query string, without "?".
	Query  string
	Header http.Header
	// Body is the request body, cut to the record size (WithRequestLogRecordSize).
	Body []byte
	// Truncated tells whether Body or Header was cut to the record size.
	Truncated bool
	// Status is the status the handler answered, also when a DropAfter fault lost that answer;
	// 0 when no answer was made (DropBefore, or the client gave up during Latency).
	Status int
	// Faulted tells whether an injected fault applied; Dropped whether the connection was
	// dropped.
	Faulted, Dropped bool
}

// requestLog is what Requests and RequestCount read. With a limit it is a ring of the newest
// limit records, each holding at most recordSize bytes of body and recordSize bytes of header
// fields, so what it retains is bounded by limit × 2 × recordSize bytes.
type requestLog struct {
	mu         sync.Mutex
	limit      int // records kept; 0 keeps every one
	recordSize int
	recs       []RequestRecord
	oldest     int // index of the oldest record once the ring is full
}

func (l *requestLog) add(rec RequestRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit > 0 && len(l.recs) == l.limit {
		l.recs[l.oldest] = rec
		l.oldest = (l.oldest + 1) % l.limit
		return
	}
	l.recs = append(l.recs, rec)
}

func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs, l.oldest = nil, 0
}

// each calls fn on every record, oldest first. The caller holds the lock.
func (l *requestLog) each(fn func(*RequestRecord)) {
	for i := range l.recs {
		fn(&l.recs[(l.oldest+i)%len(l.recs)])
	}
}

// Requests returns a copy of the request log, in the order requests finished: every request,
// or the newest WithRequestLogLimit of them.
func (s *Server) Requests() []RequestRecord {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]RequestRecord, 0, len(s.log.recs))
	s.log.each(func(rec *RequestRecord) { out = append(out, *rec) })
	return out
}

// RequestCount counts the logged requests that match method and path, by the rule of Fault
// (method "" for any, a path ending in "*" for a prefix).
func (s *Server) RequestCount(method, path string) int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	n := 0
	s.log.each(func(rec *RequestRecord) {
		if rec.Matches(method, path) {
			n++
		}
	})
	return n
}

// Matches tells whether the request matches method and path by the rule of Fault (method ""
// for any, a path ending in "*" for a prefix, any other path with or without its slash).
func (rec *RequestRecord) Matches(method, path string) bool {
	return matches(method, path, rec.Method, rec.Path)
}

// newRecord starts the log record of r: its header cut to size bytes, and a tap keeping the
// first size bytes of the body the handler reads (a body refused unread costs nothing).
func newRecord(r *http.Request, size int) (RequestRecord, *bodyTap) {
	rec := RequestRecord{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
	rec.Header, rec.Truncated = keepHeader(r.Header, size)
	tap := &bodyTap{ReadCloser: r.Body, size: size}
	r.Body = tap
	return rec, tap
}

// keepHeader is a copy of h without the fields past size bytes, names and values counted,
// and whether any was left out.
func keepHeader(h http.Header, size int) (out http.Header, cut bool) {
	out, total := http.Header{}, 0
	for k, vs := range h {
		for _, v := range vs {
			if n := len(k) + len(v); total+n <= size {
				total += n
				out[k] = append(out[k], v)
			} else {
				cut = true
			}
		}
	}
	return out, cut
}

// bodyTap keeps the first size bytes read through it.
type bodyTap struct {
	io.ReadCloser
	size int
	kept []byte
	read int
}

func (t *bodyTap) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	if room := t.size - len(t.kept); room > 0 {
		t.kept = append(t.kept, p[:min(n, room)]...)
	}
	t.read += n
	return n, err
}

// finish reads what the handler left of the body, up to one byte past size (to tell whether
// it was cut), and returns the kept part.
func (t *bodyTap) finish() (body []byte, truncated bool) {
	if t.read <= t.size {
		_, _ = io.CopyN(io.Discard, t, int64(t.size-t.read+1))
	}
	return t.kept, t.read > t.size
}

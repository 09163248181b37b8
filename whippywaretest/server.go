package whippywaretest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// InProcessURL is the URL of a server made WithoutListener. Its host is loopback, so that the SDK
// accepts it over plain http, and its port is 0, so that a request sent there by a client other
// than Server.HTTPClient fails at once instead of reaching some real local server.
const InProcessURL = "http://127.0.0.1:0"

// The default credentials are those of the documented login example; a server has them when
// no WithUser is given.
const (
	// DefaultUsername is the user name of the default user.
	DefaultUsername = "test"
	// DefaultPassword is the password of the default user.
	DefaultPassword = "test_pass"
)

// Server is a stateful, in-memory fake of the Whippy Ware API. All its methods are safe for
// concurrent use, also while it serves requests.
type Server struct {
	// URL is the base URL to give a client, without a trailing slash: http://127.0.0.1:<port>,
	// or InProcessURL for a server made WithoutListener.
	URL string

	cfg       config
	st        *store
	faults    faults
	log       requestLog
	handler   http.Handler     // serveHTTP, made once
	ts        *httptest.Server // nil without a socket
	closed    chan struct{}
	closeOnce sync.Once
}

type config struct {
	users        map[string]string
	username     string // the first user, whose credentials Client uses
	pageSize     int
	maxPageSize  int
	keyLifetime  time.Duration
	fixtures     bool
	clock        func() time.Time
	noSocket     bool
	logLimit     int
	recordSize   int
	cascade      bool
	locationByID bool
	throttles    throttles // WithThrottle's, in order
}

// NewServer starts a fake server, on a loopback port unless WithoutListener is given. Close it
// when done; NewTestServer does that itself.
func NewServer(opts ...Option) *Server {
	cfg := config{users: map[string]string{}, pageSize: 20, maxPageSize: 1000, clock: time.Now,
		recordSize: maxBody}
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.username == "" {
		WithUser(DefaultUsername, DefaultPassword)(&cfg)
	}
	if cfg.pageSize < 1 || cfg.maxPageSize < 1 {
		panic(fmt.Sprintf("whippywaretest: page size %d and max page size %d must be at least 1",
			cfg.pageSize, cfg.maxPageSize))
	}
	st := &store{clock: cfg.clock, cascade: cfg.cascade, locationByID: cfg.locationByID}
	st.reset()
	s := &Server{cfg: cfg, st: st, closed: make(chan struct{}),
		log: requestLog{limit: max(cfg.logLimit, 0), recordSize: max(cfg.recordSize, 0)}}
	s.handler = http.HandlerFunc(s.serveHTTP)
	if cfg.fixtures {
		s.SeedFixtures()
	}
	if cfg.noSocket {
		s.URL = InProcessURL
	} else {
		s.ts = httptest.NewServer(s.Handler())
		s.URL = s.ts.URL
	}
	return s
}

// NewTestServer is NewServer closed by t.Cleanup.
func NewTestServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, ending any injected latency; in socket mode it waits for the
// requests in flight.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		if s.ts != nil {
			s.ts.Close()
		}
	})
}

// Handler returns the server's whole HTTP handler (faults, request log, API), to serve it
// elsewhere, e.g. on a listener of your own as cmd/whippyware-fake does.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPClient returns a new http.Client that reaches this server: over the loopback socket, or
// in process for a server made WithoutListener.
func (s *Server) HTTPClient() *http.Client {
	if s.ts != nil {
		return &http.Client{Transport: s.ts.Client().Transport}
	}
	return &http.Client{Transport: inProcess{s}}
}

// Reset empties the store, withdraws every key, and clears faults and the request log, as on
// a new server; ids start again from 1. WithFixtures' records are seeded again.
func (s *Server) Reset() {
	s.st.mu.Lock()
	s.st.reset()
	s.st.mu.Unlock()
	s.faults.reset()
	s.log.reset()
	s.cfg.throttles.reset()
	if s.cfg.fixtures {
		s.SeedFixtures()
	}
}

// serveHTTP logs the request and applies any fault around the router. A drop panics with
// http.ErrAbortHandler: net/http closes the connection, the in-process transport errs.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rec, tap := newRecord(r, s.log.recordSize)
	headerCut := rec.Truncated
	defer func() { // deferred, so that a drop is logged too
		rec.Body, rec.Truncated = tap.finish()
		rec.Truncated = rec.Truncated || headerCut
		s.log.add(rec)
	}()

	f := s.faults.take(r)
	if f != nil {
		rec.Faulted = true
	} else {
		f = &Fault{} // none: answered as the API answers
	}
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
		writeFault(w, r, f)
		rec.Status = f.Status
	default:
		sw := &statusWriter{ResponseWriter: w}
		s.route(sw, r)
		rec.Status = sw.status
	}
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

package whippywaretest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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
	ts        *httptest.Server // nil without a socket
	closed    chan struct{}
	closeOnce sync.Once
}

type config struct {
	users       map[string]string
	username    string // the first user, whose credentials Client uses
	pageSize    int
	maxPageSize int
	keyLifetime time.Duration
	fixtures    bool
	clock       func() time.Time
	noSocket    bool
	logLimit    int
}

// Option configures a Server.
type Option func(*config)

// WithUser adds a user who can log in. The first user given is the one Client logs in as.
// Without any, the server has the single user DefaultUsername / DefaultPassword.
func WithUser(username, password string) Option {
	return func(c *config) {
		if c.username == "" {
			c.username = username
		}
		c.users[username] = password
	}
}

// WithPageSize sets the page size of a list sent without limit (default 20).
func WithPageSize(n int) Option { return func(c *config) { c.pageSize = n } }

// WithMaxPageSize sets the largest limit a list honours; a larger one is clamped (default 1000).
func WithMaxPageSize(n int) Option { return func(c *config) { c.maxPageSize = n } }

// WithKeyLifetime makes login keys expire that long after login (default 0: never). An expired
// key answers 401 "Invalid token.", like a withdrawn one.
func WithKeyLifetime(d time.Duration) Option { return func(c *config) { c.keyLifetime = d } }

// WithFixtures seeds the documented example records (see the package documentation), also
// again after Reset.
func WithFixtures() Option { return func(c *config) { c.fixtures = true } }

// WithClock sets the clock for timestamps and key lifetimes (default time.Now), for
// deterministic created_date and modified_date values.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithoutListener runs the server with no listener: Server.HTTPClient calls the handler in
// process through an http.RoundTripper, and URL is InProcessURL.
func WithoutListener() Option { return func(c *config) { c.noSocket = true } }

// WithRequestLogLimit keeps only the newest n requests in the request log that Requests and
// RequestCount read (default 0: every request), so that a long-running server's memory stays
// bounded; cmd/whippyware-fake keeps 10,000.
func WithRequestLogLimit(n int) Option { return func(c *config) { c.logLimit = n } }

// NewServer starts a fake server, on a loopback port unless WithoutListener is given. Close it
// when done; NewTestServer does that itself.
func NewServer(opts ...Option) *Server {
	cfg := config{users: map[string]string{}, pageSize: 20, maxPageSize: 1000, clock: time.Now}
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
	s := &Server{cfg: cfg, st: newStore(cfg.clock), closed: make(chan struct{})}
	if cfg.fixtures {
		s.seedFixtures()
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
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

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
	if s.cfg.fixtures {
		s.seedFixtures()
	}
}

// collections are the resources under /api/v1/, by path segment.
var collections = map[string]endpoint{
	"providers":        providers,
	"stock-locations":  locations,
	"stock-list-rules": rules,
	"stock-lists":      lists,
	"stocks":           stocks,
}

// route dispatches /api/v1/ paths, with or without their trailing slash; anything else is a
// JSON 404.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/")
	rest = strings.TrimSuffix(rest, "/")
	switch {
	case !ok:
	case rest == "auth/login":
		s.login(w, r)
		return
	case rest == "expire-token":
		s.expireToken(w, r)
		return
	default:
		name, id, hasID := strings.Cut(rest, "/")
		if e, known := collections[name]; known && !(hasID && (id == "" || strings.Contains(id, "/"))) {
			e.serve(s, w, r, id)
			return
		}
	}
	notFound(w)
}

// errDropped is what the in-process transport returns for a dropped connection; it wraps
// io.EOF as a real dropped connection's error does.
var errDropped = fmt.Errorf("whippywaretest: connection dropped by an injected fault: %w", io.EOF)

// inProcess is the RoundTripper of a server without a socket: it calls the handler directly.
type inProcess struct{ s *Server }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close() // a RoundTripper must close the body, whatever happens
	}
	select {
	case <-t.s.closed:
		return nil, errors.New("whippywaretest: server closed")
	default:
	}
	// Make the request look like one a server received.
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:1"
	if in.Host == "" {
		in.Host = req.URL.Host
	}
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	if dropped := serveCatchingDrop(t.s.Handler(), rec, in); dropped {
		return nil, errDropped
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = req
	resp.ContentLength = int64(rec.Body.Len())
	if req.Method == http.MethodHead {
		resp.Body, resp.ContentLength = http.NoBody, 0
	}
	return resp, nil
}

// serveCatchingDrop runs h and reports whether it dropped the connection.
func serveCatchingDrop(h http.Handler, w http.ResponseWriter, r *http.Request) (dropped bool) {
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				panic(p)
			}
			dropped = true
		}
	}()
	h.ServeHTTP(w, r)
	return false
}

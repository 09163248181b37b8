package whippywaretest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
)

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

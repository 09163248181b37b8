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
	// Make the request look like one a server received: a shallow copy with its own header (the
	// handler replaces the body and logs the header; it only reads the URL).
	in := req.WithContext(req.Context())
	in.Header = req.Header.Clone()
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:1"
	if in.Host == "" {
		in.Host = req.URL.Host
	}
	if in.Body == nil {
		in.Body = http.NoBody
	}
	if in.ContentLength == 0 && in.Body != http.NoBody {
		in.ContentLength = -1 // a body of unknown length, which net/http sends chunked
	}
	rec := httptest.NewRecorder()
	if dropped := serveCatchingDrop(t.s, rec, in); dropped {
		return nil, errDropped
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	// What net/http's server and client make of the same answer over a socket.
	resp := rec.Result()
	resp.Request = req
	switch {
	case resp.StatusCode < 200 || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified:
		// No body for these, and none of the headers that would describe one.
		resp.Body, resp.ContentLength = http.NoBody, 0
		resp.Header.Del("Content-Length")
		if resp.StatusCode == http.StatusNotModified {
			resp.Header.Del("Content-Type")
		}
	case req.Method == http.MethodHead:
		// The length the GET's body would have, in the header and in ContentLength.
		resp.Body = http.NoBody
	}
	return resp, nil
}

// serveCatchingDrop runs h and reports whether it dropped the connection.
func serveCatchingDrop(s *Server, w http.ResponseWriter, r *http.Request) (dropped bool) {
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				panic(p)
			}
			dropped = true
		}
	}()
	s.serveHTTP(w, r)
	return false
}

package whippywaretest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
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
	ans := &answer{header: http.Header{}}
	if dropped := serveCatchingDrop(t.s, ans, in); dropped {
		return nil, errDropped
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	return ans.response(req), nil
}

// answer is the in-process http.ResponseWriter. It records what httptest.ResponseRecorder
// does (status, header as of WriteHeader, body, Content-Type sniffed when unset) and serves
// as the response body itself, so that an answer costs a few allocations, not a dozen.
type answer struct {
	header  http.Header
	status  int
	body    []byte
	read    int
	wrote   bool
	snapped http.Header // the header as of WriteHeader
}

func (a *answer) Header() http.Header {
	if a.header == nil {
		a.header = http.Header{} // asked again after WriteHeader: changes go nowhere
	}
	return a.header
}

// WriteHeader freezes the header: the handler's later changes are not sent, as on a socket.
func (a *answer) WriteHeader(code int) {
	if a.wrote {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	a.status, a.wrote = code, true
	a.snapped, a.header = a.header, nil
}

func (a *answer) Write(b []byte) (int, error) {
	if !a.wrote {
		if h := a.Header(); !has(h, "Content-Type") && h.Get("Transfer-Encoding") == "" {
			h.Set("Content-Type", http.DetectContentType(b))
		}
		a.WriteHeader(http.StatusOK)
	}
	a.body = append(a.body, b...)
	return len(b), nil
}

func has(h http.Header, key string) bool {
	_, ok := h[key]
	return ok
}

// Read and Close make the answer the response's body.
func (a *answer) Read(p []byte) (int, error) {
	if a.read >= len(a.body) {
		return 0, io.EOF
	}
	n := copy(p, a.body[a.read:])
	a.read += n
	return n, nil
}

func (a *answer) Close() error { return nil }

// response is the answer as a client receives it.
func (a *answer) response(req *http.Request) *http.Response {
	if !a.wrote {
		a.WriteHeader(http.StatusOK)
	}
	resp := &http.Response{Status: statusLine(a.status), StatusCode: a.status,
		// A copy: the handler's header holds values shared by every answer (Allow,
		// Content-Type), which a client could otherwise change for the next one.
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: a.snapped.Clone(),
		Body: a, ContentLength: int64(len(a.body)), Request: req}
	// What net/http's server and client make of the same answer over a socket.
	switch {
	case a.status < 200 || a.status == http.StatusNoContent || a.status == http.StatusNotModified:
		// No body for these, and none of the headers that would describe one.
		a.body, resp.ContentLength = nil, 0
		resp.Header.Del("Content-Length")
		resp.Header.Del("Transfer-Encoding")
		if a.status == http.StatusNotModified {
			resp.Header.Del("Content-Type")
		}
	case req.Method == http.MethodHead:
		// The length the GET's body would have, in the header and in ContentLength.
		if resp.Header.Get("Content-Length") == "" {
			resp.Header.Set("Content-Length", strconv.Itoa(len(a.body)))
		}
		resp.Body = http.NoBody
	}
	return resp
}

// statusLines are the status lines of the statuses net/http knows, made once.
var statusLines = func() map[int]string {
	m := map[int]string{}
	for code := 100; code < 600; code++ {
		if text := http.StatusText(code); text != "" {
			m[code] = strconv.Itoa(code) + " " + text
		}
	}
	return m
}()

// statusLine is Response.Status: "200 OK", as httptest.ResponseRecorder writes it.
func statusLine(code int) string {
	if line, ok := statusLines[code]; ok {
		return line
	}
	return fmt.Sprintf("%03d %s", code, http.StatusText(code))
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

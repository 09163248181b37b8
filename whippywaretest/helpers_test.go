package whippywaretest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// The tests talk to the fake with net/http alone, never the SDK: they check the wire.

// modes are the two ways to run the server; tests of the transport run in both.
var modes = []struct {
	name string
	opts []wt.Option
}{
	{"socket", nil},
	{"in-process", []wt.Option{wt.WithoutListener()}},
}

// conn is a plain HTTP client of one fake server, holding a key once logged in.
type conn struct {
	t    testing.TB
	srv  *wt.Server
	http *http.Client
	key  string
	// authorization, when set, is sent as the Authorization header instead of the key's.
	authorization string
}

// dial starts a server (in process unless opts say otherwise) and logs in as the default user.
func dial(t testing.TB, opts ...wt.Option) *conn {
	t.Helper()
	srv := wt.NewTestServer(t, append([]wt.Option{wt.WithoutListener()}, opts...)...)
	return connect(t, srv)
}

// connect logs in to srv as the default user.
func connect(t testing.TB, srv *wt.Server) *conn {
	t.Helper()
	c := &conn{t: t, srv: srv, http: srv.HTTPClient()}
	c.key = c.login(wt.DefaultUsername, wt.DefaultPassword)
	return c
}

// login logs in without sending the conn's key: DRF refuses a login that carries a dead one.
func (c *conn) login(user, password string) string {
	c.t.Helper()
	key, auth := c.key, c.authorization
	c.key, c.authorization = "", ""
	defer func() { c.key, c.authorization = key, auth }()
	r := c.do(http.MethodPost, "/api/v1/auth/login/", map[string]string{"username": user, "password": password})
	require.Equal(c.t, http.StatusOK, r.status, "login: %s", r.raw)
	return r.object()["key"].(string)
}

// reply is an answer, read whole.
type reply struct {
	t      testing.TB
	status int
	header http.Header
	raw    []byte
}

// object decodes the body as a JSON object; numbers come out as float64, as any JSON reader
// sees them, so tests check JSON types.
func (r reply) object() map[string]any {
	r.t.Helper()
	var v map[string]any
	require.NoError(r.t, json.Unmarshal(r.raw, &v), "body: %s", r.raw)
	return v
}

// results decodes a list envelope's results.
func (r reply) results() []map[string]any {
	r.t.Helper()
	var v struct{ Results []map[string]any }
	require.NoError(r.t, json.Unmarshal(r.raw, &v), "body: %s", r.raw)
	return v.Results
}

// do sends a request with the conn's key. body is nil (none), a string (sent as is, as JSON),
// or a value to encode.
func (c *conn) do(method, path string, body any) reply {
	c.t.Helper()
	return c.send(context.Background(), method, path, body, "application/json")
}

func (c *conn) send(ctx context.Context, method, path string, body any, contentType string) reply {
	c.t.Helper()
	res, err := c.try(ctx, method, path, body, contentType)
	require.NoError(c.t, err)
	return res
}

// try is send that returns every error instead of failing the test, so that worker goroutines
// can use it (they must not call require).
func (c *conn) try(ctx context.Context, method, path string, body any, contentType string) (reply, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.srv.URL+path, rd)
	if err != nil {
		return reply{}, err
	}
	if rd != nil && contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case c.authorization != "":
		req.Header.Set("Authorization", c.authorization)
	case c.key != "":
		req.Header.Set("Authorization", "Token "+c.key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{t: c.t, status: res.StatusCode, header: res.Header, raw: raw}, nil
}

// create posts body and requires 201, returning the record.
func (c *conn) create(path string, body any) map[string]any {
	c.t.Helper()
	r := c.do(http.MethodPost, path, body)
	require.Equal(c.t, http.StatusCreated, r.status, "POST %s: %s", path, r.raw)
	return r.object()
}

// requireJSON checks status and that the body is the JSON want.
func requireJSON(t testing.TB, r reply, status int, want string) {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.raw)
	require.JSONEq(t, want, string(r.raw))
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
}

// fixture reads an embedded fixture.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := wt.Fixture(name)
	require.NoError(t, err)
	return string(b)
}

// seedProvider stores a provider and a location of it, what most stock tests need.
func seedProvider(srv *wt.Server, code, location string) (wt.Provider, wt.StockLocation) {
	p := srv.AddProvider(wt.Provider{Name: code, Code: code, IsActive: true})
	l := srv.AddStockLocation(wt.StockLocation{Name: location, Code: location, Provider: p.ID, IsActive: true})
	return p, l
}

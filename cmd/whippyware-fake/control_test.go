package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// start runs the command on a free loopback port until the test ends and returns its URL.
func start(t *testing.T, args []string, env map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), func(k string) string { return env[k] }, stdout)
		stdout.Close()
	}()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, out) }()
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	require.NotEmpty(t, base, "the URL listened on: %q", line)
	return base
}

// call sends a request and returns the status and body.
func call(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	if body != "" || method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Token "+key)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(raw)
}

func login(t *testing.T, base, user, password string) string {
	t.Helper()
	status, body := call(t, "POST", base+"/api/v1/auth/login/", "", `{"username":"`+user+`","password":"`+password+`"}`)
	require.Equal(t, http.StatusOK, status, body)
	var v struct{ Key string }
	require.NoError(t, json.Unmarshal([]byte(body), &v))
	return v.Key
}

func TestControlAPI(t *testing.T) {
	base := start(t, []string{"-seed"}, nil)
	ctl := base + controlPrefix

	status, body := call(t, "GET", ctl+"ready", "", "")
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"ready": true}`, body)

	// Seed posted records: providers before the stocks that name them; is_active as sent.
	status, body = call(t, "POST", ctl+"seed", "", `{
		"providers": [{"name": "Main", "code": "main"}, {"name": "Old", "code": "old", "is_active": false}],
		"stock_locations": [{"name": "W1", "code": "w1", "provider": 3}],
		"stocks": [{"sku": "A", "provider": "main", "location": "w1", "stock": 7}]}`)
	require.Equal(t, http.StatusCreated, status, body)
	key := login(t, base, "test", "test_pass")
	_, body = call(t, "GET", base+"/api/v1/providers/?is_active=false", key, "")
	assert.Contains(t, body, `"code":"old"`)
	assert.Contains(t, body, `"count":1`, "the record without is_active is active")
	_, body = call(t, "GET", base+"/api/v1/stocks/?sku=A", key, "")
	assert.Contains(t, body, `"location":"w1","stock":7`)

	status, body = call(t, "POST", ctl+"seed", "", `{"stocks": [{"sku": "B", "provider": "nope", "location": "w1", "stock": 1}]}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "Object with code=nope does not exist.")

	// Faults: the same model as FailNext.
	status, body = call(t, "POST", ctl+"faults", "", `{"count": 2, "method": "GET", "path": "/api/v1/stocks/", "status": 429, "retry_after": 3}`)
	require.Equal(t, http.StatusNoContent, status, body)
	for range 2 {
		status, body = call(t, "GET", base+"/api/v1/stocks/", key, "")
		assert.Equal(t, http.StatusTooManyRequests, status)
		assert.JSONEq(t, `{"detail": "Request was throttled. Expected available in 3 seconds."}`, body)
	}
	status, _ = call(t, "GET", base+"/api/v1/stocks/", key, "")
	assert.Equal(t, http.StatusOK, status, "spent after 2")
	require.Equal(t, http.StatusNoContent, first(call(t, "POST", ctl+"faults", "", `{"path": "/api/v1/providers/", "drop": "after"}`)))
	req, err := http.NewRequest("POST", base+"/api/v1/providers/", strings.NewReader(`{"name": "D", "code": "dropped"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Token "+key)
	_, err = (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	assert.Error(t, err, "the answer was lost")
	_, body = call(t, "GET", base+"/api/v1/providers/?code=dropped", key, "")
	assert.Contains(t, body, `"count":1`, "but the write was applied")
	for _, bad := range []string{`{"drop": "sideways"}`, `{"status": 42}`, `{"statuss": 500}`, `[]`, `{}`} {
		assert.Equal(t, http.StatusBadRequest, first(call(t, "POST", ctl+"faults", "", bad)), bad)
	}

	// The request log, filtered by the rule of a fault; control requests are not in it.
	status, body = call(t, "GET", ctl+"requests?method=GET&path=/api/v1/stocks/*", "", "")
	require.Equal(t, http.StatusOK, status)
	var logged []struct {
		Method, Path string
		Status       int
		Faulted      bool
		Headers      map[string][]string
	}
	require.NoError(t, json.Unmarshal([]byte(body), &logged))
	require.Len(t, logged, 4)
	assert.Equal(t, []int{200, 429, 429, 200}, []int{logged[0].Status, logged[1].Status, logged[2].Status, logged[3].Status})
	assert.True(t, logged[1].Faulted)
	assert.Equal(t, []string{"[redacted]"}, logged[0].Headers["Authorization"], "a key is not served")
	_, body = call(t, "GET", ctl+"requests", "", "")
	assert.NotContains(t, body, controlPrefix)

	// Expire every key.
	require.Equal(t, http.StatusNoContent, first(call(t, "POST", ctl+"expire-tokens", "", "")))
	status, body = call(t, "GET", base+"/api/v1/stocks/", key, "")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.JSONEq(t, `{"detail": "Invalid token."}`, body)

	// Reset: empty again, with the documented records seeded again (-seed).
	require.Equal(t, http.StatusNoContent, first(call(t, "POST", ctl+"reset", "", "")))
	key = login(t, base, "test", "test_pass")
	_, body = call(t, "GET", base+"/api/v1/providers/", key, "")
	assert.Contains(t, body, `"count":2`)
	assert.NotContains(t, body, `"main"`)
	_, body = call(t, "GET", ctl+"requests", "", "")
	assert.Contains(t, body, `"path":"/api/v1/providers/"`)
	assert.NotContains(t, body, `"/api/v1/stocks/"`, "the log was cleared")

	assert.Equal(t, http.StatusNotFound, first(call(t, "GET", ctl+"nope", "", "")))
	assert.Equal(t, http.StatusMethodNotAllowed, first(call(t, "GET", ctl+"reset", "", "")))
}

func TestControlSeedsTheDocumentedRecords(t *testing.T) {
	base := start(t, nil, nil)
	status, body := call(t, "POST", base+controlPrefix+"seed", "", "")
	require.Equal(t, http.StatusCreated, status, body)
	assert.Contains(t, body, `"sku":"555AB13004562130"`)
	key := login(t, base, "test", "test_pass")
	_, body = call(t, "GET", base+"/api/v1/stocks/2/", key, "")
	assert.Contains(t, body, `"sku":"555AB13004562130"`)
	status, _ = call(t, "POST", base+controlPrefix+"seed", "", "")
	assert.Equal(t, http.StatusBadRequest, status, "the records are there already")
}

func TestControlCanBeTurnedOff(t *testing.T) {
	base := start(t, []string{"-control=false"}, nil)
	status, body := call(t, "GET", base+controlPrefix+"ready", "", "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, "<h1>Not Found</h1>", "the fake's own 404")
}

func first(status int, _ string) int { return status }

// send sends a control request as a browser page or a stray client could, with the given
// headers, and returns the status and body.
func send(t *testing.T, method, url, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(raw)
}

// What a web page can send to a local port: a cross-site form POST (text/plain or
// form-encoded, no preflight), a request with its Origin, a DNS-rebound Host. None of them
// reaches the store.
func TestControlRefusesWhatABrowserPageCouldSend(t *testing.T) {
	base := start(t, []string{"-seed"}, nil)
	json := map[string]string{"Content-Type": "application/json"}
	refused := []struct {
		header map[string]string
		status int
		want   string
	}{
		{map[string]string{"Content-Type": "text/plain"}, http.StatusUnsupportedMediaType, "application/json"},
		{map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType, "application/json"},
		{map[string]string{}, http.StatusUnsupportedMediaType, "application/json"},
		{map[string]string{"Content-Type": "application/json", "Origin": "http://evil.example"}, http.StatusForbidden, "Origin"},
		{map[string]string{"Content-Type": "application/json", "Origin": "null"}, http.StatusForbidden, "Origin"},
		{map[string]string{"Content-Type": "application/json", "Host": "evil.example:80"}, http.StatusForbidden, "-allow-remote"},
	}
	for _, tc := range refused {
		status, body := send(t, "POST", base+controlPrefix+"reset", "{}", tc.header)
		assert.Equal(t, tc.status, status, "%v: %s", tc.header, body)
		assert.Contains(t, body, tc.want)
	}
	key := login(t, base, "test", "test_pass")
	_, body := call(t, "GET", base+"/api/v1/providers/", key, "")
	assert.Contains(t, body, `"count":2`, "nothing was reset")

	// Its own Origin, a loopback name and the address served are fine.
	host := strings.TrimPrefix(base, "http://")
	for _, h := range []map[string]string{{"Origin": base}, {"Host": "localhost"}, {"Host": "[::1]:9"}, {"Host": host}} {
		h["Content-Type"] = json["Content-Type"]
		status, body := send(t, "POST", base+controlPrefix+"expire-tokens", "", h)
		assert.Equal(t, http.StatusNoContent, status, "%v: %s", h, body)
	}
	// The API itself answers any Host: a client names the service as it likes.
	status, _ := send(t, "GET", base+"/api/v1/", "", map[string]string{"Host": "fake:8080"})
	assert.Equal(t, http.StatusUnauthorized, status)
}

// With -allow-remote (a compose network's Host: fake:8080) any Host is served, and a
// -control-token, from the flag or the environment, guards the control API instead.
func TestControlRemoteWithToken(t *testing.T) {
	open := start(t, []string{"-allow-remote"}, nil)
	status, body := send(t, "GET", open+controlPrefix+"ready", "", map[string]string{"Host": "fake:8080"})
	assert.Equal(t, http.StatusOK, status, body)

	base := start(t, []string{"-allow-remote"}, map[string]string{"WHIPPYWARE_FAKE_CONTROL_TOKEN": "s3cret"})
	for _, auth := range []string{"", "Bearer wrong", "s3cret", "Token s3cret"} {
		status, body = send(t, "GET", base+controlPrefix+"ready", "", map[string]string{"Host": "fake:8080", "Authorization": auth})
		assert.Equal(t, http.StatusUnauthorized, status, "%q: %s", auth, body)
	}
	status, body = send(t, "GET", base+controlPrefix+"ready", "", map[string]string{"Host": "fake:8080", "Authorization": "Bearer s3cret"})
	assert.Equal(t, http.StatusOK, status, body)
	status, _ = send(t, "GET", base+"/api/v1/", "", map[string]string{"Host": "fake:8080"})
	assert.Equal(t, http.StatusUnauthorized, status, "the API does not want the control token")
}

// The request log served over HTTP shows no key and no password; the process that owns the
// fake still reads them through Requests.
func TestControlRequestLogRedactsSecrets(t *testing.T) {
	base := start(t, nil, nil)
	key := login(t, base, "test", "test_pass")
	status, _ := send(t, "POST", base+"/api/v1/auth/login/", "username=test&password=test_pass",
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	require.Equal(t, http.StatusOK, status)
	send(t, "POST", base+"/api/v1/auth/login/", `{"username":"test","password":"test_pa`, map[string]string{"Content-Type": "application/json"})
	call(t, "GET", base+"/api/v1/stocks/", key, "")
	_, body := call(t, "GET", base+controlPrefix+"requests", "", "")
	assert.NotContains(t, body, "test_pass")
	assert.NotContains(t, body, key)
	var logged []struct {
		Body    string
		Headers map[string][]string
	}
	require.NoError(t, json.Unmarshal([]byte(body), &logged))
	require.Len(t, logged, 4)
	assert.JSONEq(t, `{"username":"test","password":"[redacted]"}`, logged[0].Body)
	assert.Equal(t, "password=%5Bredacted%5D&username=test", logged[1].Body)
	assert.Equal(t, "[redacted]", logged[2].Body, "a body it cannot read is redacted whole")
	assert.Equal(t, []string{"[redacted]"}, logged[3].Headers["Authorization"])
}

// The password is redacted in every form the log holds: a login body of any Content-Type or
// shape, one sent to a mistyped path, a query, a repeated Authorization.
func TestControlRequestLogRedactsEveryFormOfThePassword(t *testing.T) {
	base := start(t, nil, nil)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for _, tc := range []struct {
		path, body string
		header     map[string]string
	}{
		// Django reads the pair Go's url.ParseQuery drops for its bad escape elsewhere.
		{"/api/v1/auth/login/", "username=test&pass%77ord=test_pass&x=%zz", form},
		{"/api/v1/auth/login/", "username=test&password=test%5Fpass&password=test_pass", form},
		{"/api/v1/auth/login/", `[{"username":"test","password":"test_pass"}]`, nil},
		{"/api/v1/auth/login/", `{"username":"test","pass\u0077ord":"test_pass"}`, nil},
		{"/api/v1/auth/login/", "--B\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\ntest_pass\r\n--B--\r\n",
			map[string]string{"Content-Type": "multipart/form-data; boundary=B"}},
		{"/api/v1/login/", `{"username":"test","password":"test_pass"}`, nil}, // a mistyped path
		{"/api/v1/auth/login/?username=test&password=test_pass", `{"username":"test"}`, nil},
		{"/api/v1/providers/", `{"name":"n","code":"c"}`, map[string]string{"Authorization": "Token test_pass"}},
	} {
		header := map[string]string{"Content-Type": "application/json"}
		for k, v := range tc.header {
			header[k] = v
		}
		send(t, "POST", base+tc.path, tc.body, header)
	}
	// A repeated Authorization: every value is redacted.
	req, err := http.NewRequest("GET", base+"/api/v1/stocks/", nil)
	require.NoError(t, err)
	req.Header.Add("Authorization", "Token test_pass")
	req.Header.Add("Authorization", "Token test_pass")
	res, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	require.NoError(t, err)
	res.Body.Close()

	_, body := call(t, "GET", base+controlPrefix+"requests", "", "")
	assert.NotContains(t, body, "test_pass")
	assert.NotContains(t, body, "test%5Fpass")
	var logged []struct {
		Query   string
		Body    string
		Headers map[string][]string
	}
	require.NoError(t, json.Unmarshal([]byte(body), &logged))
	require.Len(t, logged, 9)
	for i, want := range []string{"[redacted]", "password=%5Bredacted%5D&username=test", "[redacted]",
		`{"password":"[redacted]","username":"test"}`, "[redacted]", `{"password":"[redacted]","username":"test"}`,
		`{"username":"test"}`, `{"name":"n","code":"c"}`} {
		assert.Equal(t, want, logged[i].Body, "request %d", i)
	}
	assert.Equal(t, "password=%5Bredacted%5D&username=test", logged[6].Query)
	assert.Equal(t, []string{"[redacted]"}, logged[7].Headers["Authorization"])
	assert.Equal(t, []string{"[redacted]", "[redacted]"}, logged[8].Headers["Authorization"])
}

// Control input is strict: a key or a record field the fake does not know is a 400 naming it,
// and a seed stores all of its records or none.
func TestControlInputIsStrict(t *testing.T) {
	base := start(t, nil, nil)
	ctl := base + controlPrefix
	for _, tc := range []struct{ body, want string }{
		{`{"provider": [{"name": "P", "code": "p"}]}`, `unknown field \"provider\"`},
		{`{"providers": [{"name": "P", "code": "p"}], "stocks": [{"sku": "A", "provider": "p", "location": "l", "quantity": 5}]}`,
			`unknown field \"quantity\"`},
		{`{"providers": [{"name": "P", "code": "p"}, {"name": "Q", "code": "p"}]}`, "provider with this code already exists."},
		{`{"providers": [{"name": "P", "code": "p"}]} {"stocks": []}`, "more than one JSON value"},
	} {
		status, body := call(t, "POST", ctl+"seed", "", tc.body)
		assert.Equal(t, http.StatusBadRequest, status, tc.body)
		assert.Contains(t, body, tc.want)
		assert.Contains(t, body, "nothing was stored")
	}
	key := login(t, base, "test", "test_pass")
	_, body := call(t, "GET", base+"/api/v1/providers/", key, "")
	assert.Contains(t, body, `"count":0`, "no seed stored its good records")

	status, body := call(t, "POST", ctl+"seed", "", `{"providers": [{"name": "`+strings.Repeat("x", maxSeedBody)+`"}]}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status, "a body is capped")
	assert.Contains(t, body, "too large")
	status, _ = call(t, "POST", ctl+"faults", "", `{"status": 503, "body": "`+strings.Repeat("x", maxControlBody)+`"}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status, "a fault's body is capped too")

	// Faults: {} is none; GET lists the queued ones, DELETE clears them.
	status, body = call(t, "POST", ctl+"faults", "", `{}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "a fault needs")
	require.Equal(t, http.StatusNoContent, first(call(t, "POST", ctl+"faults", "", `{"count": 3, "path": "/api/v1/stocks/", "status": 503, "retry_after": 2}`)))
	require.Equal(t, http.StatusNoContent, first(call(t, "POST", ctl+"faults", "", `{"method": "POST", "drop": "after", "latency_ms": 5}`)))
	call(t, "GET", base+"/api/v1/stocks/", key, "")
	_, body = call(t, "GET", ctl+"faults", "", "")
	assert.JSONEq(t, `[{"count":2,"method":"","path":"/api/v1/stocks/","status":503,"retry_after":2,"latency_ms":0,"drop":"","body":"","content_type":""},
		{"count":1,"method":"POST","path":"","status":0,"retry_after":0,"latency_ms":5,"drop":"after","body":"","content_type":""}]`, body)
	require.Equal(t, http.StatusNoContent, first(call(t, "DELETE", ctl+"faults", "", "")))
	_, body = call(t, "GET", ctl+"faults", "", "")
	assert.JSONEq(t, `[]`, body)
	status, _ = call(t, "GET", base+"/api/v1/stocks/", key, "")
	assert.Equal(t, http.StatusOK, status, "no fault left")
}

// A client that sends its request slowly, or leaves its connection idle, loses it.
func TestServerTimesOutSlowAndIdleConnections(t *testing.T) {
	defer func(r, i time.Duration) { readTimeout, idleTimeout = r, i }(readTimeout, idleTimeout)
	readTimeout, idleTimeout = 300*time.Millisecond, 300*time.Millisecond
	base := start(t, nil, nil)
	addr := strings.TrimPrefix(base, "http://")

	// exchange sends a raw request and reads until the connection closes, at most 10 s.
	exchange := func(request string) string {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, request)
		require.NoError(t, err)
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
		answer, err := io.ReadAll(conn)
		require.NoError(t, err, "closed by the server, not by the deadline")
		return string(answer)
	}
	answer := exchange("POST /_fake/seed HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	assert.NotContains(t, answer, "201", "the seed was not stored")
	answer = exchange("GET /_fake/ready HTTP/1.1\r\nHost: " + addr + "\r\n\r\n") // then idle
	assert.Contains(t, answer, `{"ready":true}`)
}

// controlRoutes are every route of the control API, with a body it accepts.
var controlRoutes = []struct{ method, path, body string }{
	{"GET", "ready", ""}, {"POST", "reset", ""}, {"POST", "seed", `{}`},
	{"POST", "faults", `{"status": 503}`}, {"GET", "faults", ""}, {"DELETE", "faults", ""},
	{"POST", "expire-tokens", ""}, {"GET", "requests", ""},
}

// Every route refuses what a browser page could send, and answers what a test sends.
func TestControlGuardsEveryRoute(t *testing.T) {
	base := start(t, nil, nil)
	host := strings.TrimPrefix(base, "http://")
	_, port, _ := strings.Cut(host, ":")
	jsonCT := map[string]string{"Content-Type": "application/json; charset=utf-8"}
	with := func(k, v string) map[string]string {
		return map[string]string{"Content-Type": "application/json", k: v}
	}
	for _, r := range controlRoutes {
		url := base + controlPrefix + r.path
		for _, h := range []map[string]string{with("Origin", "http://evil.example"), with("Origin", "null"),
			with("Origin", "http://localhost:"+port), with("Host", "evil.example:"+port), with("Host", "fake:8080"),
			with("Host", "localhost.evil.example"), with("Host", "127.0.0.1:"+port+".evil.example")} {
			status, body := send(t, r.method, url, r.body, h)
			assert.Equal(t, http.StatusForbidden, status, "%s %s %v: %s", r.method, r.path, h, body)
		}
		if r.method == "POST" {
			for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
				status, body := send(t, r.method, url, r.body, map[string]string{"Content-Type": ct})
				assert.Equal(t, http.StatusUnsupportedMediaType, status, "%s %q: %s", r.path, ct, body)
			}
		}
		for _, h := range []map[string]string{jsonCT, with("Origin", base), with("Host", "localhost:"+port), with("Host", "127.0.0.1"),
			with("Host", "[::1]:"+port), with("Host", host)} {
			status, body := send(t, r.method, url, r.body, h)
			assert.Less(t, status, 300, "%s %s %v: %s", r.method, r.path, h, body)
		}
	}
}

// Unknown keys at every level, unknown fields of every resource and wrong types are refused,
// and the seed stores nothing.
func TestControlSeedRefusesWhatItDoesNotKnow(t *testing.T) {
	base := start(t, nil, nil)
	for _, body := range []string{
		`{"providers": [{"name": "P", "code": "p", "colour": 1}]}`,
		`{"stock_locations": [{"name": "L", "code": "l", "provider": 1, "colour": 1}]}`,
		`{"stock_list_rules": [{"name": "R", "rule_type": "sql", "colour": 1}]}`,
		`{"stock_lists": [{"code": "c", "name": "N", "colour": 1}]}`,
		`{"stocks": [{"sku": "A", "provider": "p", "location": "l", "stock": 1, "colour": 1}]}`,
		`{"providers": [{"name": "P", "code": "p"}], "extra": []}`,
		`{"providers": [{"name": "P", "code": 5}]}`,
		`{"providers": {"name": "P", "code": "p"}}`,
		`{"providers": [{"name": "P", "code": "p"}], "stocks": [{"sku": "A", "provider": "p", "location": "l", "stock": "5"}]}`,
		`{"providers": [{"name": "P", "code": "p", "is_active": "yes"}]}`,
		`[]`, `"x"`, `{"providers": [`,
	} {
		status, answer := call(t, "POST", base+controlPrefix+"seed", "", body)
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", body, answer)
		assert.Contains(t, answer, "nothing was stored", body)
	}
	for _, body := range []string{`{"status": 503, "colour": 1}`, `{"status": "503"}`, `{"count": 1.5, "status": 503}`,
		`{"latency_ms": -1}`, `{"drop": "now"}`, `{"status": 100}`, `{"status": 101}`, `null`} {
		status, answer := call(t, "POST", base+controlPrefix+"faults", "", body)
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", body, answer)
	}
	_, answer := call(t, "GET", base+controlPrefix+"faults", "", "")
	assert.JSONEq(t, `[]`, answer)
	key := login(t, base, "test", "test_pass")
	_, answer = call(t, "GET", base+"/api/v1/providers/", key, "")
	assert.Contains(t, answer, `"count":0`)
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

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
	if body != "" {
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
	for _, bad := range []string{`{"drop": "sideways"}`, `{"status": 42}`, `{"statuss": 500}`, `[]`} {
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
	assert.Equal(t, []string{"Token " + key}, logged[0].Headers["Authorization"])
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

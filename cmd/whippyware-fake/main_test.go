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
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunServesTheFakeUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-seed", "-user", "alice", "-password", "secret", "-page-size", "5"}, noEnv, stdout)
		stdout.Close()
	}()

	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, out) }()
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	require.NotEmpty(t, base, "the URL actually listened on: %q", line)
	assert.NotContains(t, line, "secret", "the password is not printed")

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	res, err := client.Post(base+"/api/v1/auth/login/", "application/json",
		strings.NewReader(`{"username": "alice", "password": "secret"}`))
	require.NoError(t, err)
	var login struct{ Key string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&login))
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/stocks/", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Token "+login.Key)
	res, err = client.Do(req)
	require.NoError(t, err)
	var page struct {
		Count   int
		Results []struct{ SKU string }
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&page))
	res.Body.Close()
	assert.Equal(t, 1, page.Count, "-seed stored the documented stock")
	assert.Equal(t, "555AB13004562130", page.Results[0].SKU)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	client.CloseIdleConnections()
	_, err = client.Get(base + "/api/v1/stocks/")
	assert.Error(t, err, "stopped listening")
}

func TestRunRefusesBadArguments(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-addr", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"-addr", ":0"}, "not a loopback address"},
		{[]string{"-addr", "example.com:80"}, "not a loopback address"},
		{[]string{"-page-size", "0"}, "must be at least 1"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-nope"}, "flag provided but not defined"},
		{[]string{"-log-limit", "0"}, "the log needs a limit"},
		{[]string{"-log-record-size", "-1"}, "-log-record-size -1: may not be negative"},
		{[]string{"-throttle", "50"}, `-throttle: whippywaretest: throttle rate "50": want N/s, N/m, N/h or N/d`},
		{[]string{"-write-throttle", "5/w"}, `-write-throttle: whippywaretest: throttle rate "5/w": the period must be s, m, h or d`},
	}
	for _, tc := range cases {
		err := run(t.Context(), tc.args, noEnv, io.Discard)
		assert.ErrorContains(t, err, tc.want, "%q", tc.args)
	}
}

func noEnv(string) string { return "" }

func TestFlagsFromTheEnvironment(t *testing.T) {
	env := map[string]string{"WHIPPYWARE_FAKE_ADDR": "0.0.0.0:0", "WHIPPYWARE_FAKE_PAGE_SIZE": "x"}
	err := run(t.Context(), nil, func(k string) string { return env[k] }, io.Discard)
	assert.ErrorContains(t, err, `WHIPPYWARE_FAKE_PAGE_SIZE="x"`, "each flag has its variable")

	env["WHIPPYWARE_FAKE_PAGE_SIZE"] = "5"
	err = run(t.Context(), nil, func(k string) string { return env[k] }, io.Discard)
	assert.ErrorContains(t, err, "not a loopback address", "the address came from the environment")

	err = run(t.Context(), []string{"-addr", "localhost:bad"}, func(k string) string { return env[k] }, io.Discard)
	assert.NotContains(t, err.Error(), "0.0.0.0", "the command line wins")

	base := start(t, nil, map[string]string{"WHIPPYWARE_FAKE_ALLOW_REMOTE": "true", "WHIPPYWARE_FAKE_ADDR": "127.0.0.1:0",
		"WHIPPYWARE_FAKE_USER": "env-user", "WHIPPYWARE_FAKE_PASSWORD": "env-pw"})
	assert.Len(t, login(t, base, "env-user", "env-pw"), 40)
}

func TestVersionPrintsTheBuildAndServesNothing(t *testing.T) {
	var out strings.Builder
	// An address run would refuse: -version answers before checking or listening.
	require.NoError(t, run(t.Context(), []string{"-version", "-addr", "0.0.0.0:1"}, noEnv, &out))
	assert.Regexp(t, `^whippyware-fake \S+ \(.*go1\.\d+.*\)\n$`, out.String())
}

// -throttle (here from WHIPPYWARE_FAKE_THROTTLE) throttles each user's requests as DRF does;
// -write-throttle only the writes.
func TestThrottleFlags(t *testing.T) {
	base := start(t, nil, map[string]string{"WHIPPYWARE_FAKE_THROTTLE": "2/h"})
	key := login(t, base, "test", "test_pass")
	for range 2 {
		status, body := call(t, "GET", base+"/api/v1/stocks/", key, "")
		require.Equal(t, http.StatusOK, status, body)
	}
	status, body := call(t, "GET", base+"/api/v1/stocks/", key, "")
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Regexp(t, `^\{"detail":"Request was throttled. Expected available in 3[56]\d\d seconds."\}$`, body)

	base = start(t, []string{"-write-throttle", "1/h"}, nil)
	key = login(t, base, "test", "test_pass")
	for range 3 {
		status, body := call(t, "GET", base+"/api/v1/stocks/", key, "")
		require.Equal(t, http.StatusOK, status, body)
	}
	status, _ = call(t, "DELETE", base+"/api/v1/stocks/1/", key, "")
	assert.Equal(t, http.StatusNotFound, status, "the first write passes (and finds nothing)")
	status, _ = call(t, "DELETE", base+"/api/v1/stocks/1/", key, "")
	assert.Equal(t, http.StatusTooManyRequests, status)
}

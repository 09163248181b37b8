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
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-seed", "-user", "alice", "-password", "secret", "-page-size", "5"}, stdout)
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
	}
	for _, tc := range cases {
		err := run(t.Context(), tc.args, io.Discard)
		assert.ErrorContains(t, err, tc.want, "%q", tc.args)
	}
}

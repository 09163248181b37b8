package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/whippyware-go/whippyware/examples/internal/exampleenv"
)

func TestErrorsRunsOnTheFake(t *testing.T) {
	env := exampleenv.ForTest(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env))
	want := []string{
		"Running on the in-process fake server",
		"validation: fix the request: code: [This field may not be blank.]",
		"not found: the provider is gone; treat as deleted",
		"unauthorized: get a new key, or give the client credentials",
		"invalid credentials: check the user name and password; retrying will not help",
		"no credentials: configure WithCredentials or WithKey",
		"rate limited after 1 attempt: wait 12s before trying again",
		"server error 502 after 4 attempts: <html><body>502 Bad Gateway</body></html>",
		"server error on a write after 1 attempt: check before creating again",
	}
	assert.Equal(t, want, strings.Split(strings.TrimSpace(out.String()), "\n"))
	assert.Empty(t, env.Fake.Providers(), "the refused create left nothing behind")
}

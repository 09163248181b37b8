package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/whippyware-go/whippyware/examples/internal/exampleenv"
)

func TestQuickstartRunsOnTheFake(t *testing.T) {
	env := exampleenv.ForTest(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env))

	text := out.String()
	for _, line := range []string{
		"Logged in",
		"Created provider 1 (quickstart)",
		"Created location 1 (110)",
		"Created location 2 (112)",
		"  SKU-2 at 112: 12",
		"Total stock of quickstart: 34",
		"Validation error, as expected: code: [This field may not be blank.]",
		"Expired the key",
	} {
		assert.Contains(t, text, line)
	}
	assert.Empty(t, env.Fake.Stocks(), "the run deletes its stock")
	assert.Empty(t, env.Fake.Providers(), "the run deletes its provider")
	assert.Equal(t, "", env.Client.Auth.Key())
}

func TestConnectRefusesHalfAConfiguration(t *testing.T) {
	_, err := exampleenv.Connect(func(k string) string {
		if k == exampleenv.EnvURL {
			return "https://stock.example.com"
		}
		return ""
	})
	require.Error(t, err)
}

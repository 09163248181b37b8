package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -f - reading a terminal says so in one line, as sync does, instead of waiting silently.
func TestFileFromATerminalHints(t *testing.T) {
	c := emptyCLI(t)
	master, tty := openPTY(t)
	_, err := master.WriteString("code,name\nerp_a,A\n\x04") // a file, then Ctrl-D
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"providers", "create", "-f", "-"}, func(k string) string { return c.env[k] }, tty, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Equal(t, "whippyware: reading records from the terminal; end them with Ctrl-D, or give a file (-f records.csv)\n", stderr.String())
	assert.Contains(t, stdout.String(), "erp_a")

	// A pipe gets no hint.
	r := c.run("code,name\nerp_b,B\n", "providers", "create", "-f", "-")
	assert.Empty(t, r.stderr)
}

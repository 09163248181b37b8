package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// -f - reading a terminal says so in one line, as sync does, instead of waiting silently.
func TestFileFromATerminalHints(t *testing.T) {
	c := emptyCLI(t)
	stdout, stderr := c.onTerminal("code,name\nerp_a,A\n", "providers", "create", "-f", "-")
	assert.Equal(t, "whippyware: reading records from the terminal; end them with Ctrl-D, or give a file (-f records.csv)\n", stderr)
	assert.Contains(t, stdout, "erp_a")

	// A pipe gets no hint.
	r := c.run("code,name\nerp_b,B\n", "providers", "create", "-f", "-")
	assert.Empty(t, r.stderr)
}

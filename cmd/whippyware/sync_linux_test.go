package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openPTY opens a pseudo-terminal: what a user at a terminal gives the command as stdin.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	var unlock int32
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlockpt: %v", e)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("ptsname: %v", e)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open the terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return master, tty
}

// onTerminal runs the command with a terminal as its standard input, on which the user
// types typed and then Ctrl-D; the command must succeed.
func (c *cli) onTerminal(typed string, args ...string) (stdout, stderr string) {
	c.t.Helper()
	master, tty := openPTY(c.t)
	_, err := master.WriteString(typed + "\x04")
	require.NoError(c.t, err)
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return c.env[k] }, tty, &out, &errOut)
	require.Equal(c.t, exitOK, code, errOut.String())
	return out.String(), errOut.String()
}

// sync reading a terminal says so in one line, instead of waiting silently.
func TestSyncHintsWhenItReadsATerminal(t *testing.T) {
	c := storeCLI(t)
	stdout, stderr := c.onTerminal("A,erp_a,a1,1\n", "sync")
	assert.Equal(t, "whippyware sync: reading CSV from the terminal; end it with Ctrl-D, or give a file (whippyware sync stock.csv)\n",
		stderr[:strings.IndexByte(stderr, '\n')+1])
	assert.Contains(t, stdout, "created 1, ")

	// A pipe gets no hint.
	r := c.run("A,erp_a,a1,2\n", "sync")
	assert.NotContains(t, r.stderr, "reading CSV from the terminal")
}

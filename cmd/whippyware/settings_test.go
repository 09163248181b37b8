package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

func TestPasswordFromStandardInput(t *testing.T) {
	c := newCLI(t)
	delete(c.env, envPassword)
	out := c.ok(wt.DefaultPassword+"\n", "--password-stdin", "providers", "list", "--code", "erp_main")
	assert.Contains(t, out, "erp_main")
	// As echo without -n and a Windows editor leave it.
	c.ok(wt.DefaultPassword+"\r\n", "--password-stdin", "providers", "list")

	for name, tc := range map[string]struct {
		stdin string
		args  []string
		want  string
	}{
		"sync -":         {"A,erp_main,300,1\n", []string{"--password-stdin", "sync", "-"}, "this command reads its input from there too"},
		"sync, no file":  {"A,erp_main,300,1\n", []string{"--password-stdin", "sync", "--dry-run"}, "this command reads its input from there too"},
		"-f -":           {"code,name\na,A\n", []string{"--password-stdin", "providers", "create", "-f", "-"}, "this command reads its input from there too"},
		"with password":  {"x\n", []string{"--password-stdin", "--password", "x", "providers", "list"}, "--password and --password-stdin: give one of them"},
		"empty input":    {"", []string{"--password-stdin", "providers", "list"}, "standard input holds no password"},
		"wrong password": {"nope\n", []string{"--password-stdin", "providers", "list"}, "Unable to log in with provided credentials."},
	} {
		t.Run(name, func(t *testing.T) {
			r := c.run(tc.stdin, tc.args...)
			assert.Equal(t, exitCannotRun, r.code)
			assert.Contains(t, r.stderr, tc.want)
			assert.Empty(t, r.stdout)
		})
	}
	assert.Zero(t, c.writes())
}

func TestPasswordFromAFile(t *testing.T) {
	c := newCLI(t)
	delete(c.env, envPassword)
	c.env[envPasswordFile] = c.file("password", wt.DefaultPassword+"\n")
	assert.Contains(t, c.ok("", "providers", "list"), "erp_main")

	c.env[envPassword] = wt.DefaultPassword
	r := c.run("", "providers", "list")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Contains(t, r.stderr, "both WHIPPYWARE_PASSWORD and WHIPPYWARE_PASSWORD_FILE are set")

	delete(c.env, envPassword)
	c.env[envPasswordFile] = c.file("empty", "\n")
	r = c.run("", "providers", "list")
	assert.Contains(t, r.stderr, "WHIPPYWARE_PASSWORD_FILE: "+c.env[envPasswordFile]+" is empty")
	c.env[envPasswordFile] = c.file("big.csv", strings.Repeat("sku,provider\n", 1000))
	r = c.run("", "providers", "list")
	assert.Contains(t, r.stderr, "is longer than 4096 bytes")
	c.env[envPasswordFile] = "/nonexistent/password"
	r = c.run("", "providers", "list")
	assert.Contains(t, r.stderr, "WHIPPYWARE_PASSWORD_FILE: open /nonexistent/password: no such file or directory")
}

func TestHelpSaysThePasswordFlagIsVisible(t *testing.T) {
	c := newCLI(t)
	out := c.ok("", "--help")
	assert.Contains(t, out, "--password is visible to other users of the machine")
	assert.Contains(t, out, "--password-stdin")
	assert.Contains(t, out, "whippyware completion bash")
}

// URL mistakes are named with what to type, in the command's terms: no Go option.
func TestURLErrorsSayWhatToType(t *testing.T) {
	c := newCLI(t)
	for name, tc := range map[string]struct {
		url  string
		want string
	}{
		"no scheme":     {"stock.example.com:8443", `WHIPPYWARE_URL "stock.example.com:8443" has no scheme: type it as https://stock.example.com:8443`},
		"plain http":    {"http://stock.example.com/whippy", `WHIPPYWARE_URL "http://stock.example.com/whippy" is plain http to stock.example.com, which is not this machine, and the service is HTTPS-only: type https://stock.example.com/whippy, or give --insecure-http (or set WHIPPYWARE_INSECURE_HTTP=1)`},
		"user in URL":   {"https://bob:hunter2@stock.example.com", "WHIPPYWARE_URL holds a user name or password: give the URL without them"},
		"other scheme":  {"ftp://stock.example.com", `WHIPPYWARE_URL "ftp://stock.example.com": type it as https://stock.example.com`},
		"not a URL":     {"https://stock example.com", "WHIPPYWARE_URL is not a URL (invalid character \" \" in host name)"},
		"has no host":   {"https://", "has no host"},
		"query in base": {"https://stock.example.com/?x=1", "has a query or fragment"},
		"one slash":     {"https:/stock.example.com", `WHIPPYWARE_URL "https:/stock.example.com" has no host: type it as https://stock.example.com`},
	} {
		t.Run(name, func(t *testing.T) {
			c.env[envURL] = tc.url
			r := c.run("", "providers", "list")
			assert.Equal(t, exitCannotRun, r.code)
			assert.Contains(t, r.stderr, tc.want)
			assert.NotContains(t, r.stderr, "hunter2")
			assert.NotRegexp(t, `With[A-Z]`, r.stderr, "names no Go option")
		})
	}
	r := c.run("", "--url", "stock.example.com", "providers", "list")
	assert.Contains(t, r.stderr, `--url "stock.example.com" has no scheme: type it as https://stock.example.com`)
	r = c.run("", "--url", "localhost:8080", "providers", "list")
	assert.Contains(t, r.stderr, `--url "localhost:8080" has no scheme: type it as http://localhost:8080`)

	// Spaces around the URL, as a variable read from a file may carry, are not part of it.
	c.env[envURL] = " " + c.fake.URL + "\n"
	assert.Contains(t, c.ok("", "providers", "list"), "erp_main")
}

// --insecure-http (or its variable) allows plain http to another host, with a warning.
func TestInsecureHTTP(t *testing.T) {
	for name, tc := range map[string]struct {
		flag bool
		env  string
	}{"flag": {flag: true}, "variable": {env: "1"}} {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			a := &app{stderr: &stderr, getenv: func(k string) string { return map[string]string{envInsecureHTTP: tc.env}[k] }}
			root := a.rootCommand()
			args := []string{"--url", "http://stock.internal:8000", "--username", "u", "--password", "p"}
			if tc.flag {
				args = append(args, "--insecure-http")
			}
			require.NoError(t, root.ParseFlags(args))
			require.NoError(t, a.settle(root, nil))
			c, err := a.client() // builds the client and sends nothing
			require.NoError(t, err)
			assert.Equal(t, "http://stock.internal:8000/", c.BaseURL())
			assert.Equal(t, "whippyware: warning: --insecure-http: the password and key go to stock.internal:8000 unencrypted\n", stderr.String())
		})
	}

	c := newCLI(t)
	c.env[envInsecureHTTP] = "maybe"
	r := c.run("", "providers", "list")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Contains(t, r.stderr, `WHIPPYWARE_INSECURE_HTTP="maybe": use 1 or 0`)

	// Loopback needs no flag and gets no warning.
	c.env[envInsecureHTTP] = "1"
	r = c.run("", "providers", "list")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr)
}

// A login that does not finish in time is said in the command's terms: the client's Go
// option for the timeout is not something the command offers.
func TestSlowLoginNamesNoGoOption(t *testing.T) {
	c := newCLI(t)
	c.fake.FailNext(1, wt.Fault{Method: "POST", Path: "/api/v1/auth/login/", Latency: 5 * time.Second})
	c.clientOptions = []whippyware.Option{whippyware.WithLoginTimeout(50 * time.Millisecond)}
	r := c.run("", "providers", "list")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Contains(t, r.stderr, "whippyware: login did not finish within 50ms: ")
	assert.NotRegexp(t, `With[A-Z]`, r.stderr, "names no Go option")
	assert.Empty(t, r.stdout)
}

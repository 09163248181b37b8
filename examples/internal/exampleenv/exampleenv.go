// Package exampleenv connects the example programs: to the service named by the
// environment when it is set, otherwise to a fake server started in process, so
// that every example runs with no settings.
package exampleenv

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/whippywaretest"
)

// The variables that point the examples at a real service.
const (
	EnvURL      = "WHIPPYWARE_URL"
	EnvUsername = "WHIPPYWARE_USERNAME"
	EnvPassword = "WHIPPYWARE_PASSWORD"
)

// Env is where an example runs.
type Env struct {
	// Client is ready to use; it logs in on its first call.
	Client *whippyware.Client
	// Fake is the in-process fake server, nil on a real service.
	Fake *whippywaretest.Server
	// Where describes the target for the example's first line of output.
	Where string

	url string
}

// ClientWith returns another client for the same target with only opts: no
// credentials unless opts has them. On the fake it shares the fake's transport and
// waits nothing between retries.
func (e *Env) ClientWith(opts ...whippyware.Option) (*whippyware.Client, error) {
	if e.Fake != nil {
		opts = append([]whippyware.Option{whippyware.WithHTTPClient(e.Fake.HTTPClient()), whippyware.WithRetryWait(0, 0)}, opts...)
	}
	return whippyware.NewClient(e.url, opts...)
}

// Close stops the fake server, if one was started.
func (e *Env) Close() {
	if e.Fake != nil {
		e.Fake.Close()
	}
}

// Connect reads the three variables through getenv (os.Getenv in the programs). All
// three set: a client for that service. None set: a fake server and its client.
// Some set: an error, rather than a silent run on the fake.
func Connect(getenv func(string) string, opts ...whippyware.Option) (*Env, error) {
	url, user, password := getenv(EnvURL), getenv(EnvUsername), getenv(EnvPassword)
	switch {
	case url == "" && user == "" && password == "":
		fake := whippywaretest.NewServer()
		return &Env{Client: fake.Client(opts...), Fake: fake, Where: "the in-process fake server", url: fake.URL}, nil
	case url == "" || user == "" || password == "":
		return nil, fmt.Errorf("set all of %s or none", strings.Join([]string{EnvURL, EnvUsername, EnvPassword}, ", "))
	}
	client, err := whippyware.NewClient(url, append([]whippyware.Option{whippyware.WithCredentials(user, password)}, opts...)...)
	if err != nil {
		return nil, err
	}
	return &Env{Client: client, Where: client.BaseURL(), url: url}, nil
}

// Main runs an example program: it connects as Connect does with os.Getenv, runs
// run with a deadline of timeout, and exits non-zero with the error on stderr.
func Main(name string, timeout time.Duration, run func(ctx context.Context, out io.Writer, env *Env) error) {
	env, err := Connect(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	err = run(ctx, os.Stdout, env)
	cancel()
	env.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// ForTest returns an Env on a fake server whatever the environment says, closed
// when the test ends: the examples' tests check their output on the fake.
func ForTest(t testing.TB) *Env {
	t.Helper()
	env, err := Connect(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	return env
}

// Command errors shows each typed error of the SDK and how to handle it: a 400
// with field messages, 404, 401, a wrong password, a missing key, and, on the fake
// server where they can be caused on purpose, 429 and 5xx answers.
//
// With no settings it runs on a fake server started in process; with
// WHIPPYWARE_URL, WHIPPYWARE_USERNAME and WHIPPYWARE_PASSWORD set, on that service
// (where it skips the 429 and 5xx cases).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/examples/internal/exampleenv"
	"github.com/whippyware-go/whippyware/whippywaretest"
)

func main() { exampleenv.Main("errors", time.Minute, run) }

func run(ctx context.Context, out io.Writer, env *exampleenv.Env) error {
	c := env.Client
	fmt.Fprintf(out, "Running on %s\n", env.Where)

	// 400: the service says what is wrong with each field.
	_, _, err := c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Name: "No code"})
	var vErr *whippyware.ValidationError
	if !errors.As(err, &vErr) {
		return unexpected("a validation error", err)
	}
	fmt.Fprintf(out, "validation: fix the request: code: %v\n", vErr.Fields["code"])

	// 404: an unknown id.
	_, _, err = c.Providers.Get(ctx, 987654321)
	if !errors.Is(err, whippyware.ErrNotFound) {
		return unexpected("not found", err)
	}
	fmt.Fprintln(out, "not found: the provider is gone; treat as deleted")

	// 401 with a fixed key: nothing to log in with, so the client returns it.
	withKey, err := env.ClientWith(whippyware.WithKey("not-a-valid-key"))
	if err != nil {
		return err
	}
	_, _, err = withKey.Providers.List(ctx, nil)
	if !errors.Is(err, whippyware.ErrUnauthorized) {
		return unexpected("unauthorized", err)
	}
	fmt.Fprintln(out, "unauthorized: get a new key, or give the client credentials")

	// A wrong password: the login's 400 matches ErrInvalidCredentials.
	wrong, err := env.ClientWith(whippyware.WithCredentials("test", "wrong-password"))
	if err != nil {
		return err
	}
	_, _, err = wrong.Providers.List(ctx, nil)
	if !errors.Is(err, whippyware.ErrInvalidCredentials) {
		return unexpected("invalid credentials", err)
	}
	fmt.Fprintln(out, "invalid credentials: check the user name and password; retrying will not help")

	// Neither key nor credentials: refused before anything is sent.
	anonymous, err := env.ClientWith()
	if err != nil {
		return err
	}
	_, _, err = anonymous.Providers.List(ctx, nil)
	if !errors.Is(err, whippyware.ErrNoCredentials) {
		return unexpected("no credentials", err)
	}
	fmt.Fprintln(out, "no credentials: configure WithCredentials or WithKey")

	if env.Fake == nil {
		fmt.Fprintln(out, "rate limited and server errors: skipped on a real service")
		return nil
	}
	return injected(ctx, out, c, env.Fake)
}

// injected makes the fake answer 429 and 5xx to show those errors.
func injected(ctx context.Context, out io.Writer, c *whippyware.Client, fake *whippywaretest.Server) error {
	// Throttled for longer than the client may wait (WithRetryWait's maximum, or what
	// the context has left): the 429 comes back at once, with the wait asked for.
	fake.FailNext(1, whippywaretest.Fault{Method: "GET", Path: "/api/v1/providers/", Status: 429, RetryAfter: 12 * time.Second})
	_, _, err := c.Providers.List(ctx, nil)
	var apiErr *whippyware.APIError
	if !errors.Is(err, whippyware.ErrRateLimited) || !errors.As(err, &apiErr) {
		return unexpected("rate limited", err)
	}
	fmt.Fprintf(out, "rate limited after %d attempt: wait %s before trying again\n", apiErr.Attempts, apiErr.RetryAfter)

	// A proxy's HTML page on a read: retried, then a typed error with a snippet.
	fake.FailNext(4, whippywaretest.Fault{Method: "GET", Path: "/api/v1/providers/", Status: 502, Body: "<html><body>502 Bad Gateway</body></html>"})
	_, _, err = c.Providers.List(ctx, nil)
	if !errors.Is(err, whippyware.ErrServer) || !errors.As(err, &apiErr) {
		return unexpected("a server error", err)
	}
	fmt.Fprintf(out, "server error %d after %d attempts: %s\n", apiErr.StatusCode, apiErr.Attempts, apiErr.Detail)

	// A 503 on a create is not retried: the service might have created it.
	fake.FailNext(1, whippywaretest.Fault{Method: "POST", Path: "/api/v1/providers/", Status: 503})
	_, _, err = c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Name: "Once", Code: "once"})
	if !errors.Is(err, whippyware.ErrServer) || !errors.As(err, &apiErr) {
		return unexpected("a server error", err)
	}
	fmt.Fprintf(out, "server error on a write after %d attempt: check before creating again\n", apiErr.Attempts)
	return nil
}

func unexpected(want string, got error) error {
	return fmt.Errorf("expected %s, got %v", want, got)
}

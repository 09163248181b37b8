package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/whippyware-go/whippyware"
)

// More variables the settings come from.
const (
	envPasswordFile = "WHIPPYWARE_PASSWORD_FILE"
	envInsecureHTTP = "WHIPPYWARE_INSECURE_HTTP"
)

// maxPasswordBytes bounds what is read as a password, from standard input or a file: a
// password is a line, and a mistaken file (a CSV, a log) must not be read whole.
const maxPasswordBytes = 4 << 10

// settle checks the settings every command shares and reads the password from standard
// input for --password-stdin, before the command sends anything.
func (a *app) settle(cmd *cobra.Command, args []string) error {
	switch {
	case cmd.Name() == cobra.ShellCompRequestCmd, cmd.Name() == cobra.ShellCompNoDescRequestCmd,
		cmd.HasParent() && cmd.Parent().Name() == "completion":
		// Completion talks to no service: a bad setting must not break a shell's completion.
		return nil
	}
	if err := checkFormat(a.output); err != nil {
		return err
	}
	if v := a.getenv(envInsecureHTTP); v != "" && !cmd.Flags().Changed("insecure-http") {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s=%q: use 1 or 0 (true or false)", envInsecureHTTP, v)
		}
		a.insecureHTTP = on
	}
	if !a.passwordStdin {
		return nil
	}
	if a.password != "" {
		return errors.New("--password and --password-stdin: give one of them")
	}
	if readsStdin(cmd, args) {
		return errors.New("--password-stdin reads the password from standard input, and this command reads its input from there too: " +
			"give the input as a file, or the password in " + envPasswordFile + " or " + envPassword)
	}
	line, err := a.stdinLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("--password-stdin: %w", err)
	}
	if a.password = strings.TrimRight(line, "\r\n"); a.password == "" {
		return errors.New("--password-stdin: standard input holds no password")
	}
	return nil
}

// readsStdin says whether cmd reads its input from standard input: sync with no file or
// "-", and a command given -f -.
func readsStdin(cmd *cobra.Command, args []string) bool {
	if cmd.Name() == "sync" {
		return len(args) == 0 || args[0] == "-"
	}
	f := cmd.Flags().Lookup("file")
	return f != nil && f.Value.String() == "-"
}

// stdinLine reads one line of standard input (at most maxPasswordBytes), for a password or
// an answer to a question.
func (a *app) stdinLine() (string, error) {
	if a.stdinLines == nil {
		a.stdinLines = bufio.NewReader(a.stdin)
	}
	var line []byte
	for {
		part, more, err := a.stdinLines.ReadLine()
		line = append(line, part...)
		switch {
		case err != nil:
			return string(line), err
		case len(line) > maxPasswordBytes:
			return "", fmt.Errorf("the line is longer than %d bytes", maxPasswordBytes)
		case !more:
			return string(line), nil
		}
	}
}

// password returns the password from --password or --password-stdin, else the variable,
// else the file the variable names; "" when none is set.
func (a *app) passwordSetting() (string, error) {
	if a.password != "" {
		return a.password, nil
	}
	env, file := a.getenv(envPassword), a.getenv(envPasswordFile)
	switch {
	case env != "" && file != "":
		return "", fmt.Errorf("both %s and %s are set: unset one", envPassword, envPasswordFile)
	case file == "":
		return env, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("%s: %w", envPasswordFile, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPasswordBytes+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("%s: %w", envPasswordFile, err)
	case len(b) > maxPasswordBytes:
		return "", fmt.Errorf("%s: %s is longer than %d bytes; it should hold the password alone", envPasswordFile, file, maxPasswordBytes)
	}
	// A file written by an editor or echo ends in a newline that is not part of the password.
	password := strings.TrimRight(string(b), "\r\n")
	if password == "" {
		return "", fmt.Errorf("%s: %s is empty", envPasswordFile, file)
	}
	return password, nil
}

// client builds the client from the flags and, where a flag is not given, the variables,
// and says every setting that is missing.
func (a *app) client() (*whippyware.Client, error) {
	setting := func(flag, env string) (value, source string) {
		if flag != "" {
			return flag, "--" + strings.ToLower(strings.TrimPrefix(env, "WHIPPYWARE_"))
		}
		return a.getenv(env), env
	}
	base, urlSource := setting(a.url, envURL)
	base = strings.TrimSpace(base) // a variable read from a file ends in a newline
	user, _ := setting(a.username, envUsername)
	password, err := a.passwordSetting()
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, s := range []struct{ value, name string }{
		{base, envURL + " or --url"},
		// A blank user name is a missing one (the client would name its Go option for it).
		{strings.TrimSpace(user), envUsername + " or --username"},
		{password, envPassword + " (or " + envPasswordFile + ") or --password-stdin"},
	} {
		if s.value == "" {
			missing = append(missing, s.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing settings: set %s", strings.Join(missing, "; "))
	}
	opts := []whippyware.Option{whippyware.WithCredentials(user, password)}
	plainHTTP, err := checkURL(base, urlSource, a.insecureHTTP)
	if err != nil {
		return nil, err
	}
	if plainHTTP != "" {
		fmt.Fprintf(a.stderr, "whippyware: warning: --insecure-http: the password and key go to %s unencrypted\n", plainHTTP)
		opts = append(opts, whippyware.WithInsecureHTTP())
	}
	return whippyware.NewClient(base, append(opts, a.clientOptions...)...)
}

// checkURL refuses a base URL the client would refuse, with a message that says what to
// type, in the command's own terms; source names where the URL came from. For plain http to
// a host that is not this machine, allowed by insecure, it returns that host.
func checkURL(raw, source string, insecure bool) (plainHTTPHost string, err error) {
	scheme, rest, _ := strings.Cut(raw, ":")
	if (strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")) && !strings.HasPrefix(rest, "//") {
		// "https:/host" or "https:host": the host is there, the slashes are not.
		return "", fmt.Errorf("%s %q has no host: type it as %s://%s", source, raw, strings.ToLower(scheme), strings.TrimLeft(rest, "/"))
	}
	if !strings.Contains(raw, "://") {
		scheme := "https://"
		if u, err := url.Parse(scheme + strings.TrimLeft(raw, "/")); err == nil && isLoopback(u.Hostname()) {
			scheme = "http://" // a service on this machine, such as whippyware-fake, has no TLS
		}
		return "", fmt.Errorf("%s %q has no scheme: type it as %s%s", source, raw, scheme, strings.TrimLeft(raw, "/"))
	}
	u, err := url.Parse(raw)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // without the URL, which may hold a password
		}
		return "", fmt.Errorf("%s is not a URL (%v): type it as https://host or https://host/prefix", source, err)
	}
	if u.User != nil {
		// The URL is not quoted: it holds a password.
		return "", fmt.Errorf("%s holds a user name or password: give the URL without them, and the user in --username or %s and the password in %s, %s or --password-stdin",
			source, envUsername, envPassword, envPasswordFile)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if isLoopback(u.Hostname()) {
			return "", nil
		}
		if !insecure {
			return "", fmt.Errorf("%s %q is plain http to %s, which is not this machine, and the service is HTTPS-only: type https://%s, "+
				"or give --insecure-http (or set %s=1) for a test service on a network you trust", source, raw, u.Hostname(), u.Host+u.Path, envInsecureHTTP)
		}
		return u.Host, nil
	default:
		return "", fmt.Errorf("%s %q: type it as https://%s", source, raw, u.Host+u.Path)
	}
	return "", nil
}

// isLoopback says whether host is this machine, where plain http carries no key over a
// network.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

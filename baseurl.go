package whippyware

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// parseBaseURL checks the base URL given to NewClient and returns it ending in
// "/", without dot segments and without a trailing api/v1/. Its errors quote the
// URL without its query and fragment, which may hold a key (?api_key=...), and
// never a URL with user info.
func parseBaseURL(raw string, insecureHTTP bool) (*url.URL, error) {
	shown, _, _ := strings.Cut(raw, "?")
	shown, _, _ = strings.Cut(shown, "#")
	if strings.TrimSpace(raw) == "" {
		return nil, invalid("base URL is empty")
	}
	if !strings.Contains(raw, "://") {
		// url.Parse reads "host:8443" as a scheme and "host" as a path; neither
		// error would say what is missing.
		if strings.Contains(shown, "@") {
			return nil, invalid("base URL must not carry credentials; use WithCredentials")
		}
		return nil, invalid("base URL %q has no scheme; write https://%s", shown, strings.TrimPrefix(shown, "//"))
	}
	u, err := url.Parse(raw)
	if err != nil {
		_, rest, _ := strings.Cut(shown, "://")
		if authority, _, _ := strings.Cut(rest, "/"); strings.Contains(authority, "@") {
			// The error may quote a bad escape in the password.
			return nil, invalid("base URL must not carry credentials; use WithCredentials")
		}
		if shown != raw {
			// The error may quote a bad escape in the query or fragment.
			return nil, invalid("base URL %q has a query or fragment, which the client cannot send (left out here); pass the host and path prefix only", shown)
		}
		return nil, invalid("base URL: %v", errors.Unwrap(err)) // the *url.Error's cause, without the URL, which may hold a password
	}
	if err := checkBaseURL(u, shown, insecureHTTP); err != nil {
		return nil, err
	}
	if !strings.HasSuffix(u.Path, "/") {
		// Without the slash, a relative path would replace the prefix's last segment.
		u.Path += "/"
	}
	u.RawPath = ""
	// Dot segments resolved once here make every call's URL a concatenation (see
	// resolve).
	u = u.ResolveReference(&url.URL{})
	if prefix, ok := strings.CutSuffix(u.Path, "/"+apiPrefix); ok {
		u.Path = prefix + "/" // the client adds api/v1/ itself
	}
	if strings.Contains(u.Path, "/"+apiPrefix) {
		return nil, invalid("base URL %q points inside the API; pass the host and path prefix before api/v1/", shown)
	}
	return u, nil
}

// checkBaseURL refuses what a base URL must not have; shown is the URL as the
// errors quote it.
func checkBaseURL(u *url.URL, shown string, insecureHTTP bool) error {
	if u.User != nil {
		return invalid("base URL must not carry credentials; use WithCredentials")
	}
	if u.Host == "" {
		return invalid("base URL %q has no host; write https://host", shown)
	}
	switch u.Scheme {
	case "https":
	case "http":
		// net.ParseIP gives nil, no loopback, for a name.
		if !insecureHTTP && !strings.EqualFold(u.Hostname(), "localhost") && !net.ParseIP(u.Hostname()).IsLoopback() {
			return invalid("base URL %q is plain http to a non-loopback host; the service is HTTPS-only (WithInsecureHTTP overrides)", shown)
		}
	default:
		return invalid("base URL %q must be https", shown)
	}
	if port := u.Port(); port != "" {
		// Port 0 stays allowed: it names no server, so an in-process transport's
		// URL uses it (whippywaretest.WithoutListener).
		if n, err := strconv.Atoi(port); err != nil || n > 65535 {
			return invalid("base URL %q: port %s is not between 0 and 65535", shown, port)
		}
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		// Every call builds its own query, so these would be dropped silently.
		return invalid("base URL %q has a query or fragment, which the client cannot send (left out here); pass the host and path prefix only", shown)
	}
	return nil
}

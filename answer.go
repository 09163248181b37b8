package whippyware

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
)

// What the client takes from a 2xx answer, and what it hands back: a decoded value
// only when it is what was asked for, and a *Response that holds no secret.

// answerChecker is implemented by the values a call decodes into that can tell a
// real answer from an empty one. A proxy's or a maintenance page's `null`, `{}` or
// {"detail": "..."} decodes without error into a zero value, which a caller would
// read as a record with id 0 or "no stock"; do turns it into ErrUnexpectedResponse.
type answerChecker interface {
	checkAnswer() error
}

// checkAnswer: every record the service returns has an id, from 1.
func (r *Record) checkAnswer() error {
	if r.ID < 1 {
		return errors.New("the answer is not a record: it has no id")
	}
	return nil
}

// checkAnswer: a page has a results list ("results": [] when empty), and each of
// its records is one.
func (p *Page[T]) checkAnswer() error {
	if p.Results == nil {
		return errors.New("the answer is not a page: it has no results")
	}
	for i, item := range p.Results {
		if item == nil {
			continue // a null in the results: All skips it, List keeps it as it came
		}
		if c, ok := any(item).(answerChecker); ok {
			if err := c.checkAnswer(); err != nil {
				return fmt.Errorf("result %d: %w", i, err)
			}
		}
	}
	return nil
}

// decodeAnswer decodes a 2xx answer into cl.out and checks it is what was asked
// for. A 204 has nothing to decode, so a call that expects a value fails its check.
// The error quotes the start of the body, with key (the one the call sent)
// redacted; a call that carries a secret (the login) is never quoted, as its
// answer holds a key.
func decodeAnswer(cl call, u *url.URL, resp *Response, body []byte, key string) error {
	if cl.out == nil {
		return nil
	}
	var err error
	if resp.StatusCode != http.StatusNoContent {
		if err = unmarshalAnswer(body, cl.out, cl.fresh); err != nil {
			err = fmt.Errorf("decoding: %w", err)
		}
	}
	if c, ok := cl.out.(answerChecker); ok && err == nil {
		err = c.checkAnswer()
	}
	switch {
	case err == nil:
		return nil
	case cl.secret != "":
		// Not even the decoder's error: it quotes numbers ("number 12345").
		return fmt.Errorf("%w: %s %s (status %d): the answer is not a login answer with a key",
			ErrUnexpectedResponse, cl.method, u.String(), resp.StatusCode)
	}
	return fmt.Errorf("%w: %s %s (status %d): %w; body starts %q",
		ErrUnexpectedResponse, cl.method, u.String(), resp.StatusCode, err, snippet(redact(body, key)))
}

// redact replaces each secret in body by "[redacted]", as sent and as JSON would
// escape it, so that a service or proxy echoing a request cannot pass a password
// or key into an error. It returns body itself when there is nothing to replace.
func redact(body []byte, secrets ...string) []byte {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		forms := [][]byte{[]byte(secret)}
		if quoted, err := json.Marshal(secret); err == nil && len(quoted) > 2 {
			forms = append(forms, quoted[1:len(quoted)-1])
		}
		for _, form := range forms {
			if bytes.Contains(body, form) {
				body = bytes.ReplaceAll(body, form, []byte("[redacted]"))
			}
		}
	}
	return body
}

// withoutSecrets readies an *http.Response, read and closed, to be handed back:
// its body becomes empty (a mock transport's body could be read again), and its
// Request a copy, made into copyTo, without the Authorization header, the body or
// GetBody (a login's hold the password), and the chain of redirected requests.
// The request is copied, not changed: the transport was given it.
func withoutSecrets(r *http.Response, copyTo *http.Request) *http.Response {
	r.Body = http.NoBody
	if r.Request != nil {
		*copyTo = *r.Request
		req := copyTo
		// The caller's own header: a new map (the transport may still read the
		// original) and new values (the sent ones are shared by every request).
		req.Header = headerWithout(r.Request.Header, "Authorization")
		ownValues(req.Header)
		req.Body, req.GetBody, req.Response = nil, nil, nil
		if req.URL != nil && req.URL.User != nil {
			u := *req.URL
			u.User = nil
			req.URL = &u
		}
		r.Request = req
	}
	return r
}

// ownValues gives h values of its own in place of shared ones, in one allocation;
// each value slice is capped, so that appending to one cannot overwrite the next.
func ownValues(h http.Header) {
	n := 0
	for _, v := range h {
		n += len(v)
	}
	own := make([]string, 0, n)
	for k, v := range h {
		start := len(own)
		own = append(own, v...)
		h[k] = own[start:len(own):len(own)]
	}
}

// headerWithout returns a new map with h's values but name's: a clone (see
// headerMaps for why it costs less than building the map) less one entry.
func headerWithout(h http.Header, name string) http.Header {
	out := maps.Clone(h)
	if out == nil {
		return http.Header{} // as net/http's requests have: never nil
	}
	delete(out, name)
	return out
}

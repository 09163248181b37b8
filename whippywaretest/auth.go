package whippywaretest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// apiKey is a user's key: whose it is and when it was issued (for WithKeyLifetime).
type apiKey struct {
	user   string
	issued time.Time
}

// login is POST /api/v1/auth/login/, authtoken's ObtainAuthToken: {"username", "password"} →
// {"key"}. A user has one key (Token.objects.get_or_create): every login returns it until
// expire-token deletes it; the fake also replaces it once it has outlived WithKeyLifetime.
// Authentication runs first, as for every DRF view: a dead "Token" header is refused even
// here.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !loginView.begin(w, r) {
		return
	}
	if _, failure := s.identify(r); failure != "" {
		unauthorized(w, failure)
		return
	}
	data, ok := loginView.postData(w, r)
	if !ok {
		return
	}
	var user, password string
	f := newForm(data, false)
	f.str("username", &user, true, 0)
	f.password("password", &password)
	if len(f.errs) > 0 {
		writeFieldErrors(w, f.errs, loginFieldNames)
		return
	}
	if want, known := s.cfg.users[user]; !known || want != password {
		writeFieldErrors(w, fieldErrors{nonFieldErrors: {msgBadLogin}}, nil)
		return
	}
	s.st.mu.Lock()
	now := s.st.clock()
	key, has := s.st.userKeys[user]
	if has && s.expired(s.st.keys[key], now) {
		delete(s.st.keys, key)
		has = false
	}
	if !has {
		b := make([]byte, 20)
		_, _ = rand.Read(b) // crypto/rand.Read never fails
		key = hex.EncodeToString(b)
		s.st.keys[key] = apiKey{user: user, issued: now}
		s.st.userKeys[user] = key
	}
	s.st.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"key": key})
}

var loginFieldNames = names(loginFields)

func (s *Server) expired(k apiKey, now time.Time) bool {
	return s.cfg.keyLifetime > 0 && now.Sub(k.issued) >= s.cfg.keyLifetime
}

// identify reads the "Authorization: Token <key>" header as DRF's TokenAuthentication does:
// no header or another scheme is anonymous (user ""), a malformed header or a dead key is a
// failure, the message to answer 401 with.
func (s *Server) identify(r *http.Request) (user, failure string) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return "", ""
	}
	scheme, key, n := authFields(header)
	switch {
	case n == 0 || !strings.EqualFold(scheme, "Token"):
		return "", ""
	case n == 1:
		return "", "Invalid token header. No credentials provided."
	case n > 2:
		return "", "Invalid token header. Token string should not contain spaces."
	case !utf8.ValidString(key):
		return "", "Invalid token header. Token string should not contain invalid characters."
	}
	s.st.mu.RLock()
	k, valid := s.st.keys[key]
	now := s.st.clock()
	s.st.mu.RUnlock()
	if !valid || s.expired(k, now) {
		return "", msgInvalidToken
	}
	return k.user, ""
}

// authFields splits an Authorization header at white space as strings.Fields does, returning
// the first two fields and how many there are. The usual "Token <key>", printable ASCII with
// one space, is split without allocating.
func authFields(header string) (scheme, key string, n int) {
	if space := plainSpace(header); space > 0 && space < len(header)-1 {
		return header[:space], header[space+1:], 2
	}
	parts := strings.Fields(header)
	switch len(parts) {
	case 0:
		return "", "", 0
	case 1:
		return parts[0], "", 1
	}
	return parts[0], parts[1], len(parts)
}

// plainSpace is the index of the one space in s when s is otherwise printable ASCII, or -1.
func plainSpace(s string) int {
	space := -1
	for i := range len(s) {
		switch c := s[i]; {
		case c == ' ' && space < 0:
			space = i
		case c <= ' ' || c >= 0x7f:
			return -1
		}
	}
	return space
}

// authenticate requires a valid key (IsAuthenticated) and answers 401 itself when there is
// none, then 429 when a throttle refuses the user's request.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	user, failure := s.identify(r)
	switch {
	case failure != "":
		unauthorized(w, failure)
	case user == "":
		unauthorized(w, msgNoCredential)
	default:
		return s.cfg.throttles.allow(w, r, user) // DRF's check_throttles, after the permission
	}
	return false
}

// expireToken is POST /api/v1/expire-token/: {"username"} → 204, deleting that user's key.
// Any valid key may name any user: the fake does not model who may expire whom.
func (s *Server) expireToken(w http.ResponseWriter, r *http.Request) {
	if !expireTokenView.begin(w, r) || !s.authenticate(w, r) {
		return
	}
	data, ok := expireTokenView.postData(w, r)
	if !ok {
		return
	}
	var user string
	f := newForm(data, false)
	if f.str("username", &user, true, 0); len(f.errs) == 0 {
		if _, known := s.cfg.users[user]; !known {
			f.errs.add("username", "User not found.")
		}
	}
	if len(f.errs) > 0 {
		writeFieldErrors(w, f.errs, expireTokenFields)
		return
	}
	s.st.mu.Lock()
	delete(s.st.keys, s.st.userKeys[user])
	delete(s.st.userKeys, user)
	s.st.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// ExpireTokens withdraws every key of every user, as if each had been expired: the next
// request with an old key answers 401 "Invalid token.", and a client must log in again.
func (s *Server) ExpireTokens() {
	s.st.mu.Lock()
	clear(s.st.keys)
	clear(s.st.userKeys)
	s.st.mu.Unlock()
}

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

// login is authtoken/views.py ObtainAuthToken answering {"key"}: one key per user
// (get_or_create) until expire-token deletes it or it outlives WithKeyLifetime. Authentication
// runs first, as for every DRF view: a dead "Token" header is refused even here.
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
	f.str("password", &password, true, 0)
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
	writeJSON(w, http.StatusOK, struct {
		Key string `json:"key"`
	}{key})
}

var loginFieldNames = names(loginFields)

func (s *Server) expired(k apiKey, now time.Time) bool {
	return s.cfg.keyLifetime > 0 && now.Sub(k.issued) >= s.cfg.keyLifetime
}

// identify reads the Authorization header as authentication.py TokenAuthentication does:
// no header or another scheme is anonymous (user ""), a malformed header or a dead key is a
// failure, the message to answer 401 with. A header sent twice is one header of both values
// joined by ",", as WSGI servers pass it on (PEP 3333), so it has spaces.
func (s *Server) identify(r *http.Request) (user, failure string) {
	parts := strings.Fields(strings.Join(r.Header.Values("Authorization"), ","))
	switch {
	case len(parts) == 0 || !strings.EqualFold(parts[0], "Token"):
		return "", ""
	case len(parts) == 1:
		return "", "Invalid token header. No credentials provided."
	case len(parts) > 2:
		return "", "Invalid token header. Token string should not contain spaces."
	case !utf8.ValidString(parts[1]):
		return "", "Invalid token header. Token string should not contain invalid characters."
	}
	s.st.mu.RLock()
	k, valid := s.st.keys[parts[1]]
	now := s.st.clock()
	s.st.mu.RUnlock()
	if !valid || s.expired(k, now) {
		return "", msgInvalidToken
	}
	return k.user, ""
}

// authenticate is permissions.py IsAuthenticated: without a valid key it answers 401
// itself; then throttling.py's check_throttles answers 429 when a throttle refuses the
// user's request.
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

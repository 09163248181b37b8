package whippywaretest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// apiKey is one login's key: whose it is and when it was issued (for WithKeyLifetime).
type apiKey struct {
	user   string
	issued time.Time
}

// login is POST /api/v1/auth/login/: {"username", "password"} → {"key"}. Every login issues a
// fresh key; earlier keys stay valid, as with a token store that keeps one key per login.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, r, "POST")
		return
	}
	raw, ok := readObject(w, r)
	if !ok {
		return
	}
	var user, password string
	f := newForm(raw, true)
	f.str("username", &user, true)
	f.str("password", &password, true)
	if len(f.errs) > 0 {
		writeFieldErrors(w, f.errs)
		return
	}
	if want, known := s.cfg.users[user]; !known || want != password {
		writeFieldErrors(w, fieldErrors{nonFieldErrors: {msgBadLogin}})
		return
	}
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	key := hex.EncodeToString(b)
	s.st.mu.Lock()
	s.st.keys[key] = apiKey{user: user, issued: s.st.clock()}
	s.st.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"key": key})
}

// authenticate checks the "Authorization: Token <key>" header as DRF's TokenAuthentication
// does and answers 401 itself when it fails.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	parts := strings.Fields(r.Header.Get("Authorization"))
	switch {
	case len(parts) == 0 || !strings.EqualFold(parts[0], "Token"):
		unauthorized(w, msgNoCredential)
		return false
	case len(parts) == 1:
		unauthorized(w, "Invalid token header. No credentials provided.")
		return false
	case len(parts) > 2:
		unauthorized(w, "Invalid token header. Token string should not contain spaces.")
		return false
	}
	s.st.mu.RLock()
	k, valid := s.st.keys[parts[1]]
	now := s.st.clock()
	s.st.mu.RUnlock()
	if !valid || (s.cfg.keyLifetime > 0 && now.Sub(k.issued) >= s.cfg.keyLifetime) {
		unauthorized(w, msgInvalidToken)
		return false
	}
	return true
}

// expireToken is POST /api/v1/expire-token/: {"username"} → 204, withdrawing every key of that
// user. Any valid key may name any user: the fake does not model who may expire whom.
func (s *Server) expireToken(w http.ResponseWriter, r *http.Request) {
	if !s.authenticate(w, r) {
		return
	}
	if r.Method != http.MethodPost {
		methodNotAllowed(w, r, "POST")
		return
	}
	raw, ok := readObject(w, r)
	if !ok {
		return
	}
	var user string
	f := newForm(raw, true)
	if f.str("username", &user, true); len(f.errs) == 0 {
		if _, known := s.cfg.users[user]; !known {
			f.errs.add("username", "User not found.")
		}
	}
	if len(f.errs) > 0 {
		writeFieldErrors(w, f.errs)
		return
	}
	s.st.mu.Lock()
	for key, k := range s.st.keys {
		if k.user == user {
			delete(s.st.keys, key)
		}
	}
	s.st.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// ExpireTokens withdraws every key of every user, as if each had been expired: the next
// request with an old key answers 401 "Invalid token.", and a client must log in again.
func (s *Server) ExpireTokens() {
	s.st.mu.Lock()
	clear(s.st.keys)
	s.st.mu.Unlock()
}

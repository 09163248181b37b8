package main

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// controlPrefix is the path the control API is served under; the fake's API lives under
// /api/v1/, so nothing a client of the service sends reaches it. Control requests are not
// logged and meet no fault.
const controlPrefix = "/_fake/"

// The control API reads whole bodies into memory: a seed of about 12,000 stocks fits in
// maxSeedBody (send several seeds for more), a fault in maxControlBody.
const (
	maxSeedBody    = 2 << 20
	maxControlBody = 64 << 10
)

// redacted replaces keys and passwords in the request log served over HTTP.
const redacted = "[redacted]"

// guard is who may use the control API. A page in a browser may send requests to a local
// port: the API refuses a foreign Origin and a POST that is not JSON (which a cross-site form
// can send without asking first), and, unless remote use was allowed, any Host but a loopback
// name or the address served (a DNS rebinding names another). token, when set, must come as
// "Authorization: Bearer <token>".
type guard struct {
	allowRemote bool
	served      string // host:port the listener serves
	token       string
}

// admit answers the refusal itself and returns false for a request the guard turns away.
func (g guard) admit(w http.ResponseWriter, r *http.Request) bool {
	if origin := r.Header.Get("Origin"); origin != "" {
		if u, err := url.Parse(origin); err != nil || u.Host != r.Host {
			controlError(w, http.StatusForbidden, fmt.Sprintf("Origin %q is not this server's: cross-origin control requests are refused", origin))
			return false
		}
	}
	if !g.allowRemote && !loopbackHost(r.Host) && r.Host != g.served {
		controlError(w, http.StatusForbidden, fmt.Sprintf("Host %q is neither loopback nor %s (pass -allow-remote to serve it)", r.Host, g.served))
		return false
	}
	if g.token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+g.token)) != 1 {
		controlError(w, http.StatusUnauthorized, "the control API wants Authorization: Bearer <the -control-token>")
		return false
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && mt != "application/json" {
		controlError(w, http.StatusUnsupportedMediaType, "control POSTs take Content-Type: application/json")
		return false
	}
	return true
}

// loopbackHost tells whether a Host names a loopback address, with a port or without.
func loopbackHost(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, "0"
	}
	_, err = strconv.ParseUint(port, 10, 16) // "127.0.0.1:80.evil.example" names no port
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return err == nil && (strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback()))
}

// withControl serves the control API on controlPrefix and the fake on every other path.
func withControl(fake *wt.Server, g guard) http.Handler {
	c := &control{fake: fake}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+controlPrefix+"ready", c.ready)
	mux.HandleFunc("POST "+controlPrefix+"reset", c.reset)
	mux.HandleFunc("POST "+controlPrefix+"seed", c.seed)
	mux.HandleFunc("POST "+controlPrefix+"faults", c.addFault)
	mux.HandleFunc("GET "+controlPrefix+"faults", c.faults)
	mux.HandleFunc("DELETE "+controlPrefix+"faults", c.clearFaults)
	mux.HandleFunc("POST "+controlPrefix+"expire-tokens", c.expireTokens)
	mux.HandleFunc("GET "+controlPrefix+"requests", c.requests)
	api := fake.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !strings.HasPrefix(r.URL.Path, controlPrefix):
			api.ServeHTTP(w, r)
		case g.admit(w, r):
			mux.ServeHTTP(w, r)
		}
	})
}

type control struct {
	fake *wt.Server
	// seeding serialises seeds: Server.AddAll calls must not overlap.
	seeding sync.Mutex
}

// ready is the readiness path: 200 once the fake serves.
func (c *control) ready(w http.ResponseWriter, _ *http.Request) {
	writeControl(w, http.StatusOK, map[string]bool{"ready": true})
}

// reset empties the store, deletes every key, and clears faults and the request log; with
// -seed the documented records are seeded again.
func (c *control) reset(w http.ResponseWriter, _ *http.Request) {
	c.fake.Reset()
	w.WriteHeader(http.StatusNoContent)
}

// records are what POST /_fake/seed takes, stored in this order so that relations resolve.
type records struct {
	Providers      []json.RawMessage `json:"providers"`
	StockLocations []json.RawMessage `json:"stock_locations"`
	StockListRules []json.RawMessage `json:"stock_list_rules"`
	StockLists     []json.RawMessage `json:"stock_lists"`
	Stocks         []json.RawMessage `json:"stocks"`
}

// seed stores the documented records (no body) or the posted ones, each in the service's
// JSON shape; a record without is_active is active, as a POST stores it. It is all or
// nothing (Server.AddAll): a key or field the fake does not know, or a record it cannot
// store, is a 400 naming it, with nothing stored. It
// answers 201 with what was stored.
func (c *control) seed(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSeedBody))
	if err != nil {
		controlError(w, readStatus(err), err.Error())
		return
	}
	store := func(s *wt.Server) (any, error) {
		s.SeedFixtures()
		return map[string]any{"providers": s.Providers(), "stock_locations": s.StockLocations(),
			"stock_list_rules": s.StockListRules(), "stock_lists": s.StockLists(), "stocks": s.Stocks()}, nil
	}
	if len(bytes.TrimSpace(body)) > 0 {
		var in records
		if err := strictJSON(body, &in); err != nil {
			controlError(w, http.StatusBadRequest, "the body is not seed records: "+err.Error()+" (nothing was stored)")
			return
		}
		store = in.store
	}
	c.seeding.Lock()
	defer c.seeding.Unlock()
	var out any
	if err := c.fake.AddAll(func() (err error) { out, err = store(c.fake); return err }); err != nil {
		controlError(w, http.StatusBadRequest, err.Error()+" (nothing was stored)")
		return
	}
	writeControl(w, http.StatusCreated, out)
}

// store adds the records to s, in an order where relations resolve.
func (in records) store(s *wt.Server) (any, error) {
	out := map[string]any{}
	var err error
	out["providers"], err = seedAll(in.Providers, s.AddProvider, err)
	out["stock_locations"], err = seedAll(in.StockLocations, s.AddStockLocation, err)
	out["stock_list_rules"], err = seedAll(in.StockListRules, s.AddStockListRule, err)
	out["stock_lists"], err = seedAll(in.StockLists, s.AddStockList, err)
	out["stocks"], err = seedAll(in.Stocks, s.AddStock, err)
	return out, err
}

func activity(active bool) []wt.AddOption {
	if active {
		return nil
	}
	return []wt.AddOption{wt.Inactive()}
}

// seedAll stores each raw record with add, inactive when it says "is_active": false, unless
// an earlier step failed (err).
func seedAll[T any](raws []json.RawMessage, add func(T, ...wt.AddOption) T, err error) ([]T, error) {
	out := make([]T, 0, len(raws))
	for _, raw := range raws {
		if err != nil {
			return out, err
		}
		var rec T
		var active struct {
			IsActive *bool `json:"is_active"`
		}
		if err = strictJSON(raw, &rec); err != nil {
			return out, fmt.Errorf("record %s: %w", raw, err)
		}
		_ = json.Unmarshal(raw, &active)
		err = storing(string(raw), func() { rec = add(rec, activity(active.IsActive == nil || *active.IsActive)...) })
		out = append(out, rec)
	}
	return out, err
}

// strictJSON decodes one JSON value into v, refusing a key v has no field for.
func strictJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// storing runs an Add method, which panics on a record it cannot store, and returns that as
// an error.
func storing(what string, add func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cannot store %s: %v", what, p)
		}
	}()
	add()
	return nil
}

// faultRequest is a Fault as JSON, with durations in a unit a script writes easily.
type faultRequest struct {
	// Count is how many matching requests meet the fault (default 1).
	Count  int    `json:"count"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Status int    `json:"status"`
	// RetryAfter is in seconds; LatencyMS in milliseconds.
	RetryAfter  float64 `json:"retry_after"`
	LatencyMS   int64   `json:"latency_ms"`
	Drop        string  `json:"drop"` // "", "before" or "after"
	Body        string  `json:"body"`
	ContentType string  `json:"content_type"`
}

var drops = map[string]wt.Drop{"": wt.NoDrop, "before": wt.DropBefore, "after": wt.DropAfter}

// addFault queues a fault, as Server.FailNext does.
func (c *control) addFault(w http.ResponseWriter, r *http.Request) {
	var in faultRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxControlBody))
	if err != nil {
		controlError(w, readStatus(err), err.Error())
		return
	}
	if err := strictJSON(body, &in); err != nil {
		controlError(w, http.StatusBadRequest, "the body is not a fault: "+err.Error())
		return
	}
	drop, known := drops[in.Drop]
	switch {
	case !known:
		controlError(w, http.StatusBadRequest, fmt.Sprintf("drop %q: want \"\", \"before\" or \"after\"", in.Drop))
		return
	case in.Count < 0 || in.LatencyMS < 0 || in.RetryAfter < 0 || (in.Status != 0 && (in.Status < 200 || in.Status > 599)):
		controlError(w, http.StatusBadRequest, "count, latency_ms and retry_after are not negative; status is 200 to 599 (a 1xx is no answer)")
		return
	case in.Status == 0 && in.LatencyMS == 0 && drop == wt.NoDrop:
		controlError(w, http.StatusBadRequest, "a fault needs a status, a latency_ms or a drop")
		return
	case in.Count == 0:
		in.Count = 1
	}
	c.fake.FailNext(in.Count, wt.Fault{Method: in.Method, Path: in.Path, Status: in.Status, Drop: drop,
		Latency: time.Duration(in.LatencyMS) * time.Millisecond, RetryAfter: time.Duration(in.RetryAfter * float64(time.Second)),
		Body: in.Body, ContentType: in.ContentType})
	w.WriteHeader(http.StatusNoContent)
}

// faults lists the queued faults in the order requests meet them, count being what is left.
func (c *control) faults(w http.ResponseWriter, _ *http.Request) {
	out := []faultRequest{}
	for _, f := range c.fake.PendingFaults() {
		drop := ""
		for name, d := range drops {
			if d == f.Drop {
				drop = name
			}
		}
		out = append(out, faultRequest{Count: f.Left, Method: f.Method, Path: f.Path, Status: f.Status,
			RetryAfter: f.RetryAfter.Seconds(), LatencyMS: f.Latency.Milliseconds(), Drop: drop, Body: f.Body,
			ContentType: f.ContentType})
	}
	writeControl(w, http.StatusOK, out)
}

// clearFaults removes every queued fault.
func (c *control) clearFaults(w http.ResponseWriter, _ *http.Request) {
	c.fake.ClearFaults()
	w.WriteHeader(http.StatusNoContent)
}

// expireTokens deletes every key: the next request with one answers 401.
func (c *control) expireTokens(w http.ResponseWriter, _ *http.Request) {
	c.fake.ExpireTokens()
	w.WriteHeader(http.StatusNoContent)
}

// loggedRequest is a request log record as JSON; the body is text (invalid UTF-8 replaced).
type loggedRequest struct {
	Method    string      `json:"method"`
	Path      string      `json:"path"`
	Query     string      `json:"query"`
	Header    http.Header `json:"headers"`
	Body      string      `json:"body"`
	Truncated bool        `json:"truncated"`
	Status    int         `json:"status"`
	Faulted   bool        `json:"faulted"`
	Dropped   bool        `json:"dropped"`
}

// requests answers the request log, oldest first; ?method= and ?path= keep the requests that
// match by the rule of a fault (a path ending in "*" is a prefix). Keys and passwords are
// [redacted]: the log may be read by more than the test that owns the fake.
func (c *control) requests(w http.ResponseWriter, r *http.Request) {
	method, path := r.URL.Query().Get("method"), r.URL.Query().Get("path")
	out := []loggedRequest{}
	for _, rec := range c.fake.Requests() {
		if !rec.Matches(method, path) {
			continue
		}
		header := rec.Header.Clone()
		for i := range header["Authorization"] {
			header["Authorization"][i] = redacted
		}
		query, _ := redactForm(rec.Query)
		out = append(out, loggedRequest{Method: rec.Method, Path: rec.Path, Query: query, Header: header,
			Body: redactBody(rec.Body, rec.Matches("", "/api/v1/auth/login/")), Truncated: rec.Truncated,
			Status: rec.Status, Faulted: rec.Faulted, Dropped: rec.Dropped})
	}
	writeControl(w, http.StatusOK, out)
}

// redactBody is a body with the value of its "password" field redacted, in a JSON object or
// a form, on any path (a login sent to a mistyped one holds the password too). A login body
// that is neither (a form Go cannot read whole, multipart, cut off) is redacted whole:
// Django may read a password there that Go does not see.
func redactBody(body []byte, login bool) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) == nil && obj != nil {
		if _, ok := obj["password"]; ok {
			obj["password"] = json.RawMessage(`"` + redacted + `"`)
			body, _ = json.Marshal(obj)
		}
		return string(body)
	}
	if s, found := redactForm(string(body)); found || !login || len(body) == 0 {
		return s
	}
	return redacted
}

// redactForm is a query or a form body with its password values redacted, and whether it had
// any; one Go cannot read whole is returned as it is.
func redactForm(s string) (string, bool) {
	form, err := url.ParseQuery(s)
	if err != nil || !form.Has("password") {
		return s, false
	}
	form.Set("password", redacted)
	return form.Encode(), true
}

// readStatus is the status for a body that could not be read: 413 past the cap.
func readStatus(err error) int {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func writeControl(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeControl(w, status, map[string]string{"error": msg})
}

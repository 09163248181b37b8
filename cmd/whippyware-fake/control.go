package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// controlPrefix is the path the control API is served under; the fake's API lives under
// /api/v1/, so nothing a client of the service sends reaches it. Control requests are not
// logged and meet no fault.
const controlPrefix = "/_fake/"

// maxControlBody bounds a control request's body (seed records, a fault).
const maxControlBody = 8 << 20

// withControl serves the control API on controlPrefix and the fake on every other path.
func withControl(fake *wt.Server) http.Handler {
	c := control{fake: fake}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+controlPrefix+"ready", c.ready)
	mux.HandleFunc("POST "+controlPrefix+"reset", c.reset)
	mux.HandleFunc("POST "+controlPrefix+"seed", c.seed)
	mux.HandleFunc("POST "+controlPrefix+"faults", c.fault)
	mux.HandleFunc("POST "+controlPrefix+"expire-tokens", c.expireTokens)
	mux.HandleFunc("GET "+controlPrefix+"requests", c.requests)
	api := fake.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, controlPrefix) {
			mux.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

type control struct{ fake *wt.Server }

// ready is the readiness path: 200 once the fake serves.
func (c control) ready(w http.ResponseWriter, _ *http.Request) {
	writeControl(w, http.StatusOK, map[string]bool{"ready": true})
}

// reset empties the store, deletes every key, and clears faults and the request log; with
// -seed the documented records are seeded again.
func (c control) reset(w http.ResponseWriter, _ *http.Request) {
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

// seed stores the documented records (no body) or the posted ones, each as the service's
// JSON shape; a record without is_active is active, as a POST stores it. It answers 201 with
// what was stored, or 400 naming the first record that could not be stored (those before it
// stay).
func (c control) seed(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxControlBody))
	if err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	var in records
	if len(strings.TrimSpace(string(body))) == 0 {
		err = storing("the documented records", c.fake.SeedFixtures)
		if err == nil {
			writeControl(w, http.StatusCreated, map[string]any{"providers": c.fake.Providers(),
				"stock_locations": c.fake.StockLocations(), "stock_list_rules": c.fake.StockListRules(),
				"stock_lists": c.fake.StockLists(), "stocks": c.fake.Stocks()})
			return
		}
	} else if err = json.Unmarshal(body, &in); err != nil {
		err = fmt.Errorf("the body is not seed records: %w", err)
	}
	if err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	out := map[string]any{}
	for _, step := range []func() error{
		func() (err error) { out["providers"], err = seedAll(in.Providers, c.fake.AddProvider); return err },
		func() (err error) {
			out["stock_locations"], err = seedAll(in.StockLocations, c.fake.AddStockLocation)
			return err
		},
		func() (err error) {
			out["stock_list_rules"], err = seedAll(in.StockListRules, c.fake.AddStockListRule)
			return err
		},
		func() (err error) { out["stock_lists"], err = seedAll(in.StockLists, c.fake.AddStockList); return err },
		func() (err error) { out["stocks"], err = seedAll(in.Stocks, c.fake.AddStock); return err },
	} {
		if err := step(); err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	writeControl(w, http.StatusCreated, out)
}

// seedAll stores each raw record with add, inactive when it says "is_active": false.
func seedAll[T any](raws []json.RawMessage, add func(T, ...wt.AddOption) T) ([]T, error) {
	out := make([]T, 0, len(raws))
	for _, raw := range raws {
		var rec T
		var active struct {
			IsActive *bool `json:"is_active"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			return out, fmt.Errorf("record %s: %w", raw, err)
		}
		_ = json.Unmarshal(raw, &active)
		var opts []wt.AddOption
		if active.IsActive != nil && !*active.IsActive {
			opts = append(opts, wt.Inactive())
		}
		err := storing(string(raw), func() { rec = add(rec, opts...) })
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
	return out, nil
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

// fault queues a fault, as Server.FailNext does.
func (c control) fault(w http.ResponseWriter, r *http.Request) {
	var in faultRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		controlError(w, http.StatusBadRequest, "the body is not a fault: "+err.Error())
		return
	}
	drops := map[string]wt.Drop{"": wt.NoDrop, "before": wt.DropBefore, "after": wt.DropAfter}
	drop, known := drops[in.Drop]
	switch {
	case !known:
		controlError(w, http.StatusBadRequest, fmt.Sprintf("drop %q: want \"\", \"before\" or \"after\"", in.Drop))
		return
	case in.Count < 0 || in.LatencyMS < 0 || in.RetryAfter < 0 || (in.Status != 0 && (in.Status < 100 || in.Status > 599)):
		controlError(w, http.StatusBadRequest, "count, latency_ms and retry_after are not negative; status is 100 to 599")
		return
	case in.Count == 0:
		in.Count = 1
	}
	c.fake.FailNext(in.Count, wt.Fault{Method: in.Method, Path: in.Path, Status: in.Status, Drop: drop,
		Latency: time.Duration(in.LatencyMS) * time.Millisecond, RetryAfter: time.Duration(in.RetryAfter * float64(time.Second)),
		Body: in.Body, ContentType: in.ContentType})
	w.WriteHeader(http.StatusNoContent)
}

// expireTokens deletes every key: the next request with one answers 401.
func (c control) expireTokens(w http.ResponseWriter, _ *http.Request) {
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
// match by the rule of a fault (a path ending in "*" is a prefix).
func (c control) requests(w http.ResponseWriter, r *http.Request) {
	method, path := r.URL.Query().Get("method"), r.URL.Query().Get("path")
	out := []loggedRequest{}
	for _, rec := range c.fake.Requests() {
		if !rec.Matches(method, path) {
			continue
		}
		out = append(out, loggedRequest{Method: rec.Method, Path: rec.Path, Query: rec.Query, Header: rec.Header,
			Body: string(rec.Body), Truncated: rec.Truncated, Status: rec.Status, Faulted: rec.Faulted, Dropped: rec.Dropped})
	}
	writeControl(w, http.StatusOK, out)
}

func writeControl(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeControl(w, status, map[string]string{"error": msg})
}

package whippywaretest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// fixtureRecord is the first record of a documented list.
func fixtureRecord(t *testing.T, name string) map[string]any {
	t.Helper()
	var page struct{ Results []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(fixture(t, name)), &page))
	return page.Results[0]
}

const timestampPattern = `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+03:00$`

// TestCRUDMatchesTheDocumentedWireShape walks every resource through create, read, update,
// list and delete, and checks field names and JSON types against the documented examples.
func TestCRUDMatchesTheDocumentedWireShape(t *testing.T) {
	cases := []struct {
		path, fixture string
		create        map[string]any
		defaults      map[string]any // fields the create left out, as answered
		patch         map[string]any
	}{
		{"/api/v1/providers/", "providers_list.json",
			map[string]any{"name": "Shop", "code": "shop"},
			map[string]any{"is_active": true, "should_add_reservations": false},
			map[string]any{"should_add_reservations": true}},
		{"/api/v1/stock-locations/", "stock_locations_list.json",
			map[string]any{"name": "Store 7", "code": "007", "provider": 1},
			map[string]any{"is_active": true},
			map[string]any{"name": "Store Seven"}},
		{"/api/v1/stock-list-rules/", "stock_list_rules_list.json",
			map[string]any{"name": "Eshop", "rule_type": "sql", "rule": map[string]any{"providers": []any{"p"}}},
			map[string]any{"is_active": true},
			map[string]any{"is_active": false}},
		{"/api/v1/stock-lists/", "stock_lists_list.json",
			map[string]any{"code": "alpha", "name": "Alpha", "stock_list_rule": 1, "remote_id": 7},
			map[string]any{"is_active": true},
			map[string]any{"remote_id": nil, "stock_list_rule": "1"}},
		{"/api/v1/stocks/", "stocks_list.json",
			map[string]any{"sku": "SKU-1", "provider": "prov", "location": "loc", "stock": 5},
			map[string]any{"is_active": true, "reserved_stock": 0.0, "period": nil, "stock_type": "standard", "unit_type": "qty"},
			map[string]any{"stock": 3, "period": "2023-05-10"}},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			clk := &clock{now: time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)}
			c := dial(t, wt.WithClock(clk.Now))
			seedProvider(c.srv, "prov", "loc")
			c.srv.AddStockListRule(wt.StockListRule{Name: "r", RuleType: "sql"})

			created := c.create(tc.path, tc.create)
			id, isNumber := created["id"].(float64)
			require.True(t, isNumber, "id is a JSON number")
			assert.Equal(t, "2024-01-02T06:04:05.123456+03:00", created["created_date"])
			assert.Equal(t, created["created_date"], created["modified_date"])
			want := fixtureRecord(t, tc.fixture)
			require.ElementsMatch(t, keys(want), keys(created), "field names as documented")
			for field, v := range want {
				if v != nil {
					assert.Equal(t, jsonType(v), jsonType(created[field]), "type of %s", field)
				}
			}
			for field, v := range tc.defaults {
				assert.Equal(t, v, created[field], "default of %s", field)
			}

			detail := fmt.Sprintf("%s%v/", tc.path, created["id"])
			assert.Equal(t, created, c.do(http.MethodGet, detail, nil).object())

			clk.Advance(time.Second)
			r := c.do(http.MethodPatch, detail, tc.patch)
			require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
			patched := r.object()
			for field, v := range created {
				switch _, sent := tc.patch[field]; {
				case field == "modified_date":
					assert.Equal(t, "2024-01-02T06:04:06.123456+03:00", patched[field])
				case field == "stock_list_rule":
					assert.EqualValues(t, 1, patched[field], "a rule sent as a string answers as a number")
				case sent:
					assert.EqualValues(t, tc.patch[field], patched[field])
				default:
					assert.Equal(t, v, patched[field], "unsent field %s kept", field)
				}
			}

			assert.Contains(t, c.do(http.MethodGet, tc.path, nil).results(), patched)

			// PUT is a full update: what it leaves out that is required is refused, the rest
			// kept; with every required field it stores what it sends.
			r = c.do(http.MethodPut, detail, map[string]any{})
			assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
			assert.Contains(t, string(r.raw), "This field is required.")
			r = c.do(http.MethodPut, detail, tc.create)
			require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
			for field, v := range tc.create {
				assert.EqualValues(t, v, r.object()[field], "PUT stored %s", field)
			}
			r = c.do(http.MethodDelete, detail, nil)
			assert.Equal(t, http.StatusNoContent, r.status)
			assert.Empty(t, r.raw)
			requireJSON(t, c.do(http.MethodGet, detail, nil), http.StatusNotFound, `{"detail": "Not found."}`)
			requireJSON(t, c.do(http.MethodDelete, detail, nil), http.StatusNotFound, `{"detail": "Not found."}`)

			// Ids are never reused.
			assert.EqualValues(t, id+1, c.create(tc.path, tc.create)["id"])
		})
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// validationStore seeds two providers with a location each, a rule, a stock list and a stock.
func validationStore(t *testing.T) *conn {
	c := dial(t)
	seedProvider(c.srv, "p", "L1")
	seedProvider(c.srv, "q", "Q1")
	rule := c.srv.AddStockListRule(wt.StockListRule{Name: "r", RuleType: "sql", IsActive: true})
	c.srv.AddStockList(wt.StockList{Code: "list1", Name: "List", StockListRule: &rule.ID, IsActive: true})
	c.srv.AddStock(wt.Stock{SKU: "S1", Provider: "p", Location: "L1", Stock: 4, IsActive: true})
	return c
}

func TestValidationErrors(t *testing.T) {
	c := validationStore(t)
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"required", "POST", "/api/v1/providers/", `{}`, 400,
			`{"name": ["This field is required."], "code": ["This field is required."]}`},
		{"all errors at once", "POST", "/api/v1/providers/", `{"name": "  ", "code": "p", "is_active": null}`, 400,
			`{"is_active": ["This field may not be null."], "name": ["This field may not be blank."],
			  "code": ["provider with this code already exists."]}`},
		{"types", "POST", "/api/v1/providers/", `{"name": true, "code": ["a"], "should_add_reservations": "maybe"}`, 400,
			`{"name": ["Not a valid string."], "code": ["Not a valid string."], "should_add_reservations": ["Must be a valid boolean."]}`},
		{"location relations", "POST", "/api/v1/stock-locations/", `{"name": "x", "code": "L1", "provider": 99}`, 400,
			`{"code": ["stock location with this code already exists."], "provider": ["Invalid pk \"99\" - object does not exist."]}`},
		{"location pk type", "POST", "/api/v1/stock-locations/", `{"name": "x", "code": "n", "provider": "abc"}`, 400,
			`{"provider": ["Incorrect type. Expected pk value, received str."]}`},
		{"rule", "POST", "/api/v1/stock-list-rules/", `{"name": "r", "rule": [1]}`, 400,
			`{"rule_type": ["This field is required."], "rule": ["Expected a dictionary of items but got type \"list\"."]}`},
		{"stock list", "POST", "/api/v1/stock-lists/", `{"code": "list1", "name": "x", "stock_list_rule": 5, "remote_id": "abc"}`, 400,
			`{"code": ["stock list with this code already exists."], "stock_list_rule": ["Invalid pk \"5\" - object does not exist."],
			  "remote_id": ["A valid integer is required."]}`},
		{"stock required", "POST", "/api/v1/stocks/", `{}`, 400,
			`{"sku": ["This field is required."], "provider": ["This field is required."],
			  "location": ["This field is required."], "stock": ["This field is required."]}`},
		{"stock fields", "POST", "/api/v1/stocks/",
			`{"sku": "S", "provider": "nope", "location": "nope", "stock": -1, "reserved_stock": 1.5, "period": "yesterday"}`, 400,
			`{"period": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
			  "provider": ["Object with code=nope does not exist."], "location": ["Object with code=nope does not exist."],
			  "stock": ["Ensure this value is greater than or equal to 0."], "reserved_stock": ["A valid integer is required."]}`},
		// DRF looks up str() of a list or an object, which names no code: the same 400 under the
		// same key, the message the fake's own.
		{"stock location list", "POST", "/api/v1/stocks/", `{"sku": "S", "provider": "p", "location": [1], "stock": 1}`, 400,
			`{"location": ["Invalid value."]}`},
		{"stock provider object", "POST", "/api/v1/stocks/",
			`{"sku": "S", "provider": {"a": 2}, "location": "L1", "stock": 1}`, 400, `{"provider": ["Invalid value."]}`},
		{"stock location id", "POST", "/api/v1/stocks/", `{"sku": "S", "provider": "p", "location": 1, "stock": 1}`, 400,
			`{"location": ["Object with code=1 does not exist."]}`},
		{"stock unique set", "POST", "/api/v1/stocks/", `{"sku": "S1", "provider": "p", "location": "L1", "stock": 1}`, 400,
			`{"non_field_errors": ["The fields sku, provider, location, stock_type must make a unique set."]}`},
		{"stock location of another provider", "POST", "/api/v1/stocks/", `{"sku": "S2", "provider": "p", "location": "Q1", "stock": 1}`, 400,
			`{"location": ["Stock location \"Q1\" does not belong to provider \"p\"."]}`},
		{"patch checks what it sends", "PATCH", "/api/v1/stocks/1/", `{"location": "Q1", "stock": "x"}`, 400,
			`{"stock": ["A valid integer is required."]}`},
		{"patch relations", "PATCH", "/api/v1/stocks/1/", `{"location": "Q1"}`, 400,
			`{"location": ["Stock location \"Q1\" does not belong to provider \"p\"."]}`},
		{"moving a location with stocks", "PATCH", "/api/v1/stock-locations/1/", `{"provider": 2}`, 400,
			`{"provider": ["Cannot move a stock location that still has stocks to another provider."]}`},
		{"unique on patch", "PATCH", "/api/v1/providers/2/", `{"code": "p"}`, 400,
			`{"code": ["provider with this code already exists."]}`},
		{"malformed JSON", "POST", "/api/v1/providers/", `{"name": `, 400,
			`{"detail": "JSON parse error - unexpected end of JSON input"}`},
		{"not an object", "POST", "/api/v1/providers/", `[{"name": "x"}]`, 400,
			`{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}`},
		{"a string", "PATCH", "/api/v1/providers/1/", `"x"`, 400,
			`{"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}`},
		{"unknown id", "PATCH", "/api/v1/providers/99/", `{}`, 404, `{"detail": "Not found."}`},
		{"non-integer id", "GET", "/api/v1/stocks/abc/", ``, 404, `{"detail": "Not found."}`},
		{"collection takes no DELETE", "DELETE", "/api/v1/stocks/", ``, 405, `{"detail": "Method \"DELETE\" not allowed."}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			requireJSON(t, c.do(tc.method, tc.path, body), tc.status, tc.want)
		})
	}
	// Nothing above changed the store.
	assert.Len(t, c.srv.Providers(), 2)
	assert.Equal(t, "L1", c.srv.Stocks()[0].Location)
	assert.EqualValues(t, 4, c.srv.Stocks()[0].Stock)
}

func TestBodyReading(t *testing.T) {
	c := validationStore(t)

	r := c.send(t.Context(), http.MethodPost, "/api/v1/providers/", `{"name": "x", "code": "x"}`, "text/plain")
	requireJSON(t, r, http.StatusUnsupportedMediaType, `{"detail": "Unsupported media type \"text/plain\" in request."}`)

	// A body without a Content-Type is refused, as DRF refuses it (behind gunicorn or uWSGI).
	r = c.send(t.Context(), http.MethodPost, "/api/v1/providers/", `{"name": "x", "code": "x"}`, "")
	requireJSON(t, r, http.StatusUnsupportedMediaType, `{"detail": "Unsupported media type \"\" in request."}`)

	r = c.send(t.Context(), http.MethodPost, "/api/v1/providers/", `{"name": "x", "code": "x"}`, "application/json; charset=utf-8")
	assert.Equal(t, http.StatusCreated, r.status)

	huge := `{"name": "` + string(make([]byte, 1<<20)) + `"}`
	r = c.do(http.MethodPost, "/api/v1/providers/", huge)
	requireJSON(t, r, http.StatusRequestEntityTooLarge, `{"detail": "Request body is too large."}`)

	// Unknown and read-only fields are ignored; numbers are taken as strings, as DRF does.
	got := c.create("/api/v1/providers/", map[string]any{"name": 5, "code": 12, "id": 77,
		"created_date": "2000-01-01T00:00:00.000000+03:00", "bogus": true})
	assert.EqualValues(t, 4, got["id"])
	assert.Equal(t, "5", got["name"])
	assert.Equal(t, "12", got["code"])
	assert.NotEqual(t, "2000-01-01T00:00:00.000000+03:00", got["created_date"])
	assert.Regexp(t, timestampPattern, got["created_date"])
	assert.NotContains(t, got, "bogus")
}

func TestStockLocationAndPeriod(t *testing.T) {
	c := validationStore(t)
	cases := []struct {
		location, period any
		want             any
	}{
		{"L1", "2023-05-10", "2023-05-10"},
		{"L1", "2023-5-1", "2023-05-01"}, // Django's parse_date takes one-digit months and days
		{"L1", nil, nil},
	}
	for i, tc := range cases {
		got := c.create("/api/v1/stocks/", map[string]any{"sku": fmt.Sprint("N", i), "provider": "p",
			"location": tc.location, "stock": "7", "period": tc.period, "stock_type": "damaged"})
		assert.Equal(t, "L1", got["location"], "location answered as its code")
		assert.Equal(t, tc.want, got["period"])
		assert.EqualValues(t, 7, got["stock"])
		assert.Equal(t, "damaged", got["stock_type"])
	}
	// The same SKU at the same place with another stock type is another stock.
	got := c.create("/api/v1/stocks/", map[string]any{"sku": "S1", "provider": "p", "location": "L1",
		"stock": 1, "stock_type": "damaged"})
	assert.EqualValues(t, 5, got["id"])
}

func TestRenamedCodesCarryIntoStocks(t *testing.T) {
	c := validationStore(t)
	require.Equal(t, http.StatusOK, c.do(http.MethodPatch, "/api/v1/stock-locations/1/", `{"code": "L9"}`).status)
	require.Equal(t, http.StatusOK, c.do(http.MethodPatch, "/api/v1/providers/1/", `{"code": "p9"}`).status)

	stock := c.do(http.MethodGet, "/api/v1/stocks/1/", nil).object()
	assert.Equal(t, "L9", stock["location"])
	assert.Equal(t, "p9", stock["provider"])
	assert.Len(t, c.do(http.MethodGet, "/api/v1/stocks/?location=L9&provider=p9", nil).results(), 1)
	// The unique set follows the rename too.
	r := c.do(http.MethodPost, "/api/v1/stocks/", `{"sku": "S1", "provider": "p9", "location": "L9", "stock": 1}`)
	requireJSON(t, r, http.StatusBadRequest,
		`{"non_field_errors": ["The fields sku, provider, location, stock_type must make a unique set."]}`)
}

func TestDeletingRecordsStillInUseIsRefused(t *testing.T) {
	c := validationStore(t)
	refusals := []struct{ path, want string }{
		{"/api/v1/providers/1/", `["Cannot delete provider: it still has stock locations."]`},
		{"/api/v1/stock-locations/1/", `["Cannot delete stock location: it still has stocks."]`},
		{"/api/v1/stock-list-rules/1/", `["Cannot delete stock list rule: it is still used by stock lists."]`},
	}
	for _, tc := range refusals {
		requireJSON(t, c.do(http.MethodDelete, tc.path, nil), http.StatusBadRequest, tc.want)
	}
	assert.Len(t, c.srv.Providers(), 2)
	assert.Len(t, c.srv.StockLocations(), 2)
	assert.Len(t, c.srv.StockListRules(), 1)

	// Once nothing uses them, they go.
	for _, path := range []string{"/api/v1/stocks/1/", "/api/v1/stock-locations/1/", "/api/v1/providers/1/",
		"/api/v1/stock-lists/1/", "/api/v1/stock-list-rules/1/"} {
		assert.Equal(t, http.StatusNoContent, c.do(http.MethodDelete, path, nil).status, path)
	}
	assert.Len(t, c.srv.Providers(), 1)
}

func TestFixturesSeedTheDocumentedRecords(t *testing.T) {
	c := dial(t, wt.WithFixtures())
	for _, name := range []string{"providers_list.json", "stock_list_rules_list.json", "stock_lists_list.json",
		"stocks_list.json", "stock_locations_list.json"} {
		var documented struct{ Results []json.RawMessage }
		require.NoError(t, json.Unmarshal([]byte(fixture(t, name)), &documented))
		for _, rec := range documented.Results {
			var id struct{ ID int }
			require.NoError(t, json.Unmarshal(rec, &id))
			path := fmt.Sprintf("/api/v1/%s/%d/", pathOf(name), id.ID)
			want := string(rec)
			if path == "/api/v1/stock-locations/1/" { // "110" belongs to the added provider 2
				want = strings.Replace(want, `"provider": 1`, `"provider": 2`, 1)
			}
			requireJSON(t, c.do(http.MethodGet, path, nil), http.StatusOK, want)
		}
	}
	assert.Equal(t, "shop_provider", c.srv.Providers()[1].Code)
	// New records take the ids after the documented ones.
	assert.EqualValues(t, 3, c.create("/api/v1/stocks/", map[string]any{"sku": "X", "provider": "shop_provider",
		"location": "110", "stock": 1})["id"])
}

// pathOf maps a fixture file to its collection path.
func pathOf(fixtureName string) string {
	return map[string]string{"providers_list.json": "providers", "stock_list_rules_list.json": "stock-list-rules",
		"stock_lists_list.json": "stock-lists", "stocks_list.json": "stocks",
		"stock_locations_list.json": "stock-locations"}[fixtureName]
}

func TestSeedingAndReading(t *testing.T) {
	srv := wt.NewTestServer(t, wt.WithoutListener())
	p := srv.AddProvider(wt.Provider{ID: 10, Name: "P", Code: "p"})
	assert.EqualValues(t, 10, p.ID)
	assert.True(t, p.IsActive, "active, as a POST without is_active stores it")
	assert.False(t, srv.AddProvider(wt.Provider{Name: "I", Code: "i", IsActive: true}, wt.Inactive()).IsActive)
	assert.Regexp(t, timestampPattern, p.CreatedDate)
	l := srv.AddStockLocation(wt.StockLocation{Name: "L", Code: "L", Provider: p.ID})
	assert.EqualValues(t, 1, l.ID)

	period := "2023-05-10"
	s := srv.AddStock(wt.Stock{SKU: "S", Provider: "p", Location: "L", Stock: 2, Period: &period})
	assert.Equal(t, "standard", s.StockType)
	assert.Equal(t, "qty", s.UnitType)
	period = "changed"
	*srv.Stocks()[0].Period = "changed too"
	assert.Equal(t, "2023-05-10", *srv.Stocks()[0].Period, "the store keeps its own copy")

	assert.PanicsWithValue(t, `whippywaretest: cannot add invalid stock: {"provider":["Object with code=nope does not exist."]}`,
		func() { srv.AddStock(wt.Stock{SKU: "S", Provider: "nope", Location: "L", Stock: 1}) })
	assert.Panics(t, func() { srv.AddProvider(wt.Provider{ID: 10, Name: "Q", Code: "q"}) }, "id taken")
	assert.Panics(t, func() { srv.AddProvider(wt.Provider{Name: "Q", Code: "p"}) }, "duplicate code")

	c := connect(t, srv)
	assert.EqualValues(t, 12, c.create("/api/v1/providers/", `{"name": "N", "code": "n"}`)["id"],
		"ids continue after a seeded one")
	assert.Equal(t, []string{"p", "i", "n"}, codes(srv.Providers()))
}

func codes(ps []wt.Provider) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

// TestConcurrentCreatesGetUniqueIDs runs parallel clients (under -race in CI).
func TestConcurrentCreatesGetUniqueIDs(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			srv := wt.NewTestServer(t, mode.opts...)
			seedProvider(srv, "p", "L")
			const workers, each = 8, 20
			ids := make(chan float64, workers*each)
			errs := make(chan error, workers)
			for w := range workers {
				c := connect(t, srv) // here: a failing login must stop the test goroutine
				go func() {
					for i := range each {
						r, err := c.try(t.Context(), http.MethodPost, "/api/v1/stocks/",
							fmt.Sprintf(`{"sku": "w%d-%d", "provider": "p", "location": "L", "stock": %d}`, w, i, i),
							"application/json")
						if err == nil && r.status != http.StatusCreated {
							err = fmt.Errorf("status %d: %s", r.status, r.raw)
						}
						if err != nil {
							errs <- err
							return
						}
						var rec struct{ ID float64 }
						_ = json.Unmarshal(r.raw, &rec)
						ids <- rec.ID
					}
					errs <- nil
				}()
			}
			for range workers {
				require.NoError(t, <-errs)
			}
			close(ids)
			var got []float64
			for id := range ids {
				got = append(got, id)
			}
			slices.Sort(got)
			require.Len(t, got, workers*each)
			for i, id := range got {
				require.EqualValues(t, i+1, id)
			}
			assert.Len(t, srv.Stocks(), workers*each)
		})
	}
}

// WithCascadeDelete takes the dependent records along, and leaves nothing of them behind: the
// same rows can be created again.
func TestCascadeDeleteLeavesNoTrace(t *testing.T) {
	c := dial(t, wt.WithCascadeDelete(), wt.WithFixtures())
	assert.Equal(t, http.StatusNoContent, c.do(http.MethodDelete, "/api/v1/stock-locations/1/", nil).status)
	assert.Empty(t, c.srv.Stocks(), "location 110's stock went with it")
	assert.Equal(t, http.StatusNoContent, c.do(http.MethodDelete, "/api/v1/providers/2/", nil).status)

	c.create("/api/v1/providers/", `{"name": "Shop Provider", "code": "shop_provider"}`)
	loc := c.create("/api/v1/stock-locations/", `{"name": "110", "code": "110", "provider": 3}`)
	assert.EqualValues(t, 3, loc["id"])
	c.create("/api/v1/stocks/", `{"sku": "555AB13004562130", "provider": "shop_provider", "location": "110", "stock": 5}`)
}

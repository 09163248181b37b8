package whippyware

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shapeCase is one network call and everything a user can check about the request
// it sends and the value it returns.
type shapeCase struct {
	name    string
	method  string
	path    string // under testAPI
	query   string // the exact raw query sent, "" for none
	body    string // the exact JSON body sent, "" for none
	anon    bool   // sent without an Authorization header
	status  int
	respond string
	call    func(context.Context, *Client) (any, *Response, error)
	want    any
}

// bodyCase is a create or update request and the JSON it must send.
type bodyCase[R any] struct {
	name string
	req  *R
	body string
}

// listCase is a set of list options and the exact query they must send.
type listCase[O any] struct {
	name  string
	opts  *O
	query string
}

// crudService is what every resource service offers; the request-shape cases call
// the generated methods through it, as users do.
type crudService[T, C, U, O any] interface {
	List(ctx context.Context, opts *O, callOpts ...CallOption) (*Page[T], *Response, error)
	Get(ctx context.Context, id int64, callOpts ...CallOption) (*T, *Response, error)
	Create(ctx context.Context, req *C, callOpts ...CallOption) (*T, *Response, error)
	Update(ctx context.Context, id int64, req *U, callOpts ...CallOption) (*T, *Response, error)
	Delete(ctx context.Context, id int64, callOpts ...CallOption) (*Response, error)
}

// resourceSpec describes one service for the generated request-shape cases.
type resourceSpec[T, C, U, O any] struct {
	name    string
	svc     func(*Client) crudService[T, C, U, O]
	path    string // collection under testAPI
	item    string // JSON of one record with id 7, as the service answers it
	want    *T     // item decoded
	lists   []listCase[O]
	creates []bodyCase[C]
	updates []bodyCase[U]
}

func (s resourceSpec[T, C, U, O]) cases() []shapeCase {
	itemPath := s.path + "7/"
	var out []shapeCase
	for _, l := range s.lists {
		out = append(out, shapeCase{
			name: s.name + "/List/" + l.name, method: http.MethodGet, path: s.path, query: l.query, status: http.StatusOK,
			respond: `{"count": 41, "next": "` + testAPI + s.path + `?limit=2&page=3", "previous": "` + testAPI + s.path + `?limit=2", "results": [` + s.item + `]}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return s.svc(c).List(ctx, l.opts)
			},
			want: &Page[T]{
				Count: 41, Results: []*T{s.want},
				Next: testAPI + s.path + "?limit=2&page=3", Previous: testAPI + s.path + "?limit=2",
			},
		})
	}
	out = append(out, shapeCase{
		name: s.name + "/Get", method: http.MethodGet, path: itemPath, status: http.StatusOK, respond: s.item, want: s.want,
		call: func(ctx context.Context, c *Client) (any, *Response, error) { return s.svc(c).Get(ctx, 7) },
	})
	for _, b := range s.creates {
		out = append(out, shapeCase{
			name: s.name + "/Create/" + b.name, method: http.MethodPost, path: s.path, body: b.body, status: http.StatusCreated, respond: s.item, want: s.want,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return s.svc(c).Create(ctx, b.req) },
		})
	}
	for _, b := range s.updates {
		out = append(out, shapeCase{
			name: s.name + "/Update/" + b.name, method: http.MethodPatch, path: itemPath, body: b.body, status: http.StatusOK, respond: s.item, want: s.want,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return s.svc(c).Update(ctx, 7, b.req) },
		})
	}
	return append(out, shapeCase{
		name: s.name + "/Delete", method: http.MethodDelete, path: itemPath, status: http.StatusNoContent,
		call: func(ctx context.Context, c *Client) (any, *Response, error) {
			r, err := s.svc(c).Delete(ctx, 7)
			return nil, r, err
		},
	})
}

// invalidCalls are the calls the client must refuse without sending anything.
func (s resourceSpec[T, C, U, O]) invalidCalls() map[string]func(context.Context, *Client) (any, *Response, error) {
	return map[string]func(context.Context, *Client) (any, *Response, error){
		s.name + "/Create nil":  func(ctx context.Context, c *Client) (any, *Response, error) { return s.svc(c).Create(ctx, nil) },
		s.name + "/Update nil":  func(ctx context.Context, c *Client) (any, *Response, error) { return s.svc(c).Update(ctx, 7, nil) },
		s.name + "/Update id 0": func(ctx context.Context, c *Client) (any, *Response, error) { return s.svc(c).Update(ctx, 0, new(U)) },
		s.name + "/Get id 0":    func(ctx context.Context, c *Client) (any, *Response, error) { return s.svc(c).Get(ctx, 0) },
		s.name + "/Delete id 0": func(ctx context.Context, c *Client) (any, *Response, error) {
			r, err := s.svc(c).Delete(ctx, 0)
			return nil, r, err
		},
	}
}

// The record part every sample item shares.
const sampleRecordJSON = `"id": 7, "created_date": "2024-01-02T03:04:05.123456Z", "modified_date": "2024-02-03T04:05:06.654321Z", "is_active": true`

var sampleRecord = Record{
	ID:           7,
	CreatedDate:  time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC),
	ModifiedDate: time.Date(2024, 2, 3, 4, 5, 6, 654321000, time.UTC),
	IsActive:     true,
}

var providerSpec = resourceSpec[Provider, ProviderCreateRequest, ProviderUpdateRequest, ProviderFilter]{
	name: "Providers", path: "providers/",
	svc: func(c *Client) crudService[Provider, ProviderCreateRequest, ProviderUpdateRequest, ProviderFilter] {
		return c.Providers
	},
	item: `{` + sampleRecordJSON + `, "name": "Main warehouse", "code": "main_wh", "should_add_reservations": true}`,
	want: &Provider{Record: sampleRecord, Name: "Main warehouse", Code: "main_wh", ShouldAddReservations: true},
	lists: []listCase[ProviderFilter]{
		{"nil options", nil, ""},
		{"all filters", &ProviderFilter{ListOptions: ListOptions{Page: 2, Limit: 50}, Code: "main_wh", Name: "Main warehouse", IsActive: Ptr(true)},
			"code=main_wh&is_active=true&limit=50&name=Main+warehouse&page=2"},
		{"inactive", &ProviderFilter{IsActive: Ptr(false)}, "is_active=false"},
	},
	creates: []bodyCase[ProviderCreateRequest]{
		{"all fields", &ProviderCreateRequest{Name: "Main warehouse", Code: "main_wh", ShouldAddReservations: Ptr(false), IsActive: Ptr(true)},
			`{"name": "Main warehouse", "code": "main_wh", "should_add_reservations": false, "is_active": true}`},
		{"required only", &ProviderCreateRequest{Name: "Main warehouse", Code: "main_wh"}, `{"name": "Main warehouse", "code": "main_wh"}`},
	},
	updates: []bodyCase[ProviderUpdateRequest]{
		{"name only", &ProviderUpdateRequest{Name: Ptr("Renamed")}, `{"name": "Renamed"}`},
		{"false values", &ProviderUpdateRequest{ShouldAddReservations: Ptr(false), IsActive: Ptr(false)}, `{"should_add_reservations": false, "is_active": false}`},
		{"nothing set", &ProviderUpdateRequest{}, `{}`},
	},
}

var stockLocationSpec = resourceSpec[StockLocation, StockLocationCreateRequest, StockLocationUpdateRequest, StockLocationFilter]{
	name: "StockLocations", path: "stock-locations/",
	svc: func(c *Client) crudService[StockLocation, StockLocationCreateRequest, StockLocationUpdateRequest, StockLocationFilter] {
		return c.StockLocations
	},
	item: `{` + sampleRecordJSON + `, "name": "110", "code": "110", "provider": 3}`,
	want: &StockLocation{Record: sampleRecord, Name: "110", Code: "110", Provider: 3},
	lists: []listCase[StockLocationFilter]{
		{"all filters", &StockLocationFilter{ListOptions: ListOptions{Page: 4, Limit: 10}, Code: "110", Name: "Store 110", IsActive: Ptr(true), Provider: 3},
			"code=110&is_active=true&limit=10&name=Store+110&page=4&provider=3"},
		{"inactive", &StockLocationFilter{IsActive: Ptr(false)}, "is_active=false"},
	},
	creates: []bodyCase[StockLocationCreateRequest]{
		{"all fields", &StockLocationCreateRequest{Name: "110", Code: "110", Provider: 3, IsActive: Ptr(false)},
			`{"name": "110", "code": "110", "provider": 3, "is_active": false}`},
	},
	updates: []bodyCase[StockLocationUpdateRequest]{
		{"name only", &StockLocationUpdateRequest{Name: Ptr("Store 110")}, `{"name": "Store 110"}`},
		{"zero values", &StockLocationUpdateRequest{Provider: Ptr(int64(0)), IsActive: Ptr(false)}, `{"provider": 0, "is_active": false}`},
	},
}

var stockListSpec = resourceSpec[StockList, StockListCreateRequest, StockListUpdateRequest, StockListFilter]{
	name: "StockLists", path: "stock-lists/",
	svc: func(c *Client) crudService[StockList, StockListCreateRequest, StockListUpdateRequest, StockListFilter] {
		return c.StockLists
	},
	item: `{` + sampleRecordJSON + `, "code": "alpha_stock_list", "name": "Alpha Stock List", "remote_id": 11, "stock_list_rule": "5"}`,
	want: &StockList{Record: sampleRecord, Code: "alpha_stock_list", Name: "Alpha Stock List", RemoteID: 11, StockListRule: "5"},
	lists: []listCase[StockListFilter]{
		{"all filters", &StockListFilter{ListOptions: ListOptions{Page: 1, Limit: 1000}, Code: "alpha_stock_list", Name: "Alpha", IsActive: Ptr(true)},
			"code=alpha_stock_list&is_active=true&limit=1000&name=Alpha&page=1"},
		{"inactive", &StockListFilter{IsActive: Ptr(false)}, "is_active=false"},
	},
	creates: []bodyCase[StockListCreateRequest]{
		{"all fields", &StockListCreateRequest{Code: "alpha_stock_list", Name: "Alpha Stock List", RemoteID: Ptr(int64(11)), StockListRule: Ptr(int64(5)), IsActive: Ptr(false)},
			`{"code": "alpha_stock_list", "name": "Alpha Stock List", "remote_id": 11, "stock_list_rule": 5, "is_active": false}`},
		{"required only", &StockListCreateRequest{Code: "alpha_stock_list", Name: "Alpha Stock List"}, `{"code": "alpha_stock_list", "name": "Alpha Stock List"}`},
	},
	updates: []bodyCase[StockListUpdateRequest]{
		{"name only", &StockListUpdateRequest{Name: Ptr("Beta")}, `{"name": "Beta"}`},
		{"zero values", &StockListUpdateRequest{RemoteID: Value(int64(0)), StockListRule: Value(int64(0)), IsActive: Ptr(false)},
			`{"remote_id": 0, "stock_list_rule": 0, "is_active": false}`},
		{"clear remote id and rule", &StockListUpdateRequest{RemoteID: Null[int64](), StockListRule: Null[int64]()},
			`{"remote_id": null, "stock_list_rule": null}`},
		{"set one, clear one", &StockListUpdateRequest{RemoteID: Value(int64(12)), StockListRule: Null[int64]()},
			`{"remote_id": 12, "stock_list_rule": null}`},
	},
}

var stockListRuleSpec = resourceSpec[StockListRule, StockListRuleCreateRequest, StockListRuleUpdateRequest, StockListRuleFilter]{
	name: "StockListRules", path: "stock-list-rules/",
	svc: func(c *Client) crudService[StockListRule, StockListRuleCreateRequest, StockListRuleUpdateRequest, StockListRuleFilter] {
		return c.StockListRules
	},
	item: `{` + sampleRecordJSON + `, "name": "Eshop", "rule_type": "sql", "rule": {"providers":[1,2]}}`,
	want: &StockListRule{Record: sampleRecord, Name: "Eshop", RuleType: "sql", Rule: json.RawMessage(`{"providers":[1,2]}`)},
	lists: []listCase[StockListRuleFilter]{
		{"all filters", &StockListRuleFilter{ListOptions: ListOptions{Page: 2, Limit: 5}, Name: "Eshop", IsActive: Ptr(true)}, "is_active=true&limit=5&name=Eshop&page=2"},
		{"inactive", &StockListRuleFilter{IsActive: Ptr(false)}, "is_active=false"},
	},
	creates: []bodyCase[StockListRuleCreateRequest]{
		{"all fields", &StockListRuleCreateRequest{Name: "Eshop", RuleType: "sql", Rule: json.RawMessage(`{"providers": [1, 2]}`), IsActive: Ptr(false)},
			`{"name": "Eshop", "rule_type": "sql", "rule": {"providers": [1, 2]}, "is_active": false}`},
	},
	updates: []bodyCase[StockListRuleUpdateRequest]{
		{"name only", &StockListRuleUpdateRequest{Name: Ptr("Outlet")}, `{"name": "Outlet"}`},
		{"rule and false", &StockListRuleUpdateRequest{Rule: json.RawMessage(`{}`), IsActive: Ptr(false)}, `{"rule": {}, "is_active": false}`},
	},
}

var stockSpec = resourceSpec[Stock, StockCreateRequest, StockUpdateRequest, StockFilter]{
	name: "Stocks", path: "stocks/",
	svc: func(c *Client) crudService[Stock, StockCreateRequest, StockUpdateRequest, StockFilter] {
		return c.Stocks
	},
	item: `{` + sampleRecordJSON + `, "sku": "555AB13004562130", "provider": "shop_provider", "location": 110, "stock": 5,
		"reserved_stock": 2, "period": "2023-05-10", "stock_type": "standard", "unit_type": "qty"}`,
	want: &Stock{
		Record: sampleRecord, SKU: "555AB13004562130", Provider: "shop_provider", Location: "110", Stock: 5,
		ReservedStock: 2, Period: Ptr(Date(2023, time.May, 10)), StockType: "standard", UnitType: "qty",
	},
	lists: []listCase[StockFilter]{
		{"all filters", &StockFilter{ListOptions: ListOptions{Page: 3, Limit: 100}, SKU: "555AB", Provider: "shop_provider", Location: "110", StockType: "standard", IsActive: Ptr(true)},
			"is_active=true&limit=100&location=110&page=3&provider=shop_provider&sku=555AB&stock_type=standard"},
		{"inactive", &StockFilter{IsActive: Ptr(false)}, "is_active=false"},
	},
	creates: []bodyCase[StockCreateRequest]{
		{"all fields", &StockCreateRequest{
			SKU: "555AB", Provider: "shop_provider", Location: "110", Stock: 5, ReservedStock: Ptr(int64(0)),
			Period: Ptr(Date(2023, time.May, 10)), StockType: "standard", UnitType: "qty", IsActive: Ptr(false),
		}, `{"sku": "555AB", "provider": "shop_provider", "location": "110", "stock": 5, "reserved_stock": 0,
			"period": "2023-05-10", "stock_type": "standard", "unit_type": "qty", "is_active": false}`},
		{"zero stock is sent", &StockCreateRequest{SKU: "555AB", Provider: "shop_provider", Location: "110"},
			`{"sku": "555AB", "provider": "shop_provider", "location": "110", "stock": 0}`},
		{"timestamp period is sent as its date", &StockCreateRequest{SKU: "555AB", Provider: "shop_provider", Location: "110",
			Period: Ptr(lateTimestampPeriod())},
			`{"sku": "555AB", "provider": "shop_provider", "location": "110", "stock": 0, "period": "2023-05-10"}`},
	},
	updates: []bodyCase[StockUpdateRequest]{
		{"stock only", &StockUpdateRequest{Stock: Ptr(int64(9))}, `{"stock": 9}`},
		{"zero values", &StockUpdateRequest{Stock: Ptr(int64(0)), ReservedStock: Ptr(int64(0)), IsActive: Ptr(false)},
			`{"stock": 0, "reserved_stock": 0, "is_active": false}`},
		{"text fields", &StockUpdateRequest{
			SKU: Ptr("555AC"), Provider: Ptr("other"), Location: Ptr(StringOrNumber("112")), Period: Value(Date(2024, time.March, 1)),
			StockType: Ptr("virtual"), UnitType: Ptr("kg"),
		}, `{"sku": "555AC", "provider": "other", "location": "112", "period": "2024-03-01", "stock_type": "virtual", "unit_type": "kg"}`},
		{"clear period", &StockUpdateRequest{Period: Null[DateOrTime]()}, `{"period": null}`},
		{"timestamp period is sent as its date", &StockUpdateRequest{Period: Value(lateTimestampPeriod())}, `{"period": "2023-05-10"}`},
	},
}

// lateTimestampPeriod is early on 10 May 2023 at +03:00, still 9 May in UTC:
// a request sends the date as written, 2023-05-10.
func lateTimestampPeriod() DateOrTime {
	d, err := ParseDateOrTime("2023-05-10T01:37:18.209869+03:00")
	if err != nil || d.DateOnly {
		panic("lateTimestampPeriod: not a timestamp")
	}
	return d
}

func resourceShapeCases() []shapeCase {
	var all []shapeCase
	for _, cs := range [][]shapeCase{providerSpec.cases(), stockLocationSpec.cases(), stockListSpec.cases(), stockListRuleSpec.cases(), stockSpec.cases()} {
		all = append(all, cs...)
	}
	return append(all,
		shapeCase{
			name: "Auth/Login", method: http.MethodPost, path: "auth/login/", anon: true, status: http.StatusOK,
			body: `{"username": "test", "password": "test_pass"}`, respond: `{"key": "fresh-key"}`, want: "fresh-key",
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				r, err := c.Auth.Login(ctx)
				return c.Auth.Key(), r, err
			},
		},
		shapeCase{
			name: "Auth/Logout", method: http.MethodPost, path: "expire-token/", status: http.StatusNoContent,
			body: `{"username": "test"}`, want: "",
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				r, err := c.Auth.Logout(ctx)
				return c.Auth.Key(), r, err
			},
		},
	)
}

func TestResourceRequestShapes(t *testing.T) {
	for _, tc := range resourceShapeCases() {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newMockClient(t, WithKey(testKey))
			rec := recordJSON(mock, tc.method, testAPI+tc.path, tc.status, tc.respond)

			got, resp, err := tc.call(context.Background(), c)
			require.NoError(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, 1, resp.Attempts)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, 1, mock.GetTotalCallCount())

			sent := rec.Load()
			require.NotNil(t, sent)
			u := *sent.req.URL
			assert.Equal(t, tc.method, sent.req.Method)
			assert.Equal(t, tc.query, u.RawQuery)
			u.RawQuery = ""
			assert.Equal(t, testAPI+tc.path, u.String())

			h := sent.req.Header
			assert.Equal(t, "application/json", h.Get("Accept"))
			assert.Equal(t, "whippyware-go/"+Version, h.Get("User-Agent"))
			if tc.anon {
				assert.Empty(t, h.Values("Authorization"))
			} else {
				assert.Equal(t, "Token "+testKey, h.Get("Authorization"))
			}
			if tc.body == "" {
				assert.Empty(t, sent.body)
				assert.Empty(t, h.Values("Content-Type"))
			} else {
				jsonEq(t, json.RawMessage(tc.body), sent.body)
				assert.Equal(t, "application/json", h.Get("Content-Type"))
			}
		})
	}
}

func TestResourceUserAgentOption(t *testing.T) {
	assert.True(t, strings.HasPrefix(defaultUserAgent, "whippyware-go/"))
	c, mock := newMockClient(t, WithUserAgent("stock-sync/2.1 (+ops@example.com)"))
	login := recordJSON(mock, http.MethodPost, testAPI+"auth/login/", http.StatusOK, `{"key": "k1"}`)
	get := recordJSON(mock, http.MethodGet, testAPI+"providers/1/", http.StatusOK, `{"id": 1}`)

	p, _, err := c.Providers.Get(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, int64(1), p.ID)
	for _, rec := range []*recorded{login.Load(), get.Load()} {
		require.NotNil(t, rec)
		assert.Equal(t, "stock-sync/2.1 (+ops@example.com)", rec.req.Header.Get("User-Agent"), rec.req.URL.String())
	}
	assert.Equal(t, "Token k1", get.Load().req.Header.Get("Authorization"))
}

func TestResourceInvalidRequestsSendNothing(t *testing.T) {
	calls := map[string]func(context.Context, *Client) (any, *Response, error){}
	for _, m := range []map[string]func(context.Context, *Client) (any, *Response, error){
		providerSpec.invalidCalls(), stockLocationSpec.invalidCalls(), stockListSpec.invalidCalls(),
		stockListRuleSpec.invalidCalls(), stockSpec.invalidCalls(),
	} {
		for name, call := range m {
			calls[name] = call
		}
	}
	require.Len(t, calls, 25)
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			c, mock := newMockClient(t, WithKey(testKey))
			got, resp, err := call(context.Background(), c)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalidRequest), "got %v", err)
			assert.Nil(t, got)
			assert.Nil(t, resp)
			assert.Zero(t, mock.GetTotalCallCount())
		})
	}
}

func TestListQueryRefusesNegativePaging(t *testing.T) {
	_, err := listQuery(&StockFilter{ListOptions: ListOptions{Page: -1}})
	require.ErrorIs(t, err, ErrInvalidRequest)
}

// TestNegativePageOrLimitSendsNothing: the service answers a negative page with a
// 404 and ignores a negative limit; the client refuses both before sending, in List
// and All of every resource.
func TestNegativePageOrLimitSendsNothing(t *testing.T) {
	for _, lo := range []ListOptions{{Page: -1}, {Limit: -5}, {Page: -2, Limit: 10}} {
		calls := map[string]func(context.Context, *Client) error{
			"Stocks.List": func(ctx context.Context, c *Client) error {
				_, _, err := c.Stocks.List(ctx, &StockFilter{ListOptions: lo})
				return err
			},
			"Providers.List": func(ctx context.Context, c *Client) error {
				_, _, err := c.Providers.List(ctx, &ProviderFilter{ListOptions: lo})
				return err
			},
			"StockLocations.All": func(ctx context.Context, c *Client) error {
				for _, err := range c.StockLocations.All(ctx, &StockLocationFilter{ListOptions: lo, Provider: 1}) {
					return err
				}
				return nil
			},
			"StockLists.All": func(ctx context.Context, c *Client) error {
				for _, err := range c.StockLists.All(ctx, &StockListFilter{ListOptions: lo}) {
					return err
				}
				return nil
			},
			"StockListRules.List": func(ctx context.Context, c *Client) error {
				_, _, err := c.StockListRules.List(ctx, &StockListRuleFilter{ListOptions: lo})
				return err
			},
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				c, mock := newKeyClient(t) // any request fails the test
				err := call(context.Background(), c)
				require.ErrorIs(t, err, ErrInvalidRequest, "page %d, limit %d", lo.Page, lo.Limit)
				assert.Equal(t, 0, mock.GetTotalCallCount())
			})
		}
	}
}

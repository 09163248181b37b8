package whippyware

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plus3 is the offset of every timestamp in the reference's examples.
var plus3 = time.FixedZone("+03:00", 3*60*60)

// fixtureTime is a 2023 timestamp of the examples, at +03:00 with microseconds.
func fixtureTime(month time.Month, day, hour, minute, sec, micro int) time.Time {
	return time.Date(2023, month, day, hour, minute, sec, micro*1000, plus3)
}

func fixtureRecord(id int64, created, modified time.Time) Record {
	return Record{ID: id, CreatedDate: created, ModifiedDate: modified, IsActive: true}
}

// listFixture is a documented list body served to List, and what List must return.
type listFixture[T any] struct {
	file, path string
	list       func(context.Context, *Client) (*Page[T], *Response, error)
	record     func(*T) *Record
	count      int
	next       string
	nextPage   int
	want       []T
	extra      func(*testing.T, []*T)
}

func (f listFixture[T]) run(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	rec := recordJSON(mock, http.MethodGet, testAPI+f.path, http.StatusOK, fixture(t, f.file))

	page, resp, err := f.list(context.Background(), c)
	require.NoError(t, err)
	require.NotNil(t, rec.Load())
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, f.count, page.Count)
	assert.Equal(t, f.next, page.Next)
	assert.Equal(t, f.nextPage, page.NextPage())
	assert.Empty(t, page.Previous)
	assert.Zero(t, page.PreviousPage())
	require.Len(t, page.Results, len(f.want))
	for i, want := range f.want {
		got := *page.Results[i]
		w, g := f.record(&want), f.record(&got)
		for _, ts := range [][2]time.Time{{w.CreatedDate, g.CreatedDate}, {w.ModifiedDate, g.ModifiedDate}} {
			assert.True(t, ts[0].Equal(ts[1]), "result %d: want %s, got %s", i, ts[0], ts[1])
			_, offset := ts[1].Zone()
			assert.Equal(t, 3*60*60, offset, "result %d: %s", i, ts[1])
		}
		// The instants are checked; compare the rest field by field.
		w.CreatedDate, w.ModifiedDate, g.CreatedDate, g.ModifiedDate = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		assert.Equal(t, want, got, "result %d", i)
	}
	if f.extra != nil {
		f.extra(t, page.Results)
	}
}

func TestFixtureListsDecode(t *testing.T) {
	placeholder := "https://{whippy_api_url}/api/v1/"
	tests := map[string]func(*testing.T){
		"providers": listFixture[Provider]{
			file: "providers_list.json", path: "providers/", count: 1, next: placeholder + "providers/?page=2", nextPage: 2,
			list: func(ctx context.Context, c *Client) (*Page[Provider], *Response, error) {
				return c.Providers.List(ctx, nil)
			},
			record: func(p *Provider) *Record { return &p.Record },
			want: []Provider{{
				Record: fixtureRecord(1, fixtureTime(time.May, 10, 10, 8, 25, 50666), fixtureTime(time.May, 10, 10, 8, 25, 58711)),
				Name:   "Provider", Code: "provider_company", ShouldAddReservations: false,
			}},
		}.run,
		"stock locations": listFixture[StockLocation]{
			file: "stock_locations_list.json", path: "stock-locations/", count: 3, next: placeholder + "stock-locations/?page=2", nextPage: 2,
			list: func(ctx context.Context, c *Client) (*Page[StockLocation], *Response, error) {
				return c.StockLocations.List(ctx, nil)
			},
			record: func(l *StockLocation) *Record { return &l.Record },
			want: []StockLocation{
				{Record: fixtureRecord(1, fixtureTime(time.May, 10, 12, 30, 30, 784114), fixtureTime(time.May, 10, 12, 30, 30, 784158)), Name: "110", Code: "110", Provider: 1},
				{Record: fixtureRecord(2, fixtureTime(time.May, 10, 12, 31, 46, 773210), fixtureTime(time.May, 10, 12, 31, 46, 773249)), Name: "112", Code: "112", Provider: 1},
			},
		}.run,
		"stock lists": listFixture[StockList]{
			file: "stock_lists_list.json", path: "stock-lists/", count: 3, next: placeholder + "stock-lists/?page=2", nextPage: 2,
			list: func(ctx context.Context, c *Client) (*Page[StockList], *Response, error) {
				return c.StockLists.List(ctx, nil)
			},
			record: func(l *StockList) *Record { return &l.Record },
			want: []StockList{
				{
					Record: fixtureRecord(1, fixtureTime(time.May, 9, 14, 42, 44, 507114), fixtureTime(time.May, 9, 14, 54, 38, 997168)),
					Code:   "alpha_stock_list", Name: "Alpha Stock List", RemoteID: 1, StockListRule: "1",
				},
				{
					Record: fixtureRecord(2, fixtureTime(time.May, 9, 14, 44, 25, 500852), fixtureTime(time.May, 9, 14, 54, 41, 981423)),
					Code:   "marketplace_stock_list", Name: "Marketplace Stock List", RemoteID: 2, StockListRule: "1",
				},
			},
			extra: func(t *testing.T, got []*StockList) {
				for _, l := range got {
					id, err := l.StockListRule.Int64()
					require.NoError(t, err)
					assert.Equal(t, int64(1), id)
				}
			},
		}.run,
		"stock list rules": listFixture[StockListRule]{
			file: "stock_list_rules_list.json", path: "stock-list-rules/", count: 2,
			next: "http://{whippy_api_url}/api/v1/stock-list-rules/?page=2", nextPage: 2,
			list: func(ctx context.Context, c *Client) (*Page[StockListRule], *Response, error) {
				return c.StockListRules.List(ctx, nil)
			},
			record: func(r *StockListRule) *Record { return &r.Record },
			want: []StockListRule{{
				Record: fixtureRecord(1, fixtureTime(time.May, 5, 15, 54, 53, 689242), fixtureTime(time.May, 5, 15, 54, 53, 691352)),
				Name:   "Eshop Stock List Rule", RuleType: "sql", Rule: json.RawMessage(`{}`),
			}},
		}.run,
		"stocks": listFixture[Stock]{
			file: "stocks_list.json", path: "stocks/", count: 3, next: "", nextPage: 0,
			list:   func(ctx context.Context, c *Client) (*Page[Stock], *Response, error) { return c.Stocks.List(ctx, nil) },
			record: func(s *Stock) *Record { return &s.Record },
			want: []Stock{{
				Record: fixtureRecord(2, fixtureTime(time.May, 10, 13, 37, 18, 209869), fixtureTime(time.May, 10, 13, 37, 18, 210018)),
				SKU:    "555AB13004562130", Provider: "shop_provider", Location: "110", Stock: 5, ReservedStock: 0,
				Period: nil, StockType: "standard", UnitType: "qty",
			}},
		}.run,
	}
	for name, run := range tests {
		t.Run(name, run)
	}
}

func TestFixtureAuthBodies(t *testing.T) {
	login := func(ctx context.Context, c *Client) (*Response, error) { return c.Auth.Login(ctx) }
	logout := func(ctx context.Context, c *Client) (*Response, error) { return c.Auth.Logout(ctx) }
	required := []string{"This field is required."}
	tests := []struct {
		name, path, respond, sent string
		status                    int
		call                      func(context.Context, *Client) (*Response, error)
		fields                    map[string][]string // nil: the call succeeds
		token                     string              // Token() afterwards
	}{
		{"login", "auth/login/", "login_response.json", "login_request.json", http.StatusOK, login, nil, "f532eXXXXXXXXXXXXXXXXX201XXXXX9332d"},
		{"login missing fields", "auth/login/", "login_400_missing_fields.json", "login_request.json", http.StatusBadRequest, login,
			map[string][]string{"username": required, "password": required}, "earlier-key"},
		{"expire token", "expire-token/", "", "expire_token_request.json", http.StatusNoContent, logout, nil, ""},
		{"expire token missing username", "expire-token/", "expire_token_400.json", "expire_token_request.json", http.StatusBadRequest, logout,
			map[string][]string{"username": required}, "earlier-key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newMockClient(t, WithCredentials("test", "test_pass"), WithKey("earlier-key"))
			body := ""
			if tc.respond != "" {
				body = fixture(t, tc.respond)
			}
			rec := recordJSON(mock, http.MethodPost, testAPI+tc.path, tc.status, body)

			resp, err := tc.call(context.Background(), c)
			require.NotNil(t, resp)
			assert.Equal(t, tc.status, resp.StatusCode)
			require.NotNil(t, rec.Load())
			require.JSONEq(t, fixture(t, tc.sent), string(rec.Load().body))
			assert.Equal(t, tc.token, c.Auth.Key())
			if tc.fields == nil {
				require.NoError(t, err)
				return
			}
			var vErr *ValidationError
			require.ErrorAs(t, err, &vErr)
			assert.Equal(t, tc.fields, vErr.Fields)
			assert.Empty(t, vErr.NonField)
			assert.Equal(t, http.StatusBadRequest, vErr.StatusCode)
			assert.True(t, errors.Is(err, ErrValidation))
			// Any 400 at login refuses the credentials; expire-token's is a bad request.
			assert.Equal(t, tc.path == "auth/login/", errors.Is(err, ErrInvalidCredentials))
		})
	}
}

// collectIDs runs an iterator to its end and returns the ids it yielded.
func collectIDs[T any](seq iter.Seq2[*T, error], record func(*T) *Record) ([]int64, error) {
	var ids []int64
	for item, err := range seq {
		if err != nil {
			return ids, err
		}
		ids = append(ids, record(item).ID)
	}
	return ids, nil
}

func TestFixtureNextLinkPlaceholderHostIterates(t *testing.T) {
	tests := []struct {
		file, path string
		all        func(context.Context, *Client) ([]int64, error)
	}{
		{"providers_list.json", "providers/", func(ctx context.Context, c *Client) ([]int64, error) {
			return collectIDs(c.Providers.All(ctx, nil), func(p *Provider) *Record { return &p.Record })
		}},
		{"stock_list_rules_list.json", "stock-list-rules/", func(ctx context.Context, c *Client) ([]int64, error) {
			return collectIDs(c.StockListRules.All(ctx, nil), func(r *StockListRule) *Record { return &r.Record })
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			c, mock := newMockClient(t, WithKey(testKey))
			first := recordJSON(mock, http.MethodGet, testAPI+tc.path, http.StatusOK, fixture(t, tc.file))
			second := recordJSON(mock, http.MethodGet, testAPI+tc.path+"?page=2", http.StatusOK,
				`{"count": 2, "next": null, "previous": "https://{whippy_api_url}/api/v1/`+tc.path+`", "results": [{"id": 2}]}`)

			ids, err := tc.all(context.Background(), c)
			require.NoError(t, err)
			assert.Equal(t, []int64{1, 2}, ids)
			assert.Equal(t, map[string]int{
				http.MethodGet + " " + testAPI + tc.path:             1,
				http.MethodGet + " " + testAPI + tc.path + "?page=2": 1,
			}, mock.GetCallCountInfo())
			assert.Equal(t, 2, mock.GetTotalCallCount())
			assert.Empty(t, first.Load().req.URL.RawQuery)
			assert.Equal(t, "Token "+testKey, second.Load().req.Header.Get("Authorization"))
		})
	}
}

func TestToleranceStringOrNumber(t *testing.T) {
	tests := []struct {
		in, want string
		id       int64 // from Int64; 0 when it is not an integer
		wantErr  bool
	}{
		{in: `"110"`, want: "110", id: 110},
		{in: `110`, want: "110", id: 110},
		{in: `null`, want: ""},
		{in: `"WH-1"`, want: "WH-1"},
		{in: `true`, wantErr: true},
		{in: `{"id": 1}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var s Stock
			err := json.Unmarshal([]byte(`{"sku": "A", "location": `+tc.in+`}`), &s)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "A", s.SKU)
			assert.Equal(t, tc.want, s.Location.String())
			id, err := s.Location.Int64()
			assert.Equal(t, tc.id, id)
			assert.Equal(t, tc.id == 0, err != nil, "Int64 error: %v", err)
		})
	}
}

func TestToleranceDateOrTime(t *testing.T) {
	tests := []struct {
		in       string
		want     time.Time
		dateOnly bool
		offset   int
		encoded  string // MarshalJSON; "" not checked
		wantErr  bool
	}{
		{in: `null`},
		{in: `"2023-05-10"`, want: time.Date(2023, 5, 10, 0, 0, 0, 0, time.UTC), dateOnly: true, encoded: `"2023-05-10"`},
		{in: `"2023-05-10T13:37:18.209869+03:00"`, want: fixtureTime(time.May, 10, 13, 37, 18, 209869), offset: 3 * 60 * 60,
			encoded: `"2023-05-10T13:37:18.209869+03:00"`},
		{in: `"2023-05-10T13:37:18.209869"`, want: time.Date(2023, 5, 10, 13, 37, 18, 209869000, time.UTC), encoded: `"2023-05-10T13:37:18.209869Z"`},
		{in: `"2023-05-10T10:37:18Z"`, want: time.Date(2023, 5, 10, 10, 37, 18, 0, time.UTC), encoded: `"2023-05-10T10:37:18Z"`},
		{in: `"10/05/2023"`, wantErr: true},
		{in: `""`, wantErr: true},
		{in: `20230510`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var d DateOrTime
			err := json.Unmarshal([]byte(tc.in), &d)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.True(t, tc.want.Equal(d.Time), "want %s, got %s", tc.want, d.Time)
			assert.Equal(t, tc.dateOnly, d.DateOnly)
			_, offset := d.Zone()
			assert.Equal(t, tc.offset, offset)
			if tc.encoded != "" {
				b, err := json.Marshal(d)
				require.NoError(t, err)
				assert.Equal(t, tc.encoded, string(b))
			}
		})
	}
}

func TestToleranceUnknownFieldsAndNulls(t *testing.T) {
	body := `{"count": 1, "next": null, "previous": null, "facets": {"x": 1}, "results": [{
		"id": 9, "is_active": false, "sku": "A1", "provider": "p", "location": null, "stock": 3,
		"reserved_stock": null, "period": null, "stock_type": null, "warehouse_zone": "B", "extra": [1, {"k": null}]}]}`
	var p Page[Stock]
	require.NoError(t, json.Unmarshal([]byte(body), &p))
	assert.Equal(t, 1, p.Count)
	require.Len(t, p.Results, 1)
	assert.Equal(t, Stock{Record: Record{ID: 9}, SKU: "A1", Provider: "p", Stock: 3}, *p.Results[0])
}

func TestTolerancePageNumberFromLinks(t *testing.T) {
	tests := []struct {
		link string
		want int
	}{
		{"https://{whippy_api_url}/api/v1/providers/?page=2", 2},
		{"http://evil.example/api/v1/providers/?limit=10&page=3", 3},
		{"http://localhost:8000/api/v1/stocks/?page=4&limit=5", 4},
		{"https://whippy.test/prefix/api/v1/stocks/?limit=5", 1},
		{"https://whippy.test/prefix/api/v1/stocks/", 1},
		{"", 0},
		{"https://whippy.test/prefix/api/v1/stocks/?page=abc", 0},
		{"https://whippy.test/prefix/api/v1/stocks/?page=0", 0},
		{"https://whippy.test/prefix/api/v1/stocks/?page=-2", 0},
		{"https://whippy.test/prefix/api/v1/stocks/?page=5#results", 5},
		{"https://whippy.test/prefix/api/v1/stocks/?limit=5#page=9", 1},
	}
	for _, tc := range tests {
		t.Run(tc.link, func(t *testing.T) {
			assert.Equal(t, tc.want, pageNumber(tc.link))
			link, err := json.Marshal(tc.link)
			require.NoError(t, err)
			var p Page[Provider]
			require.NoError(t, json.Unmarshal([]byte(`{"next": `+string(link)+`, "previous": `+string(link)+`}`), &p))
			assert.Equal(t, tc.link, p.Next)
			assert.Equal(t, tc.want, p.NextPage())
			assert.Equal(t, tc.want, p.PreviousPage())
		})
	}
}

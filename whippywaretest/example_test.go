package whippywaretest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/whippyware-go/whippyware"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// Log in and list the documented stock with net/http alone, on a server with no socket.
func Example() {
	srv := wt.NewServer(wt.WithoutListener(), wt.WithFixtures())
	defer srv.Close()
	client := srv.HTTPClient()

	res, err := client.Post(srv.URL+"/api/v1/auth/login/", "application/json",
		strings.NewReader(`{"username": "test", "password": "test_pass"}`))
	if err != nil {
		panic(err)
	}
	var login struct{ Key string }
	_ = json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/stocks/?sku=555AB13004562130", nil)
	req.Header.Set("Authorization", "Token "+login.Key)
	res, err = client.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var page struct {
		Count   int
		Results []wt.Stock
	}
	_ = json.NewDecoder(res.Body).Decode(&page)
	s := page.Results[0]
	fmt.Println(res.Status, page.Count, s.SKU, s.Provider, s.Location, s.Stock)
	// Output: 200 OK 1 555AB13004562130 shop_provider 110 5
}

// Make the next two list requests meet a throttled answer, as a client's retry test would.
// Faults come before authentication; the third request, sent without a key, gets the real
// answer.
func ExampleServer_FailNext() {
	srv := wt.NewServer(wt.WithoutListener())
	defer srv.Close()
	srv.FailNext(2, wt.Fault{Method: "GET", Path: "/api/v1/stocks/", Status: 429, RetryAfter: 3 * time.Second})

	for range 3 {
		res, err := srv.HTTPClient().Get(srv.URL + "/api/v1/stocks/")
		if err != nil {
			panic(err)
		}
		res.Body.Close()
		fmt.Printf("%d Retry-After=%s\n", res.StatusCode, res.Header.Get("Retry-After"))
	}
	fmt.Println(srv.RequestCount("GET", "/api/v1/stocks/"))
	// Output:
	// 429 Retry-After=3
	// 429 Retry-After=3
	// 401 Retry-After=
	// 3
}

// Seed records directly and read them back, without HTTP.
func ExampleServer_AddStock() {
	srv := wt.NewServer(wt.WithoutListener())
	defer srv.Close()
	p := srv.AddProvider(wt.Provider{Name: "Warehouse", Code: "wh", IsActive: true})
	srv.AddStockLocation(wt.StockLocation{Name: "Depot", Code: "D1", Provider: p.ID, IsActive: true})
	s := srv.AddStock(wt.Stock{SKU: "SKU-1", Provider: "wh", Location: "D1", Stock: 7, IsActive: true})

	fmt.Println(s.ID, s.Provider, s.Location, s.Stock, s.StockType, s.UnitType)
	fmt.Println(len(srv.Stocks()))
	// Output:
	// 1 wh D1 7 standard qty
	// 1
}

// Use the SDK on the fake: Client logs in as the default user on its first call.
func ExampleServer_Client() {
	srv := wt.NewServer(wt.WithoutListener(), wt.WithFixtures())
	defer srv.Close()
	client := srv.Client()

	page, _, err := client.Stocks.List(context.Background(), &whippyware.StockFilter{Provider: "shop_provider"})
	if err != nil {
		panic(err)
	}
	for _, s := range page.Results {
		fmt.Println(s.SKU, s.Location, s.Stock)
	}
	// Output: 555AB13004562130 110 5
}

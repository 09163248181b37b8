package whippyware_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/whippywaretest"
)

// Create a provider with a location and write stock, on the fake server with no
// socket. Against the real service, make the client with NewClient and
// WithCredentials instead.
func Example() {
	fake := whippywaretest.NewServer(whippywaretest.WithoutListener())
	defer fake.Close()
	client := fake.Client()
	ctx := context.Background()

	provider, _, err := client.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Name: "Main warehouse", Code: "main"})
	if err != nil {
		fmt.Println(err)
		return
	}
	loc, _, err := client.StockLocations.Create(ctx, &whippyware.StockLocationCreateRequest{Name: "Store 110", Code: "110", Provider: provider.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	stock, resp, err := client.Stocks.Create(ctx, &whippyware.StockCreateRequest{SKU: "SKU-1", Provider: "main", Location: "110", Stock: 5})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, stock.SKU, stock.Provider, stock.Location, stock.Stock, loc.Provider == provider.ID)
	// Output: 201 SKU-1 main 110 5 true
}

// Walk every page of a list with the iterator; it follows next links by their page
// number and stops fetching when the loop stops.
func ExampleStocksService_All() {
	fake := whippywaretest.NewServer(whippywaretest.WithoutListener())
	defer fake.Close()
	fake.AddProvider(whippywaretest.Provider{Name: "Main", Code: "main", IsActive: true})
	fake.AddStockLocation(whippywaretest.StockLocation{Name: "110", Code: "110", Provider: 1, IsActive: true})
	for _, sku := range []string{"A", "B", "C", "D", "E"} {
		fake.AddStock(whippywaretest.Stock{SKU: sku, Provider: "main", Location: "110", Stock: 1, StockType: "standard", UnitType: "qty", IsActive: true})
	}
	client := fake.Client()

	opts := &whippyware.StockFilter{ListOptions: whippyware.ListOptions{Limit: 2}, Provider: "main"}
	var skus []string
	for stock, err := range client.Stocks.All(context.Background(), opts) {
		if err != nil {
			fmt.Println(err)
			return
		}
		skus = append(skus, stock.SKU)
	}
	fmt.Println(skus)
	fmt.Println("list requests:", fake.RequestCount("GET", "/api/v1/stocks/"))
	// Output:
	// [A B C D E]
	// list requests: 3
}

// Tell a validation error from the others and read its field messages.
func ExampleValidationError() {
	fake := whippywaretest.NewServer(whippywaretest.WithoutListener())
	defer fake.Close()
	client := fake.Client()

	_, _, err := client.StockLocations.Create(context.Background(), &whippyware.StockLocationCreateRequest{Name: "Nowhere", Code: "x", Provider: 42})
	var vErr *whippyware.ValidationError
	switch {
	case errors.As(err, &vErr):
		fmt.Println("fix the request:", vErr.Fields["provider"])
	case errors.Is(err, whippyware.ErrNotFound):
		fmt.Println("gone")
	case err != nil:
		fmt.Println("other:", err)
	}
	// Output: fix the request: [Invalid pk "42" - object does not exist.]
}

// Make a client for a service with a user name and password: it logs in on its
// first call and keeps the key for the calls after it. Here the service is the
// fake on a loopback listener, so plain http is allowed.
func ExampleNewClient() {
	fake := whippywaretest.NewServer(whippywaretest.WithUser("stock-sync", "s3cret"))
	defer fake.Close()

	client, err := whippyware.NewClient(fake.URL, whippyware.WithCredentials("stock-sync", "s3cret"))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for range 3 {
		if _, _, err := client.Providers.List(ctx, nil); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("logins:", fake.RequestCount("POST", "/api/v1/auth/login/"))
	fmt.Println("lists:", fake.RequestCount("GET", "/api/v1/providers/"))
	// Output:
	// logins: 1
	// lists: 3
}

// Create a stock row, then update it: change its quantity and clear its period.
// Fields not set in the update request are not sent and keep their values.
func ExampleStocksService_Update() {
	fake := whippywaretest.NewServer(whippywaretest.WithoutListener())
	defer fake.Close()
	client := fake.Client()
	ctx := context.Background()
	fake.AddProvider(whippywaretest.Provider{Name: "Main", Code: "main", IsActive: true})
	fake.AddStockLocation(whippywaretest.StockLocation{Name: "Store 110", Code: "110", Provider: 1, IsActive: true})

	period := whippyware.Date(2026, time.March, 1)
	created, _, err := client.Stocks.Create(ctx, &whippyware.StockCreateRequest{
		SKU: "SKU-1", Provider: "main", Location: "110", Stock: 5, Period: &period,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", created.Stock, created.StockType, created.Period.Format(time.DateOnly))

	updated, _, err := client.Stocks.Update(ctx, created.ID, &whippyware.StockUpdateRequest{
		Stock:  whippyware.Ptr(int64(7)),
		Period: whippyware.Null[whippyware.DateOrTime](),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("updated:", updated.Stock, updated.StockType, updated.Period == nil, updated.Location)
	// Output:
	// created: 5 standard 2026-03-01
	// updated: 7 standard true 110
}

// Every error from a call the service answered is an *APIError (a 400 is also a
// *ValidationError); errors.Is tells the kinds apart.
func ExampleAPIError() {
	fake := whippywaretest.NewServer(whippywaretest.WithoutListener())
	defer fake.Close()
	client := fake.Client()

	_, resp, err := client.Providers.Get(context.Background(), 42)
	var apiErr *whippyware.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Method, apiErr.Detail)
		fmt.Println("not found:", errors.Is(err, whippyware.ErrNotFound), "attempts:", apiErr.Attempts)
	}
	fmt.Println("response:", resp.StatusCode)
	// Output:
	// 404 GET Not found.
	// not found: true attempts: 1
	// response: 404
}

package whippyware_test

import (
	"context"
	"errors"
	"fmt"

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

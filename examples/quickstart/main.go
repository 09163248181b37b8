// Command quickstart shows the SDK end to end: it logs in, creates a provider with
// two stock locations, writes stock, lists it with the iterator, handles a
// validation error, cleans up and expires its key.
//
// With no settings it runs on a fake server started in process. With
// WHIPPYWARE_URL, WHIPPYWARE_USERNAME and WHIPPYWARE_PASSWORD set it runs on that
// service, with codes made unique for the run, and deletes what it created.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/examples/internal/exampleenv"
)

func main() { exampleenv.Main("quickstart", time.Minute, run) }

func run(ctx context.Context, out io.Writer, env *exampleenv.Env) error {
	c := env.Client
	suffix := ""
	if env.Fake == nil {
		suffix = fmt.Sprintf("-%d", time.Now().Unix()) // codes are unique on a shared service
	}
	fmt.Fprintf(out, "Running on %s\n", env.Where)

	if _, err := c.Auth.Login(ctx); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	fmt.Fprintln(out, "Logged in")

	provider, _, err := c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{
		Name: "Quickstart warehouse", Code: "quickstart" + suffix,
	})
	if err != nil {
		return fmt.Errorf("create provider: %w", err)
	}
	fmt.Fprintf(out, "Created provider %d (%s)\n", provider.ID, provider.Code)

	var locations []*whippyware.StockLocation
	for _, code := range []string{"110", "112"} {
		loc, _, err := c.StockLocations.Create(ctx, &whippyware.StockLocationCreateRequest{
			Name: "Store " + code, Code: code + suffix, Provider: provider.ID,
		})
		if err != nil {
			return fmt.Errorf("create location %s: %w", code, err)
		}
		locations = append(locations, loc)
		fmt.Fprintf(out, "Created location %d (%s)\n", loc.ID, loc.Code)
	}

	quantities := map[string]int64{"SKU-1": 5, "SKU-2": 12}
	for _, loc := range locations {
		for _, sku := range []string{"SKU-1", "SKU-2"} {
			_, _, err := c.Stocks.Create(ctx, &whippyware.StockCreateRequest{
				SKU: sku, Provider: provider.Code, Location: whippyware.StringOrNumber(loc.Code), Stock: quantities[sku],
			})
			if err != nil {
				return fmt.Errorf("write stock %s at %s: %w", sku, loc.Code, err)
			}
		}
	}
	fmt.Fprintln(out, "Wrote 4 stock rows")

	var total int64
	opts := &whippyware.StockFilter{ListOptions: whippyware.ListOptions{Limit: 2}, Provider: provider.Code}
	for stock, err := range c.Stocks.All(ctx, opts) {
		if err != nil {
			return fmt.Errorf("list stock: %w", err)
		}
		total += stock.Stock
		fmt.Fprintf(out, "  %s at %s: %d\n", stock.SKU, stock.Location, stock.Stock)
	}
	fmt.Fprintf(out, "Total stock of %s: %d\n", provider.Code, total)

	// A location needs a code: the service answers 400 with a message per field.
	_, _, err = c.StockLocations.Create(ctx, &whippyware.StockLocationCreateRequest{Name: "No code", Provider: provider.ID})
	var vErr *whippyware.ValidationError
	if !errors.As(err, &vErr) {
		return fmt.Errorf("expected a validation error, got %v", err)
	}
	fmt.Fprintf(out, "Validation error, as expected: code: %s\n", vErr.Fields["code"])

	if err := cleanUp(ctx, c, provider, locations); err != nil {
		return err
	}
	fmt.Fprintln(out, "Deleted what the run created")

	if _, err := c.Auth.Logout(ctx); err != nil {
		return fmt.Errorf("expire token: %w", err)
	}
	fmt.Fprintln(out, "Expired the key")
	return nil
}

// cleanUp deletes the run's stock, locations and provider, children first: the
// service refuses to delete a provider that still has locations.
func cleanUp(ctx context.Context, c *whippyware.Client, provider *whippyware.Provider, locations []*whippyware.StockLocation) error {
	var ids []int64
	for stock, err := range c.Stocks.All(ctx, &whippyware.StockFilter{Provider: provider.Code}) {
		if err != nil {
			return fmt.Errorf("list stock to delete: %w", err)
		}
		ids = append(ids, stock.ID)
	}
	for _, id := range ids {
		if _, err := c.Stocks.Delete(ctx, id); err != nil {
			return fmt.Errorf("delete stock %d: %w", id, err)
		}
	}
	for _, loc := range locations {
		if _, err := c.StockLocations.Delete(ctx, loc.ID); err != nil {
			return fmt.Errorf("delete location %d: %w", loc.ID, err)
		}
	}
	if _, err := c.Providers.Delete(ctx, provider.ID); err != nil {
		return fmt.Errorf("delete provider %d: %w", provider.ID, err)
	}
	return nil
}

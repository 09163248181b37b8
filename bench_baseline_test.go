package whippyware_test

// The hand-written clients the SDK is measured against (BENCHMARKS.md):
//
//   - lean: what a careful engineer writes with net/http and encoding/json alone, decoding
//     into the SDK's own structs: one shared http.Client, the same headers (the
//     "Token <key>" string built once), a status check, the body read whole through the
//     SDK's bound with io.ReadAll and decoded with one json.Unmarshal, and no allocation
//     it could avoid;
//   - plain: the same client decoding into its own minimal structs: a stock's location as
//     a plain string, its period as a string, and a page's results as values, not
//     pointers.
//
// Neither has retries, re-login, typed errors, filter structs or logging: that
// difference is what the SDK's overhead buys.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/whippyware-go/whippyware"
)

type benchLean struct {
	hc   *http.Client
	base string // ends in /api/v1/
	auth string // "Token <key>", built once
	ua   string
}

// benchMaxBody is the SDK's bound on a successful body (32 MiB).
const benchMaxBody = 32 << 20

func newBenchLean(srvURL string, hc *http.Client, key string) *benchLean {
	return &benchLean{hc: hc, base: srvURL + "/api/v1/", auth: "Token " + key, ua: "whippyware-go/" + whippyware.Version}
}

// do sends one request to pathQuery (relative to api/v1/) and decodes a 2xx answer into out.
func (c *benchLean) do(ctx context.Context, method, pathQuery string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+pathQuery, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("User-Agent", c.ua)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, benchMaxBody))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: status %d: %.200s", method, pathQuery, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decoding: %w", method, pathQuery, err)
	}
	return nil
}

func (c *benchLean) getProvider(ctx context.Context, id int64) (*whippyware.Provider, error) {
	p := new(whippyware.Provider)
	if err := c.do(ctx, http.MethodGet, "providers/"+strconv.FormatInt(id, 10)+"/", nil, p); err != nil {
		return nil, err
	}
	return p, nil
}

// benchStocksPath is the path and query of page page of the stocks, limit a page.
func benchStocksPath(limit, page int) string {
	pq := "stocks/?limit=" + strconv.Itoa(limit)
	if page > 1 {
		pq += "&page=" + strconv.Itoa(page)
	}
	return pq
}

func (c *benchLean) listStocks(ctx context.Context, limit, page int) (*whippyware.Page[whippyware.Stock], error) {
	p := new(whippyware.Page[whippyware.Stock])
	if err := c.do(ctx, http.MethodGet, benchStocksPath(limit, page), nil, p); err != nil {
		return nil, err
	}
	return p, nil
}

// allStocks walks every page, limit stocks a page, calling fn for each stock.
func (c *benchLean) allStocks(ctx context.Context, limit int, fn func(*whippyware.Stock)) error {
	for page := 1; ; page++ {
		p, err := c.listStocks(ctx, limit, page)
		if err != nil {
			return err
		}
		for _, s := range p.Results {
			fn(s)
		}
		if p.Next == "" {
			return nil
		}
	}
}

func (c *benchLean) createStock(ctx context.Context, req *whippyware.StockCreateRequest) (*whippyware.Stock, error) {
	s := new(whippyware.Stock)
	if err := c.do(ctx, http.MethodPost, "stocks/", req, s); err != nil {
		return nil, err
	}
	return s, nil
}

// The plain client's own structs: the fields a program reads, in the simplest types
// that hold them.
type (
	plainProvider struct {
		ID                    int64     `json:"id"`
		Name                  string    `json:"name"`
		Code                  string    `json:"code"`
		IsActive              bool      `json:"is_active"`
		ShouldAddReservations bool      `json:"should_add_reservations"`
		CreatedDate           time.Time `json:"created_date"`
		ModifiedDate          time.Time `json:"modified_date"`
	}
	plainStock struct {
		ID            int64     `json:"id"`
		SKU           string    `json:"sku"`
		Provider      string    `json:"provider"`
		Location      string    `json:"location"`
		Stock         int64     `json:"stock"`
		ReservedStock int64     `json:"reserved_stock"`
		Period        *string   `json:"period"`
		StockType     string    `json:"stock_type"`
		UnitType      string    `json:"unit_type"`
		IsActive      bool      `json:"is_active"`
		CreatedDate   time.Time `json:"created_date"`
		ModifiedDate  time.Time `json:"modified_date"`
	}
	plainPage struct {
		Count   int          `json:"count"`
		Next    string       `json:"next"`
		Results []plainStock `json:"results"`
	}
	plainStockCreate struct {
		SKU      string `json:"sku"`
		Provider string `json:"provider"`
		Location string `json:"location"`
		Stock    int64  `json:"stock"`
	}
)

// benchPlain is the lean client with its own structs.
type benchPlain struct{ *benchLean }

func (c benchPlain) getProvider(ctx context.Context, id int64) (*plainProvider, error) {
	p := new(plainProvider)
	if err := c.do(ctx, http.MethodGet, "providers/"+strconv.FormatInt(id, 10)+"/", nil, p); err != nil {
		return nil, err
	}
	return p, nil
}

func (c benchPlain) listStocks(ctx context.Context, limit, page int) (*plainPage, error) {
	p := new(plainPage)
	if err := c.do(ctx, http.MethodGet, benchStocksPath(limit, page), nil, p); err != nil {
		return nil, err
	}
	return p, nil
}

func (c benchPlain) allStocks(ctx context.Context, limit int, fn func(*plainStock)) error {
	for page := 1; ; page++ {
		p, err := c.listStocks(ctx, limit, page)
		if err != nil {
			return err
		}
		for i := range p.Results {
			fn(&p.Results[i])
		}
		if p.Next == "" {
			return nil
		}
	}
}

func (c benchPlain) createStock(ctx context.Context, req *plainStockCreate) (*plainStock, error) {
	s := new(plainStock)
	if err := c.do(ctx, http.MethodPost, "stocks/", req, s); err != nil {
		return nil, err
	}
	return s, nil
}

// Command sync-stock writes stock from an ERP export to Whippy Ware: a CSV of
// sku,provider,location,quantity. Each row updates the stock row for its SKU,
// provider and location, or creates it, with a bounded number of requests in
// flight; a summary counts created, updated and failed rows with reasons.
//
// With no settings it runs the embedded sample.csv on a fake server started in
// process, after creating the provider and locations the sample names.
package main

import (
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/examples/internal/exampleenv"
)

//go:embed sample.csv
var sampleCSV string

func main() {
	file := flag.String("file", "", "CSV of sku,provider,location,quantity (default: the embedded sample)")
	workers := flag.Int("workers", 4, "requests in flight at most")
	flag.Parse()
	exampleenv.Main("sync-stock", 10*time.Minute, func(ctx context.Context, out io.Writer, env *exampleenv.Env) error {
		return run(ctx, out, env, *file, *workers)
	})
}

// run syncs file (the embedded sample when "") and prints the summary.
func run(ctx context.Context, out io.Writer, env *exampleenv.Env, file string, workers int) error {
	if workers < 1 {
		return fmt.Errorf("-workers must be at least 1")
	}
	var in io.Reader = strings.NewReader(sampleCSV)
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	if env.Fake != nil {
		if err := prepareFake(ctx, env.Client); err != nil {
			return err
		}
	}
	summary, err := syncStock(ctx, env.Client, in, workers)
	if err != nil {
		return err
	}
	summary.print(out)
	return nil
}

// row is one line of the CSV, parsed.
type row struct {
	line                    int
	sku, provider, location string
	quantity                int64
}

func (r row) key() string { return r.sku + "\x00" + r.provider + "\x00" + r.location }

// outcome is what became of one row.
type outcome struct {
	row    row
	action string // "created", "updated" or "failed"
	reason string // why it failed
}

type summary struct {
	outcomes   []outcome
	superseded int // rows replaced by a later row for the same stock
}

func (s summary) count(action string) int {
	n := 0
	for _, o := range s.outcomes {
		if o.action == action {
			n++
		}
	}
	return n
}

func (s summary) print(out io.Writer) {
	for _, o := range s.outcomes {
		if o.action == "failed" {
			fmt.Fprintf(out, "line %d (%s at %s/%s): %s\n", o.row.line, o.row.sku, o.row.provider, o.row.location, o.reason)
		}
	}
	fmt.Fprintf(out, "created %d, updated %d, failed %d, superseded %d\n",
		s.count("created"), s.count("updated"), s.count("failed"), s.superseded)
}

// syncStock reads the CSV and writes each row with at most workers requests in
// flight. Rows that cannot be parsed fail without a request; when two rows name
// the same stock, the later one wins, as in the ERP's export order.
func syncStock(ctx context.Context, c *whippyware.Client, in io.Reader, workers int) (summary, error) {
	rows, failed, err := readRows(in)
	if err != nil {
		return summary{}, err
	}
	latest := map[string]int{}
	var unique []row
	for _, r := range rows {
		if i, seen := latest[r.key()]; seen {
			unique[i] = r
			continue
		}
		latest[r.key()] = len(unique)
		unique = append(unique, r)
	}
	s := summary{outcomes: make([]outcome, len(unique)), superseded: len(rows) - len(unique)}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				s.outcomes[i] = writeRow(ctx, c, unique[i])
			}
		}()
	}
	for i := range unique {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	s.outcomes = append(failed, s.outcomes...)
	return s, nil
}

// readRows parses the CSV; a header line is skipped. Rows with a bad quantity come
// back as failed outcomes.
func readRows(in io.Reader) (rows []row, failed []outcome, err error) {
	r := csv.NewReader(in)
	r.FieldsPerRecord = 4
	r.TrimLeadingSpace = true
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, failed, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading the CSV: %w", err)
		}
		if line == 1 && rec[0] == "sku" {
			continue
		}
		parsed := row{line: line, sku: rec[0], provider: rec[1], location: rec[2]}
		q, err := strconv.ParseInt(rec[3], 10, 64)
		if err != nil {
			failed = append(failed, outcome{row: parsed, action: "failed", reason: fmt.Sprintf("quantity %q is not a whole number", rec[3])})
			continue
		}
		parsed.quantity = q
		rows = append(rows, parsed)
	}
}

// writeRow updates the stock row for r's SKU, provider and location, or creates it.
func writeRow(ctx context.Context, c *whippyware.Client, r row) outcome {
	page, _, err := c.Stocks.List(ctx, &whippyware.StockFilter{
		ListOptions: whippyware.ListOptions{Limit: 1},
		SKU:         r.sku, Provider: r.provider, Location: r.location,
	})
	if err != nil {
		return outcome{row: r, action: "failed", reason: reason(err)}
	}
	if len(page.Results) > 0 {
		_, _, err = c.Stocks.Update(ctx, page.Results[0].ID, &whippyware.StockUpdateRequest{Stock: whippyware.Ptr(r.quantity)})
		if err != nil {
			return outcome{row: r, action: "failed", reason: reason(err)}
		}
		return outcome{row: r, action: "updated"}
	}
	_, _, err = c.Stocks.Create(ctx, &whippyware.StockCreateRequest{
		SKU: r.sku, Provider: r.provider, Location: whippyware.StringOrNumber(r.location), Stock: r.quantity,
	})
	if err != nil {
		return outcome{row: r, action: "failed", reason: reason(err)}
	}
	return outcome{row: r, action: "created"}
}

// reason says why a write failed: the service's messages for a 400, the error
// otherwise.
func reason(err error) string {
	var vErr *whippyware.ValidationError
	if errors.As(err, &vErr) {
		return strings.Join(vErr.Messages(), "; ")
	}
	return err.Error()
}

// prepareFake creates what the sample names on the fake server: provider erp_main
// with locations 110 and 112, and one stock row that the sample updates.
func prepareFake(ctx context.Context, c *whippyware.Client) error {
	p, _, err := c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Name: "ERP main", Code: "erp_main"})
	if err != nil {
		return err
	}
	for _, code := range []string{"110", "112"} {
		if _, _, err := c.StockLocations.Create(ctx, &whippyware.StockLocationCreateRequest{Name: code, Code: code, Provider: p.ID}); err != nil {
			return err
		}
	}
	_, _, err = c.Stocks.Create(ctx, &whippyware.StockCreateRequest{SKU: "SKU-2", Provider: "erp_main", Location: "110", Stock: 9})
	return err
}

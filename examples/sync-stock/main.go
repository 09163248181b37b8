// Command sync-stock writes stock from an ERP export to Whippy Ware with package
// stocksync: a CSV of sku,provider,location,quantity (stock_type and more columns
// optional). It reads the current stock once, writes only the rows that differ, and
// prints the failed rows with the service's reasons and a summary. The whippyware
// command (cmd/whippyware) does the same with progress, a dry run and a JSON report.
//
// With no settings it runs the embedded sample.csv on a fake server started in
// process, after creating the provider and locations the sample names. The sample
// has rows the service refuses, to show how they are reported: like any sync with
// failed rows, it exits 1 after the summary. On a real service, the file's providers
// and locations must exist (here: provider erp_main with locations 110 and 112).
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/examples/internal/exampleenv"
	"github.com/whippyware-go/whippyware/stocksync"
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
	syncer, err := stocksync.New(env.Client, stocksync.Options{Workers: workers})
	if err != nil {
		return err
	}
	report, err := syncer.Sync(ctx, stocksync.ReadCSV(in))
	if err != nil {
		return err
	}
	if err := report.WriteSummary(out); err != nil {
		return err
	}
	if !report.OK() {
		// A cron job must see that rows failed: exit non-zero, as the command does.
		return fmt.Errorf("%d rows failed, %d not done", report.Failed, report.NotDone)
	}
	return nil
}

// prepareFake creates what the sample names on the fake server: provider erp_main
// with locations 110 and 112, one stock row that the sample updates, and a virtual
// row of the same SKU and location, which the sample's standard rows leave alone.
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
	for _, st := range []whippyware.StockCreateRequest{
		// The virtual row comes first, as in the issue where a per-row lookup by SKU,
		// provider and location updated it instead of the standard row.
		{SKU: "SKU-2", Provider: "erp_main", Location: "110", StockType: "virtual", Stock: 50},
		{SKU: "SKU-2", Provider: "erp_main", Location: "110", Stock: 9},
	} {
		if _, _, err := c.Stocks.Create(ctx, &st); err != nil {
			return err
		}
	}
	return nil
}

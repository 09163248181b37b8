package stocksync_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/whippyware-go/whippyware/stocksync"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

func ExampleSyncer_Sync() {
	fake := wt.NewServer(wt.WithoutListener())
	defer fake.Close()
	erp := fake.AddProvider(wt.Provider{Name: "ERP", Code: "erp", IsActive: true})
	fake.AddStockLocation(wt.StockLocation{Name: "Store 110", Code: "110", Provider: erp.ID, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "A", Provider: "erp", Location: "110", Stock: 5, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "A", Provider: "erp", Location: "110", StockType: "virtual", Stock: 50, IsActive: true})

	syncer, err := stocksync.New(fake.Client(), stocksync.Options{})
	if err != nil {
		panic(err)
	}
	csv := "sku,provider,location,quantity\nA,erp,110,7\nB,erp,110,3\nC,erp,110,many\n"
	report, err := syncer.Sync(context.Background(), stocksync.ReadCSV(strings.NewReader(csv)))
	if err != nil {
		panic(err)
	}
	fmt.Println(report.Created, report.Updated, report.Failed, report.Requests)
	for _, o := range report.Outcomes {
		fmt.Println(o.Line, o.Key, o.Result, o.Messages)
	}
	// Output:
	// 1 1 1 3
	// 4 C@erp/110[standard] failed [quantity "many" is not a whole number]
	// 2 A@erp/110[standard] updated []
	// 3 B@erp/110[standard] created []
}

func ExamplePlan_WriteTo() {
	fake := wt.NewServer(wt.WithoutListener())
	defer fake.Close()
	erp := fake.AddProvider(wt.Provider{Name: "ERP", Code: "erp", IsActive: true})
	fake.AddStockLocation(wt.StockLocation{Name: "Store 110", Code: "110", Provider: erp.ID, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "A", Provider: "erp", Location: "110", Stock: 5, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "OLD", Provider: "erp", Location: "110", Stock: 2, IsActive: true})

	syncer, err := stocksync.New(fake.Client(), stocksync.Options{Snapshot: true})
	if err != nil {
		panic(err)
	}
	plan, err := syncer.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader("A,erp,110,7\nB,erp,110,3\n")))
	if err != nil {
		panic(err)
	}
	_, _ = plan.WriteTo(os.Stdout)
	// Output:
	// update line 1 A@erp/110[standard] id 1: stock 5 -> 7
	// create line 2 B@erp/110[standard]: stock 3
	// zero OLD@erp/110[standard] id 2: stock 2 -> 0
	// plan: 1 to create, 1 to update, 1 to zero, 0 unchanged, 0 invalid, 0 superseded; read 2 stocks in 1 request
}

package stocksync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware/stocksync"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// The case: a SKU with a virtual row (50) and a standard row (1) at one location.
// A CSV value of 7 without a stock type is meant for the standard row; the old example
// set the virtual row to 7.
func TestSyncUpdatesTheRowOfTheRightStockType(t *testing.T) {
	fake := newFake(t)
	fake.AddStock(wt.Stock{SKU: "SKU-1", Provider: "erp_main", Location: "110", StockType: "virtual", Stock: 50, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "SKU-1", Provider: "erp_main", Location: "110", Stock: 1, IsActive: true})

	rep := syncCSV(t, fake, "SKU-1,erp_main,110,7\n", stocksync.Options{})

	assert.Equal(t, 1, rep.Updated)
	assert.Equal(t, map[string]int64{
		key("SKU-1", "erp_main", "110", "virtual"):  50,
		key("SKU-1", "erp_main", "110", "standard"): 7,
	}, store(t, fake))

	// And a row naming the virtual type updates that one.
	rep = syncCSV(t, fake, "sku,provider,location,stock_type,quantity\nSKU-1,erp_main,110,virtual,9\n", stocksync.Options{})
	assert.Equal(t, 1, rep.Updated)
	assert.Equal(t, int64(9), store(t, fake)[key("SKU-1", "erp_main", "110", "virtual")])
	assert.Equal(t, int64(7), store(t, fake)[key("SKU-1", "erp_main", "110", "standard")])
}

func TestSyncCreatesUpdatesAndLeavesUnchangedRowsAlone(t *testing.T) {
	fake := newFake(t)
	fake.AddStock(wt.Stock{SKU: "SAME", Provider: "erp_main", Location: "110", Stock: 5, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "CHANGED", Provider: "erp_main", Location: "112", Stock: 5, ReservedStock: 2, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "ELSEWHERE", Provider: "other", Location: "200", Stock: 3, IsActive: true})

	rep := syncCSV(t, fake, strings.Join([]string{
		"sku,provider,location,quantity,period",
		"SAME,erp_main,110,5,",
		"CHANGED,erp_main,112,8,",
		"NEW,erp_main,110,4,2026-11-01",
	}, "\n"), stocksync.Options{})

	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 1, rep.Updated)
	assert.Equal(t, 1, rep.Unchanged)
	assert.Zero(t, rep.Failed)
	assert.True(t, rep.OK())
	assert.Equal(t, map[string]stocksync.Result{
		key("CHANGED", "erp_main", "112", "standard"): stocksync.Updated,
		key("NEW", "erp_main", "110", "standard"):     stocksync.Created,
	}, results(rep))
	assert.Equal(t, map[string]int64{
		key("SAME", "erp_main", "110", "standard"):    5,
		key("CHANGED", "erp_main", "112", "standard"): 8,
		key("NEW", "erp_main", "110", "standard"):     4,
		key("ELSEWHERE", "other", "200", "standard"):  3,
	}, store(t, fake))

	// One page read, one PATCH, one POST: requests = pages + changed rows, and the report
	// counts what the service saw.
	assert.Equal(t, 1, fake.RequestCount("GET", "/api/v1/stocks/"))
	assert.Equal(t, 1, fake.RequestCount("POST", "/api/v1/stocks/"))
	assert.Equal(t, 1, fake.RequestCount("PATCH", "/api/v1/stocks/*"))
	assert.Equal(t, stockRequests(fake), rep.Requests)

	var patch, post map[string]any
	for _, r := range fake.Requests() {
		switch r.Method {
		case "PATCH":
			require.NoError(t, json.Unmarshal(r.Body, &patch))
		case "POST":
			if strings.HasPrefix(r.Path, "/api/v1/stocks") {
				require.NoError(t, json.Unmarshal(r.Body, &post))
			}
		}
	}
	assert.Equal(t, map[string]any{"stock": 8.0}, patch, "an update sends only what changed")
	assert.Equal(t, "110", post["location"], "the location is sent as its code, a string")
	assert.Equal(t, "2026-11-01", post["period"], "the period is a date")
	assert.Equal(t, "standard", post["stock_type"])
	for _, st := range fake.Stocks() {
		if st.SKU == "NEW" {
			require.NotNil(t, st.Period)
			assert.Equal(t, "2026-11-01", *st.Period)
		}
	}

	// A second run finds nothing to do and writes nothing.
	before := stockRequests(fake)
	rep = syncCSV(t, fake, "SAME,erp_main,110,5\nCHANGED,erp_main,112,8\nNEW,erp_main,110,4\n", stocksync.Options{})
	assert.Equal(t, 3, rep.Unchanged)
	assert.Zero(t, rep.Created+rep.Updated)
	assert.Equal(t, 1, stockRequests(fake)-before, "only the page read")
}

func TestSyncRepeatedKeysLastWins(t *testing.T) {
	fake := newFake(t)
	rep := syncCSV(t, fake, "A,erp_main,110,1\nA,erp_main,110,2\nA,erp_main,110,virtual_is_not_here,3\nA,erp_main,110,3\n", stocksync.Options{})
	// The third line's quantity is not a number (without a header its fifth field is the
	// stock type): it fails, and a failed line does not count as superseded.
	assert.Equal(t, 2, rep.Superseded)
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 1, rep.Failed)
	assert.Equal(t, map[string]int64{key("A", "erp_main", "110", "standard"): 3}, store(t, fake))
}

func TestSyncSnapshotZeroesRowsMissingFromTheInput(t *testing.T) {
	fake := newFake(t)
	fake.AddStock(wt.Stock{SKU: "LISTED", Provider: "erp_main", Location: "110", Stock: 5, IsActive: true})
	gone := fake.AddStock(wt.Stock{SKU: "GONE", Provider: "erp_main", Location: "112", Stock: 4, ReservedStock: 1, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "ALREADY_ZERO", Provider: "erp_main", Location: "112", Stock: 0, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "OTHER_PROVIDER", Provider: "other", Location: "200", Stock: 3, IsActive: true})
	input := "LISTED,erp_main,110,6\n"

	plan, err := newSyncer(t, fake.Client(), stocksync.Options{Snapshot: true}).Plan(context.Background(), stocksync.ReadCSV(strings.NewReader(input)))
	require.NoError(t, err)
	var out bytes.Buffer
	_, err = plan.WriteTo(&out)
	require.NoError(t, err)
	assert.Equal(t, "update line 1 LISTED@erp_main/110[standard] id 1: stock 5 -> 6\n"+
		"zero GONE@erp_main/112[standard] id 2: stock 4 -> 0\n"+
		"plan: 0 to create, 1 to update, 1 to zero, 0 unchanged, 0 invalid, 0 superseded; read 3 stocks in 1 request\n", out.String())
	assert.Equal(t, gone.ID, plan.Change(1).ID)

	rep := syncCSV(t, fake, input, stocksync.Options{Snapshot: true})
	assert.Equal(t, 1, rep.Zeroed)
	assert.Equal(t, 1, rep.Updated)
	// Zeroed, not deleted; the other provider is not the input's and is left alone.
	assert.Equal(t, map[string]int64{
		key("LISTED", "erp_main", "110", "standard"):       6,
		key("GONE", "erp_main", "112", "standard"):         0,
		key("ALREADY_ZERO", "erp_main", "112", "standard"): 0,
		key("OTHER_PROVIDER", "other", "200", "standard"):  3,
	}, store(t, fake))
}

func TestSyncReportsEachFailedRowAndGoesOn(t *testing.T) {
	fake := newFake(t)
	rep := syncCSV(t, fake, strings.Join([]string{
		"sku,provider,location,quantity",
		"OK,erp_main,110,1",
		"NEG,erp_main,112,-4",    // the service refuses it
		"NOWHERE,erp_main,999,3", // no such location
		"TEN,erp_main,110,ten",   // refused before any request
		"WRONG,erp_main,200,1",   // a location of another provider
		",erp_main,110,1",        // no SKU
	}, "\n"), stocksync.Options{})

	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 5, rep.Failed)
	assert.False(t, rep.OK())
	byLine := map[int]stocksync.Outcome{}
	for _, o := range rep.Outcomes {
		byLine[o.Line] = o
	}
	assert.Equal(t, []string{`quantity "ten" is not a whole number`}, byLine[5].Messages)
	assert.Equal(t, []string{"sku may not be blank"}, byLine[7].Messages)
	assert.Equal(t, stocksync.Failed, byLine[3].Result)
	assert.Contains(t, strings.Join(byLine[3].Messages, ""), "stock: ")
	assert.Contains(t, strings.Join(byLine[4].Messages, ""), "location: Object with code=999 does not exist.")
	assert.Contains(t, strings.Join(byLine[6].Messages, ""), "location: ")
	assert.Equal(t, map[string]int64{key("OK", "erp_main", "110", "standard"): 1}, store(t, fake))
	// A refused create is not resent.
	assert.Equal(t, 4, fake.RequestCount("POST", "/api/v1/stocks/"))

	var summary bytes.Buffer
	require.NoError(t, rep.WriteSummary(&summary))
	assert.Contains(t, summary.String(), "failed line 5 TEN@erp_main/110[standard] quantity \"ten\" is not a whole number\n")
	assert.Contains(t, summary.String(), "created 1, updated 0, unchanged 0, zeroed 0, failed 5, superseded 0; ")

	var decoded map[string]any
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &decoded))
	assert.Equal(t, 5.0, decoded["failed"])
	assert.Contains(t, decoded, "duration_seconds")
	assert.Len(t, decoded["outcomes"], 6)
}

func TestSyncTakesRowsFromAnIterator(t *testing.T) {
	fake := newFake(t)
	rep, err := newSyncer(t, fake.Client(), stocksync.Options{}).Sync(context.Background(), rows(
		stocksync.Row{Key: stocksync.Key{SKU: "A", Provider: "erp_main", Location: "110", StockType: "virtual"}, Quantity: 2},
		stocksync.Row{Key: stocksync.Key{SKU: "A", Provider: "erp_main", Location: "110"}, Quantity: 3, UnitType: "qty"},
	))
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Created)
	assert.Equal(t, map[string]int64{
		key("A", "erp_main", "110", "virtual"):  2,
		key("A", "erp_main", "110", "standard"): 3,
	}, store(t, fake))
}

func TestSyncStopsOnAReadErrorOfTheInput(t *testing.T) {
	fake := newFake(t)
	boom := assert.AnError
	_, err := newSyncer(t, fake.Client(), stocksync.Options{}).Sync(context.Background(), func(yield func(stocksync.Row, error) bool) {
		yield(stocksync.Row{}, boom)
	})
	require.ErrorIs(t, err, boom)
	assert.Zero(t, stockRequests(fake))
}

func TestNewRefusesBadOptions(t *testing.T) {
	fake := newFake(t)
	_, err := stocksync.New(nil, stocksync.Options{})
	assert.Error(t, err)
	for _, o := range []stocksync.Options{{Workers: -1}, {PageSize: -1}, {MaxAttempts: -1}, {Rate: -1}} {
		_, err = stocksync.New(fake.Client(), o)
		assert.EqualError(t, err, "stocksync: Workers, PageSize, MaxAttempts and Rate may not be negative", "%+v", o)
	}
}

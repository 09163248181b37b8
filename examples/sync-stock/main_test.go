package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/whippyware-go/whippyware/examples/internal/exampleenv"
)

func TestSyncSampleOnTheFake(t *testing.T) {
	env := exampleenv.ForTest(t)
	var out bytes.Buffer
	err := run(context.Background(), &out, env, "", 3)
	require.EqualError(t, err, "3 rows failed, 0 not done", "failed rows make the program exit non-zero")
	text := out.String()
	assert.Contains(t, text, "created 2, updated 1, unchanged 0, zeroed 0, failed 3, superseded 1; ")
	assert.Contains(t, text, "failed line 7 SKU-5@erp_main/110[standard] quantity \"ten\" is not a whole number\n")
	assert.Contains(t, text, "failed line 5 SKU-3@erp_main/112[standard] stock: ")
	assert.Contains(t, text, "failed line 6 SKU-4@erp_main/999[standard] location: ")

	// The store holds what the summary says: the later SKU-1 row won, SKU-2's standard
	// row was updated to 0 and its virtual row left alone, nothing was written for the
	// failed rows.
	got := map[string]int64{}
	for _, st := range env.Fake.Stocks() {
		got[st.SKU+"@"+st.Location+"["+st.StockType+"]"] = st.Stock
	}
	assert.Equal(t, map[string]int64{"SKU-1@110[standard]": 6, "SKU-2@110[standard]": 0, "SKU-2@110[virtual]": 50, "SKU-1@112[standard]": 7}, got)
}

func TestSyncRefusesBadArguments(t *testing.T) {
	env := exampleenv.ForTest(t)
	assert.Error(t, run(context.Background(), io.Discard, env, "", 0))
	assert.Error(t, run(context.Background(), io.Discard, env, "no-such-file.csv", 1))
}

func TestSyncExitsZeroWhenEveryRowIsDone(t *testing.T) {
	env := exampleenv.ForTest(t)
	file := filepath.Join(t.TempDir(), "ok.csv")
	require.NoError(t, os.WriteFile(file, []byte("SKU-9,erp_main,110,4\n"), 0o600))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env, file, 1))
	assert.Contains(t, out.String(), "created 1, updated 0, unchanged 0, zeroed 0, failed 0")
}

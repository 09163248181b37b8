package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/whippyware-go/whippyware/examples/internal/exampleenv"
)

func TestSyncSampleOnTheFake(t *testing.T) {
	env := exampleenv.ForTest(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env, "", 3))
	text := out.String()
	assert.Contains(t, text, "created 2, updated 1, failed 3, superseded 1")
	assert.Contains(t, text, `line 7 (SKU-5 at erp_main/110): quantity "ten" is not a whole number`)
	assert.Contains(t, text, "line 5 (SKU-3 at erp_main/112): ")
	assert.Contains(t, text, "line 6 (SKU-4 at erp_main/999): ")

	// The store holds what the summary says: the later SKU-1 row won, SKU-2 was
	// updated to 0, and nothing was written for the failed rows.
	got := map[string]int64{}
	for _, st := range env.Fake.Stocks() {
		got[st.SKU+"@"+st.Location] = st.Stock
	}
	assert.Equal(t, map[string]int64{"SKU-1@110": 6, "SKU-2@110": 0, "SKU-1@112": 7}, got)
}

func TestReadRowsRefusesAMalformedCSV(t *testing.T) {
	_, _, err := readRows(strings.NewReader("sku,provider\nA,B\n"))
	require.Error(t, err)
}

func TestSyncRefusesBadArguments(t *testing.T) {
	env := exampleenv.ForTest(t)
	assert.Error(t, run(context.Background(), io.Discard, env, "", 0))
	assert.Error(t, run(context.Background(), io.Discard, env, "no-such-file.csv", 1))
}

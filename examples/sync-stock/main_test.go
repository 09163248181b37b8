package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/whippyware-go/whippyware/examples/internal/exampleenv"
)

func TestSyncSampleOnTheFake(t *testing.T) {
	env, err := exampleenv.Connect(func(string) string { return "" })
	require.NoError(t, err)
	defer env.Close()
	ctx := context.Background()
	require.NoError(t, prepareFake(ctx, env.Client))

	s, err := syncStock(ctx, env.Client, strings.NewReader(sampleCSV), 3)
	require.NoError(t, err)
	var out bytes.Buffer
	s.print(&out)
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

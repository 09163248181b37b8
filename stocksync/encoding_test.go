package stocksync_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware/stocksync"
)

func TestReadCSVDecodesAnEncoding(t *testing.T) {
	enc, err := stocksync.EncodingByName("windows-1254")
	require.NoError(t, err)
	var skus []string
	for row, err := range stocksync.ReadCSV(strings.NewReader("KAZAK-\xc7,p,110,1\nKAZAK-\xde,p,110,2\n"), stocksync.WithEncoding(enc)) {
		require.NoError(t, err)
		skus = append(skus, row.SKU)
	}
	assert.Equal(t, []string{"KAZAK-Ç", "KAZAK-Ş"}, skus)
	_, err = stocksync.EncodingByName("no-such-code-page")
	assert.ErrorContains(t, err, `unknown or unsupported encoding "no-such-code-page"`)
	enc, err = stocksync.EncodingByName("UTF-8")
	assert.NoError(t, err)
	assert.Nil(t, enc, "UTF-8 is the checked default")
}

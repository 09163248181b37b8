package stocksync_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"

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
	cp, err := stocksync.EncodingByName("cp1254")
	require.NoError(t, err, "the name Python and Java give it")
	assert.Equal(t, enc, cp)
	_, err = stocksync.EncodingByName("no-such-code-page")
	assert.ErrorContains(t, err, `unknown or unsupported encoding "no-such-code-page"`)
	enc, err = stocksync.EncodingByName("UTF-8")
	assert.NoError(t, err)
	assert.Nil(t, enc, "UTF-8 is the checked default")
}

// A byte the code page does not define, or a broken UTF-16 pair, is decoded as U+FFFD:
// that line is refused, so that two SKUs never become one.
func TestReadCSVRefusesWhatTheEncodingCannotDecode(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"windows-1254", "X\x81,p,110,1\nX\x8d,p,110,2\nOK,p,110,3\n"},
		{"utf-16", "\xff\xfeX\x00\x00\xd8,\x00p\x00,\x001\x00,\x001\x00\n\x00O\x00K\x00,\x00p\x00,\x001\x00,\x003\x00\n\x00"},
	} {
		enc, err := stocksync.EncodingByName(tc.name)
		require.NoError(t, err)
		var skus []string
		var lineErrs []string
		for row, err := range stocksync.ReadCSV(strings.NewReader(tc.in), stocksync.WithEncoding(enc)) {
			if err != nil {
				lineErrs = append(lineErrs, err.Error())
				continue
			}
			skus = append(skus, row.SKU)
		}
		assert.Equal(t, []string{"OK"}, skus, tc.name)
		require.NotEmpty(t, lineErrs, tc.name)
		assert.Contains(t, lineErrs[0], "line 1: the encoding cannot decode a character of the line", tc.name)
	}
}

// A UTF-8 byte order mark says the file is UTF-8, whatever encoding was asked for: read
// as a code page, the mark would become part of the first SKU.
func TestReadCSVRefusesAUTF8FileReadAsACodePage(t *testing.T) {
	enc, err := stocksync.EncodingByName("windows-1254")
	require.NoError(t, err)
	for _, err := range stocksync.ReadCSV(strings.NewReader("\uFEFFKAZAK-Ç,p,110,1\n"), stocksync.WithEncoding(enc)) {
		require.Error(t, err)
		assert.ErrorContains(t, err, "UTF-8 byte order mark")
	}
}

// UTF-8 named as an encoding (unicode.UTF8, or a label such as "unicode-1-1-utf-8" that
// EncodingByName finds in the WHATWG index) is checked as the default is: a byte that is
// not UTF-8 would otherwise reach the service as U+FFFD and merge two SKUs.
func TestReadCSVChecksUTF8NamedAsAnEncoding(t *testing.T) {
	label, err := stocksync.EncodingByName("unicode-1-1-utf-8")
	require.NoError(t, err)
	for _, enc := range []encoding.Encoding{unicode.UTF8, unicode.UTF8BOM, label} {
		got, lineErrs, fatal := read(t, strings.NewReader("OK-Ç,p,110,1\nKAZAK-\xde,p,110,2\n"), stocksync.WithEncoding(enc))
		require.NoError(t, fatal)
		require.Len(t, got, 1)
		assert.Equal(t, "OK-Ç", got[0].SKU)
		require.Len(t, lineErrs, 1)
		var encErr *stocksync.EncodingError
		require.ErrorAs(t, lineErrs[0], &encErr)
		assert.Equal(t, &stocksync.EncodingError{Offset: 20, Byte: 0xDE}, encErr)
	}
}

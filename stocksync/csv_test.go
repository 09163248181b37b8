package stocksync_test

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/stocksync"
)

// read collects what ReadCSV yields: rows, per-line errors, and the error that ended it.
func read(t *testing.T, r io.Reader, opts ...stocksync.ReadOption) (got []stocksync.Row, lineErrs []*stocksync.RowError, fatal error) {
	t.Helper()
	for row, err := range stocksync.ReadCSV(r, opts...) {
		var rowErr *stocksync.RowError
		switch {
		case errors.As(err, &rowErr):
			lineErrs = append(lineErrs, rowErr)
		case err != nil:
			require.Nil(t, fatal, "nothing is yielded after a fatal error")
			fatal = err
		default:
			got = append(got, row)
		}
	}
	return got, lineErrs, fatal
}

func TestReadCSVWithAndWithoutHeader(t *testing.T) {
	row := func(line int, sku, stockType string, q int64) stocksync.Row {
		return stocksync.Row{Line: line, Key: stocksync.Key{SKU: sku, Provider: "p", Location: "110", StockType: stockType}, Quantity: q}
	}
	for _, tc := range []struct {
		name, in string
		want     []stocksync.Row
	}{
		{"no header", "A,p,110,1\nB,p,110,2\n", []stocksync.Row{row(1, "A", "standard", 1), row(2, "B", "standard", 2)}},
		{"header", "sku,provider,location,quantity\nA,p,110,1\n", []stocksync.Row{row(2, "A", "standard", 1)}},
		{"header in another order, stock for quantity", "Stock, Location ,SKU,provider,stock_type\n1,110,A,p,virtual\n", []stocksync.Row{row(2, "A", "virtual", 1)}},
		{"BOM and CRLF", "\uFEFFsku,provider,location,quantity\r\nA,p,110,1\r\nB,p,110,2\r\n", []stocksync.Row{row(2, "A", "standard", 1), row(3, "B", "standard", 2)}},
		{"BOM without header", "\uFEFFA,p,110,1", []stocksync.Row{row(1, "A", "standard", 1)}},
		{"spaces trimmed", " A , p , 110 , 7 \n", []stocksync.Row{row(1, "A", "standard", 7)}},
		{"quoted line break", "\"A\nB\",p,110,1\nC,p,110,2\n", []stocksync.Row{row(1, "A\nB", "standard", 1), row(3, "C", "standard", 2)}},
		{"empty", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, lineErrs, fatal := read(t, strings.NewReader(tc.in))
			require.NoError(t, fatal)
			assert.Empty(t, lineErrs)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestReadCSVOptionalColumns(t *testing.T) {
	got, lineErrs, fatal := read(t, strings.NewReader("A,p,110,1,virtual,2,pcs,2026-11-01\nB,p,110,1,,,,\n"))
	require.NoError(t, fatal)
	require.Empty(t, lineErrs)
	assert.Equal(t, []stocksync.Row{
		{Line: 1, Key: stocksync.Key{SKU: "A", Provider: "p", Location: "110", StockType: "virtual"}, Quantity: 1,
			ReservedStock: whippyware.Ptr[int64](2), UnitType: "pcs", Period: "2026-11-01"},
		{Line: 2, Key: stocksync.Key{SKU: "B", Provider: "p", Location: "110", StockType: "standard"}, Quantity: 1},
	}, got)
}

func TestReadCSVReportsEachBadLineAndGoesOn(t *testing.T) {
	in := strings.Join([]string{
		"sku,provider,location,quantity,period",
		"A,p,110,ten,",                  // 2: bad quantity
		"B,p,110",                       // 3: missing columns
		"C,p,110,1,2026-13-01",          // 4: not a date
		`D,p,110,1,"x"y`,                // 5: a quote out of place
		",p,110,1,",                     // 6: no SKU
		"E,p,110,1.5,",                  // 7: not whole
		"F,p,110,99999999999999999999,", // 8: out of range
		"OK,p,110,3,",                   // 9
	}, "\n")
	got, lineErrs, fatal := read(t, strings.NewReader(in))
	require.NoError(t, fatal)
	require.Len(t, got, 1)
	assert.Equal(t, 9, got[0].Line)
	msgs := map[int]string{}
	for _, e := range lineErrs {
		msgs[e.Line] = e.Error()
	}
	assert.Equal(t, map[int]string{
		2: `line 2: quantity "ten" is not a whole number`,
		3: "line 3: has 3 fields, the header has 5",
		4: `line 4: period "2026-13-01" is not a date (YYYY-MM-DD)`,
		5: `line 5: extraneous or missing " in quoted-field`,
		6: "line 6: sku may not be blank",
		7: `line 7: quantity "1.5" is not a whole number`,
		8: `line 8: quantity "99999999999999999999" is not a whole number`,
	}, msgs)
	for _, e := range lineErrs {
		if e.Line == 2 {
			assert.Equal(t, stocksync.Key{SKU: "A", Provider: "p", Location: "110", StockType: "standard"}, e.Key, "the error names the row")
		}
	}
}

// A quote inside a field is that line's error; the next line is read on its own.
func TestReadCSVBareQuoteIsOneLinesError(t *testing.T) {
	got, lineErrs, fatal := read(t, strings.NewReader("a\"b,p,110,1\nB,p,110,2\nC,\"p\"\"q\",110,3\n"))
	require.NoError(t, fatal)
	require.Len(t, lineErrs, 1)
	assert.Equal(t, 1, lineErrs[0].Line)
	assert.ErrorIs(t, lineErrs[0], csv.ErrBareQuote)
	require.Len(t, got, 2)
	assert.Equal(t, []string{"B", "C"}, []string{got[0].SKU, got[1].SKU})
	assert.Equal(t, `p"q`, got[1].Provider)
}

// A bad quote in a line's first field is that line's error, not a panic (the reader
// asked for the position of a field it had not read).
func TestReadCSVBadQuoteInTheFirstField(t *testing.T) {
	got, lineErrs, fatal := read(t, strings.NewReader("A,p,110,1\n\"abc\n"))
	require.NoError(t, fatal)
	require.Len(t, got, 1)
	require.Len(t, lineErrs, 1)
	assert.Equal(t, 2, lineErrs[0].Line)
	assert.ErrorIs(t, lineErrs[0], csv.ErrQuote)
}

func TestReadCSVRefusesABadHeader(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"sku,provider,location,qty\nA,p,110,1\n", `line 1: unknown column "qty" in the header`},
		{"sku,provider,location\nA,p,110\n", `line 1: the header has no "quantity" column`},
		{"sku,provider,location,quantity,sku\n", `line 1: column "sku" appears twice`},
	} {
		got, _, fatal := read(t, strings.NewReader(tc.in))
		require.Error(t, fatal, tc.in)
		assert.Contains(t, fatal.Error(), tc.want)
		assert.Empty(t, got)
	}
}

func TestReadCSVWithoutHeaderLimitsColumns(t *testing.T) {
	_, lineErrs, fatal := read(t, strings.NewReader("A,p,110,1,standard,0,qty,2026-01-01,extra\nA,p\n"))
	require.NoError(t, fatal)
	require.Len(t, lineErrs, 2)
	assert.Equal(t, "line 1: has 9 fields, at most 8 are known (sku,provider,location,quantity,stock_type,reserved_stock,unit_type,period)", lineErrs[0].Error())
	assert.Equal(t, "line 2: has 2 fields, needs at least 4 (sku,provider,location,quantity)", lineErrs[1].Error())
}

func TestReadCSVEndsOnAReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("A,p,110,1\n"), iotest.ErrReader(errors.New("disk on fire")))
	got, _, fatal := read(t, r)
	require.Error(t, fatal)
	assert.Contains(t, fatal.Error(), "disk on fire")
	assert.Len(t, got, 1)
}

func TestReadCSVStopsWhenTheLoopStops(t *testing.T) {
	n := 0
	for range stocksync.ReadCSV(strings.NewReader("A,p,110,1\nB,p,110,1\nC,p,110,1\n")) {
		if n++; n == 2 {
			break
		}
	}
	assert.Equal(t, 2, n)
}

// largestRead records the largest buffer a reader was asked to fill.
type largestRead struct {
	r       io.Reader
	largest int
}

func (l *largestRead) Read(p []byte) (int, error) {
	l.largest = max(l.largest, len(p))
	return l.r.Read(p)
}

// A line longer than the limit is one invalid line: it is read in pieces no larger than
// the limit, not held whole, and the lines after it are read.
func TestReadCSVBoundsALongLine(t *testing.T) {
	src := &largestRead{r: io.MultiReader(strings.NewReader("A,p,110,1\nB"), strings.NewReader(strings.Repeat("b", 10<<20)),
		strings.NewReader(",p,110,2\nC,p,110,3\n"))}
	var got []stocksync.Row
	var lineErrs []*stocksync.RowError
	for row, err := range stocksync.ReadCSV(src, stocksync.WithMaxLineBytes(1000)) {
		var rowErr *stocksync.RowError
		if errors.As(err, &rowErr) {
			lineErrs = append(lineErrs, rowErr)
			continue
		}
		require.NoError(t, err)
		got = append(got, row)
	}
	require.Len(t, got, 2)
	assert.Equal(t, []int{1, 3}, []int{got[0].Line, got[1].Line})
	require.Len(t, lineErrs, 1)
	assert.Equal(t, 2, lineErrs[0].Line)
	assert.ErrorIs(t, lineErrs[0], stocksync.ErrLineTooLong)
	assert.Equal(t, "line 2: line too long: longer than 1000 bytes, not read (a stock row is a few hundred)", lineErrs[0].Error())
	assert.LessOrEqual(t, src.largest, 1001, "never a buffer for the whole line")
}

func TestReadCSVRefusesBytesThatAreNotUTF8(t *testing.T) {
	got, lineErrs, fatal := read(t, strings.NewReader("OK-Ç,p,110,1\nKAZAK-\xde,p,110,2\n"))
	require.NoError(t, fatal)
	require.Len(t, got, 1)
	assert.Equal(t, "OK-Ç", got[0].SKU)
	require.Len(t, lineErrs, 1)
	var encErr *stocksync.EncodingError
	require.ErrorAs(t, lineErrs[0], &encErr)
	assert.Equal(t, &stocksync.EncodingError{Offset: 20, Byte: 0xDE}, encErr)
	assert.Equal(t, 2, lineErrs[0].Line)
}

func TestReadCSVDelimiterAndSpreadsheetQuotes(t *testing.T) {
	for name, in := range map[string]string{
		"semicolon": "sku;provider;location;quantity\n'=A;p;110;1\n",
		"tab":       "'=A\tp\t110\t1\n",
		"quoted":    "\"'=A\",\"p;q\",110,1\n",
	} {
		t.Run(name, func(t *testing.T) {
			got, lineErrs, fatal := read(t, strings.NewReader(in))
			require.NoError(t, fatal)
			require.Empty(t, lineErrs)
			require.Len(t, got, 1)
			assert.Equal(t, "=A", got[0].SKU)
		})
	}
	for cell, want := range map[string]string{"'+1": "+1", "'-x": "-x", "'@x": "@x", "'\tx": "x", "''=x": "'=x", "'x": "'x", "'": "'", "''x": "''x"} {
		got, _, _ := read(t, strings.NewReader("\""+cell+"\",p,110,1\n"))
		require.Len(t, got, 1, cell)
		assert.Equal(t, want, got[0].SKU, "%q", cell)
	}
}

func TestReadCSVSkipsReadOnlyColumns(t *testing.T) {
	got, lineErrs, fatal := read(t, strings.NewReader("id,sku,provider,location,stock,created_date,modified_date\n7,A,p,110,3,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z\n"))
	require.NoError(t, fatal)
	require.Empty(t, lineErrs)
	assert.Equal(t, []stocksync.Row{{Line: 2, Key: stocksync.Key{SKU: "A", Provider: "p", Location: "110", StockType: "standard"}, Quantity: 3}}, got)
}

// Keys are stripped as Python's str.strip() strips, which Go's TrimSpace does not do for
// U+001C to U+001F.
func TestReadCSVStripsKeysAsTheServiceDoes(t *testing.T) {
	got, lineErrs, fatal := read(t, strings.NewReader("\x1cA\x1f,p\x1e,110\x1d,1, virtual\u00a0\n"))
	require.NoError(t, fatal)
	require.Empty(t, lineErrs)
	assert.Equal(t, stocksync.Key{SKU: "A", Provider: "p", Location: "110", StockType: "virtual"}, got[0].Key)
}

// FuzzReadCSV reads any bytes without a panic, yields only rows that are valid UTF-8
// with their key's required fields, in line order, never more than the input has lines,
// and with a small line limit too.
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{
		"sku,provider,location,quantity\nA,p,110,1\n", "A;p;110;1\r\n\"B\nC\";p;110;2\n", "\uFEFF'=A\tp\t110\t1",
		"a\"b,p,110,1\n", "\"x\"y,p,110,1\n", "KAZAK-\xde,p,110,2\n", "\xff\xfe", strings.Repeat("x", 300) + ",p,110,1\n",
		"id,sku,provider,location,stock,created_date\n1,A,p,110,2,\n", "\x1cA\x1f,p,110,1\n",
	} {
		f.Add(seed, 64)
	}
	f.Fuzz(func(t *testing.T, in string, maxLine int) {
		lines := strings.Count(in, "\n") + 1
		last := 0
		n := 0
		for row, err := range stocksync.ReadCSV(strings.NewReader(in), stocksync.WithMaxLineBytes(maxLine%4096)) {
			n++
			require.LessOrEqual(t, n, lines)
			var rowErr *stocksync.RowError
			switch {
			case errors.As(err, &rowErr):
				require.Greater(t, rowErr.Line, last-1)
				last = rowErr.Line
			case err != nil:
				return // the header or the reader ended it
			default:
				require.Greater(t, row.Line, last-1)
				last = row.Line
				for _, s := range []string{row.SKU, row.Provider, row.Location, row.StockType, row.UnitType} {
					require.True(t, utf8.ValidString(s), "%q", s)
				}
				require.NotEmpty(t, row.SKU)
				require.NotEmpty(t, row.Provider)
				require.NotEmpty(t, row.Location)
			}
		}
	})
}

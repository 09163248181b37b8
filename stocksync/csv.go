package stocksync

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
)

// columns are the CSV columns ReadCSV knows, in the order a file without a header uses.
// The first four are required; a header may name them in any order, and may call quantity
// "stock", as the service does.
var columns = []string{"sku", "provider", "location", "quantity", "stock_type", "reserved_stock", "unit_type", "period"}

const requiredColumns = 4

// ReadCSV yields the rows of a CSV file with their line numbers. The first line is a
// header when one of its fields is "sku" (any case) and names the columns in any order
// ("stock" is taken for "quantity"); without a header the columns are
// sku,provider,location,quantity,stock_type,reserved_stock,unit_type,period in that
// order, the first four required. A UTF-8 byte order mark and CRLF line ends
// are accepted, and fields are trimmed.
//
// A line that cannot be read (a bad quantity, a missing column, a quote out of place) is
// yielded as a *RowError and reading goes on. A header naming an unknown column, or
// lacking a required one, and a failure to read r end the sequence with a plain error.
func ReadCSV(r io.Reader) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		br := bufio.NewReader(r)
		if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
			_, _ = br.Discard(3)
		}
		cr := csv.NewReader(br)
		cr.FieldsPerRecord = -1 // checked per line, so that one short line does not end the file
		cr.TrimLeadingSpace = true
		cr.ReuseRecord = true
		index := defaultIndex()
		for first := true; ; first = false {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			var parseErr *csv.ParseError
			if errors.As(err, &parseErr) {
				if !yield(Row{}, &RowError{Line: parseErr.StartLine, Err: parseErr.Err}) {
					return
				}
				continue
			}
			if err != nil {
				yield(Row{}, fmt.Errorf("stocksync: reading the CSV: %w", err))
				return
			}
			line, _ := cr.FieldPos(0) // only after a record was read: FieldPos panics otherwise
			if first && isHeader(rec) {
				if index, err = headerIndex(rec); err != nil {
					yield(Row{}, fmt.Errorf("stocksync: line %d: %w", line, err))
					return
				}
				continue
			}
			row, err := parseRecord(rec, index)
			row.Line = line
			if err != nil {
				if !yield(Row{}, &RowError{Line: line, Key: row.Key, Err: err}) {
					return
				}
				continue
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}

func isHeader(rec []string) bool {
	for _, f := range rec {
		if strings.EqualFold(strings.TrimSpace(f), "sku") {
			return true
		}
	}
	return false
}

// columnIndex maps each column of columns to its field in a record (-1 when absent);
// width is the header's number of fields, 0 without a header.
type columnIndex struct {
	field [8]int
	width int
}

func defaultIndex() columnIndex {
	var ix columnIndex
	for i := range ix.field {
		ix.field[i] = i
	}
	return ix
}

func headerIndex(header []string) (columnIndex, error) {
	ix := columnIndex{width: len(header)}
	for i := range ix.field {
		ix.field[i] = -1
	}
	for field, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "stock" {
			name = "quantity"
		}
		col := slices.Index(columns, name)
		switch {
		case col < 0:
			return ix, fmt.Errorf("unknown column %q in the header (known: %s)", name, strings.Join(columns, ", "))
		case ix.field[col] >= 0:
			return ix, fmt.Errorf("column %q appears twice in the header", name)
		}
		ix.field[col] = field
	}
	for i := range requiredColumns {
		if ix.field[i] < 0 {
			return ix, fmt.Errorf("the header has no %q column", columns[i])
		}
	}
	return ix, nil
}

// parseRecord reads one record; it returns what it could read with an error, so that the
// error can name the row.
func parseRecord(rec []string, ix columnIndex) (Row, error) {
	get := func(col int) (string, bool) {
		if f := ix.field[col]; f >= 0 && f < len(rec) {
			return strings.TrimSpace(rec[f]), true
		}
		return "", false
	}
	var row Row
	row.SKU, _ = get(0)
	row.Provider, _ = get(1)
	row.Location, _ = get(2)
	if row.StockType, _ = get(4); row.StockType == "" {
		row.StockType = DefaultStockType // so that an error names the full key
	}
	row.UnitType, _ = get(6)
	row.Period, _ = get(7)
	switch {
	case ix.width > 0 && len(rec) != ix.width:
		return row, fmt.Errorf("has %d fields, the header has %d", len(rec), ix.width)
	case ix.width == 0 && len(rec) < requiredColumns:
		return row, fmt.Errorf("has %d fields, needs at least %d (%s)", len(rec), requiredColumns, strings.Join(columns[:requiredColumns], ","))
	case ix.width == 0 && len(rec) > len(columns):
		return row, fmt.Errorf("has %d fields, at most %d are known (%s)", len(rec), len(columns), strings.Join(columns, ","))
	}
	q, _ := get(3)
	n, err := strconv.ParseInt(q, 10, 64)
	if err != nil {
		return row, fmt.Errorf("quantity %q is not a whole number", q)
	}
	row.Quantity = n
	if s, ok := get(5); ok && s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return row, fmt.Errorf("reserved_stock %q is not a whole number", s)
		}
		row.ReservedStock = &n
	}
	return row, row.normalize()
}

package stocksync

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// columns are the CSV columns ReadCSV knows, in the order a file without a header uses.
// The first four are required; a header may name them in any order, and may call quantity
// "stock", as the service does.
var columns = []string{"sku", "provider", "location", "quantity", "stock_type", "reserved_stock", "unit_type", "period"}

// readOnlyColumns are columns of the service's stock rows that a header may name and that
// ReadCSV skips: what `whippyware stocks list -o csv` writes besides the columns above, so
// that an export can be edited and synced back. Sync never writes them.
var readOnlyColumns = []string{"id", "created_date", "modified_date"}

const requiredColumns = 4

// DefaultMaxLineBytes is the longest line ReadCSV reads. The longest row the service can
// store is a few kilobytes (four text fields of at most 255 characters, two codes of at
// most 128, numbers and a date), so a longer line is not a stock row; it is reported
// without being held in memory.
const DefaultMaxLineBytes = 16 << 10

// ReadOption changes how ReadCSV reads its input.
type ReadOption func(*readConfig)

type readConfig struct {
	enc       encoding.Encoding
	delimiter byte
	maxLine   int
}

// WithEncoding decodes the input from enc (for example charmap.Windows1254, or
// EncodingByName("windows-1254")) instead of requiring UTF-8.
func WithEncoding(enc encoding.Encoding) ReadOption {
	return func(c *readConfig) { c.enc = enc }
}

// WithDelimiter sets the field delimiter, one ASCII character other than a quote or a line
// break, instead of detecting it from the first line.
func WithDelimiter(d byte) ReadOption {
	return func(c *readConfig) { c.delimiter = d }
}

// WithMaxLineBytes sets the longest line read (DefaultMaxLineBytes when n <= 0).
func WithMaxLineBytes(n int) ReadOption {
	return func(c *readConfig) { c.maxLine = n }
}

// ReadCSV yields the rows of a CSV file with their line numbers. The first line is a
// header when one of its fields is "sku" (any case) and names the columns in any order
// ("stock" is taken for "quantity"; id, created_date and modified_date, which an
// export of the service's stock may hold, are skipped); without a header the columns are
// sku,provider,location,quantity,stock_type,reserved_stock,unit_type,period in that
// order, the first four required. The delimiter is the one of ",", ";" and tab that the
// first line holds most of ("," when none; WithDelimiter sets it). A UTF-8 byte order
// mark and CRLF line ends are accepted, and fields are trimmed. A field that starts with
// ' followed by =, +, -, @, tab or CR (or by more ' and then one of them) loses one ':
// that is how a spreadsheet-safe export protects such a cell.
//
// The input must be UTF-8 unless WithEncoding names another encoding. A line that is not
// valid UTF-8 (or, with an encoding, holds a character it cannot decode), a line longer
// than the limit (WithMaxLineBytes), a bad quantity, a missing column or a quote out of
// place is yielded as a *RowError and reading goes on. A header naming an unknown column,
// or lacking a required one, a UTF-16 file read as UTF-8, a UTF-8 file (with its byte
// order mark) read in another encoding, and a failure to read r end the sequence with a
// plain error.
func ReadCSV(r io.Reader, opts ...ReadOption) iter.Seq2[Row, error] {
	cfg := readConfig{maxLine: DefaultMaxLineBytes}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxLine <= 0 {
		cfg.maxLine = DefaultMaxLineBytes
	}
	if cfg.enc == unicode.UTF8 || cfg.enc == unicode.UTF8BOM {
		cfg.enc = nil // UTF-8 by name is checked as the default is: nothing decodes it
	}
	return func(yield func(Row, error) bool) {
		if cfg.delimiter != 0 && !validDelimiter(cfg.delimiter) {
			yield(Row{}, fmt.Errorf("stocksync: %q cannot be a delimiter", cfg.delimiter))
			return
		}
		if cfg.enc != nil {
			br := bufio.NewReader(r)
			if b, _ := br.Peek(3); bytes.HasPrefix(b, []byte("\uFEFF")) {
				yield(Row{}, errors.New("stocksync: the input starts with a UTF-8 byte order mark: it is UTF-8, read it as UTF-8 (decoded as another encoding, the mark would become part of the first SKU)"))
				return
			}
			r = transform.NewReader(br, cfg.enc.NewDecoder())
		}
		lr := newLineReader(r, cfg.maxLine, cfg.enc == nil)
		if err := lr.skipBOM(); err != nil {
			yield(Row{}, err)
			return
		}
		index := defaultIndex()
		var fields []string
		for first := true; ; {
			rec, line, err := lr.record(cfg.delimiter)
			if errors.Is(err, io.EOF) {
				return
			}
			var rowErr *RowError
			if errors.As(err, &rowErr) {
				if !yield(Row{}, rowErr) {
					return
				}
				first = false
				continue
			}
			if err != nil {
				yield(Row{}, fmt.Errorf("stocksync: reading the CSV: %w", err))
				return
			}
			if cfg.delimiter == 0 { // from the first line read: its header, if it has one
				cfg.delimiter = detectDelimiter(rec)
			}
			fields, err = splitRecord(rec, cfg.delimiter, fields[:0])
			if err != nil {
				if !yield(Row{}, &RowError{Line: line, Err: err}) {
					return
				}
				first = false
				continue
			}
			if first && isHeader(fields) {
				first = false
				if index, err = headerIndex(fields); err != nil {
					yield(Row{}, fmt.Errorf("stocksync: line %d: %w", line, err))
					return
				}
				continue
			}
			first = false
			row, err := parseRecord(fields, index, cfg.delimiter)
			row.Line = line
			if err != nil {
				// A key read, even one of empty fields, has the default stock type.
				if !yield(Row{}, &RowError{Line: line, Key: row.Key, Err: err, keyRead: row.Key != Key{}}) {
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

func validDelimiter(d byte) bool {
	return d < utf8.RuneSelf && d != '"' && d != '\r' && d != '\n' && d != 0
}

// detectDelimiter returns the one of ",", ";" and tab that line holds most of outside
// quotes, "," when it holds none.
func detectDelimiter(line []byte) byte {
	counts := map[byte]int{}
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, d := range []byte{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}

// EncodingError is a line that is not valid UTF-8: the reason of its *RowError.
type EncodingError struct {
	// Offset is the byte offset of the first invalid byte in the input.
	Offset int64
	// Byte is that byte.
	Byte byte
}

// Error names the byte and its offset, and the likely cause.
func (e *EncodingError) Error() string {
	return fmt.Sprintf("byte 0x%02X at offset %d is not UTF-8: the file is in another encoding (e.g. windows-1254)", e.Byte, e.Offset)
}

// errNotDecoded is the reason of a *RowError for a line the input's encoding could not
// decode whole.
var errNotDecoded = errors.New("the encoding cannot decode a character of the line (a byte the code page leaves undefined, or half a UTF-16 pair): it holds U+FFFD, which could merge two SKUs into one")

// ErrLineTooLong is the reason of a *RowError for a line longer than the limit.
var ErrLineTooLong = errors.New("line too long")

// lineReader reads physical lines, none longer than max bytes held at once, and joins the
// lines of a quoted field that spans them.
type lineReader struct {
	br        *bufio.Reader
	max       int
	checkUTF8 bool
	line      int   // number of the last line read
	offset    int64 // input offset of the next line
	rec       []byte
}

func newLineReader(r io.Reader, max int, checkUTF8 bool) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, max+1), max: max, checkUTF8: checkUTF8}
}

// skipBOM drops a UTF-8 byte order mark, and refuses a UTF-16 one in UTF-8 mode.
func (lr *lineReader) skipBOM() error {
	b, _ := lr.br.Peek(3)
	switch {
	case bytes.HasPrefix(b, []byte("\uFEFF")):
		_, _ = lr.br.Discard(3)
		lr.offset = 3
	case lr.checkUTF8 && (bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF})):
		return errors.New("stocksync: the input starts with a UTF-16 byte order mark: read it with the utf-16 encoding")
	}
	return nil
}

// physical reads one line without its line end. A line longer than max is skipped to its
// end and reported as a *RowError; it is never held whole.
func (lr *lineReader) physical() ([]byte, error) {
	start := lr.offset
	b, err := lr.br.ReadSlice('\n')
	lr.offset += int64(len(b))
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if len(b) == 0 && err != nil {
		return nil, err // io.EOF
	}
	lr.line++
	if errors.Is(err, bufio.ErrBufferFull) || len(bytes.TrimSuffix(b, []byte("\n"))) > lr.max {
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = lr.br.ReadSlice('\n')
			lr.offset += int64(len(b))
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return nil, &RowError{Line: lr.line, Err: fmt.Errorf("%w: longer than %d bytes, not read (a stock row is a few hundred)", ErrLineTooLong, lr.max)}
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if lr.checkUTF8 {
		if i := invalidUTF8(b); i >= 0 {
			return nil, &RowError{Line: lr.line, Err: &EncodingError{Offset: start + int64(i), Byte: b[i]}}
		}
	} else if bytes.Contains(b, []byte("\uFFFD")) {
		// A decoder writes U+FFFD for what it cannot decode: sent, it would merge SKUs.
		return nil, &RowError{Line: lr.line, Err: errNotDecoded}
	}
	return b, nil
}

// record returns the next record's bytes (its lines joined when a quoted field spans
// them, at most max bytes in all) and the number of its first line; empty lines are
// skipped. The bytes are valid until the next call.
func (lr *lineReader) record(delim byte) ([]byte, int, error) {
	for {
		b, err := lr.physical()
		if err != nil {
			return nil, lr.line, err
		}
		if len(b) == 0 {
			continue
		}
		first := lr.line
		if !openQuote(b, delim) {
			return b, first, nil
		}
		lr.rec = append(lr.rec[:0], b...)
		for openQuote(lr.rec, delim) {
			b, err := lr.physical()
			switch {
			case errors.Is(err, io.EOF):
				return lr.rec, first, nil // the split reports the open quote
			case err != nil:
				return nil, first, err
			case len(lr.rec)+1+len(b) > lr.max:
				return nil, first, &RowError{Line: first, Err: fmt.Errorf("%w: a quoted field spans lines beyond %d bytes", ErrLineTooLong, lr.max)}
			}
			lr.rec = append(append(lr.rec, '\n'), b...)
		}
		return lr.rec, first, nil
	}
}

// openQuote tells whether rec ends inside a quoted field: one whose first character,
// after leading spaces, is a quote. A quote elsewhere is bare, an error of its line only.
// delim 0 (not known yet) takes any of ",", ";" and tab.
func openQuote(rec []byte, delim byte) bool {
	quoted, fieldStart := false, true
	for i := 0; i < len(rec); i++ {
		c := rec[i]
		switch {
		case quoted:
			if c == '"' {
				if i+1 < len(rec) && rec[i+1] == '"' {
					i++ // "" is a quote in a quoted field
					continue
				}
				quoted = false
			}
		case c == delim || (delim == 0 && (c == ',' || c == ';' || c == '\t')):
			fieldStart = true
		case c == '"' && fieldStart:
			quoted, fieldStart = true, false
		case c == ' ' || c == '\t':
			// leading spaces keep a field at its start
		default:
			fieldStart = false
		}
	}
	return quoted
}

// invalidUTF8 returns the index of the first byte of b that is not UTF-8, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// splitRecord splits one record into fields as encoding/csv reads RFC 4180 (quoted fields
// with "" for a quote, leading spaces dropped), appending to fields.
func splitRecord(rec []byte, delim byte, fields []string) ([]string, error) {
	i := 0
	for {
		for i < len(rec) && (rec[i] == ' ' || (rec[i] == '\t' && delim != '\t')) {
			i++
		}
		if i < len(rec) && rec[i] == '"' {
			i++
			var b []byte
			for {
				j := bytes.IndexByte(rec[i:], '"')
				if j < 0 {
					return fields, csv.ErrQuote
				}
				b = append(b, rec[i:i+j]...)
				i += j + 1
				if i < len(rec) && rec[i] == '"' {
					b = append(b, '"')
					i++
					continue
				}
				break
			}
			fields = append(fields, string(b))
			switch {
			case i == len(rec):
				return fields, nil
			case rec[i] != delim:
				return fields, csv.ErrQuote
			}
			i++
			continue
		}
		end := len(rec)
		if j := bytes.IndexByte(rec[i:], delim); j >= 0 {
			end = i + j
		}
		if bytes.IndexByte(rec[i:end], '"') >= 0 {
			return fields, csv.ErrBareQuote
		}
		fields = append(fields, string(rec[i:end]))
		if end == len(rec) {
			return fields, nil
		}
		i = end + 1
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
		if slices.Contains(readOnlyColumns, name) {
			continue
		}
		col := slices.Index(columns, name)
		switch {
		case col < 0:
			return ix, fmt.Errorf("unknown column %q in the header (known: %s; skipped: %s)", name,
				strings.Join(columns, ", "), strings.Join(readOnlyColumns, ", "))
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

// unquoteCell drops the ' a spreadsheet-safe export puts before a text cell that starts
// with =, +, -, @, tab or CR (or with such a ' already: "”=x" is the cell "'=x"); any
// other leading ' is data.
func unquoteCell(s string) string {
	if rest, ok := strings.CutPrefix(s, "'"); ok {
		if t := strings.TrimLeft(rest, "'"); t != "" && strings.IndexByte("=+-@\t\r", t[0]) >= 0 {
			return rest
		}
	}
	return s
}

// parseRecord reads one record; it returns what it could read with an error, so that the
// error can name the row.
func parseRecord(rec []string, ix columnIndex, delim byte) (Row, error) {
	get := func(col int) (string, bool) {
		if f := ix.field[col]; f >= 0 && f < len(rec) {
			return unquoteCell(strings.TrimSpace(rec[f])), true
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
	// A line whose fields do not fit the columns names no key that can be trusted (a SKU
	// with the delimiter in it shifts the provider and the location): it yields none, so
	// that a snapshot takes it for a line that may list any row.
	switch {
	case len(rec) == 1:
		return Row{}, fmt.Errorf("has 1 field: no %s in the line; is the file separated by another delimiter? (set it with --delimiter)", delimiterName(delim))
	case ix.width > 0 && len(rec) != ix.width:
		return Row{}, fmt.Errorf("has %d fields, the header has %d", len(rec), ix.width)
	case ix.width == 0 && len(rec) < requiredColumns:
		return Row{}, fmt.Errorf("has %d fields, needs at least %d (%s)", len(rec), requiredColumns, strings.Join(columns[:requiredColumns], ","))
	case ix.width == 0 && len(rec) > len(columns):
		return Row{}, fmt.Errorf("has %d fields, at most %d are known (%s)", len(rec), len(columns), strings.Join(columns, ","))
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

func delimiterName(d byte) string {
	if d == '\t' {
		return "tab"
	}
	return fmt.Sprintf("%q", string(d))
}

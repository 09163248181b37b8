package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
)

// column is one column of a table or CSV: its header and how to print a record's value.
type column[T any] struct {
	name  string
	value func(*T) string
}

// printer renders records as a table, CSV or JSON into memory; write prints the whole
// output at once. A command that fails before write prints nothing on standard output, so a
// list that fails on its tenth page never leaves nine pages that look like the answer
// (valid JSON a pipe would count, a table that looks complete).
type printer[T any] struct {
	format  string
	columns []column[T]
	buf     bytes.Buffer
	tw      *tabwriter.Writer
	cw      *csv.Writer
	// single prints one JSON object rather than an array (for get).
	single bool
	n      int
}

// newPrinter checks format and starts the output; csvColumns, when not nil, are the columns
// of CSV output (a stock's are the ones sync reads).
func newPrinter[T any](format string, columns, csvColumns []column[T], single bool) (*printer[T], error) {
	if err := checkFormat(format); err != nil {
		return nil, err
	}
	p := &printer[T]{format: format, columns: columns, single: single}
	switch format {
	case "table":
		p.tw = tabwriter.NewWriter(&p.buf, 0, 0, 2, ' ', 0)
		fmt.Fprintln(p.tw, strings.ToUpper(strings.Join(p.headers(), "\t")))
	case "csv":
		if csvColumns != nil {
			p.columns = csvColumns
		}
		p.cw = csv.NewWriter(&p.buf)
		if err := p.cw.Write(p.headers()); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkFormat refuses an output format the printer does not know; every command checks it
// before its first request, also one that prints no list (a delete or a sync).
func checkFormat(format string) error {
	switch format {
	case "table", "csv", "json":
		return nil
	}
	return fmt.Errorf("--output %q: use table, csv or json", format)
}

func (p *printer[T]) headers() []string {
	headers := make([]string, len(p.columns))
	for i, c := range p.columns {
		headers[i] = c.name
	}
	return headers
}

func (p *printer[T]) print(rec *T) error {
	defer func() { p.n++ }()
	switch p.format {
	case "json":
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if p.n > 0 {
			p.buf.WriteString(",\n")
		}
		p.buf.Write(b)
		return nil
	case "csv":
		values := p.values(rec)
		for i, v := range values {
			values[i] = spreadsheetSafe(v)
		}
		return p.cw.Write(values)
	}
	_, err := fmt.Fprintln(p.tw, strings.Join(p.values(rec), "\t"))
	return err
}

func (p *printer[T]) values(rec *T) []string {
	out := make([]string, len(p.columns))
	for i, c := range p.columns {
		out[i] = c.value(rec)
	}
	return out
}

// write ends the output and prints all of it to w.
func (p *printer[T]) write(w io.Writer) error {
	out := p.buf.Bytes()
	switch p.format {
	case "json":
		switch {
		case p.single:
			out = append(out, '\n')
		case p.n == 0:
			out = []byte("[]\n")
		default:
			out = append(append([]byte("[\n"), out...), "\n]\n"...)
		}
	case "csv":
		p.cw.Flush()
		if err := p.cw.Error(); err != nil {
			return err
		}
		out = p.buf.Bytes()
	default:
		if err := p.tw.Flush(); err != nil {
			return err
		}
		out = p.buf.Bytes()
	}
	_, err := w.Write(out)
	return err
}

// formulaStart matches a cell a spreadsheet would read as a formula (=, +, -, @) or whose
// leading tab or carriage return it would drop, and a cell that already starts with the '
// that escapes one, so that taking one ' off on input gives the cell back.
var formulaStart = regexp.MustCompile(`^'*[=+\-@\t\r]`)

// number matches a cell that is a number, which a spreadsheet reads as one, not as a formula.
var number = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// spreadsheetSafe escapes a text cell that a spreadsheet would run as a formula with a
// leading ', as OWASP advises against CSV injection; numbers (-5) are left as they are.
func spreadsheetSafe(cell string) string {
	if formulaStart.MatchString(cell) && !number.MatchString(cell) {
		return "'" + cell
	}
	return cell
}

// spreadsheetUnescaped takes off the ' that spreadsheetSafe adds: one ' before =, +, -, @,
// a tab, a carriage return or another such '.
func spreadsheetUnescaped(cell string) string {
	if rest, ok := strings.CutPrefix(cell, "'"); ok && formulaStart.MatchString(rest) {
		return rest
	}
	return cell
}

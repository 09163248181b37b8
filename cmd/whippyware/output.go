package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// column is one column of a table or CSV: its header and how to print a record's value.
type column[T any] struct {
	name  string
	value func(*T) string
}

// printer writes records as a table, CSV or JSON, one at a time, so that a list streams.
type printer[T any] struct {
	format  string
	columns []column[T]
	w       io.Writer
	tw      *tabwriter.Writer
	cw      *csv.Writer
	// single prints one JSON object rather than an array (for get).
	single bool
	n      int
}

func newPrinter[T any](format string, w io.Writer, columns []column[T], single bool) (*printer[T], error) {
	p := &printer[T]{format: format, columns: columns, w: w, single: single}
	headers := make([]string, len(columns))
	for i, c := range columns {
		headers[i] = c.name
	}
	switch format {
	case "table":
		p.tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(p.tw, strings.ToUpper(strings.Join(headers, "\t")))
	case "csv":
		p.cw = csv.NewWriter(w)
		if err := p.cw.Write(headers); err != nil {
			return nil, err
		}
	case "json":
	default:
		return nil, fmt.Errorf("--output %q: use table, csv or json", format)
	}
	return p, nil
}

func (p *printer[T]) print(rec *T) error {
	defer func() { p.n++ }()
	switch p.format {
	case "json":
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		sep := ",\n"
		switch {
		case p.single:
			sep = ""
		case p.n == 0:
			sep = "[\n"
		}
		_, err = fmt.Fprintf(p.w, "%s%s", sep, b)
		return err
	case "csv":
		return p.cw.Write(p.values(rec))
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

// close ends the output; it is called on error too, so that what was printed stays valid.
func (p *printer[T]) close() error {
	switch p.format {
	case "json":
		end := "\n"
		switch {
		case p.single:
		case p.n == 0:
			end = "[]\n"
		default:
			end = "\n]\n"
		}
		_, err := io.WriteString(p.w, end)
		return err
	case "csv":
		p.cw.Flush()
		return p.cw.Error()
	}
	return p.tw.Flush()
}

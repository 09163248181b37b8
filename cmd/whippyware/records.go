package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/whippyware-go/whippyware"
)

// fieldKind is what a field's value is.
type fieldKind int

const (
	textField fieldKind = iota
	integerField
	booleanField
	objectField // a JSON object, kept raw
	dateField   // YYYY-MM-DD
	// providerCodeField is a provider's code where the service takes the provider's id (a
	// location's provider): the command looks the id up before it writes.
	providerCodeField
)

// kindNames name the kinds in help and errors.
var kindNames = map[fieldKind]string{textField: "string", integerField: "int", booleanField: "bool",
	objectField: "json", dateField: "date", providerCodeField: "code"}

// field is one writable field of a resource: its name in the service's JSON and in files,
// its flag on create and update, and what its value is.
type field struct {
	name, flag string
	kind       fieldKind
	usage      string
	// required on create; update sends only what is given.
	required bool
	// nullable fields may be cleared by an update with null in a JSON file.
	nullable bool
	// alias is another name a file's column may have (a stock's "quantity", as sync reads it).
	alias string
}

// activeField is the is_active every resource has.
var activeField = field{name: "is_active", flag: "active", kind: booleanField, usage: "whether it is active (--active=false makes it inactive)"}

// readOnlyColumns are fields of a listed record that a file may carry and that are not
// written: id says which record an update or delete is for, and is ignored by create.
var readOnlyColumns = []string{"id", "created_date", "modified_date"}

// record is one record to write, read from the flags or from a file.
type record struct {
	// where names it in errors: "the flags", or a file's line or record number.
	where string
	// id is the record's id, 0 when none was given.
	id int64
	// values holds each given field by name: a string, int64, bool, json.RawMessage,
	// whippyware.DateOrTime, providerCode, or nil for null (a nullable field on update).
	values map[string]any
}

// providerCode is a provider's code not yet looked up (see providerCodeField).
type providerCode string

func (r record) str(name string) string {
	s, _ := r.values[name].(string)
	return s
}

func (r record) strPtr(name string) *string { return ptr[string](r, name) }
func (r record) intPtr(name string) *int64  { return ptr[int64](r, name) }
func (r record) boolPtr(name string) *bool  { return ptr[bool](r, name) }
func (r record) int(name string) int64 {
	n, _ := r.values[name].(int64)
	return n
}
func (r record) raw(name string) json.RawMessage {
	b, _ := r.values[name].(json.RawMessage)
	return b
}
func (r record) date(name string) *whippyware.DateOrTime {
	return ptr[whippyware.DateOrTime](r, name)
}

// ptr returns a pointer to the value of name, nil when it was not given.
func ptr[V any](r record, name string) *V {
	if v, ok := r.values[name].(V); ok {
		return &v
	}
	return nil
}

// nullable returns the value of name for an update: left out, null, or the value.
func nullable[V any](r record, name string) whippyware.Nullable[V] {
	v, ok := r.values[name]
	switch {
	case !ok:
		return whippyware.Nullable[V]{}
	case v == nil:
		return whippyware.Null[V]()
	}
	return whippyware.Value(v.(V))
}

// parseText reads a value given as text (a flag or a CSV cell).
func parseText(f field, s string) (any, error) {
	switch f.kind {
	case integerField:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", s)
		}
		return n, nil
	case booleanField:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", s)
		}
		return b, nil
	case objectField:
		if b := []byte(strings.TrimSpace(s)); json.Valid(b) && len(b) > 0 && b[0] == '{' {
			return json.RawMessage(b), nil
		}
		return nil, fmt.Errorf("%q is not a JSON object", s)
	case dateField:
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
		}
		return whippyware.Date(t.Year(), t.Month(), t.Day()), nil
	case providerCodeField:
		return providerCode(s), nil
	}
	return s, nil
}

// parseJSONValue reads a value from a JSON file: a string as text would be read, or a
// value of the field's own JSON type. onUpdate says whether null clears a nullable field;
// skip is true for a null that leaves the field out.
func parseJSONValue(f field, raw json.RawMessage, onUpdate bool) (v any, skip bool, err error) {
	raw = bytes.TrimSpace(raw)
	var s string
	switch {
	case string(raw) == "null":
		return nil, !(onUpdate && f.nullable), nil
	case json.Unmarshal(raw, &s) == nil:
		if s == "" && f.kind != textField && f.kind != providerCodeField {
			return nil, true, nil // how an export writes a field with no value
		}
		v, err := parseText(f, s)
		return v, false, err
	}
	switch f.kind {
	case textField:
		var n json.Number // a code that looks like a number ("code": 300), read as its text
		if err := json.Unmarshal(raw, &n); err == nil {
			return string(n), false, nil
		}
	case integerField, providerCodeField:
		var n int64
		if err := json.Unmarshal(raw, &n); err == nil {
			return n, false, nil // a provider's id, for providerCodeField
		}
	case booleanField:
		var b bool
		if err := json.Unmarshal(raw, &b); err == nil {
			return b, false, nil
		}
	case objectField:
		if raw[0] == '{' {
			return raw, false, nil
		}
	}
	return nil, false, fmt.Errorf("%.40s is not a %s", raw, kindNames[f.kind])
}

// fieldValue is a field's flag: it keeps the text, read by parseText with the other
// fields, and names the field's kind in --help.
type fieldValue struct {
	text string
	kind fieldKind
}

func (v *fieldValue) String() string     { return v.text }
func (v *fieldValue) Set(s string) error { v.text = s; return nil }
func (v *fieldValue) Type() string       { return kindNames[v.kind] }

// input is where a create, update or delete takes its records from: flags or a file.
type input struct {
	fields []field
	file   string
	dryRun bool
}

// addFlags declares -f, --dry-run and, when withFields, a flag for each field.
func (in *input) addFlags(cmd *cobra.Command, what string, withFields bool) {
	flags := cmd.Flags()
	flags.StringVarP(&in.file, "file", "f", "", "read the records to "+what+" from this JSON or CSV file (- for standard input)")
	flags.BoolVar(&in.dryRun, "dry-run", false, "print what would be sent and send nothing")
	if !withFields {
		return
	}
	for _, f := range in.fields {
		flag := flags.VarPF(&fieldValue{kind: f.kind}, f.flag, "", f.usage)
		if f.kind == booleanField {
			flag.NoOptDefVal = "true"
		}
	}
}

// fromFlags returns the record the field flags give, and whether any was given.
func (in *input) fromFlags(cmd *cobra.Command) (record, bool, error) {
	rec := record{where: "the flags", values: map[string]any{}}
	for _, f := range in.fields {
		flag := cmd.Flags().Lookup(f.flag)
		if flag == nil || !flag.Changed {
			continue
		}
		v, err := parseText(f, flag.Value.String())
		if err != nil {
			return rec, false, fmt.Errorf("--%s %w", f.flag, err)
		}
		rec.values[f.name] = v
	}
	return rec, len(rec.values) > 0, nil
}

// maxInputBytes bounds a -f file, which is read whole and checked before the first write:
// 64 MiB is some 500,000 stock rows of CSV.
const maxInputBytes = 64 << 20

// readFile reads the records of in.file: a JSON object or array of objects, or a CSV file
// with a header naming the fields (",", ";" or tab between them). onUpdate says how a
// JSON null is read (see parseJSONValue). Without in.fields only the ids are read.
func (a *app) readFile(in *input, onUpdate bool) ([]record, error) {
	name := in.file
	var r io.Reader = a.stdin
	if name == "-" {
		name = "standard input"
		if isTerminal(a.stdin) {
			fmt.Fprintln(a.stderr, "whippyware: reading records from the terminal; end them with Ctrl-D, or give a file (-f records.csv)")
		}
	} else {
		f, err := os.Open(in.file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInputBytes+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", name, err)
	case len(b) > maxInputBytes:
		return nil, fmt.Errorf("%s is larger than %d MiB: split it", name, maxInputBytes>>20)
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	var recs []record
	if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		recs, err = readJSONRecords(name, t, in.fields, onUpdate)
	} else {
		recs, err = readCSVRecords(name, b, in.fields)
	}
	if err == nil && len(recs) == 0 {
		err = fmt.Errorf("%s holds no records", name)
	}
	return recs, err
}

// fieldNamed returns the field a file's key or column names.
func fieldNamed(fields []field, name string) (field, bool) {
	for _, f := range fields {
		if name == f.name || (f.alias != "" && name == f.alias) {
			return f, true
		}
	}
	return field{}, false
}

func unknownField(name string, fields []field) error {
	known := make([]string, 0, len(fields)+len(readOnlyColumns))
	for _, f := range fields {
		known = append(known, f.name)
	}
	return fmt.Errorf("unknown field %q (known: %s; %s are read only)", name, strings.Join(known, ", "), strings.Join(readOnlyColumns, ", "))
}

// parseID reads a record's id.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id < 1 {
		return 0, fmt.Errorf("%q is not an id (a whole number from 1)", s)
	}
	return id, nil
}

func readJSONRecords(name string, b []byte, fields []field, onUpdate bool) ([]record, error) {
	var objects []map[string]json.RawMessage
	if b[0] == '{' {
		b = append(append([]byte("["), b...), ']')
	}
	if err := json.Unmarshal(b, &objects); err != nil {
		return nil, fmt.Errorf("%s: %w (want a JSON object or an array of objects)", name, err)
	}
	recs := make([]record, len(objects))
	for i, obj := range objects {
		rec := record{where: fmt.Sprintf("%s record %d", name, i+1), values: map[string]any{}}
		for _, key := range slices.Sorted(maps.Keys(obj)) { // so that the first error is always the same
			if err := rec.setJSON(key, obj[key], fields, onUpdate); err != nil {
				return nil, fmt.Errorf("%s: %w", rec.where, err)
			}
		}
		recs[i] = rec
	}
	return recs, nil
}

func (rec *record) setJSON(key string, raw json.RawMessage, fields []field, onUpdate bool) error {
	if key == "id" {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw)
		}
		id, err := parseID(s)
		rec.id = id
		return err
	}
	if fields == nil || slices.Contains(readOnlyColumns, key) {
		return nil // a delete's file: only the id is read
	}
	f, ok := fieldNamed(fields, key)
	if !ok {
		return unknownField(key, fields)
	}
	v, skip, err := parseJSONValue(f, raw, onUpdate)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	if !skip {
		rec.values[f.name] = v
	}
	return nil
}

// delimiter returns the separator of a CSV header line: the one of ",", ";" and tab it
// holds most of ("," when none: a header of one column).
func delimiter(header string) rune {
	best, n := ',', 0
	for _, d := range []rune{',', ';', '\t'} {
		if c := strings.Count(header, string(d)); c > n {
			best, n = d, c
		}
	}
	return best
}

func readCSVRecords(name string, b []byte, fields []field) ([]record, error) {
	header, _, _ := strings.Cut(string(b), "\n")
	cr := csv.NewReader(bufio.NewReader(bytes.NewReader(b)))
	cr.Comma = delimiter(header)
	cr.FieldsPerRecord = -1 // a line of another length is named below, with the delimiter
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header: %w", name, err)
	}
	// columns[i] is the field of column i; idColumn is the id's, -1 when absent.
	columns, idColumn := make([]*field, len(head)), -1
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		switch f, ok := fieldNamed(fields, h); {
		case h == "id":
			idColumn = i
		case fields == nil || slices.Contains(readOnlyColumns, h):
			// Not written; a delete's file is read for its ids only.
		case !ok:
			return nil, fmt.Errorf("%s line 1: %w", name, unknownField(h, fields))
		default:
			columns[i] = &f
		}
	}
	var recs []record
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		rec := record{where: fmt.Sprintf("%s line %d", name, line), values: map[string]any{}}
		switch {
		case len(cells) == 1 && len(head) > 1:
			return nil, fmt.Errorf("%s has 1 field: no %q in the line, which the header separates with %q; is the line separated by another delimiter?",
				rec.where, string(cr.Comma), string(cr.Comma))
		case len(cells) != len(head):
			return nil, fmt.Errorf("%s has %d fields, the header %d (%q between them)", rec.where, len(cells), len(head), string(cr.Comma))
		}
		for i, cell := range cells {
			cell = spreadsheetUnescaped(strings.TrimSpace(cell))
			switch {
			case cell == "":
				// An export's empty cell: no value, not an empty one.
			case i == idColumn:
				if rec.id, err = parseID(cell); err != nil {
					return nil, fmt.Errorf("%s: id %w", rec.where, err)
				}
			case columns[i] != nil:
				v, err := parseText(*columns[i], cell)
				if err != nil {
					return nil, fmt.Errorf("%s: %s %w", rec.where, columns[i].name, err)
				}
				rec.values[columns[i].name] = v
			}
		}
		recs = append(recs, rec)
	}
}

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sync"

	"github.com/whippyware-go/whippyware/stocksync"
)

// reportFile is the --report file, created before the first request (so that a path it
// cannot write fails the run before it writes anything) with mode 0600: it holds the
// service's messages. A sync streams each outcome into it as the row finishes, so that
// memory does not grow with the rows, then closes it with the report's counts: one JSON
// object, {"outcomes": [...], "created": ..., ...}, as the report marshals.
type reportFile struct {
	mu     sync.Mutex
	path   string
	f      *os.File
	w      *bufio.Writer
	n      int
	err    error
	closed bool
}

// createReport creates the report file at path; input is what the sync reads, which the
// report must not be: opening it would empty the stock file before it is read.
func createReport(path string, input io.Reader) (*reportFile, error) {
	if path == "" {
		return nil, nil
	}
	if in, ok := input.(*os.File); ok { // a file, or standard input redirected from one
		inInfo, inErr := in.Stat()
		repInfo, repErr := os.Stat(path)
		if inErr == nil && repErr == nil && os.SameFile(inInfo, repInfo) {
			return nil, fmt.Errorf("--report %s is the input file: name another file for the report", path)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--report: %w", err)
	}
	if err := f.Chmod(0o600); err != nil { // a file that was there keeps its mode otherwise
		f.Close()
		return nil, fmt.Errorf("--report: %w", err)
	}
	return &reportFile{path: path, f: f, w: bufio.NewWriter(f)}, nil
}

// outcome appends one outcome; it does nothing once the file is closed (a write that
// ends after a second Ctrl-C).
func (r *reportFile) outcome(o stocksync.Outcome) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.err != nil {
		return
	}
	b, err := json.Marshal(o)
	if err != nil {
		r.err = err
		return
	}
	sep := ",\n    "
	if r.n == 0 {
		sep = "{\n  \"outcomes\": [\n    "
	}
	r.n++
	if _, err := fmt.Fprintf(r.w, "%s%s", sep, b); err != nil {
		r.err = err
	}
}

// finish writes the fields of v (a report) but its outcomes after the streamed ones, and
// closes the file.
func (r *reportFile) finish(v any) error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	b, err := json.Marshal(v)
	var fields map[string]json.RawMessage
	if err == nil {
		err = json.Unmarshal(b, &fields)
	}
	if err != nil {
		r.f.Close()
		return err
	}
	delete(fields, "outcomes")
	if r.n == 0 {
		fmt.Fprint(r.w, "{\n  \"outcomes\": []")
	} else {
		fmt.Fprint(r.w, "\n  ]")
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		fmt.Fprintf(r.w, ",\n  %q: %s", k, fields[k])
	}
	fmt.Fprint(r.w, "\n}\n")
	return r.close()
}

// whole writes v as one indented JSON document (a plan) and closes the file.
func (r *reportFile) whole(v any) error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		r.f.Close()
		return err
	}
	_, r.err = r.w.Write(append(b, '\n'))
	return r.close()
}

// discard removes the file of a run that wrote nothing.
func (r *reportFile) discard() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	r.f.Close()
	os.Remove(r.path)
}

func (r *reportFile) close() error {
	err := r.err
	if ferr := r.w.Flush(); err == nil {
		err = ferr
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--report %s: %w", r.path, err)
	}
	return nil
}

package stocksync

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Result is what became of one row.
type Result string

// The results of a row. Unchanged rows are counted in Report.Unchanged, not listed.
const (
	Created Result = "created"
	Updated Result = "updated"
	Zeroed  Result = "zeroed"
	Failed  Result = "failed"
	// unchanged is a create that found the row made by another run, as asked: counted
	// in Report.Unchanged, not listed.
	unchanged Result = "unchanged"
)

// Outcome is what became of one row of the plan, or of one invalid input row.
type Outcome struct {
	// Line is the input line, 0 for a zeroed row or a row not read from a file.
	Line int `json:"line,omitempty"`
	Key
	Result Result `json:"result"`
	// ID is the stock row's id on the service, when known.
	ID int64 `json:"id,omitempty"`
	// Messages say why a row failed: the service's messages for a refused write
	// (field: message), else the error.
	Messages []string `json:"messages,omitempty"`
}

// String prints the outcome whole ("line 3 SKU-1@erp/110[standard] created id 7"), where
// the embedded Key's String would print only the key.
func (o Outcome) String() string {
	var b strings.Builder
	if o.Line > 0 {
		fmt.Fprintf(&b, "line %d ", o.Line)
	}
	fmt.Fprintf(&b, "%s %s", o.Key, o.Result)
	if o.ID > 0 {
		fmt.Fprintf(&b, " id %d", o.ID)
	}
	if len(o.Messages) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(o.Messages, "; "))
	}
	return b.String()
}

func (o Outcome) where() string {
	var b strings.Builder
	if o.Line > 0 {
		fmt.Fprintf(&b, "line %d ", o.Line)
	}
	if o.SKU != "" {
		fmt.Fprintf(&b, "%s ", o.Key)
	}
	b.WriteString(strings.Join(o.Messages, "; "))
	return strings.TrimSpace(b.String())
}

// Report is what a sync did.
type Report struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Zeroed    int `json:"zeroed"`
	// Failed counts the failed writes and the invalid input rows.
	Failed     int `json:"failed"`
	Superseded int `json:"superseded"`
	// InvalidRows counts the invalid input rows (Plan.InvalidRows); Outcomes lists the
	// first Options.MaxInvalidListed of them.
	InvalidRows int `json:"invalid_rows"`
	// InvalidListed is how many of them Outcomes lists.
	InvalidListed int `json:"invalid_listed"`
	// Skipped, ZeroesWithheld, UnkeyedRows and Refused are the plan's (see Plan).
	Skipped        int           `json:"skipped,omitempty"`
	ZeroesWithheld int           `json:"zeroes_withheld,omitempty"`
	UnkeyedRows    int           `json:"unkeyed_rows,omitempty"`
	Refused        []ZeroRefusal `json:"refused,omitempty"`
	// NotDone counts planned writes not made because the run was cancelled or stopped.
	NotDone int `json:"not_done"`
	// Requests counts the requests sent, the plan's included, each retry included.
	Requests int `json:"requests"`
	// Throttled counts the 429s the service answered, the plan's included.
	Throttled int `json:"throttled"`
	// Rate is the rate limit at the end in requests per second, as learned from the
	// service's answers (0 for none).
	Rate float64 `json:"rate"`
	// Duration is the run's wall time: plan included through Sync, from the first
	// write through Apply.
	Duration time.Duration `json:"-"`
	// Outcomes are the rows written or failed, invalid input rows first, then in plan
	// order; with Options.OnOutcome only the invalid and failed rows.
	Outcomes []Outcome `json:"outcomes"`
}

// OK tells whether every row is done: none failed and none left undone.
func (r *Report) OK() bool { return r.Failed == 0 && r.NotDone == 0 }

// MarshalJSON adds the duration in seconds.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return json.Marshal(struct {
		*plain
		DurationSeconds float64 `json:"duration_seconds"`
	}{(*plain)(r), r.Duration.Seconds()})
}

// WriteSummary prints the failed rows, one a line, then one line of counts.
func (r *Report) WriteSummary(w io.Writer) error {
	var b strings.Builder
	for _, o := range r.Outcomes {
		if o.Result == Failed {
			fmt.Fprintf(&b, "failed %s\n", o.where())
		}
	}
	if r.InvalidRows > r.InvalidListed {
		fmt.Fprintf(&b, "failed: %d more invalid lines not listed\n", r.InvalidRows-r.InvalidListed)
	}
	b.WriteString((&Plan{Skipped: r.Skipped, ZeroesWithheld: r.ZeroesWithheld, UnkeyedRows: r.UnkeyedRows, InvalidRows: r.InvalidRows, Refused: r.Refused}).guardText())
	fmt.Fprintf(&b, "%s\n", r)
	_, err := io.WriteString(w, b.String())
	return err
}

// String is the report's counts on one line.
func (r *Report) String() string {
	s := fmt.Sprintf("created %d, updated %d, unchanged %d, zeroed %d, failed %d, superseded %d",
		r.Created, r.Updated, r.Unchanged, r.Zeroed, r.Failed, r.Superseded)
	if r.NotDone > 0 {
		s += fmt.Sprintf(", not done %d", r.NotDone)
	}
	return s + fmt.Sprintf("; %s (%d throttled) in %s", requests(r.Requests), r.Throttled, r.Duration.Round(time.Millisecond))
}

func (r *Report) count(res Result) {
	switch res {
	case unchanged:
		r.Unchanged++
	case Created:
		r.Created++
	case Updated:
		r.Updated++
	case Zeroed:
		r.Zeroed++
	case Failed:
		r.Failed++
	}
}

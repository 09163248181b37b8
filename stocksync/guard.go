package stocksync

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ZeroLimit bounds how many rows of one provider a snapshot may zero, counted against
// the provider's rows that hold stock (stock not 0) before the sync.
type ZeroLimit struct {
	// Percent is the share of those rows, 0 to 100.
	Percent float64
	// Rows is a number of rows. With Percent set too, it is a floor for small stores:
	// up to Rows may be zeroed even when Percent allows fewer, but never more than half.
	Rows int
}

// DefaultMaxZero is the limit when Options.MaxZero is nil: 10% of a provider's rows that
// hold stock, or up to 20 rows when that is more, but at most half of them. An ERP's
// daily export drops a few discontinued items, far from 10% of a store; an export cut
// short, or one of another store, zeroes far more. The floor lets a store of a few dozen
// rows drop a handful of items at once, and "at most half" keeps a store of a few rows
// from being emptied by an export that ended after its first line.
var DefaultMaxZero = ZeroLimit{Percent: 10, Rows: 20}

// ParseZeroLimit reads a limit as the command's --max-zero takes it: "25%" (a share of
// the rows that hold stock) or "500" (a number of rows).
func ParseZeroLimit(s string) (ZeroLimit, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f < 0 || f > 100 || math.IsNaN(f) {
			return ZeroLimit{}, fmt.Errorf("stocksync: max zero %q: a share is 0%% to 100%%", s)
		}
		return ZeroLimit{Percent: f}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return ZeroLimit{}, fmt.Errorf("stocksync: max zero %q: give a share like 25%% or a number of rows like 500", s)
	}
	return ZeroLimit{Rows: n}, nil
}

func (l ZeroLimit) valid() error {
	if l.Percent < 0 || l.Percent > 100 || math.IsNaN(l.Percent) || l.Rows < 0 {
		return fmt.Errorf("stocksync: MaxZero: Percent is 0 to 100 and Rows not negative")
	}
	return nil
}

// allowed is how many of held rows may be zeroed.
func (l ZeroLimit) allowed(held int) int {
	share := int(math.Floor(l.Percent / 100 * float64(held)))
	switch {
	case l.Percent > 0 && l.Rows > 0:
		return max(share, min(l.Rows, held/2))
	case l.Percent > 0:
		return share
	}
	return l.Rows
}

// String prints the limit as ParseZeroLimit reads it (the default in words).
func (l ZeroLimit) String() string {
	switch {
	case l.Percent > 0 && l.Rows > 0:
		return fmt.Sprintf("%g%% or up to %d rows, at most half", l.Percent, l.Rows)
	case l.Percent > 0:
		return fmt.Sprintf("%g%%", l.Percent)
	}
	return strconv.Itoa(l.Rows)
}

// ErrTooManyZeroes is wrapped by the error of a snapshot that would zero more rows than
// its limit allows; such a plan writes nothing.
var ErrTooManyZeroes = errors.New("stocksync: the snapshot would zero too many rows")

// ZeroRefusal is one provider whose rows a snapshot would zero past the limit.
type ZeroRefusal struct {
	Provider string `json:"provider"`
	// Zeroes is how many rows the snapshot would zero, Held how many hold stock now,
	// Allowed how many the limit allows.
	Zeroes  int `json:"zeroes"`
	Held    int `json:"held"`
	Allowed int `json:"allowed"`
}

// String says it in one line, as the plan and the summary print it.
func (z ZeroRefusal) String() string {
	return fmt.Sprintf("provider %q: %d of its %d rows with stock would be zeroed, %d allowed", z.Provider, z.Zeroes, z.Held, z.Allowed)
}

// guard applies the snapshot guards to a plan whose changes are made: without an opt-in,
// an invalid input row withholds every zero; then a provider whose zeroes pass the limit
// refuses the plan.
func (p *Plan) guard(opts Options, held map[string]int) {
	if !p.Snapshot {
		return
	}
	zeroes := map[string]int{}
	for _, c := range p.changes {
		if actions[c.action] == Zero {
			zeroes[p.names[c.provider]]++
		}
	}
	if len(zeroes) == 0 {
		return
	}
	if p.InvalidRows > 0 && !opts.ZeroDespiteInvalid {
		p.ZeroesWithheld = p.Count(Zero)
		p.changes = slices.DeleteFunc(p.changes, func(c change) bool { return actions[c.action] == Zero })
		return
	}
	if len(p.unkeyed) > 0 {
		// Zeroing despite invalid rows still never zeroes a row the input lists: when a
		// line's key cannot be read whole, that row could be any of its provider's.
		doubtful := func(provider string) bool { return p.unkeyed[""] > 0 || p.unkeyed[provider] > 0 }
		before := len(p.changes)
		p.changes = slices.DeleteFunc(p.changes, func(c change) bool { return actions[c.action] == Zero && doubtful(p.names[c.provider]) })
		if p.ZeroesWithheld = before - len(p.changes); p.ZeroesWithheld > 0 {
			for _, n := range p.unkeyed {
				p.UnkeyedRows += n
			}
		}
		maps.DeleteFunc(zeroes, func(provider string, _ int) bool { return doubtful(provider) })
	}
	limit := DefaultMaxZero
	if opts.MaxZero != nil {
		limit = *opts.MaxZero
	}
	for _, provider := range slices.Sorted(maps.Keys(zeroes)) {
		if n, allowed := zeroes[provider], limit.allowed(held[provider]); n > allowed {
			p.Refused = append(p.Refused, ZeroRefusal{Provider: provider, Zeroes: n, Held: held[provider], Allowed: allowed})
		}
	}
}

// refusal is the error of a plan the guard refused, nil for one it let through.
func (p *Plan) refusal() error {
	if len(p.Refused) == 0 {
		return nil
	}
	parts := make([]string, len(p.Refused))
	for i, z := range p.Refused {
		parts[i] = z.String()
	}
	return fmt.Errorf("%w, so nothing was written: %s (the limit is --max-zero, Options.MaxZero; an export cut short looks like this)",
		ErrTooManyZeroes, strings.Join(parts, "; "))
}

// guardText says, one line each, what the guards did to a plan: zeroes withheld, rows
// skipped, providers refused.
func (p *Plan) guardText() string {
	var b strings.Builder
	if p.Skipped > 0 {
		fmt.Fprintf(&b, "skipped %d rows of other providers\n", p.Skipped)
	}
	if p.ZeroesWithheld > 0 && p.UnkeyedRows > 0 {
		fmt.Fprintf(&b, "zeroed less: %d invalid rows name no whole key, so the rows they list are not known, and %d rows of their providers (of every provider when the provider could not be read) were left as they are\n",
			p.UnkeyedRows, p.ZeroesWithheld)
	} else if p.ZeroesWithheld > 0 {
		fmt.Fprintf(&b, "zeroed nothing: the input has %d invalid rows, so %d rows it does not list were left as they are (zero anyway with --zero-despite-invalid)\n",
			p.InvalidRows, p.ZeroesWithheld)
	}
	for _, z := range p.Refused {
		fmt.Fprintf(&b, "refused: %s\n", z)
	}
	return b.String()
}

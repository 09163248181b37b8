// Package benchsize sizes what benchmarks seed, walk or send. A benchmark measures at
// its full size; under -short it uses at most Short records, so that CI's smoke pass
// (go test -short -run '^$' -bench . -benchtime 1x) still runs every benchmark's code,
// and fails when one breaks, without paying for its full setup.
package benchsize

import "testing"

// Short is the most records a benchmark uses under -short.
const Short = 1000

// N returns n, or Short when the test binary runs with -short and n is larger. Call it
// inside a benchmark, not at package level: the test flags are parsed only then.
func N(n int) int {
	if testing.Short() {
		return min(n, Short)
	}
	return n
}

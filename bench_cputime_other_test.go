//go:build !unix

package whippyware_test

import "time"

// processCPUTime is not measured here: BenchmarkPaired reports no CPU ratios.
func processCPUTime() time.Duration { return 0 }

//go:build unix

package whippyware_test

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time the process has used, user and system, in all its
// threads: time spent descheduled by other processes on a shared machine does not
// count, which wall-clock time does.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

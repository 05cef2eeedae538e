//go:build unix

package segmentlog

import "syscall"

// processCPU returns the CPU time (user and system, all threads) the
// process has used so far, in nanoseconds. Benchmarks report it per
// operation: on a shared machine it is steadier than wall-clock time.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

//go:build !unix

// CPU times for INFO cpu: not available on this platform.
package redis

// cpuTimes returns zeros where getrusage is missing.
func cpuTimes() (sys, user float64) { return 0, 0 }

package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles writes a CPU profile to $TLSAUDIT_CPUPROFILE and a heap
// profile to $TLSAUDIT_MEMPROFILE (at exit) when they are set: a hidden
// hook for bench/, not a user-facing flag. The returned function
// stops and writes them.
func startProfiles() func() {
	cpu, mem := os.Getenv("TLSAUDIT_CPUPROFILE"), os.Getenv("TLSAUDIT_MEMPROFILE")
	var cf *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "tlsaudit: warning: CPU profile: %v\n", err)
		} else {
			cf = f
		}
	}
	return func() {
		if cf != nil {
			pprof.StopCPUProfile()
			cf.Close()
		}
		if mem != "" {
			f, err := os.Create(mem)
			if err == nil {
				runtime.GC()
				err = pprof.WriteHeapProfile(f)
				f.Close()
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "tlsaudit: warning: heap profile: %v\n", err)
			}
		}
	}
}

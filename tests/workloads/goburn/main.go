// SPDX-License-Identifier: GPL-2.0
//
// Go workload (stdlib only), built stripped with -ldflags='-s -w' so that only
// .gopclntab names its functions.
//
//	goburn             print "main.burn 0xADDR" lines, then wait for EOF on stdin
//	goburn burn SECS   burn CPU inside main.burn for SECS seconds
//	goburn sleep       sleep 5 x 200 ms inside main.sleepy
package main

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"syscall"
	"time"
)

var sink uint64

//go:noinline
func burn(secs float64) {
	end := time.Now().Add(time.Duration(secs * float64(time.Second)))
	for time.Now().Before(end) {
		for i := uint64(0); i < 100000; i++ {
			sink += i * 7
		}
	}
}

// sleepy blocks its OS thread in nanosleep (not time.Sleep, which parks the
// goroutine and leaves the thread's stack in the scheduler), so off-CPU stacks
// of the thread show main.sleepy.
//
//go:noinline
func sleepy() {
	for i := 0; i < 5; i++ {
		ts := syscall.NsecToTimespec(int64(200 * time.Millisecond))
		for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
		}
	}
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "burn" {
		secs, err := strconv.ParseFloat(os.Args[2], 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "goburn: bad seconds:", err)
			os.Exit(2)
		}
		burn(secs)
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "sleep" {
		sleepy()
		return
	}
	fmt.Printf("main.burn %#x\n", reflect.ValueOf(burn).Pointer())
	fmt.Printf("main.sleepy %#x\n", reflect.ValueOf(sleepy).Pointer())
	fmt.Println("ready")
	r := bufio.NewReader(os.Stdin)
	for {
		if _, err := r.ReadByte(); err != nil {
			return
		}
	}
}

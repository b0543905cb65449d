// SPDX-License-Identifier: GPL-2.0
//
// Go workload (stdlib only): a tiny stand-in for a Go CSI node plugin, for hooking
// a Go method with an entry uprobe plus one uprobe per return instruction.
//
//	gostage SCRIPT ARGS...            NodeStageVolume runs SCRIPT ARGS once
//	gostage --loop N SCRIPT ARGS...   N sequential NodeStageVolume calls
//
// The exit status is the script's (the first failing call's with --loop); 127 when
// it cannot be started, 128+N when signal N killed it, 2 for bad arguments.
// Built stripped (-ldflags='-s -w', names only in .gopclntab) as gostage and
// unstripped as gostage.full.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

type nodeServer struct {
	staged int
}

// NodeStageVolume is the function under test: a method on a pointer receiver, so
// its symbol is main.(*nodeServer).NodeStageVolume.
//
//go:noinline
func (ns *nodeServer) NodeStageVolume(script string, args []string) error {
	cmd := exec.Command(script, args...)
	cmd.Stdin = os.Stdin
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	ns.staged++
	return nil
}

func exitStatus(err error) int {
	var ee *exec.ExitError

	if !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "gostage:", err)
		return 127
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gostage [--loop N] SCRIPT [ARGS...]")
	os.Exit(2)
}

func main() {
	args := os.Args[1:]
	loops := 1
	if len(args) > 0 && args[0] == "--loop" {
		if len(args) < 2 {
			usage()
		}
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 0 {
			usage()
		}
		loops = n
		args = args[2:]
	}
	if len(args) == 0 {
		usage()
	}
	ns := &nodeServer{}
	for i := 0; i < loops; i++ {
		if err := ns.NodeStageVolume(args[0], args[1:]); err != nil {
			os.Exit(exitStatus(err))
		}
	}
}

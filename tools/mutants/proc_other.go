//go:build !unix

package main

import "os/exec"

// ownGroup: without process groups, stopping cmd at its time limit stops
// cmd itself (exec.CommandContext's default); a test binary it started may
// outlive it.
func ownGroup(cmd *exec.Cmd) {}

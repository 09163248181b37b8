//go:build !unix && !windows

package main

import (
	"errors"
	"os"
)

// tryLock has no lock to take on this system: the command asks for --no-lock.
func tryLock(*os.File) error {
	return errors.New("file locks are not supported on this system: give --no-lock")
}

func unlockFile(*os.File) error { return nil }

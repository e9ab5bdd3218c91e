//go:build !unix

package sqlite

// processAlive cannot check here, so every note is believed.
func processAlive(int) bool { return true }

// Package sandbox runs untrusted programs — test binaries of candidate code
// — isolated from the user's files, processes, secrets and network.
package sandbox

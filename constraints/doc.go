// Package constraints decides which spans of a canvas are still wrong: it
// loads package metadata with go/packages and checks canvases cheapest
// first — syntax (go/parser), types (go/types in-process, imports read
// once from export data), vet (the cmd/vet analyzers in-process), build
// (go build -overlay) and tests (go test -overlay) — stopping at the first
// category with findings.
//
// # Overlays
//
// The go command sees a canvas through -overlay: changed files are written
// to a temporary directory, never into the user's tree.
//
// # Tests
//
// The test binary is built once per canvas, run in the package directory
// with an environment scrubbed of secrets (see [ScrubEnv]), and killed with
// its whole process group at the timeout. When tests fail, each test is run
// alone with statement coverage recorded by difgen's own instrumentation
// (the go command's -cover ignores -overlay), and statements are ranked by
// Ochiai suspiciousness by [Checker.Suspects].
//
// # Caching
//
// A [Checker] caches parsed files by content, imported packages' types for
// its lifetime, and reports by canvas content: re-checking a canvas already
// seen is free, and a type check after a one-file edit re-parses one file.
package constraints

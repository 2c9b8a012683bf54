// Package constraints decides which spans of a canvas are still wrong: it
// loads package metadata with go/packages and checks canvases cheapest
// first — syntax (go/parser), types (go/types in-process, imports read
// once from export data), vet (go vet's analyzers), build (go build
// -overlay) and tests (go test -overlay) — stopping at the first category
// with findings.
//
// # Agreeing with the go command
//
// A finding exists only if go build, go vet or go test would report it on
// the same files. The vet findings are go vet's own (go vet -json
// -overlay): the analyzers also run in-process, with cmd/vet's list and
// configuration and the facts of the dependencies, but that run (x/tools'
// version of the analyzers, not the toolchain's) only screens canvases:
// go vet confirms what it finds, judges the package as on disk and cgo
// packages, and takes over for good in a checker where it found what the
// in-process run missed. The in-process type errors of a cgo package
// (package C faked) are confirmed by compiling it. TestAgreement measures
// all this against the go command on hundreds of packages.
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
// A [Cache] shared by checkers lists each dependency once, computes its vet
// facts once (once per machine with Cache.FactsDir) and vets the packages
// as on disk in one go command ([Cache.Prefetch], [Cache.PrefetchVet]).
package constraints

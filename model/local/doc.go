// Package local is difgen's embedded default denoiser: a masked-token
// model trained on Go source, combined with type-directed candidates from
// go/types and a package-local cache.
package local

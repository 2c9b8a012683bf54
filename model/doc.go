// Package model defines the denoiser interface: given a canvas with holes,
// propose ranked candidate fills for each hole.
//
// Implementations live in subpackages: local (the embedded default, a
// type-constrained masked-token model), remote (an OpenAI-compatible
// endpoint) and fake (deterministic, for tests). Every implementation must
// pass the conformance table in package modeltest.
package model

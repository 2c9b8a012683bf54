package local

import (
	"testing"

	"github.com/difgen/difgen/model"
	"github.com/difgen/difgen/model/modeltest"
)

// TestConformance runs the model.Denoiser conformance table against the
// local denoiser over an n-gram model trained on a few standard-library
// packages.
func TestConformance(t *testing.T) {
	m := smallModel(t)
	modeltest.Run(t, func(t *testing.T) model.Denoiser {
		return New(m, nil)
	})
}

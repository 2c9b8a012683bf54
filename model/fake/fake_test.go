package fake_test

import (
	"testing"

	"github.com/difgen/difgen/model"
	"github.com/difgen/difgen/model/fake"
	"github.com/difgen/difgen/model/modeltest"
)

func TestConformance(t *testing.T) {
	modeltest.Run(t, func(t *testing.T) model.Denoiser {
		return &fake.Denoiser{Answers: map[string][]string{
			`total += x`: {`total += x`, `total -= x`, `total = x`, `total++`},
			`"world"`:    {`"world"`},
		}}
	})
}

package spec_test

import (
	"strings"
	"testing"

	"github.com/difgen/difgen/internal/spec"
)

const bodiesSrc = `package p

import "strings"

// F is a function.
func F(s string) string {
	return strings.ToUpper(s)
}

func (t *T[K]) M() (n int, err error) { return 0, nil }

func G(x int) (int, []string) {
	__("hole")
}

func H() {}

type T[K any] struct{}
`

func TestBodies(t *testing.T) {
	bs, err := spec.Bodies(bodiesSrc)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"F": "\n\treturn *new(string)\n", "T.M": "\n\treturn\n", "G": "\n\treturn *new(int), *new([]string)\n", "H": "\n"} {
		b, ok := bs[key]
		if !ok {
			t.Errorf("no body for %s", key)
			continue
		}
		if b.Stub != want {
			t.Errorf("%s: stub %q, want %q", key, b.Stub, want)
		}
		if b.Statements != (key != "H") {
			t.Errorf("%s: Statements %v", key, b.Statements)
		}
	}
	// Every stub compiles in place: checked by the gen tests, which run
	// the go command; here, that it parses.
	src := bodiesSrc
	for _, key := range []string{"F", "T.M", "G", "H"} {
		src, err = spec.SetBody(src, key, bs[key].Stub)
		if err != nil {
			t.Fatal(err)
		}
		bs, _ = spec.Bodies(src)
	}
	if strings.Contains(src, "ToUpper(s)") || strings.Contains(src, `__("hole")`) {
		t.Errorf("bodies not replaced:\n%s", src)
	}
	if _, err := spec.SetBody(src, "Nope", ""); err == nil {
		t.Error("SetBody of a missing function: no error")
	}
}

func TestSkeleton(t *testing.T) {
	filled := strings.Replace(bodiesSrc, `__("hole")`, "return x, nil // filled", 1)
	filled = strings.Replace(filled, `import "strings"`, `import (
	"fmt"
	"strings"
)`, 1)
	a, err := spec.Skeleton(bodiesSrc, []string{"G"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := spec.Skeleton(filled, []string{"G"})
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("a filled hole and new imports change the skeleton:\n%s\n----\n%s", a, b)
	}
	edited := strings.Replace(filled, "ToUpper", "ToLower", 1)
	if c, _ := spec.Skeleton(edited, []string{"G"}); c == a {
		t.Error("an edit outside the holes leaves the skeleton unchanged")
	}
	redoc := strings.Replace(filled, "F is a function", "F is a func", 1)
	if c, _ := spec.Skeleton(redoc, []string{"G"}); c == a {
		t.Error("an edited doc comment leaves the skeleton unchanged")
	}
}

func TestStarter(t *testing.T) {
	s, err := spec.Parse("starter.md", []byte(spec.Starter()), nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range s.Funcs {
		keys = append(keys, f.Key)
	}
	if got := strings.Join(keys, " "); got != "Stack.Len Stack.IsEmpty Stack.Push Shout Trim" {
		t.Errorf("holes %s", got)
	}
	if s.GoMod == nil || s.GoMod.Module != "example.com/stack" || len(s.Files) != 3 {
		t.Errorf("go.mod %v, %d files", s.GoMod, len(s.Files))
	}
}

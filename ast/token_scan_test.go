package ast

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSplitIdent(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want string
	}{
		{"parseHTTPRequest", "parse|HTTP|Request"},
		{"int64", "int|64"},
		{"max_len", "max|_|len"},
		{"URL", "URL"},
		{"x", "x"},
		{"_", "_"},
		{"__", "__"},
		{"ServeHTTP", "Serve|HTTP"},
		{"IPv4", "I|Pv|4"},
		{"errNotFound", "err|Not|Found"},
		{"ÄpfelBaum", "Äpfel|Baum"},
		{"utf8", "utf|8"},
		{"x2y", "x|2|y"},
	} {
		got := strings.Join(SplitIdent(tc.id), "|")
		if got != tc.want {
			t.Errorf("SplitIdent(%q) = %s, want %s", tc.id, got, tc.want)
		}
	}
}

func TestTokenize(t *testing.T) {
	src := "package p // comment\n\nfunc f(httpReq int) { if x := 12345; x != 0 { return \"hi\" + `raw` + \"a long string literal\" }; _ = 3.14159 }\n"
	var parts []string
	for _, tok := range Tokenize(src) {
		s := tok.Text
		if tok.Kind == IdentPiece && !tok.Start {
			s = "+" + s
		}
		parts = append(parts, s)
	}
	got := strings.Join(parts, " ")
	want := `package p ; func f ( http +Req int ) { if x := <int> ; x != 0 { return "hi" + "raw" + <string> } ; _ = <float> } ;`
	if got != want {
		t.Errorf("Tokenize:\n got %s\nwant %s", got, want)
	}
	toks := Tokenize(src)
	for _, tok := range toks {
		if tok.Kind == Comment {
			t.Errorf("comment token %q", tok.Text)
		}
		if tok.Kind != Literal && tok.Off != tok.End && src[tok.Off:tok.End] != tok.Text {
			t.Errorf("token %q spans %q", tok.Text, src[tok.Off:tok.End])
		}
	}
	// The first ";" is inserted at the newline after "p": empty span.
	if toks[2].Text != ";" || toks[2].Off != toks[2].End {
		t.Errorf("inserted semicolon = %+v, want empty span", toks[2])
	}
}

func TestLiteralClass(t *testing.T) {
	for text, want := range map[string]string{
		"0": IntClass, "0x1f": IntClass, "1.5": FloatClass, "1e3": FloatClass, "0x1p4": FloatClass,
		`"x"`: StringClass, "'a'": CharClass, "2i": ImagClass, "<int>": IntClass,
	} {
		if got := LiteralClass(text); got != want {
			t.Errorf("LiteralClass(%q) = %s, want %s", text, got, want)
		}
	}
}

// TestRoundTrip checks on real files that identifier pieces join back
// into the identifiers of the source.
func TestRoundTrip(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(goroot(t), "src", "net", "http", "*.go"))
	if len(files) == 0 {
		t.Skip("no GOROOT sources")
	}
	for _, f := range files[:min(len(files), 20)] {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(data)
		toks := Tokenize(src)
		var idents []Token
		for i := 0; i < len(toks); i++ {
			if toks[i].Kind == IdentPiece && toks[i].Start {
				j := i + 1
				for j < len(toks) && toks[j].Kind == IdentPiece && !toks[j].Start {
					j++
				}
				id := JoinPieces(toks[i:j])
				if len(id) != 1 || id[0] != src[toks[i].Off:toks[j-1].End] {
					t.Fatalf("%s: pieces %v join to %q, source has %q", f, toks[i:j], id, src[toks[i].Off:toks[j-1].End])
				}
				idents = append(idents, toks[i])
				i = j - 1
			}
		}
		if len(idents) == 0 {
			t.Errorf("%s: no identifiers", f)
		}
	}
	if got := JoinPieces(Tokenize("a.parseHTTPRequest(x)")); !slices.Equal(got, []string{"a", ".", "parseHTTPRequest", "(", "x", ")", ";"}) {
		t.Errorf("JoinPieces = %q", got)
	}
	if got := TokensText(Tokenize("err != nil")); got != "err != nil ;" && got != "err!=nil;" && got != "err!=nil" {
		t.Logf("TokensText = %q", got)
	}
}

func BenchmarkTokenize(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(goroot(b), "src", "net", "http", "server.go"))
	if err != nil {
		b.Skip(err)
	}
	src := string(data)
	b.SetBytes(int64(len(src)))
	var toks []Token
	for b.Loop() {
		toks = AppendTokens(toks[:0], src)
	}
}

func goroot(t testing.TB) string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skip("no go command")
	}
	return strings.TrimSpace(string(out))
}

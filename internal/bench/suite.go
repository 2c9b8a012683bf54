package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// ModuleFiles are the go.mod and go.sum of the module a suite's
// programs run in; the zero value makes a module without requirements.
type ModuleFiles struct {
	GoMod, GoSum string
}

func (m ModuleFiles) files(into map[string]string) map[string]string {
	mod := m.GoMod
	if mod == "" {
		mod = "module example.com/suite\n\ngo 1.22\n"
	}
	into["go.mod"] = mod
	if m.GoSum != "" {
		into["go.sum"] = m.GoSum
	}
	return into
}

// A record is one JSON line of a suite file.
type record struct {
	line   int
	fields map[string]any
}

func (r record) str(k string) string {
	s, _ := r.fields[k].(string)
	return s
}

// readJSONL reads the records of a JSON Lines file that carry every
// field of required as a string. Malformed lines become errors of
// their own (file:line: message); a file none of whose lines is such a
// record is not a suite file, and reported as one error.
func readJSONL(path, suite string, required ...string) ([]record, []error, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var (
		recs []record
		errs []error
		n    int
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		n++
		var m map[string]any
		if err := json.Unmarshal([]byte(text), &m); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: malformed record: %v", path, line, err))
			continue
		}
		var missing []string
		for _, k := range required {
			if _, ok := m[k].(string); !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			errs = append(errs, fmt.Errorf("%s:%d: malformed record: no string field %s", path, line, strings.Join(missing, ", ")))
			continue
		}
		recs = append(recs, record{line: line, fields: m})
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		why := "it is empty"
		if len(errs) > 0 {
			why = errs[0].Error()
		}
		return nil, nil, fmt.Errorf("%s: not a %s file (records with %s): %s", path, suite, strings.Join(required, ", "), why)
	}
	return recs, errs, nil
}

// ReadHumanEvalFix reads HumanEvalFix records (task_id, prompt,
// buggy_solution, canonical_solution, test, test_setup) into cases whose
// main.go holds the buggy solution; success is the test passing.
func ReadHumanEvalFix(path string, mod ModuleFiles) ([]*Case, []error, error) {
	recs, errs, err := readJSONL(path, "HumanEvalFix", "task_id", "prompt", "buggy_solution", "canonical_solution", "test", "test_setup")
	if err != nil {
		return nil, nil, err
	}
	var cases []*Case
	for _, r := range recs {
		id := r.str("task_id")
		buggy := humanEvalProgram(r.str("prompt"), r.str("buggy_solution"))
		want := humanEvalProgram(r.str("prompt"), r.str("canonical_solution"))
		note := r.str("bug_type")
		if s := r.str("failure_symptoms"); s != "" {
			note += ": " + s
		}
		cases = append(cases, &Case{
			ID:     "humanevalfix/" + id,
			Suite:  "humanevalfix",
			Family: HumanBug,
			Source: id,
			Note:   fmt.Sprintf("%s:%d: %s", path, r.line, note),
			Files:  mod.files(map[string]string{"main.go": buggy, "main_test.go": humanEvalTest(r)}),
			Pkg:    ".",
			Want:   map[string]string{"main.go": want},
			Check:  CheckTest,
		})
	}
	return cases, errs, nil
}

// ReadHumanEvalX reads HumanEval-X records (task_id, prompt,
// canonical_solution, test, test_setup; the function is entry_point, or
// the one named by declaration or last declared in prompt) and masks one span
// of each reference solution per family in fams (HoleExpr, HoleStmt,
// HoleBody), chosen by a generator seeded by (task, family, seed).
func ReadHumanEvalX(path string, mod ModuleFiles, fams []Family, seed int64) ([]*Case, []error, error) {
	recs, errs, err := readJSONL(path, "HumanEval-X", "task_id", "prompt", "canonical_solution", "test", "test_setup")
	if err != nil {
		return nil, nil, err
	}
	var cases []*Case
	for _, r := range recs {
		id := r.str("task_id")
		ref := humanEvalProgram(r.str("prompt"), r.str("canonical_solution"))
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "main.go", ref, parser.ParseComments)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %s: reference does not parse: %v", path, r.line, id, err))
			continue
		}
		for _, fam := range fams {
			sites := holeSites(fset, f, []byte(ref), fam, entryPoint(r))
			if len(sites) == 0 {
				continue
			}
			h := fnv.New64a()
			fmt.Fprintf(h, "%s\x00%s", id, fam)
			s := sites[rand.New(rand.NewPCG(h.Sum64(), uint64(seed))).IntN(len(sites))]
			masked := pruneImports(ref[:s.Start] + s.New + ref[s.End:])
			cases = append(cases, &Case{
				ID:     fmt.Sprintf("humanevalx/%s/%s/%d", id, fam, seed),
				Suite:  "humanevalx",
				Family: fam,
				Source: id,
				Note:   fmt.Sprintf("%s:%d: %s", path, r.line, s.Note),
				Files:  mod.files(map[string]string{"main.go": masked, "main_test.go": humanEvalTest(r)}),
				Pkg:    ".",
				Want:   map[string]string{"main.go": ref},
				Check:  CheckTest,
				Fill:   true,
			})
		}
	}
	return cases, errs, nil
}

// ReadMBXP reads MBXP problems (task_id, prompt, test) and scored samples
// (task_id, completion, compiled) and makes a case of every sample that
// does not compile: main.go is prompt + completion + test, success is
// compiling and, separately, the program exiting 0. The test part must
// survive the repair.
func ReadMBXP(samplesPath, problemsPath string) ([]*Case, []error, error) {
	probs, perrs, err := readJSONL(problemsPath, "MBXP problems", "task_id", "prompt", "test")
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]record{}
	for _, p := range probs {
		byID[p.str("task_id")] = p
	}
	samples, errs, err := readJSONL(samplesPath, "MBXP samples", "task_id", "completion")
	if err != nil {
		return nil, nil, err
	}
	errs = append(perrs, errs...)
	var cases []*Case
	for _, s := range samples {
		compiled, ok := s.fields["compiled"].(bool)
		if !ok {
			errs = append(errs, fmt.Errorf("%s:%d: malformed record: no boolean field compiled", samplesPath, s.line))
			continue
		}
		if compiled {
			continue
		}
		id := s.str("task_id")
		p, ok := byID[id]
		if !ok {
			errs = append(errs, fmt.Errorf("%s:%d: no problem %s in %s", samplesPath, s.line, id, problemsPath))
			continue
		}
		msg := firstLines(s.str("error"), 1)
		program := p.str("prompt") + s.str("completion") + p.str("test")
		fam := ModelCompile
		if _, err := parser.ParseFile(token.NewFileSet(), "main.go", program, parser.SkipObjectResolution); err != nil {
			fam = ModelSyntax
		}
		cases = append(cases, &Case{
			ID:     "mbxp/" + id,
			Suite:  "mbxp",
			Family: fam,
			Source: id,
			Note:   fmt.Sprintf("%s:%d: %s", samplesPath, s.line, msg),
			Files:  map[string]string{"go.mod": "module example.com/mbxp\n\ngo 1.22\n", "main.go": program},
			Pkg:    ".",
			Keep:   []string{p.str("test")},
			Check:  CheckRun,
		})
	}
	return cases, errs, nil
}

// humanEvalProgram is the prompt (imports, doc and signature) and body
// in package solution, keeping only the imports it uses. The suites say
// package main, but a main package without func main does not build.
func humanEvalProgram(prompt, body string) string {
	return pruneImports("package solution\n\n" + prompt + body)
}

var funcName = regexp.MustCompile(`(?m)^func\s+(\w+)`)

// entryPoint names the function a HumanEval record asks for.
func entryPoint(r record) string {
	if e := r.str("entry_point"); e != "" {
		return e
	}
	if m := funcName.FindStringSubmatch(r.str("declaration")); m != nil {
		return m[1]
	}
	if all := funcName.FindAllStringSubmatch(r.str("prompt"), -1); all != nil {
		return all[len(all)-1][1]
	}
	return ""
}

var packageMain = regexp.MustCompile(`(?m)^package main\b`)

func humanEvalTest(r record) string {
	return packageMain.ReplaceAllString(r.str("test_setup"), "package solution") + "\n" + r.str("test")
}

// pruneImports deletes the imports src does not use and formats it; src
// that does not parse is returned as it is.
func pruneImports(src string) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", src, parser.ParseComments)
	if err != nil {
		return src
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	for _, is := range slices.Clone(f.Imports) { // deleting edits f.Imports
		path, _ := strconv.Unquote(is.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if is.Name != nil {
			name = is.Name.Name
		}
		if name != "_" && name != "." && !used[name] {
			if is.Name != nil {
				astutil.DeleteNamedImport(fset, f, is.Name.Name, path)
			} else {
				astutil.DeleteImport(fset, f, path)
			}
		}
	}
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return src
	}
	return buf.String()
}

// normalize formats Go source for comparison, or returns it unchanged.
func normalize(src string) string {
	out, err := format.Source([]byte(src))
	if err != nil {
		return strings.TrimSpace(src)
	}
	return strings.TrimSpace(string(out))
}

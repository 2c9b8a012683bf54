package bench

import (
	"fmt"
	"html"
	"io"
	"sort"
	"strings"
)

// A Report is the outcome of a benchmark run.
type Report struct {
	Fixers  []FixerInfo `json:"fixers"`
	Results []Result    `json:"results"`
	Summary []Summary   `json:"summary"`
	// Skipped lists sources and records left out, with the reason.
	Skipped []string `json:"skipped,omitempty"`
}

// FixerInfo names a fixer and, when it could not run, why.
type FixerInfo struct {
	Name        string `json:"name"`
	Unavailable string `json:"unavailable,omitempty"`
}

// A Summary aggregates the results of one fixer on one suite and
// family; Family "all" aggregates a suite, Suite "all" everything.
type Summary struct {
	Suite  string `json:"suite"`
	Family Family `json:"family"`
	Fixer  string `json:"fixer"`
	Cases  int    `json:"cases"` // scored, not skipped
	Builds int    `json:"builds"`
	Vet    int    `json:"vet_clean"`
	Pass   int    `json:"tests_pass"`
	Exact  int    `json:"exact"`
	Refs   int    `json:"with_reference"`
	// Repaired counts the cases that build, vet clean and pass with no
	// harmful edit; Harmful those with a harmful edit; Unchanged those the
	// fixer left as they were.
	Repaired  int `json:"repaired"`
	Checked   int `json:"build_vet_tests"` // build, vet clean and tests pass
	Harmful   int `json:"harmful"`
	Unchanged int `json:"unchanged"`
	// RefLines is the mean of the lines the reference fix changed, over
	// the cases that have one (upstream's fix of a real pair).
	RefLines float64 `json:"mean_ref_lines,omitempty"`
	refCases int
	// Means over scored cases.
	Lines      float64 `json:"mean_lines_changed"`
	Wall       float64 `json:"mean_wall_s"`
	ModelCalls float64 `json:"mean_model_calls"`
	TimedOut   int     `json:"timed_out"`
	// Split is the mean time split over the cases whose fixer reported
	// one (SplitCases of them).
	Split      TimeSplit `json:"mean_seconds"`
	SplitCases int       `json:"split_cases,omitempty"`
}

// Summarize groups results by suite, family and fixer, adding per-suite
// and overall rows, in a stable order.
func Summarize(fixers []FixerInfo, results []Result) []Summary {
	type key struct {
		suite  string
		family Family
		fixer  string
	}
	acc := map[key]*Summary{}
	var keys []key
	add := func(k key, r Result) {
		s := acc[k]
		if s == nil {
			s = &Summary{Suite: k.suite, Family: k.family, Fixer: k.fixer}
			acc[k] = s
			keys = append(keys, k)
		}
		if r.Skipped != "" {
			return
		}
		s.Cases++
		s.Builds += b2i(r.Builds)
		s.Vet += b2i(r.VetClean)
		s.Pass += b2i(r.TestsPass)
		s.Exact += b2i(r.Exact)
		s.Refs += b2i(r.HasRef)
		s.TimedOut += b2i(r.TimedOut)
		s.Repaired += b2i(r.Repaired())
		s.Checked += b2i(r.Builds && r.VetClean && r.TestsPass)
		s.Harmful += b2i(len(r.Harm) > 0)
		s.Unchanged += b2i(r.LinesChanged == 0)
		if r.RefLines > 0 {
			s.RefLines += float64(r.RefLines)
			s.refCases++
		}
		s.Lines += float64(r.LinesChanged)
		s.Wall += r.WallSeconds
		s.ModelCalls += float64(r.ModelCalls)
		if r.Split != nil {
			s.Split.add(*r.Split)
			s.SplitCases++
		}
	}
	for _, r := range results {
		add(key{r.Suite, r.Family, r.Fixer}, r)
		add(key{r.Suite, "all", r.Fixer}, r)
		add(key{"all", "all", r.Fixer}, r)
	}
	order := map[string]int{}
	for i, f := range fixers {
		order[f.Name] = i
	}
	famOrder := map[Family]int{"all": 1000, HumanBug: len(Families), ModelSyntax: len(Families) + 1, ModelCompile: len(Families) + 2}
	for i, f := range Families {
		famOrder[f] = i
	}
	for i, f := range Refactors {
		famOrder[f] = len(Families) + 2 + i
	}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if (a.suite == "all") != (b.suite == "all") {
			return b.suite == "all"
		}
		if a.suite != b.suite {
			return a.suite < b.suite
		}
		if a.family != b.family {
			return famOrder[a.family] < famOrder[b.family]
		}
		return order[a.fixer] < order[b.fixer]
	})
	out := make([]Summary, 0, len(keys))
	for _, k := range keys {
		s := *acc[k]
		if s.Cases > 0 {
			n := float64(s.Cases)
			s.Lines, s.Wall, s.ModelCalls = s.Lines/n, s.Wall/n, s.ModelCalls/n
		}
		if n := float64(s.SplitCases); n > 0 {
			s.Split = TimeSplit{s.Split.Types / n, s.Split.Vet / n, s.Split.Build / n, s.Split.Tests / n, s.Split.Model / n}
		}
		if s.refCases > 0 {
			s.RefLines /= float64(s.refCases)
		}
		out = append(out, s)
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func pct(n, d int) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(d))
}

// success is the headline rate of a row: tests pass (or the program
// runs).
func (s Summary) success() float64 {
	if s.Cases == 0 {
		return 0
	}
	return float64(s.Pass) / float64(s.Cases)
}

// WriteMarkdown writes the report as Markdown: a success table (tests
// pass, by suite and family, one column per fixer) and a detail table.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("## Repair benchmark\n\n")
	b.WriteString("Success = the tests pass (MBXP: the program exits 0), in % of scored cases; `–` = not scored.\n\n")
	b.WriteString("| suite | family | cases |")
	for _, f := range r.Fixers {
		fmt.Fprintf(&b, " %s |", f.Name)
	}
	b.WriteString("\n|---|---|---:|")
	for range r.Fixers {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	rows := map[[2]string]map[string]Summary{}
	var rowKeys [][2]string
	for _, s := range r.Summary {
		k := [2]string{s.Suite, string(s.Family)}
		if rows[k] == nil {
			rows[k] = map[string]Summary{}
			rowKeys = append(rowKeys, k)
		}
		rows[k][s.Fixer] = s
	}
	for _, k := range rowKeys {
		n := 0
		for _, s := range rows[k] {
			n = max(n, s.Cases)
		}
		label := k[1]
		if k[1] == "all" {
			label = "**all**"
		}
		fmt.Fprintf(&b, "| %s | %s | %d |", k[0], label, n)
		for _, f := range r.Fixers {
			s := rows[k][f.Name]
			fmt.Fprintf(&b, " %s |", pct(s.Pass, s.Cases))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n### Details (overall, per suite)\n\n")
	b.WriteString("Wall s is the mean per case; its split (mean seconds per case in types / vet / build / tests / model, over the cases whose fixer reported one: difgen's, but for runs killed at the time limit) says where difgen's time went.\n\n")
	b.WriteString("| suite | fixer | cases | builds | vet clean | tests pass | exact restore | lines changed | wall s | types / vet / build / tests / model s | model calls | timed out |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n")
	for _, s := range r.Summary {
		if s.Family != "all" {
			continue
		}
		split := "–"
		if s.SplitCases > 0 {
			t := s.Split
			split = fmt.Sprintf("%.2f / %.2f / %.2f / %.2f / %.2f", t.Types, t.Vet, t.Build, t.Tests, t.Model)
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s | %.1f | %.2f | %s | %.1f | %d |\n",
			s.Suite, s.Fixer, s.Cases, pct(s.Builds, s.Cases), pct(s.Vet, s.Cases), pct(s.Pass, s.Cases),
			pct(s.Exact, s.Refs), s.Lines, s.Wall, split, s.ModelCalls, s.TimedOut)
	}
	r.writeRepaired(&b)
	var notes []string
	for _, f := range r.Fixers {
		if f.Unavailable != "" {
			notes = append(notes, fmt.Sprintf("- %s: not run: %s", f.Name, f.Unavailable))
		}
	}
	for _, s := range r.Skipped {
		notes = append(notes, "- skipped "+s)
	}
	if len(notes) > 0 {
		b.WriteString("\n" + strings.Join(notes, "\n") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// repairSuites are the suites whose cases are judged as repaired: build,
// vet and tests pass with no harmful edit.
var repairSuites = map[string]bool{"pairs": true, "refactor": true}

// writeRepaired writes, for the real pairs and the refactor suite, a
// table of repaired / harmful / unchanged by kind and fixer, and every
// harmful edit.
func (r *Report) writeRepaired(b *strings.Builder) {
	var rows []Summary
	for _, s := range r.Summary {
		if repairSuites[s.Suite] && s.Cases > 0 {
			rows = append(rows, s)
		}
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("\n### Real pairs and refactors\n\n")
	b.WriteString("Repaired = builds, vets clean and passes its tests with no harmful edit; harmful = an edit that deletes meaning (whatever the tests say); unchanged = the fixer changed nothing; exact = equal to the reference (upstream's fix, the completed refactor, or the original) up to gofmt; upstream lines = the lines upstream's fix changed in the package.\n\n")
	b.WriteString("| suite | kind | fixer | cases | repaired | harmful | unchanged | build+vet+tests | exact | lines changed | upstream lines |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range rows {
		label := string(s.Family)
		if s.Family == "all" {
			label = "**all**"
		}
		ref := "–"
		if s.refCases > 0 {
			ref = fmt.Sprintf("%.1f", s.RefLines)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %d | %d (%s) | %d | %d | %s | %s | %.1f | %s |\n",
			s.Suite, label, s.Fixer, s.Cases, s.Repaired, pct(s.Repaired, s.Cases), s.Harmful, s.Unchanged,
			pct(s.Checked, s.Cases), pct(s.Exact, s.Refs), s.Lines, ref)
	}
	var harms []string
	for _, res := range r.Results {
		if repairSuites[res.Suite] && len(res.Harm) > 0 {
			harms = append(harms, fmt.Sprintf("- %s on %s: %s", res.Fixer, res.Case, strings.Join(res.Harm, "; ")))
		}
	}
	if len(harms) > 0 {
		b.WriteString("\nHarmful edits:\n\n" + strings.Join(harms, "\n") + "\n")
	}
}

var palette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"}

// WriteSVG writes a bar chart of the success rate by suite and family,
// one bar per fixer.
func (r *Report) WriteSVG(w io.Writer) error {
	type group struct {
		label string
		rates map[string]float64
		n     map[string]int
	}
	var groups []*group
	idx := map[string]*group{}
	for _, s := range r.Summary {
		if s.Suite == "all" {
			continue
		}
		label := s.Suite + "/" + string(s.Family)
		g := idx[label]
		if g == nil {
			g = &group{label: label, rates: map[string]float64{}, n: map[string]int{}}
			idx[label] = g
			groups = append(groups, g)
		}
		g.rates[s.Fixer], g.n[s.Fixer] = s.success(), s.Cases
	}
	const (
		barW, gap, plotH, top, left, bottom = 12, 14, 220, 40, 50, 150
	)
	groupW := barW*len(r.Fixers) + gap
	width := left + groupW*len(groups) + 20 + 160
	height := top + plotH + bottom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14">difgen bench repair: tests pass, by family and fixer</text>`+"\n", left)
	for i := 0; i <= 4; i++ {
		y := top + plotH - plotH*i/4
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/><text x="%d" y="%d" text-anchor="end">%d%%</text>`+"\n", left, y, left+groupW*len(groups), y, left-4, y+4, 25*i)
	}
	for gi, g := range groups {
		x0 := left + gi*groupW + gap/2
		for fi, f := range r.Fixers {
			if g.n[f.Name] == 0 {
				continue
			}
			h := int(g.rates[f.Name] * plotH)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %s: %.0f%% of %d</title></rect>`+"\n",
				x0+fi*barW, top+plotH-h, barW-1, h, palette[fi%len(palette)], html.EscapeString(f.Name), html.EscapeString(g.label), 100*g.rates[f.Name], g.n[f.Name])
		}
		cx := x0 + barW*len(r.Fixers)/2
		fmt.Fprintf(&b, `<text transform="translate(%d,%d) rotate(-60)" text-anchor="end">%s</text>`+"\n", cx, top+plotH+10, html.EscapeString(g.label))
	}
	lx := left + groupW*len(groups) + 20
	for fi, f := range r.Fixers {
		y := top + 16*fi
		name := f.Name
		if f.Unavailable != "" {
			name += " (not run)"
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", lx, y, palette[fi%len(palette)], lx+14, y+9, html.EscapeString(name))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

package constraints

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
)

// maxCoverageRuns bounds the tests run alone for coverage.
const maxCoverageRuns = 30

// ochiai runs failing and passing tests alone with the instrumented binary
// bin, each recording its statement coverage, and ranks the segments by
// Ochiai = failed(s) / sqrt(totalFailed * (failed(s)+passed(s))). Only
// failures that are evidence of a bug count (see [TestStatus.Bug]): tests
// that timed out or were flaky are not rerun.
func (c *Checker) ochiai(ctx context.Context, cv *ast.Canvas, inst *instrumentation, tmp, bin string, run *testRun, status map[string]TestStatus) []Suspect {
	var failing, passing []string
	for _, name := range run.order {
		switch st := status[name]; {
		case st.Bug():
			failing = append(failing, name)
		case st == TestPass:
			passing = append(passing, name)
		}
	}
	slices.Sort(passing)
	runs := slices.Concat(failing[:min(len(failing), maxCoverageRuns)], passing)
	runs = runs[:min(len(runs), maxCoverageRuns)]

	failedBy := make([]int, len(inst.segments))
	failedNames := make([][]string, len(inst.segments))
	passedBy := make([]int, len(inst.segments))
	totalFailed := 0
	for i, name := range runs {
		if ctx.Err() != nil {
			break
		}
		prof := filepath.Join(tmp, fmt.Sprintf("cover%d.out", i))
		one, err := c.runTests(ctx, tmp, bin, []string{name}, []string{coverEnv + "=" + prof})
		if err != nil || one.timedOut || one.memory {
			continue
		}
		hits, err := readHits(prof, len(inst.segments))
		if err != nil {
			continue
		}
		st := one.status[name]
		failed := st != "pass" && st != "skip"
		if failed {
			totalFailed++
		}
		for _, id := range hits {
			if failed {
				failedBy[id]++
				failedNames[id] = append(failedNames[id], name)
			} else {
				passedBy[id]++
			}
		}
	}
	if totalFailed == 0 {
		return nil
	}
	var out []Suspect
	for id, nf := range failedBy {
		if nf == 0 {
			continue
		}
		seg := inst.segments[id]
		f := cv.File(seg.file)
		if f == nil {
			continue
		}
		score := float64(nf) / math.Sqrt(float64(totalFailed)*float64(nf+passedBy[id]))
		line, col := lineCol(f.Text, seg.start)
		out = append(out, Suspect{File: f.Name, Start: seg.start, End: seg.end, Line: line, Col: col, Score: score, FailedBy: failedNames[id]})
	}
	slices.SortFunc(out, func(a, b Suspect) int {
		return cmp.Or(
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Start, b.Start),
			cmp.Compare(a.End, b.End),
		)
	})
	return out
}

// readHits reads the counter numbers recorded in a coverage file. A
// missing file means nothing was covered.
func readHits(name string, n int) ([]int, error) {
	data, err := os.ReadFile(name)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var hits []int
	for _, f := range strings.Fields(string(data)) {
		id, err := strconv.Atoi(f)
		if err == nil && id >= 0 && id < n {
			hits = append(hits, id)
		}
	}
	return hits, nil
}

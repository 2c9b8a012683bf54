package filetx

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// A plan is what a journal records: the transaction's directories, its
// home (where the commit is) and its renames, all absolute.
type plan struct {
	id      string
	home    string
	dirs    []string // sorted; each holds a journal
	renames []rename
}

// A rename moves a temporary over its target, in one directory.
type rename struct {
	tmp, target string
}

const journalHeader = "difgen filetx journal 1"

var (
	// idPattern is a transaction's id: the writer's pid and 32 random bits.
	idPattern = `[0-9]+-[0-9a-f]{8}`
	idRE      = regexp.MustCompile(`^` + idPattern + `$`)
	tempRE    = regexp.MustCompile(`^\.(.+)\.difgen-(` + idPattern + `)\.tmp$`)
	journalRE = regexp.MustCompile(`^\.difgen-(` + idPattern + `)\.(txn|commit)$`)
	// legacyRE matches the temporaries of difgen binaries that predate
	// filetx: os.CreateTemp(dir, ".a.go.difgen-*").
	legacyRE = regexp.MustCompile(`^\..+\.go\.difgen-[0-9]+$`)
)

func tempName(target, id string) string {
	return filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".difgen-"+id+".tmp")
}

func journalName(dir, id string) string { return filepath.Join(dir, ".difgen-"+id+".txn") }

func commitName(dir, id string) string { return filepath.Join(dir, ".difgen-"+id+".commit") }

// encode writes the plan as the journal of directory dir: paths are
// relative to dir, so that a tree moved as a whole can still be recovered.
func (p *plan) encode(dir string) []byte {
	var b bytes.Buffer
	rel := func(name string) string {
		if r, err := filepath.Rel(dir, name); err == nil {
			name = r
		}
		return strconv.Quote(filepath.ToSlash(name))
	}
	fmt.Fprintf(&b, "%s\nid %s\nhome %s\n", journalHeader, p.id, rel(p.home))
	for _, d := range p.dirs {
		fmt.Fprintf(&b, "dir %s\n", rel(d))
	}
	for _, r := range p.renames {
		fmt.Fprintf(&b, "rename %s %s\n", rel(r.tmp), rel(r.target))
	}
	sum := sha256.Sum256(b.Bytes())
	fmt.Fprintf(&b, "end %s\n", hex.EncodeToString(sum[:]))
	return b.Bytes()
}

// errIncomplete reports a journal cut short: its writer died writing it.
var errIncomplete = errors.New("incomplete journal")

// decodePlan reads the journal of directory dir. It checks that the plan
// is one filetx writes: each temporary is named after its target, for the
// journal's id, in the same directory, which is one of the plan's.
func decodePlan(dir string, data []byte) (*plan, error) {
	text := string(data)
	i := strings.LastIndex(strings.TrimSuffix(text, "\n"), "\n")
	if i < 0 || !strings.HasSuffix(text, "\n") {
		return nil, errIncomplete
	}
	body, end := text[:i+1], strings.TrimSuffix(text[i+1:], "\n")
	sum := sha256.Sum256([]byte(body))
	if end != "end "+hex.EncodeToString(sum[:]) {
		return nil, errIncomplete
	}
	abs := func(q string) (string, error) {
		s, err := strconv.Unquote(q)
		if err != nil {
			return "", err
		}
		s = filepath.FromSlash(s)
		if !filepath.IsAbs(s) {
			s = filepath.Join(dir, s)
		}
		return filepath.Clean(s), nil
	}
	p := new(plan)
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if lines[0] != journalHeader {
		return nil, fmt.Errorf("not a journal of this version (%q)", lines[0])
	}
	for _, line := range lines[1:] {
		key, rest, _ := strings.Cut(line, " ")
		var err error
		switch key {
		case "id":
			p.id = rest
		case "home":
			p.home, err = abs(rest)
		case "dir":
			var d string
			d, err = abs(rest)
			p.dirs = append(p.dirs, d)
		case "rename":
			var r rename
			q, err1 := strconv.QuotedPrefix(rest)
			if err1 != nil || !strings.HasPrefix(rest[len(q):], " ") {
				return nil, fmt.Errorf("malformed rename %q", rest)
			}
			if r.tmp, err = abs(q); err == nil {
				r.target, err = abs(rest[len(q)+1:])
			}
			p.renames = append(p.renames, r)
		default:
			return nil, fmt.Errorf("unknown line %q", line)
		}
		if err != nil {
			return nil, fmt.Errorf("%q: %v", line, err)
		}
	}
	if !idRE.MatchString(p.id) {
		return nil, fmt.Errorf("bad id %q", p.id)
	}
	inPlan := func(d string) bool {
		for _, x := range p.dirs {
			if x == d {
				return true
			}
		}
		return false
	}
	if !inPlan(p.home) || !inPlan(dir) {
		return nil, errors.New("its directories do not include its home and its own")
	}
	for _, r := range p.renames {
		if r.tmp != tempName(r.target, p.id) || !inPlan(filepath.Dir(r.target)) {
			return nil, fmt.Errorf("rename %s → %s is not one filetx writes", r.tmp, r.target)
		}
	}
	return p, nil
}

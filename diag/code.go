package diag

import (
	"go/types"
	"reflect"
	"strings"
)

// A Code says what kind of finding a Finding is:
//
//   - for a type error, the go/types error code name (UndeclaredName,
//     UnusedVar, …; the constants of codes_types.go);
//   - for a vet finding, the name of the analyzer (printf, …);
//   - otherwise one of the kinds below.
//
// Codes are compared, never parsed: dispatch on a finding is a switch on
// its Code.
type Code string

// The kinds of findings that carry no go/types code or analyzer name.
const (
	SyntaxError Code = "syntax"    // go/parser
	TypeError   Code = "types"     // a type error without a code
	VetError    Code = "vet"       // a type error go vet reported for a package it cannot analyze
	Load        Code = "load"      // the go command could not load the package
	BuildError  Code = "build"     // go build failed (link, cgo, embed, assembly)
	TestBuild   Code = "testbuild" // go test -c failed
	Timeout     Code = "timeout"   // a go command or a test run did not finish in time
	TestFailed  Code = "test"      // a test failed
	Flaky       Code = "flaky"     // a test failed, then passed when run again
	Crash       Code = "crash"     // a test (or the test binary) panicked or exited
	Memory      Code = "memory"    // the test binary was killed for its memory
)

// The analyzers of the vet suite whose findings difgen answers by name.
const (
	VetPrintf        Code = "printf"
	VetUnusedResult  Code = "unusedresult"
	VetStringIntConv Code = "stringintconv"
)

// TypesCode returns the error code of a go/types error, read from its
// unexported field as x/tools does (typesinternal.ErrorCode), and the
// span go/types gives it (token.NoPos when unknown). When the error
// carries no code, the code is guessed from the message (see CodeOf).
func TypesCode(e types.Error) (code Code, start, end int) {
	v := reflect.ValueOf(e)
	if f := v.FieldByName("go116code"); f.IsValid() && f.CanInt() {
		if n := int(f.Int()); n > 0 && n < len(typesCodes) {
			code = typesCodes[n]
		}
	}
	if f := v.FieldByName("go116start"); f.IsValid() && f.CanInt() {
		start = int(f.Int())
	}
	if f := v.FieldByName("go116end"); f.IsValid() && f.CanInt() {
		end = int(f.Int())
	}
	if code == "" {
		code = CodeOf(e.Msg)
	}
	return code, start, end
}

// CodeOf guesses the go/types code of a type error known only by its
// message: the compiler's output for a cgo package, or an error of a
// go/types without codes. It is the one place where difgen reads a
// message to decide what a finding is; it returns TypeError when no
// pattern fits.
func CodeOf(msg string) Code {
	switch {
	case strings.HasPrefix(msg, "declared and not used"), strings.HasSuffix(msg, " declared and not used"):
		return UnusedVar
	case strings.Contains(msg, "imported and not used"), strings.Contains(msg, "imported as ") && strings.HasSuffix(msg, " and not used"):
		return UnusedImport
	case strings.HasPrefix(msg, "undefined: "):
		if strings.Contains(msg, ".") {
			return UndeclaredImportedName
		}
		return UndeclaredName
	case msg == "missing return":
		return MissingReturn
	case strings.HasPrefix(msg, "could not import"):
		return BrokenImport
	case strings.HasPrefix(msg, "cannot use "):
		return IncompatibleAssign
	case strings.HasPrefix(msg, "not enough arguments"), strings.HasPrefix(msg, "too many arguments"):
		return WrongArgCount
	case strings.HasPrefix(msg, "not enough return values"), strings.HasPrefix(msg, "too many return values"):
		return WrongResultCount
	case strings.HasPrefix(msg, "assignment mismatch"):
		return WrongAssignCount
	case strings.HasPrefix(msg, "no new variables"):
		return NoNewVar
	case strings.Contains(msg, "redeclared"):
		return DuplicateDecl
	case strings.Contains(msg, "has no field or method"):
		return MissingFieldOrMethod
	case strings.Contains(msg, "mismatched types"):
		return MismatchedTypes
	case strings.HasSuffix(msg, " is not used"):
		return UnusedExpr
	}
	return TypeError
}

// MentionsInvalidType reports whether a type error's message mentions an
// operand of invalid type: the shadow of another error (in a cgo
// package, of package C, which the in-process check fakes).
func MentionsInvalidType(f Finding) bool {
	return strings.Contains(f.Message, "invalid type")
}

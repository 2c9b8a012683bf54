package constraints

import (
	"go/types"
	"reflect"
	"strings"
)

// typesErrorDetails returns the error code name and the span of a go/types
// error, read from its unexported fields (as x/tools does) with a fallback
// on the message. start and end are token.NoPos when unknown.
func typesErrorDetails(e types.Error) (code string, start, end int) {
	v := reflect.ValueOf(e)
	if f := v.FieldByName("go116code"); f.IsValid() && f.CanInt() {
		if n := int(f.Int()); n > 0 && n < len(typesCodeNames) {
			code = typesCodeNames[n]
		}
	}
	if f := v.FieldByName("go116start"); f.IsValid() && f.CanInt() {
		start = int(f.Int())
	}
	if f := v.FieldByName("go116end"); f.IsValid() && f.CanInt() {
		end = int(f.Int())
	}
	if code == "" {
		code = codeFromMessage(e.Msg)
	}
	return code, start, end
}

// codeFromMessage guesses a go/types error code from its message.
func codeFromMessage(msg string) string {
	switch {
	case strings.HasPrefix(msg, "declared and not used"):
		return "UnusedVar"
	case strings.Contains(msg, "imported and not used"):
		return "UnusedImport"
	case strings.HasPrefix(msg, "undefined: "):
		return "UndeclaredName"
	case msg == "missing return":
		return "MissingReturn"
	case strings.HasPrefix(msg, "could not import"):
		return "BrokenImport"
	case strings.HasPrefix(msg, "cannot use "):
		return "IncompatibleAssign"
	case strings.HasPrefix(msg, "not enough arguments"), strings.HasPrefix(msg, "too many arguments"):
		return "WrongArgCount"
	case strings.HasPrefix(msg, "not enough return values"), strings.HasPrefix(msg, "too many return values"):
		return "WrongResultCount"
	case strings.Contains(msg, "redeclared"):
		return "DuplicateDecl"
	case strings.Contains(msg, "has no field or method"):
		return "MissingFieldOrMethod"
	case strings.Contains(msg, "mismatched types"):
		return "MismatchedTypes"
	}
	return "types"
}

// typesCodeNames names the go/types error codes (internal/types/errors,
// Go 1.26), by value.
var typesCodeNames = [...]string{
	1:   "Test",
	2:   "BlankPkgName",
	3:   "MismatchedPkgName",
	4:   "InvalidPkgUse",
	5:   "BadImportPath",
	6:   "BrokenImport",
	7:   "ImportCRenamed",
	8:   "UnusedImport",
	9:   "InvalidInitCycle",
	10:  "DuplicateDecl",
	11:  "InvalidDeclCycle",
	12:  "InvalidTypeCycle",
	13:  "InvalidConstInit",
	14:  "InvalidConstVal",
	15:  "InvalidConstType",
	16:  "UntypedNilUse",
	17:  "WrongAssignCount",
	18:  "UnassignableOperand",
	19:  "NoNewVar",
	20:  "MultiValAssignOp",
	21:  "InvalidIfaceAssign",
	22:  "InvalidChanAssign",
	23:  "IncompatibleAssign",
	24:  "UnaddressableFieldAssign",
	25:  "NotAType",
	26:  "InvalidArrayLen",
	27:  "BlankIfaceMethod",
	28:  "IncomparableMapKey",
	30:  "InvalidPtrEmbed",
	31:  "BadRecv",
	32:  "InvalidRecv",
	33:  "DuplicateFieldAndMethod",
	34:  "DuplicateMethod",
	35:  "InvalidBlank",
	36:  "InvalidIota",
	37:  "MissingInitBody",
	38:  "InvalidInitSig",
	39:  "InvalidInitDecl",
	40:  "InvalidMainDecl",
	41:  "TooManyValues",
	42:  "NotAnExpr",
	43:  "TruncatedFloat",
	44:  "NumericOverflow",
	45:  "UndefinedOp",
	46:  "MismatchedTypes",
	47:  "DivByZero",
	48:  "NonNumericIncDec",
	49:  "UnaddressableOperand",
	50:  "InvalidIndirection",
	51:  "NonIndexableOperand",
	52:  "InvalidIndex",
	53:  "SwappedSliceIndices",
	54:  "NonSliceableOperand",
	55:  "InvalidSliceExpr",
	56:  "InvalidShiftCount",
	57:  "InvalidShiftOperand",
	58:  "InvalidReceive",
	59:  "InvalidSend",
	60:  "DuplicateLitKey",
	61:  "MissingLitKey",
	62:  "InvalidLitIndex",
	63:  "OversizeArrayLit",
	64:  "MixedStructLit",
	65:  "InvalidStructLit",
	66:  "MissingLitField",
	67:  "DuplicateLitField",
	68:  "UnexportedLitField",
	69:  "InvalidLitField",
	70:  "UntypedLit",
	71:  "InvalidLit",
	72:  "AmbiguousSelector",
	73:  "UndeclaredImportedName",
	74:  "UnexportedName",
	75:  "UndeclaredName",
	76:  "MissingFieldOrMethod",
	77:  "BadDotDotDotSyntax",
	78:  "NonVariadicDotDotDot",
	81:  "InvalidDotDotDot",
	82:  "UncalledBuiltin",
	83:  "InvalidAppend",
	84:  "InvalidCap",
	85:  "InvalidClose",
	86:  "InvalidCopy",
	87:  "InvalidComplex",
	88:  "InvalidDelete",
	89:  "InvalidImag",
	90:  "InvalidLen",
	91:  "SwappedMakeArgs",
	92:  "InvalidMake",
	93:  "InvalidReal",
	94:  "InvalidAssert",
	95:  "ImpossibleAssert",
	96:  "InvalidConversion",
	97:  "InvalidUntypedConversion",
	98:  "BadOffsetofSyntax",
	99:  "InvalidOffsetof",
	100: "UnusedExpr",
	101: "UnusedVar",
	102: "MissingReturn",
	103: "WrongResultCount",
	104: "OutOfScopeResult",
	105: "InvalidCond",
	106: "InvalidPostDecl",
	108: "InvalidIterVar",
	109: "InvalidRangeExpr",
	110: "MisplacedBreak",
	111: "MisplacedContinue",
	112: "MisplacedFallthrough",
	113: "DuplicateCase",
	114: "DuplicateDefault",
	115: "BadTypeKeyword",
	116: "InvalidTypeSwitch",
	117: "InvalidExprSwitch",
	118: "InvalidSelectCase",
	119: "UndeclaredLabel",
	120: "DuplicateLabel",
	121: "MisplacedLabel",
	122: "UnusedLabel",
	123: "JumpOverDecl",
	124: "JumpIntoBlock",
	125: "InvalidMethodExpr",
	126: "WrongArgCount",
	127: "InvalidCall",
	128: "UnusedResults",
	129: "InvalidDefer",
	130: "InvalidGo",
	131: "BadDecl",
	132: "RepeatedDecl",
	133: "InvalidUnsafeAdd",
	134: "InvalidUnsafeSlice",
	135: "UnsupportedFeature",
	136: "NotAGenericType",
	137: "WrongTypeArgCount",
	138: "CannotInferTypeArgs",
	139: "InvalidTypeArg",
	140: "InvalidInstanceCycle",
	141: "InvalidUnion",
	142: "MisplacedConstraintIface",
	143: "InvalidMethodTypeParams",
	144: "MisplacedTypeParam",
	145: "InvalidUnsafeSliceData",
	146: "InvalidUnsafeString",
	148: "InvalidClear",
	149: "TypeTooLarge",
	150: "InvalidMinMaxOperand",
	151: "TooNew",
}

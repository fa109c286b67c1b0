package filter

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokenKind classifies a token.
type tokenKind int

const (
	tEOF    tokenKind = iota
	tWord             // a bare word without dots: a keyword (AND, IN, ...) or an attribute name
	tIdent            // a dotted or backtick-quoted identifier: prefix.key, prefix.`key`, `key`
	tString           // a single- or double-quoted string
	tNumber           // an unquoted number
	tOp               // =, !=, <, <=, >, >=
	tLParen           // (
	tRParen           // )
	tComma            // ,
	tError            // a lexing error, carried in token.err
)

// token is one lexeme. text is the source it came from; the other fields hold its meaning.
type token struct {
	kind   tokenKind
	pos    int    // byte offset of the first byte
	text   string // the source text of the token
	str    string // tWord: the word; tString: the unquoted value; tOp: the operator
	num    float64
	prefix string // tIdent: the part before the first dot ("" when there is no dot)
	key    string // tIdent: the part after the first dot, unquoted (or the whole quoted name)
	err    *Error // tError: what went wrong
}

// is reports whether t is the bare word w, ignoring case (keywords are case-insensitive).
func (t token) is(w string) bool {
	return t.kind == tWord && strings.EqualFold(t.str, w)
}

// lexer splits a filter or order_by string into tokens.
type lexer struct {
	input string // what is being read, for errors: "filter" or "order_by[i]"
	src   string
	pos   int
}

// token returns the next token. A lexing error comes back as a tError token, so that the parser
// reports it only if it reaches that point of the input before failing on something earlier.
func (l *lexer) token() token {
	t, err := l.next()
	if err != nil {
		return token{kind: tError, pos: err.Pos, err: err}
	}
	return t
}

// errorf reports a lexing error at byte pos, near the given text.
func (l *lexer) errorf(pos int, near, format string, args ...any) *Error {
	return errorAt(l.input, l.src, pos, near, format, args...)
}

// next reads one token after skipping whitespace.
func (l *lexer) next() (token, *Error) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start == len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[start]
	switch {
	case c == '(':
		l.pos++
		return token{kind: tLParen, pos: start, text: "("}, nil
	case c == ')':
		l.pos++
		return token{kind: tRParen, pos: start, text: ")"}, nil
	case c == ',':
		l.pos++
		return token{kind: tComma, pos: start, text: ","}, nil
	case c == '\'' || c == '"':
		s, err := l.quoted(c)
		if err != nil {
			return token{}, err
		}
		return token{kind: tString, pos: start, text: l.src[start:l.pos], str: s}, nil
	case c == '=' || c == '!' || c == '<' || c == '>':
		return l.operator()
	case isDigit(c) || c == '-' || c == '.' || c == '+':
		return l.number()
	case isWordStart(c) || c == '`':
		return l.identifier()
	}
	r, size := utf8.DecodeRuneInString(l.src[start:])
	return token{}, l.errorf(start, l.src[start:start+size], "unexpected character %q", r)
}

// operator reads a run of =!<> characters and checks it is one of MLflow's comparators.
func (l *lexer) operator() (token, *Error) {
	start := l.pos
	for l.pos < len(l.src) && strings.IndexByte("=!<>", l.src[l.pos]) >= 0 {
		l.pos++
	}
	op := l.src[start:l.pos]
	switch op {
	case "=", "!=", "<", "<=", ">", ">=":
		return token{kind: tOp, pos: start, text: op, str: op}, nil
	case "<>":
		return token{}, l.errorf(start, op, "unknown operator %s; use !=", op)
	case "==":
		return token{}, l.errorf(start, op, "unknown operator %s; use =", op)
	}
	return token{}, l.errorf(start, op, "unknown operator %s", op)
}

// number reads an unquoted number: an optional sign, digits with an optional fraction, and an
// optional exponent. Infinities and NaN cannot be written.
func (l *lexer) number() (token, *Error) {
	start := l.pos
	s := l.src
	i := start
	if s[i] == '-' || s[i] == '+' {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits > 0 && i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	end := i
	for end < len(s) && (isWordChar(s[end]) || s[end] == '.') {
		end++
	}
	if digits == 0 || end != i {
		if end == start {
			end = start + 1
		}
		return token{}, l.errorf(start, s[start:end], "invalid number %q", s[start:end])
	}
	l.pos = i
	text := s[start:i]
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		return token{}, l.errorf(start, text, "number %s is out of range", text)
	}
	return token{kind: tNumber, pos: start, text: text, num: f}, nil
}

// identifier reads a word or an identifier. The first segment is a bare word or a backtick-quoted
// name; if a dot follows, everything after the first dot is the key: a bare run of word
// characters and dots (tags.mlflow.runName), or one backtick- or double-quoted name.
func (l *lexer) identifier() (token, *Error) {
	start := l.pos
	first, quoted, err := l.segment(false)
	if err != nil {
		return token{}, err
	}
	if l.pos >= len(l.src) || l.src[l.pos] != '.' {
		if quoted {
			return token{kind: tIdent, pos: start, text: l.src[start:l.pos], key: first}, nil
		}
		return token{kind: tWord, pos: start, text: first, str: first}, nil
	}
	l.pos++ // the dot
	keyStart := l.pos
	key, _, err := l.segment(true)
	if err != nil {
		return token{}, err
	}
	if key == "" {
		return token{}, l.errorf(start, l.src[start:keyStart], "expected a key after %q", l.src[start:keyStart])
	}
	if l.pos < len(l.src) && (isWordChar(l.src[l.pos]) || strings.IndexByte(".`\"'", l.src[l.pos]) >= 0) {
		return token{}, l.errorf(l.pos, "", "unexpected text after the key %q; quote the whole key in backticks", key)
	}
	return token{kind: tIdent, pos: start, text: l.src[start:l.pos], prefix: first, key: key}, nil
}

// segment reads one part of an identifier: a backtick-quoted name, a double-quoted name (only
// after the dot, when afterDot), or a bare word (which may contain dots only after the dot).
func (l *lexer) segment(afterDot bool) (name string, quoted bool, err *Error) {
	if l.pos < len(l.src) {
		switch c := l.src[l.pos]; {
		case c == '`', c == '"' && afterDot:
			start := l.pos
			s, err := l.quoted(c)
			if err != nil {
				return "", false, err
			}
			if s == "" {
				return "", false, l.errorf(start, l.src[start:l.pos], "empty key")
			}
			return s, true, nil
		}
	}
	start := l.pos
	for l.pos < len(l.src) && (isWordChar(l.src[l.pos]) || afterDot && l.src[l.pos] == '.') {
		l.pos++
	}
	return l.src[start:l.pos], false, nil
}

// quoted reads a string quoted with q, starting at the opening quote. A doubled quote stands for
// one quote; a backslash before the quote or before another backslash makes it literal. Other
// backslashes are kept as written, so LIKE patterns such as '100\%' reach the LIKE escape rules.
func (l *lexer) quoted(q byte) (string, *Error) {
	start := l.pos
	var b strings.Builder
	i := start + 1
	for i < len(l.src) {
		c := l.src[i]
		switch {
		case c == '\\' && i+1 < len(l.src) && (l.src[i+1] == q || l.src[i+1] == '\\'):
			b.WriteByte(l.src[i+1])
			i += 2
		case c == q && i+1 < len(l.src) && l.src[i+1] == q:
			b.WriteByte(q)
			i += 2
		case c == q:
			l.pos = i + 1
			return b.String(), nil
		default:
			b.WriteByte(c)
			i++
		}
	}
	what := "string"
	if q == '`' {
		what = "quoted name"
	}
	return "", l.errorf(start, "", "unterminated %s: missing closing %c", what, q)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isWordStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isWordChar reports whether c can continue a bare word. Dashes are allowed (my-key), which
// MLflow's SQL tokenizer would reject; it is never ambiguous here because there is no arithmetic.
func isWordChar(c byte) bool { return isWordStart(c) || isDigit(c) || c == '-' }

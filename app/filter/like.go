package filter

import "strings"

// maxPattern is SQLite's default SQLITE_MAX_LIKE_PATTERN_LENGTH; a longer LIKE or GLOB pattern
// makes the whole query fail, so we refuse it up front.
const maxPattern = 50000

// likeToGlob turns a LIKE pattern into an SQLite GLOB pattern. GLOB is case-sensitive, which is
// what MLflow's LIKE is, while SQLite's own LIKE ignores ASCII case. % becomes *, _ becomes ?,
// and the GLOB metacharacters * ? [ are matched literally by putting them in brackets.
func likeToGlob(pattern string) string {
	var b strings.Builder
	walkLike(pattern, func(c byte, wild bool) {
		switch {
		case wild && c == '%':
			b.WriteByte('*')
		case wild:
			b.WriteByte('?')
		case c == '*' || c == '?' || c == '[':
			b.WriteByte('[')
			b.WriteByte(c)
			b.WriteByte(']')
		default:
			b.WriteByte(c)
		}
	})
	return b.String()
}

// likeToEscaped turns a LIKE pattern into one for SQLite's LIKE ... ESCAPE '\', used for ILIKE:
// wildcards stay, and literal %, _ and \ get a backslash.
func likeToEscaped(pattern string) string {
	var b strings.Builder
	walkLike(pattern, func(c byte, wild bool) {
		if !wild && (c == '%' || c == '_' || c == '\\') {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	})
	return b.String()
}

// walkLike calls emit for each byte of a LIKE pattern, saying whether it is a wildcard (% or _)
// or a literal byte. A backslash makes the next byte literal; a trailing backslash is literal.
// Working on bytes is safe for UTF-8: the special characters are ASCII and never appear inside a
// multi-byte character.
func walkLike(pattern string, emit func(c byte, wild bool)) {
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			emit(pattern[i], false)
		case c == '%' || c == '_':
			emit(c, true)
		default:
			emit(c, false)
		}
	}
}

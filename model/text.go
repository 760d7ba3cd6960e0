package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Inert makes text from a repository safe to print on a terminal: escape
// sequences and other control characters are replaced by visible
// placeholders (ESC becomes "^[", other C0/C1 controls "^X" or "\u0085"-style),
// tabs become spaces, and invalid UTF-8 becomes U+FFFD. Newlines are kept only
// when keepNewlines is true.
func Inert(s string, keepNewlines bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(unicode.ReplacementChar)
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
		case r == '\t':
			b.WriteString("    ")
		case r < 0x20:
			b.WriteByte('^')
			b.WriteByte(byte(r) + '@')
		case r == 0x7f:
			b.WriteString("^?")
		case r >= 0x80 && r < 0xa0, r == 0x2028, r == 0x2029, unicode.In(r, unicode.Bidi_Control):
			b.WriteString("\\u")
			b.WriteString(strings.ToUpper(hex4(r)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hex4(r rune) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[r>>12&0xf], digits[r>>8&0xf], digits[r>>4&0xf], digits[r&0xf]})
}

// InertLine is Inert for a single line: newlines are shown as "^J".
func InertLine(s string) string { return Inert(s, false) }

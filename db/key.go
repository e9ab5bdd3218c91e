package db

// MaxKeyLength is the longest key FIXTURES.md allows.
const MaxKeyLength = 128

// ValidKey reports whether s is a well-formed record key: 1 to 128 characters
// of a-z 0-9 - _ . : starting with a letter or a digit.
func ValidKey(s string) bool {
	if len(s) == 0 || len(s) > MaxKeyLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '-' || c == '_' || c == '.' || c == ':'):
		default:
			return false
		}
	}
	return true
}

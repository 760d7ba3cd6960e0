package model

import (
	"fmt"
	"regexp"
)

// Kind is what a commit is for the release process.
type Kind int

const (
	// Regular commits travel with the weekly train.
	Regular Kind = iota
	// Bugfix commits are built at once and ride right behind the train base.
	Bugfix
	// Hotfix commits are built at once and carried to prod without waiting.
	Hotfix
)

func (k Kind) String() string {
	switch k {
	case Hotfix:
		return "hotfix"
	case Bugfix:
		return "bugfix"
	default:
		return "regular"
	}
}

// MarshalText makes kinds read as words in JSON.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText accepts the words String produces.
func (k *Kind) UnmarshalText(b []byte) error {
	switch string(b) {
	case "hotfix":
		*k = Hotfix
	case "bugfix":
		*k = Bugfix
	case "regular":
		*k = Regular
	default:
		return fmt.Errorf("unknown commit kind %q (want hotfix, bugfix or regular)", b)
	}
	return nil
}

// Classifier tells a commit's kind from its message. Hotfix wins over bugfix
// when a message matches both.
type Classifier struct {
	Hotfix *regexp.Regexp
	Bugfix *regexp.Regexp

	// For the default patterns, the word a message must contain (in any
	// case) before the pattern is worth running: most messages have
	// neither word, and a byte scan is far cheaper than a case-insensitive
	// regular expression.
	hotfixWord, bugfixWord string
}

// Default patterns: the words, case-insensitive.
const (
	DefaultHotfixPattern = `(?i)\bhotfix\b`
	DefaultBugfixPattern = `(?i)\bbugfix\b`
)

// DefaultClassifier matches the words "hotfix" and "bugfix", any case.
func DefaultClassifier() Classifier {
	return Classifier{
		Hotfix:     regexp.MustCompile(DefaultHotfixPattern),
		Bugfix:     regexp.MustCompile(DefaultBugfixPattern),
		hotfixWord: "hotfix",
		bugfixWord: "bugfix",
	}
}

// NewClassifier compiles the two patterns; an empty pattern takes the default.
func NewClassifier(hotfix, bugfix string) (Classifier, error) {
	if hotfix == "" {
		hotfix = DefaultHotfixPattern
	}
	if bugfix == "" {
		bugfix = DefaultBugfixPattern
	}
	h, err := regexp.Compile(hotfix)
	if err != nil {
		return Classifier{}, fmt.Errorf("hotfix pattern: %w", err)
	}
	b, err := regexp.Compile(bugfix)
	if err != nil {
		return Classifier{}, fmt.Errorf("bugfix pattern: %w", err)
	}
	c := Classifier{Hotfix: h, Bugfix: b}
	if hotfix == DefaultHotfixPattern {
		c.hotfixWord = "hotfix"
	}
	if bugfix == DefaultBugfixPattern {
		c.bugfixWord = "bugfix"
	}
	return c, nil
}

// Kind classifies a commit message.
func (c Classifier) Kind(message string) Kind {
	switch {
	case matches(c.Hotfix, c.hotfixWord, message):
		return Hotfix
	case matches(c.Bugfix, c.bugfixWord, message):
		return Bugfix
	default:
		return Regular
	}
}

func matches(re *regexp.Regexp, word, message string) bool {
	if re == nil || (word != "" && !containsFold(message, word)) {
		return false
	}
	return re.MatchString(message)
}

// containsFold reports whether s contains the lowercase ASCII word in any
// case.
func containsFold(s, word string) bool {
	first := word[0]
	for i := 0; i+len(word) <= len(s); i++ {
		if s[i]|0x20 != first {
			continue
		}
		j := 1
		for j < len(word) && s[i+j]|0x20 == word[j] {
			j++
		}
		if j == len(word) {
			return true
		}
	}
	return false
}

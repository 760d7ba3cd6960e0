package theme

import (
	"image/color"
	"os"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"github.com/switchyard/switchyard/model"
)

// NoColor reports whether the user asked for no colour (the NO_COLOR
// convention: set and not empty).
func NoColor() bool { return os.Getenv("NO_COLOR") != "" }

// Styles is every style the cockpit draws with. Build it with [New].
type Styles struct {
	Dark    bool // built for a dark background
	Colored bool // false under NO_COLOR: attributes only

	// Frame.
	Header      lipgloss.Style // the header line(s)
	Title       lipgloss.Style // a pane's title
	TitleActive lipgloss.Style // the focused pane's title
	Pane        lipgloss.Style // a pane's border
	PaneActive  lipgloss.Style // the focused pane's border
	Tab         lipgloss.Style // a screen tab in the header
	TabActive   lipgloss.Style

	// Text.
	Normal   lipgloss.Style
	Muted    lipgloss.Style // secondary text: ids, ages, authors
	Bold     lipgloss.Style
	Selected lipgloss.Style // the selected row of a list
	Match    lipgloss.Style // text matching the filter

	// Status line.
	Status      lipgloss.Style
	StatusInfo  lipgloss.Style
	StatusOK    lipgloss.Style
	StatusWarn  lipgloss.Style
	StatusError lipgloss.Style

	// Meaning.
	OK    lipgloss.Style // clean, healthy, done
	Warn  lipgloss.Style // pending, degraded, waiting
	Error lipgloss.Style // conflict, unhealthy, failed
	Alert lipgloss.Style // header alerts

	// Commits and graphs.
	Hotfix  lipgloss.Style
	Bugfix  lipgloss.Style
	Regular lipgloss.Style
	Hash    lipgloss.Style
	Ref     lipgloss.Style // branch/track labels next to commits
	RefHead lipgloss.Style // the track's own head
	Missing lipgloss.Style // a commit still missing downstream
	Carried lipgloss.Style // a commit carried under another id
	Lanes   []lipgloss.Style

	// Slots and rollouts.
	SlotBlue  lipgloss.Style
	SlotGreen lipgloss.Style

	// Diffs and the resolver.
	Ours     lipgloss.Style
	Theirs   lipgloss.Style
	BaseText lipgloss.Style
	Added    lipgloss.Style
	Removed  lipgloss.Style
	Marker   lipgloss.Style // conflict markers
	Resolved lipgloss.Style

	// Dialogs and overlays.
	Dialog      lipgloss.Style // the confirmation box
	DialogTitle lipgloss.Style
	Overlay     lipgloss.Style // the help overlay box
	Key         lipgloss.Style // a key in help listings
	KeyDesc     lipgloss.Style // its description

	// Help is the bubbles/help styles matching the rest.
	Help help.Styles
}

// New builds the styles for a dark or light background; colored false gives
// the attribute-only styles NO_COLOR asks for.
func New(dark, colored bool) Styles {
	if !colored {
		return plain(dark)
	}
	ld := lipgloss.LightDark(dark)
	c := func(light, darkHex string) color.Color {
		return ld(lipgloss.Color(light), lipgloss.Color(darkHex))
	}
	var (
		fg      = c("#1f2328", "#e6edf3")
		muted   = c("#6e7781", "#8b949e")
		border  = c("#d0d7de", "#3d444d")
		accent  = c("#0969da", "#58a6ff")
		green   = c("#1a7f37", "#3fb950")
		yellow  = c("#9a6700", "#d29922")
		red     = c("#cf222e", "#f85149")
		orange  = c("#bc4c00", "#f0883e")
		purple  = c("#8250df", "#bc8cff")
		cyan    = c("#1b7c83", "#39c5cf")
		selBg   = c("#ddf4ff", "#1f3a5f")
		statBg  = c("#eaeef2", "#161b22")
		blueSl  = c("#0550ae", "#79c0ff")
		greenSl = c("#116329", "#56d364")
	)
	s := Styles{Dark: dark, Colored: true}
	n := lipgloss.NewStyle
	s.Header = n().Foreground(fg).Bold(true)
	s.Title = n().Foreground(muted).Bold(true)
	s.TitleActive = n().Foreground(accent).Bold(true)
	s.Pane = n().Border(lipgloss.RoundedBorder()).BorderForeground(border)
	s.PaneActive = n().Border(lipgloss.RoundedBorder()).BorderForeground(accent)
	s.Tab = n().Foreground(muted).Padding(0, 1)
	s.TabActive = n().Foreground(accent).Bold(true).Underline(true).Padding(0, 1)

	s.Normal = n().Foreground(fg)
	s.Muted = n().Foreground(muted)
	s.Bold = n().Foreground(fg).Bold(true)
	s.Selected = n().Background(selBg).Foreground(fg).Bold(true)
	s.Match = n().Foreground(orange).Underline(true)

	s.Status = n().Background(statBg).Foreground(fg)
	s.StatusInfo = n().Background(statBg).Foreground(accent)
	s.StatusOK = n().Background(statBg).Foreground(green)
	s.StatusWarn = n().Background(statBg).Foreground(yellow)
	s.StatusError = n().Background(statBg).Foreground(red).Bold(true)

	s.OK = n().Foreground(green)
	s.Warn = n().Foreground(yellow)
	s.Error = n().Foreground(red).Bold(true)
	s.Alert = n().Foreground(red).Bold(true)

	s.Hotfix = n().Foreground(red).Bold(true)
	s.Bugfix = n().Foreground(orange)
	s.Regular = n().Foreground(fg)
	s.Hash = n().Foreground(yellow)
	s.Ref = n().Foreground(cyan).Bold(true)
	s.RefHead = n().Foreground(green).Bold(true)
	s.Missing = n().Foreground(red).Bold(true)
	s.Carried = n().Foreground(purple)
	s.Lanes = []lipgloss.Style{
		n().Foreground(accent), n().Foreground(green), n().Foreground(purple),
		n().Foreground(yellow), n().Foreground(cyan), n().Foreground(orange),
	}

	s.SlotBlue = n().Foreground(blueSl).Bold(true)
	s.SlotGreen = n().Foreground(greenSl).Bold(true)

	s.Ours = n().Foreground(accent)
	s.Theirs = n().Foreground(purple)
	s.BaseText = n().Foreground(muted)
	s.Added = n().Foreground(green)
	s.Removed = n().Foreground(red)
	s.Marker = n().Foreground(red).Bold(true)
	s.Resolved = n().Foreground(green)

	s.Dialog = n().Border(lipgloss.RoundedBorder()).BorderForeground(yellow).Padding(0, 1)
	s.DialogTitle = n().Foreground(yellow).Bold(true)
	s.Overlay = n().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1)
	s.Key = n().Foreground(accent).Bold(true)
	s.KeyDesc = n().Foreground(muted)

	s.Help = help.Styles{
		ShortKey:       n().Foreground(accent),
		ShortDesc:      n().Foreground(muted),
		ShortSeparator: n().Foreground(border),
		Ellipsis:       n().Foreground(border),
		FullKey:        n().Foreground(accent),
		FullDesc:       n().Foreground(muted),
		FullSeparator:  n().Foreground(border),
	}
	return s
}

// plain is the NO_COLOR theme: no colour, only text attributes.
func plain(dark bool) Styles {
	n := lipgloss.NewStyle
	s := Styles{Dark: dark}
	s.Header = n().Bold(true)
	s.Title = n().Bold(true)
	s.TitleActive = n().Bold(true).Underline(true)
	s.Pane = n().Border(lipgloss.NormalBorder())
	s.PaneActive = n().Border(lipgloss.ThickBorder())
	s.Tab = n().Padding(0, 1)
	s.TabActive = n().Bold(true).Underline(true).Padding(0, 1)
	s.Normal = n()
	s.Muted = n().Faint(true)
	s.Bold = n().Bold(true)
	s.Selected = n().Reverse(true)
	s.Match = n().Underline(true)
	s.Status = n().Reverse(true)
	s.StatusInfo = n().Reverse(true)
	s.StatusOK = n().Reverse(true)
	s.StatusWarn = n().Reverse(true).Bold(true)
	s.StatusError = n().Reverse(true).Bold(true)
	s.OK = n()
	s.Warn = n().Bold(true)
	s.Error = n().Bold(true)
	s.Alert = n().Bold(true)
	s.Hotfix = n().Bold(true)
	s.Bugfix = n().Underline(true)
	s.Regular = n()
	s.Hash = n().Faint(true)
	s.Ref = n().Bold(true)
	s.RefHead = n().Bold(true)
	s.Missing = n().Bold(true)
	s.Carried = n().Italic(true)
	s.Lanes = []lipgloss.Style{n()}
	s.SlotBlue = n().Bold(true)
	s.SlotGreen = n().Bold(true)
	s.Ours = n()
	s.Theirs = n()
	s.BaseText = n().Faint(true)
	s.Added = n().Bold(true)
	s.Removed = n().Faint(true)
	s.Marker = n().Bold(true)
	s.Resolved = n()
	s.Dialog = n().Border(lipgloss.NormalBorder()).Padding(0, 1)
	s.DialogTitle = n().Bold(true)
	s.Overlay = n().Border(lipgloss.NormalBorder()).Padding(0, 1)
	s.Key = n().Bold(true)
	s.KeyDesc = n()
	s.Help = help.Styles{
		ShortKey: n().Bold(true), ShortDesc: n(), ShortSeparator: n().Faint(true),
		Ellipsis: n().Faint(true), FullKey: n().Bold(true), FullDesc: n(), FullSeparator: n(),
	}
	return s
}

// Selection is the style of a list's selected line: Selected in the pane
// keys go to, a faint, not bold Selected in the others.
func (s Styles) Selection(focused bool) lipgloss.Style {
	if focused {
		return s.Selected
	}
	return s.Selected.Faint(true).Bold(false)
}

// Kind is the style for a commit kind.
func (s Styles) Kind(k model.Kind) lipgloss.Style {
	switch k {
	case model.Hotfix:
		return s.Hotfix
	case model.Bugfix:
		return s.Bugfix
	default:
		return s.Regular
	}
}

// Lane is the style for graph lane i.
func (s Styles) Lane(i int) lipgloss.Style {
	if len(s.Lanes) == 0 {
		return s.Normal
	}
	return s.Lanes[i%len(s.Lanes)]
}

// Health is the style for a slot's health.
func (s Styles) Health(h model.Health) lipgloss.Style {
	switch h {
	case model.HealthHealthy:
		return s.OK
	case model.HealthDegraded:
		return s.Warn
	case model.HealthUnhealthy:
		return s.Error
	default:
		return s.Muted
	}
}

// Slot is the style for a slot colour.
func (s Styles) Slot(c model.Color) lipgloss.Style {
	if c == model.Green {
		return s.SlotGreen
	}
	return s.SlotBlue
}

// Package assets holds the files Switchyard embeds: the documented example
// config, the demo scenario and the help text.
package assets

import _ "embed"

// ExampleConfig is the documented example switchyard.toml.
//
//go:embed switchyard.example.toml
var ExampleConfig []byte

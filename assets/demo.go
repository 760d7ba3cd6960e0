package assets

import "embed"

// Demo holds the demo sandbox: scenario.toml (the story of the source and
// bin repositories), switchyard.toml.tmpl (the sandbox's config),
// acceptance.sh (its gate) and README.txt.
//
//go:embed demo
var Demo embed.FS

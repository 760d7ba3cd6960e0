// Package config reads switchyard.toml: the tracks of the source repo, commit
// kind patterns, the bin repo, the build command, environments with their
// health and traffic providers, rollout waves and gates, and notifications.
//
// # Defaults
//
// With no file at all the two-branch flow works: tracks dev → prod, a cycle of
// seven days, no bin repo. Every key is optional.
//
// # Errors
//
// A syntax error, an unknown key or a bad value is reported as one line that
// names the file, the line and the key, for example:
//
//	switchyard.toml:12: track[1].name: track "dev" is given twice
package config

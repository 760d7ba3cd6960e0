// Package engine is Switchyard's release engine: the one API the cockpit and
// the headless commands both call. It opens the source repo (and the bin repo
// when configured), reads tracks, computes pending promotions, carries
// commits, runs trains, cuts builds and drives rollouts.
//
// Every call takes a context.Context first. Long work publishes
// model.Events on the engine's broker (see Engine.Subscribe), so front ends
// show progress without polling. The engine never imports a front end.
package engine

// Package rollouts is the cockpit's rollouts screen: every environment's
// blue and green slots and its last rollout — waves, gate results and
// their logs, analysis — always showing desired against actual (the
// wave's weight against the weight the traffic driver reports, the share
// of nodes meant to run the build against the share reporting it), with
// keys to deploy, promote the next wave, approve and abort.
//
// The screen is a plain component driven by the root model. Engine calls
// run in tea.Cmds answered by typed messages; rollout progress arrives as
// engine events through the screen's own subscription.
package rollouts

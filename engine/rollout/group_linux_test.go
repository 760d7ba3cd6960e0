package rollout

import "github.com/switchyard/switchyard/engine/procgroup"

// groupMembers lists the live processes of group pgid.
func groupMembers(pgid int) []int {
	m, _ := procgroup.Members(pgid)
	return m
}

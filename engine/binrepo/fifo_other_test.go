//go:build !unix

package binrepo

import "errors"

func mkfifo(path string) error { return errors.ErrUnsupported }

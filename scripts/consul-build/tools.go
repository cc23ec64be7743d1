//go:build tools

// Package tools keeps github.com/hashicorp/consul in go.mod for `go mod tidy`; nothing here is
// compiled. scripts/install-consul runs `go build github.com/hashicorp/consul` in this module.
package tools

import _ "github.com/hashicorp/consul"

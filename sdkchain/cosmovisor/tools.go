//go:build tools

// Package tools makes `go mod tidy` keep Cosmovisor's command in this wrapper module.
package tools

import _ "cosmossdk.io/tools/cosmovisor/cmd/cosmovisor"

// Wrapper module for the comparison anchor, Cosmovisor v1.7.1. Plain
// `go install cosmossdk.io/tools/cosmovisor/cmd/cosmovisor@v1.7.1` needs sonic >= v1.15 on
// Go 1.26 (v1.7.1 pulls an older one); this module forces it. See ../README.md for whether the
// module proxy serves the source of v1.7.1.
module sdkchain.test/cosmovisor

go 1.23

require (
	cosmossdk.io/tools/cosmovisor v1.7.1
	github.com/bytedance/sonic v1.15.5
	github.com/bytedance/sonic/loader v0.5.3
)

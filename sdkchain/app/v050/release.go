// Release 1 of the test chain (Cosmos SDK v0.50.x): the common modules only, no upgrade handler.
package main

import (
	appv1alpha1 "cosmossdk.io/api/cosmos/app/v1alpha1"
	upgradetypes "cosmossdk.io/x/upgrade/types"
)

// releaseModules returns the modules this release adds to the common set and their BeginBlockers.
func releaseModules() ([]*appv1alpha1.ModuleConfig, []string) { return nil, nil }

// releasePreBlockers: modules with a PreBlocker, in order.
func releasePreBlockers() []string { return []string{upgradetypes.ModuleName} }

func registerUpgrades(*App) {}

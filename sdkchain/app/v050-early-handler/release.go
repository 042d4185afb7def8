// Release 1 of the test chain (Cosmos SDK v0.50.x) as an operator installs it too early: the same
// modules and stores as app/v050 (built against app/v050/go.mod), plus an upgrade handler for
// "v050-to-v053" with no store upgrades. x/upgrade's PreBlocker refuses to run it on a chain whose
// plan "v050-to-v053" is stored but not yet due ("BINARY UPDATED BEFORE TRIGGER!"): the wrong-binary
// test of a schedule that switches to the upgrade binary before the plan height. Real v0.53 cannot
// show that refusal on that state: it adds the epochs store, so it fails earlier, loading the store
// ("version of store epochs mismatch root store's version").
package main

import (
	"context"

	appv1alpha1 "cosmossdk.io/api/cosmos/app/v1alpha1"
	upgradetypes "cosmossdk.io/x/upgrade/types"
	"github.com/cosmos/cosmos-sdk/types/module"
)

// UpgradeName is the plan name this binary carries a handler for (release 2's).
const UpgradeName = "v050-to-v053"

// releaseModules returns the modules this release adds to the common set: none, as release 1.
func releaseModules() ([]*appv1alpha1.ModuleConfig, []string) { return nil, nil }

// releasePreBlockers: modules with a PreBlocker, in order (as release 1).
func releasePreBlockers() []string { return []string{upgradetypes.ModuleName} }

func registerUpgrades(app *App) {
	app.UpgradeKeeper.SetUpgradeHandler(UpgradeName,
		func(ctx context.Context, _ upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
			return app.ModuleManager.RunMigrations(ctx, app.Configurator(), fromVM)
		})
}

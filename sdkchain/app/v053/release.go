// Release 2 of the test chain (Cosmos SDK v0.53.x): adds x/epochs and the upgrade handler
// "v050-to-v053" (the name stock simapp v0.53 registers), which runs the module migrations and
// adds the epochs store through StoreUpgrades, read from data/upgrade-info.json at start.
package main

import (
	"context"

	appv1alpha1 "cosmossdk.io/api/cosmos/app/v1alpha1"
	epochsmodulev1 "cosmossdk.io/api/cosmos/epochs/module/v1"
	"cosmossdk.io/core/appconfig"
	storetypes "cosmossdk.io/store/types"
	upgradetypes "cosmossdk.io/x/upgrade/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	_ "github.com/cosmos/cosmos-sdk/x/epochs"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
)

// UpgradeName is the plan name this release applies.
const UpgradeName = "v050-to-v053"

func releaseModules() ([]*appv1alpha1.ModuleConfig, []string) {
	return []*appv1alpha1.ModuleConfig{
		{Name: epochstypes.ModuleName, Config: appconfig.WrapAny(&epochsmodulev1.Module{})},
	}, []string{epochstypes.ModuleName}
}

// releasePreBlockers: modules with a PreBlocker, in order (x/auth has one from SDK v0.53 on).
func releasePreBlockers() []string {
	return []string{upgradetypes.ModuleName, authtypes.ModuleName}
}

func registerUpgrades(app *App) {
	app.UpgradeKeeper.SetUpgradeHandler(UpgradeName,
		func(ctx context.Context, _ upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
			return app.ModuleManager.RunMigrations(ctx, app.Configurator(), fromVM)
		})
	info, err := app.UpgradeKeeper.ReadUpgradeInfoFromDisk()
	if err != nil {
		panic(err)
	}
	if info.Name == UpgradeName && !app.UpgradeKeeper.IsSkipHeight(info.Height) {
		upgrades := storetypes.StoreUpgrades{Added: []string{epochstypes.StoreKey}}
		app.SetStoreLoader(upgradetypes.UpgradeStoreLoader(info.Height, &upgrades))
	}
}

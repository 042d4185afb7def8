// Package main is the test chain's node binary, `simd`: a minimal Cosmos SDK application
// (auth, bank, staking, distribution, gov, upgrade, consensus, genutil; release 2 adds epochs)
// wired with the SDK's own depinject runtime. It exists because the Go module proxy serves
// cosmossdk.io/simapp only by exact pseudo-version and offers no way to resolve a release tag
// to its commit (see ../../README.md). This file is shared by both releases; the release's own
// file (release.go) adds its modules and upgrade handlers. It never changes SDK behaviour:
// every log line, halt and upgrade-info.json comes from the SDK and CometBFT code itself.
package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	runtimev1alpha1 "cosmossdk.io/api/cosmos/app/runtime/v1alpha1"
	appv1alpha1 "cosmossdk.io/api/cosmos/app/v1alpha1"
	authmodulev1 "cosmossdk.io/api/cosmos/auth/module/v1"
	bankmodulev1 "cosmossdk.io/api/cosmos/bank/module/v1"
	consensusmodulev1 "cosmossdk.io/api/cosmos/consensus/module/v1"
	distrmodulev1 "cosmossdk.io/api/cosmos/distribution/module/v1"
	genutilmodulev1 "cosmossdk.io/api/cosmos/genutil/module/v1"
	govmodulev1 "cosmossdk.io/api/cosmos/gov/module/v1"
	stakingmodulev1 "cosmossdk.io/api/cosmos/staking/module/v1"
	txconfigv1 "cosmossdk.io/api/cosmos/tx/config/v1"
	upgrademodulev1 "cosmossdk.io/api/cosmos/upgrade/module/v1"
	"cosmossdk.io/core/appconfig"
	"cosmossdk.io/depinject"
	"cosmossdk.io/log"
	_ "cosmossdk.io/x/upgrade"
	upgradekeeper "cosmossdk.io/x/upgrade/keeper"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/runtime"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	_ "github.com/cosmos/cosmos-sdk/x/auth"
	_ "github.com/cosmos/cosmos-sdk/x/auth/tx/config"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	_ "github.com/cosmos/cosmos-sdk/x/bank"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	_ "github.com/cosmos/cosmos-sdk/x/consensus"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	_ "github.com/cosmos/cosmos-sdk/x/distribution"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	"github.com/cosmos/cosmos-sdk/x/gov"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	_ "github.com/cosmos/cosmos-sdk/x/staking"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
)

// DefaultNodeHome is where the node keeps its state when --home is not given.
var DefaultNodeHome string

func init() {
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	DefaultNodeHome = filepath.Join(home, ".simapp")
}

// App is the node application: the SDK runtime plus the keeper the upgrade handlers need.
type App struct {
	*runtime.App
	UpgradeKeeper *upgradekeeper.Keeper
}

// appConfig lists the modules of this release and their block orders.
func appConfig() depinject.Config {
	extra, extraBegin := releaseModules()
	begin := append([]string{distrtypes.ModuleName, stakingtypes.ModuleName}, extraBegin...)
	genesis := []string{authtypes.ModuleName, banktypes.ModuleName, distrtypes.ModuleName,
		stakingtypes.ModuleName, govtypes.ModuleName, genutiltypes.ModuleName,
		upgradetypes.ModuleName, consensustypes.ModuleName}
	for _, m := range extra {
		genesis = append(genesis, m.Name)
	}
	perms := []*authmodulev1.ModuleAccountPermission{
		{Account: authtypes.FeeCollectorName},
		{Account: distrtypes.ModuleName},
		{Account: stakingtypes.BondedPoolName, Permissions: []string{authtypes.Burner, stakingtypes.ModuleName}},
		{Account: stakingtypes.NotBondedPoolName, Permissions: []string{authtypes.Burner, stakingtypes.ModuleName}},
		{Account: govtypes.ModuleName, Permissions: []string{authtypes.Burner}},
	}
	modules := []*appv1alpha1.ModuleConfig{
		{Name: runtime.ModuleName, Config: appconfig.WrapAny(&runtimev1alpha1.Module{
			AppName:       "sdkchain",
			PreBlockers:   releasePreBlockers(),
			BeginBlockers: begin,
			EndBlockers:   []string{govtypes.ModuleName, stakingtypes.ModuleName},
			OverrideStoreKeys: []*runtimev1alpha1.StoreKeyConfig{
				{ModuleName: authtypes.ModuleName, KvStoreKey: "acc"},
			},
			InitGenesis: genesis,
		})},
		{Name: authtypes.ModuleName, Config: appconfig.WrapAny(&authmodulev1.Module{
			Bech32Prefix: "cosmos", ModuleAccountPermissions: perms,
		})},
		{Name: "tx", Config: appconfig.WrapAny(&txconfigv1.Config{})},
		{Name: banktypes.ModuleName, Config: appconfig.WrapAny(&bankmodulev1.Module{})},
		{Name: stakingtypes.ModuleName, Config: appconfig.WrapAny(&stakingmodulev1.Module{})},
		{Name: distrtypes.ModuleName, Config: appconfig.WrapAny(&distrmodulev1.Module{})},
		{Name: govtypes.ModuleName, Config: appconfig.WrapAny(&govmodulev1.Module{})},
		{Name: upgradetypes.ModuleName, Config: appconfig.WrapAny(&upgrademodulev1.Module{})},
		{Name: consensustypes.ModuleName, Config: appconfig.WrapAny(&consensusmodulev1.Module{})},
		{Name: genutiltypes.ModuleName, Config: appconfig.WrapAny(&genutilmodulev1.Module{})},
	}
	modules = append(modules, extra...)
	// genutil's and gov's module basics need arguments the app config cannot carry: the CLI's
	// genesis commands type-assert genutil's.
	return depinject.Configs(appconfig.Compose(&appv1alpha1.Config{Modules: modules}),
		depinject.Supply(map[string]module.AppModuleBasic{
			genutiltypes.ModuleName: genutil.NewAppModuleBasic(genutiltypes.DefaultMessageValidator),
			govtypes.ModuleName:     gov.NewAppModuleBasic(nil),
		}))
}

// NewApp builds the application, registers this release's upgrade handlers and loads the state.
func NewApp(logger log.Logger, db dbm.DB, traceStore io.Writer, loadLatest bool,
	appOpts servertypes.AppOptions, baseAppOptions ...func(*baseapp.BaseApp)) *App {
	app := &App{}
	var builder *runtime.AppBuilder
	if err := depinject.Inject(depinject.Configs(appConfig(), depinject.Supply(appOpts, logger)),
		&builder, &app.UpgradeKeeper); err != nil {
		panic(err)
	}
	app.App = builder.Build(db, traceStore, baseAppOptions...)
	registerUpgrades(app)
	if err := app.Load(loadLatest); err != nil {
		panic(err)
	}
	return app
}

func newApp(logger log.Logger, db dbm.DB, traceStore io.Writer, appOpts servertypes.AppOptions) servertypes.Application {
	return NewApp(logger, db, traceStore, true, appOpts, serverDefaultOptions(appOpts)...)
}

func appExport(log.Logger, dbm.DB, io.Writer, int64, bool, []string, servertypes.AppOptions, []string) (servertypes.ExportedApp, error) {
	return servertypes.ExportedApp{}, errors.New("export is not supported by the sdkchain test node")
}

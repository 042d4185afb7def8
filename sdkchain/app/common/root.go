// The command line of the test node: the SDK's own init, genesis, keys, start, comet, version,
// tx and query commands (module commands through AutoCLI), nothing of our own.
package main

import (
	"fmt"
	"os"

	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/depinject"
	"cosmossdk.io/log"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/config"
	"github.com/cosmos/cosmos-sdk/client/keys"
	"github.com/cosmos/cosmos-sdk/client/rpc"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/server"
	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	authcmd "github.com/cosmos/cosmos-sdk/x/auth/client/cli"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"
	"github.com/spf13/cobra"
)

func serverDefaultOptions(appOpts servertypes.AppOptions) []func(*baseapp.BaseApp) {
	return server.DefaultBaseappOptions(appOpts)
}

// ProvideClientContext gives the CLI its client context (depinject needs it exported).
func ProvideClientContext(appCodec codec.Codec, registry codectypes.InterfaceRegistry,
	txConfig client.TxConfig, amino *codec.LegacyAmino) client.Context {
	ctx := client.Context{}.WithCodec(appCodec).WithInterfaceRegistry(registry).
		WithTxConfig(txConfig).WithLegacyAmino(amino).WithInput(os.Stdin).
		WithAccountRetriever(authtypes.AccountRetriever{}).WithHomeDir(DefaultNodeHome).WithViper("")
	ctx, _ = config.ReadFromClientConfig(ctx)
	return ctx
}

func newRootCmd() *cobra.Command {
	var (
		autoCliOpts autocli.AppOptions
		basics      module.BasicManager
		clientCtx   client.Context
	)
	if err := depinject.Inject(depinject.Configs(appConfig(), depinject.Supply(log.NewNopLogger()),
		depinject.Provide(ProvideClientContext)), &autoCliOpts, &basics, &clientCtx); err != nil {
		panic(err)
	}
	root := &cobra.Command{
		Use:           "simd",
		Short:         "sdkchain test node (Cosmos SDK)",
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())
			ctx := clientCtx.WithCmdContext(cmd.Context())
			ctx, err := client.ReadPersistentCommandFlags(ctx, cmd.Flags())
			if err != nil {
				return err
			}
			ctx, err = config.ReadFromClientConfig(ctx)
			if err != nil {
				return err
			}
			if err := client.SetCmdClientContextHandler(ctx, cmd); err != nil {
				return err
			}
			srvCfg := serverconfig.DefaultConfig()
			srvCfg.MinGasPrices = "0stake"
			return server.InterceptConfigsPreRunHandler(cmd, serverconfig.DefaultConfigTemplate, srvCfg, cmtcfg.DefaultConfig())
		},
	}
	query := &cobra.Command{Use: "query", Aliases: []string{"q"}, Short: "Querying subcommands",
		DisableFlagParsing: false, RunE: client.ValidateCmd}
	query.AddCommand(rpc.WaitTxCmd(), authcmd.QueryTxCmd(), server.QueryBlockCmd())
	tx := &cobra.Command{Use: "tx", Short: "Transactions subcommands", RunE: client.ValidateCmd}
	tx.AddCommand(authcmd.GetSignCommand(), authcmd.GetBroadcastCommand())
	root.AddCommand(
		genutilcli.InitCmd(basics, DefaultNodeHome),
		genutilcli.Commands(clientCtx.TxConfig, basics, DefaultNodeHome),
		server.StatusCommand(), query, tx, keys.Commands(),
	)
	server.AddCommands(root, DefaultNodeHome, newApp, appExport, func(*cobra.Command) {})
	if err := autoCliOpts.EnhanceRootCommand(root); err != nil {
		panic(err)
	}
	return root
}

func main() {
	if err := svrcmd.Execute(newRootCmd(), "", DefaultNodeHome); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

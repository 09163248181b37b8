// Command whippyware syncs stock from an ERP's CSV export to Whippy Ware and lists what the
// service holds, for people at a terminal and for cron jobs.
//
//	whippyware sync stock.csv              # write only what differs
//	whippyware sync --dry-run stock.csv    # print the plan, write nothing
//	whippyware stocks list --provider erp_main --output csv
//	whippyware providers get 1
//
// Settings come from WHIPPYWARE_URL, WHIPPYWARE_USERNAME and WHIPPYWARE_PASSWORD; the flags
// --url, --username and --password override them. Exit status: 0 when every row is done,
// 1 when some rows failed, 2 when the command could not run.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/whippyware-go/whippyware"
)

// Exit statuses.
const (
	exitOK         = 0
	exitRowsFailed = 1
	exitCannotRun  = 2
)

// The variables the settings come from.
const (
	envURL      = "WHIPPYWARE_URL"
	envUsername = "WHIPPYWARE_USERNAME"
	envPassword = "WHIPPYWARE_PASSWORD"
)

func main() {
	ctx, stop := watchSignals(context.Background()) // a second Ctrl-C stops a sync at once
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries an exit status other than 2 up from a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// app is one run of the command: its streams, settings and flags.
type app struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer

	url, username, password string
	output                  string
}

// run runs the command with args (without the program name) and returns its exit status.
// getenv reads settings (os.Getenv in main).
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	return (&app{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}).run(ctx, args)
}

func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	var exit exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &exit):
		return exit.code
	}
	// The SDK's errors already start with "whippyware: ".
	fmt.Fprintf(a.stderr, "whippyware: %s\n", strings.TrimPrefix(err.Error(), "whippyware: "))
	return exitCannotRun
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "whippyware",
		Short: "Sync stock to Whippy Ware and list what it holds",
		Long: "Sync stock from an ERP's CSV export to Whippy Ware, and list or get stocks, providers,\n" +
			"locations, stock list rules and stock lists.\n\n" +
			"Settings come from " + envURL + ", " + envUsername + " and " + envPassword + ";\n" +
			"--url, --username and --password override them.\n\n" +
			"Exit status: 0 when every row is done, 1 when some rows failed, 2 when it could not run.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	flags := root.PersistentFlags()
	flags.StringVar(&a.url, "url", "", "base URL of the Whippy Ware service (default $"+envURL+")")
	flags.StringVar(&a.username, "username", "", "user name (default $"+envUsername+")")
	flags.StringVar(&a.password, "password", "", "password (default $"+envPassword+"; prefer the variable: flags show in ps)")
	flags.StringVarP(&a.output, "output", "o", "table", "output format of lists and gets: table, csv or json")
	root.AddCommand(a.syncCommand(), stocksCommand(a), providersCommand(a), locationsCommand(a), rulesCommand(a), listsCommand(a))
	return root
}

// client builds the client from the flags and, where a flag is not given, the variables,
// and says every setting that is missing.
func (a *app) client() (*whippyware.Client, error) {
	setting := func(flag, env string) string {
		if flag != "" {
			return flag
		}
		return a.getenv(env)
	}
	url, user, password := setting(a.url, envURL), setting(a.username, envUsername), setting(a.password, envPassword)
	var missing []string
	for _, s := range []struct{ value, name string }{{url, envURL + " or --url"}, {user, envUsername + " or --username"}, {password, envPassword + " or --password"}} {
		if s.value == "" {
			missing = append(missing, s.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing settings: set %s", strings.Join(missing, "; "))
	}
	return whippyware.NewClient(url, whippyware.WithCredentials(user, password))
}

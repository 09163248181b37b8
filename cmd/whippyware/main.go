// Command whippyware syncs stock from an ERP's CSV export to Whippy Ware and manages what the
// service holds (providers, locations, stock lists, rules and stocks), for people at a
// terminal and for cron jobs.
//
//	whippyware providers create --code erp_main --name "ERP main"
//	whippyware locations create --code 300 --name "Store 300" --provider erp_main
//	whippyware sync stock.csv              # write only what differs
//	whippyware sync --dry-run stock.csv    # print the plan, write nothing
//	whippyware stocks list --provider erp_main -o csv > stock.csv   # sync reads it back
//	whippyware providers delete 3          # asks first on a terminal; --yes in scripts
//
// Settings come from WHIPPYWARE_URL, WHIPPYWARE_USERNAME and WHIPPYWARE_PASSWORD (or
// WHIPPYWARE_PASSWORD_FILE, a file holding it); the flags --url, --username, --password and
// --password-stdin override them. The --password flag shows in the process list to other
// users of the machine; prefer the others.
//
// Output is printed only when the command succeeds: a list that fails part way prints
// nothing on standard output, only the error on standard error, so "| jq length" never
// counts a partial list. A list is therefore held in memory until it is complete: 275
// bytes a stock in JSON, 5.5 MB for 20,000 stocks (BenchmarkStocksListJSON).
//
// CSV output is safe to open in a spreadsheet: a text cell that starts with =, +, -, @, a
// tab or a carriage return (or with a ' before one of them) is written with a leading ',
// as OWASP advises against CSV injection; sync and -f take that ' off again.
//
// Exit status: 0 when every row is done, 1 when some rows failed, 2 when the command could
// not run, 3 when a snapshot guard refused to zero (nothing was written).
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/internal/buildinfo"
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

	// stdinTerminal says whether standard input is a terminal, where a delete may ask.
	stdinTerminal func() bool
	// stdinLines reads standard input by lines once --password-stdin or a prompt needs it.
	stdinLines *bufio.Reader

	url, username, password string
	passwordStdin           bool
	insecureHTTP            bool
	output                  string

	// clientOptions are given to the client after the command's own (a test's shorter
	// login timeout).
	clientOptions []whippyware.Option
}

// run runs the command with args (without the program name) and returns its exit status.
// getenv reads settings (os.Getenv in main).
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	a.stdinTerminal = func() bool { return isTerminal(a.stdin) }
	return a.run(ctx, args)
}

func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var exit exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &exit):
		return exit.code
	}
	// The SDK's errors already start with "whippyware: ". A login that did not finish names
	// the client's Go option for its timeout, which the command does not offer.
	msg := strings.Replace(strings.TrimPrefix(err.Error(), "whippyware: "), " (WithLoginTimeout)", "", 1)
	fmt.Fprintf(a.stderr, "whippyware: %s\n", msg)
	return exitCannotRun
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "whippyware",
		Short: "Sync stock to Whippy Ware and manage what it holds",
		Long: "Sync stock from an ERP's CSV export to Whippy Ware, and create, update, delete, list or get\n" +
			"providers, locations, stock lists, stock list rules and stocks.\n\n" +
			"Settings come from " + envURL + ", " + envUsername + " and " + envPassword + " (or " + envPasswordFile + ",\n" +
			"a file holding the password); --url, --username, --password and --password-stdin override them.\n" +
			"--password is visible to other users of the machine (ps); prefer --password-stdin or the variables.\n\n" +
			"Output is printed only when the command succeeds: a failed list prints nothing on standard output.\n\n" +
			"Shell completion: whippyware completion bash|zsh|fish|powershell prints a script, e.g.\n" +
			"  source <(whippyware completion bash)\n\n" +
			"Exit status: 0 when every row is done, 1 when some rows failed, 2 when it could not run,\n" +
			"3 when a snapshot guard refused to zero (nothing was written).",
		Version:           buildinfo.Version(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: a.settle,
	}
	root.SetVersionTemplate("whippyware {{.Version}}\n")
	flags := root.PersistentFlags()
	flags.StringVar(&a.url, "url", "", "base URL of the Whippy Ware service, https://host[/prefix] (default $"+envURL+")")
	flags.StringVar(&a.username, "username", "", "user name (default $"+envUsername+")")
	flags.StringVar(&a.password, "password", "", "password (default $"+envPassword+" or the file $"+envPasswordFile+");\n"+
		"VISIBLE to other users of the machine in the process list: prefer --password-stdin or the variables")
	flags.BoolVar(&a.passwordStdin, "password-stdin", false, "read the password from the first line of standard input (not with input read from it)")
	flags.BoolVar(&a.insecureHTTP, "insecure-http", false, "allow a plain http:// URL to a host that is not this machine (default $"+envInsecureHTTP+");\n"+
		"the password and key then travel unencrypted: only for a test service on a network you trust")
	flags.StringVarP(&a.output, "output", "o", "table", "output format of lists, gets, creates and updates: table, csv or json")
	// It fails only for a flag not declared, and --output is declared just above.
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "csv", "json"}, cobra.ShellCompDirectiveNoFileComp))
	root.AddCommand(a.syncCommand(), stocksCommand(a), providersCommand(a), locationsCommand(a), rulesCommand(a), listsCommand(a))
	root.SetIn(a.stdin)
	root.SetOut(a.stdout) // before the completion command, which keeps the writer it finds
	root.SetErr(a.stderr)
	root.InitDefaultCompletionCmd()
	refuseUnknownSubcommands(root)
	return root
}

// refuseUnknownSubcommands makes each command that only holds subcommands (providers,
// completion, ...) refuse an argument it does not know: cobra printed the help for a
// mistyped subcommand and exited 0, so that a script went on as if it had deleted
// something. Alone, such a command still prints its help.
func refuseUnknownSubcommands(parent *cobra.Command) {
	for _, cmd := range parent.Commands() {
		if cmd.HasSubCommands() && !cmd.Runnable() {
			cmd.Args = unknownSubcommand
			cmd.SuggestionsMinimumDistance = 2 // cobra's own for the root's commands
			cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
		refuseUnknownSubcommands(cmd)
	}
}

// unknownSubcommand refuses an argument with the subcommand it may have meant.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return errors.New(msg)
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/whippyware-go/whippyware"
)

// createCommand is "<plural> create": one record from the flags, or every record of -f.
func (r resource[T, C, U, F]) createCommand(a *app) *cobra.Command {
	in := &input{fields: r.fields}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create " + article(r.name) + " " + r.name + " from flags, or several from a JSON or CSV file",
		Long: "Create " + article(r.name) + " " + r.name + " from the flags, or one per record of a JSON file (an object or an array of\n" +
			"objects) or a CSV file (a header naming the fields) given with -f. Required: " + r.requiredNames() + ".\n" +
			r.note + "Prints what the service stored.",
		Args: cobra.NoArgs,
	}
	in.addFlags(cmd, "create", true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return r.write(a, cmd, in, "created", func(recs []record) error {
			for _, rec := range recs {
				if missing := r.missing(rec); len(missing) > 0 {
					return fmt.Errorf("%s: missing %s", rec.where, strings.Join(missing, ", "))
				}
			}
			return nil
		}, func(svc service[T, C, U, F], rec record) request[T] {
			req := r.toCreate(rec)
			return request[T]{"POST", r.path, req, func(ctx context.Context) (*T, *whippyware.Response, error) { return svc.Create(ctx, req) }}
		})
	}
	return cmd
}

// updateCommand is "<plural> update ID" with flags, or every record of -f, each with its id.
func (r resource[T, C, U, F]) updateCommand(a *app) *cobra.Command {
	in := &input{fields: r.fields}
	cmd := &cobra.Command{
		Use:   "update [ID]",
		Short: "Change fields of " + article(r.name) + " " + r.name + " by id, or of each record of a JSON or CSV file",
		Long: "Change the fields given as flags of the " + r.name + " with id ID (the service's id, as list prints it),\n" +
			"or, with -f, of each record of a JSON or CSV file, which says the record's id in an id field or\n" +
			"column. Only the fields given are sent; in a CSV an empty cell sends nothing, and in JSON null\n" +
			"clears a field that may be empty.\n" + r.note + "Prints what the service stored.",
		Args: cobra.MaximumNArgs(1),
	}
	in.addFlags(cmd, "update", true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return r.write(a, cmd, in, "updated", func(recs []record) error {
			switch {
			case in.file != "" && len(args) > 0:
				return fmt.Errorf("give the id as an argument or in -f's records, not both")
			case in.file == "" && len(args) == 0:
				return fmt.Errorf("say which %s: update ID --field value, or update -f file", r.name)
			case len(args) > 0:
				var err error
				recs[0].id, err = parseID(args[0])
				return err
			}
			for _, rec := range recs {
				if rec.id == 0 {
					return fmt.Errorf("%s: no id: each record of -f needs an id field saying which %s it changes", rec.where, r.name)
				}
			}
			return nil
		}, func(svc service[T, C, U, F], rec record) request[T] {
			req := r.toUpdate(rec)
			return request[T]{"PATCH", r.path + itoa(rec.id) + "/", req, func(ctx context.Context) (*T, *whippyware.Response, error) {
				return svc.Update(ctx, rec.id, req)
			}}
		})
	}
	return cmd
}

// request is one write, ready to send or to print for --dry-run.
type request[T any] struct {
	method, path string
	body         any
	send         func(context.Context) (*T, *whippyware.Response, error)
}

// write runs a create or an update. Every record is read and checked (check), and every
// provider code looked up, before the first write; the writes then go one by one and stop
// at the first refusal. verb says what was done, for the error of a refusal part way.
func (r resource[T, C, U, F]) write(a *app, cmd *cobra.Command, in *input, verb string, check func([]record) error,
	build func(service[T, C, U, F], record) request[T]) error {
	// One record from the flags prints as one, as get prints it; a file's as a list.
	p, err := newPrinter(a.output, r.columns, r.csvColumns, in.file == "")
	if err != nil {
		return err
	}
	onUpdate := verb == "updated"
	recs, err := a.records(cmd, in, onUpdate)
	if err != nil {
		return err
	}
	if err := check(recs); err != nil {
		return err
	}
	// A record of a file that gives no field (a CSV line of empty cells) changes nothing.
	recs = slices.DeleteFunc(recs, func(rec record) bool { return onUpdate && len(rec.values) == 0 })
	ctx := cmd.Context()
	c, err := a.client()
	if err != nil {
		return err
	}
	if err := resolveProviders(ctx, c, recs); err != nil {
		return err
	}
	reqs := make([]request[T], len(recs))
	for i, rec := range recs {
		reqs[i] = build(r.service(c), rec)
	}
	if in.dryRun {
		var out strings.Builder
		for _, req := range reqs {
			b, err := json.Marshal(req.body)
			if err != nil {
				return err
			}
			fmt.Fprintf(&out, "would %s %s %s\n", req.method, req.path, b)
		}
		_, err := io.WriteString(a.stdout, out.String())
		return err
	}
	if err := r.prepared(ctx, a, c); err != nil { // before the first write, as every lookup
		return err
	}
	done := make([]int64, 0, len(reqs))
	for i, req := range reqs {
		rec, _, err := req.send(ctx)
		if err != nil {
			return partial(recs[i].where, err, verb, done, len(recs))
		}
		done = append(done, r.id(rec))
		if err := p.print(rec); err != nil {
			return err
		}
	}
	return p.write(a.stdout)
}

// deleteCommand is "<plural> delete ID..." or the records of -f, each with its id. On a
// terminal it asks first; elsewhere it needs --yes, so that a script says it means it.
func (r resource[T, C, U, F]) deleteCommand(a *app) *cobra.Command {
	in := &input{} // no fields: a file is read for its ids only
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete [ID...]",
		Short: "Delete " + r.plural + " by id (asks first; --yes in scripts)",
		Long: "Delete the " + r.plural + " with the ids given (the service's ids, as list prints them), or those of the\n" +
			"records of a JSON or CSV file with an id field (-f; other fields are not read). On a terminal it\n" +
			"asks before deleting; with no terminal it deletes only with --yes.",
	}
	in.addFlags(cmd, "delete", false)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var ids []int64
		switch {
		case in.file != "" && len(args) > 0:
			return fmt.Errorf("give the ids as arguments or in -f's records, not both")
		case in.file != "":
			recs, err := a.readFile(in, true)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				if rec.id == 0 {
					return fmt.Errorf("%s: no id: each record of -f needs an id field saying which %s to delete", rec.where, r.name)
				}
				ids = append(ids, rec.id)
			}
		case len(args) == 0:
			return fmt.Errorf("say which %s: delete ID..., or delete -f file", r.plural)
		}
		for _, arg := range args {
			id, err := parseID(arg)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		what := fmt.Sprintf("%s %d", r.name, ids[0])
		switch {
		case len(ids) > 10: // a question a terminal shows on one line
			what = fmt.Sprintf("%d %s (ids %s, ...)", len(ids), r.plural, joinIDs(ids[:10]))
		case len(ids) > 1:
			what = fmt.Sprintf("%d %s (ids %s)", len(ids), r.plural, joinIDs(ids))
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		if in.dryRun {
			for _, id := range ids {
				fmt.Fprintf(a.stdout, "would DELETE %s%d/\n", r.path, id)
			}
			return nil
		}
		if !yes {
			if err := a.confirm("Delete " + what + "?"); err != nil {
				return err
			}
		}
		var out strings.Builder
		done := make([]int64, 0, len(ids))
		for _, id := range ids {
			if _, err := r.service(c).Delete(cmd.Context(), id); err != nil {
				return partial(fmt.Sprintf("%s %d", r.name, id), err, "deleted", done, len(ids))
			}
			done = append(done, id)
			fmt.Fprintf(&out, "deleted %s %d\n", r.name, id)
		}
		_, err = io.WriteString(a.stdout, out.String())
		return err
	}
	return cmd
}

// errNotConfirmed is a delete the user did not confirm.
var errNotConfirmed = errors.New("not confirmed: nothing was deleted")

// confirm asks question on a terminal and returns nil when the answer is yes; with no
// terminal it refuses, so that a script deletes only with --yes.
func (a *app) confirm(question string) error {
	if !a.stdinTerminal() {
		return errors.New("delete asks before deleting, and standard input is not a terminal: give --yes to delete without asking (nothing was deleted)")
	}
	fmt.Fprintf(a.stderr, "%s Type yes to delete: ", question)
	answer, err := a.stdinLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return errNotConfirmed
}

// records returns the records of a create or update: from -f, or the one the flags give.
func (a *app) records(cmd *cobra.Command, in *input, onUpdate bool) ([]record, error) {
	rec, given, err := in.fromFlags(cmd)
	switch {
	case err != nil:
		return nil, err
	case in.file != "" && given:
		return nil, fmt.Errorf("give the fields as flags or in -f's file, not both")
	case in.file != "":
		return a.readFile(in, onUpdate)
	case !given && onUpdate:
		return nil, fmt.Errorf("nothing to change: give a field to update as a flag (see --help), or -f file")
	}
	return []record{rec}, nil
}

// resolveProviders looks up the id of each provider code the records give (a location's
// provider), each code once.
func resolveProviders(ctx context.Context, c *whippyware.Client, recs []record) error {
	ids := map[providerCode]int64{}
	for _, rec := range recs {
		for name, v := range rec.values {
			code, ok := v.(providerCode)
			if !ok {
				continue
			}
			id, ok := ids[code]
			if !ok {
				var err error
				if id, err = providerID(ctx, c, string(code)); err != nil {
					return fmt.Errorf("%s: %w", rec.where, err)
				}
				ids[code] = id
			}
			rec.values[name] = id
		}
	}
	return nil
}

// providerID returns the id of the provider with code.
func providerID(ctx context.Context, c *whippyware.Client, code string) (int64, error) {
	for p, err := range c.Providers.All(ctx, &whippyware.ProviderFilter{Code: code}) {
		if err != nil {
			return 0, err
		}
		if p.Code == code {
			return p.ID, nil
		}
	}
	return 0, fmt.Errorf("no provider has the code %q (whippyware providers list shows the codes)", code)
}

// partial is the error of a write that failed after others were done: it says which were
// done, since they stay written, and that the rest were not sent.
func partial(where string, err error, verb string, done []int64, total int) error {
	if total == 1 {
		return err
	}
	ids := "none"
	if len(done) > 0 {
		ids = "ids " + joinIDs(done)
	}
	return fmt.Errorf("%s: %w\n%s %d of %d before it (%s); the other %d were not sent", where, err, verb, len(done), total, ids, total-len(done)-1)
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an"
	}
	return "a"
}

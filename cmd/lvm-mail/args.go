package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// reorderArgs moves the flags of a command line before its arguments, so
// that "staff import FILE --deactivate-missing" reads as "staff import
// --deactivate-missing FILE": urfave/cli v2 stops reading flags at a
// command's first argument. The commands' own flag definitions say which
// flags take a value (the next word, unless given as --flag=value). A
// global flag (--config, --db) found after the command moves before it.
// Everything after "--" stays where it is, and so does a command line whose
// command the app does not know; flags nobody defines stay flags, for the
// parser to refuse.
func reorderArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	i := 1
	// Global flags before the command stay where they are.
	for i < len(args) && isFlag(args[i]) {
		n := flagWords(app.Flags, args, i)
		out = append(out, args[i:i+n]...)
		i += n
	}
	// The command, and its subcommands.
	var cmd *cli.Command
	for cmds := app.Commands; i < len(args); i++ {
		next := findCommand(cmds, args[i])
		if next == nil {
			break
		}
		cmd, cmds = next, next.Subcommands
	}
	if cmd == nil {
		return args
	}
	path := args[len(out):i]
	var global, flags, rest []string
	for i < len(args) {
		word := args[i]
		switch {
		case word == "--":
			rest = append(rest, args[i:]...)
			i = len(args)
		case !isFlag(word):
			rest = append(rest, word)
			i++
		case !defines(cmd.Flags, word) && defines(app.Flags, word):
			n := flagWords(app.Flags, args, i)
			global = append(global, args[i:i+n]...)
			i += n
		default:
			n := flagWords(cmd.Flags, args, i)
			flags = append(flags, args[i:i+n]...)
			i += n
		}
	}
	out = append(out, global...)
	out = append(out, path...)
	out = append(out, flags...)
	return append(out, rest...)
}

// isFlag reports whether a word of the command line is a flag.
func isFlag(word string) bool {
	return len(word) > 1 && word[0] == '-' && word != "--"
}

// flagName returns the name of the flag word: "--out=x" → "out".
func flagName(word string) string {
	name, _, _ := strings.Cut(strings.TrimLeft(word, "-"), "=")
	return name
}

// defines reports whether flags has the flag word, by any of its names.
func defines(flags []cli.Flag, word string) bool {
	return findFlag(flags, word) != nil
}

func findFlag(flags []cli.Flag, word string) cli.Flag {
	name := flagName(word)
	if name == "h" || name == "help" {
		return cli.HelpFlag
	}
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// flagWords returns how many words the flag at args[i] takes: 2 for a flag
// that takes a value given as the next word, 1 otherwise (a switch, a
// value after "=", an unknown flag, or no next word).
func flagWords(flags []cli.Flag, args []string, i int) int {
	f := findFlag(flags, args[i])
	v, ok := f.(interface{ TakesValue() bool })
	if !ok || !v.TakesValue() || strings.Contains(args[i], "=") || i+1 >= len(args) {
		return 1
	}
	return 2
}

// findCommand returns the command of cmds named name (or one of its
// aliases), or nil.
func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

func (e *env) backupCommand() *cli.Command {
	return &cli.Command{
		Name:      "backup",
		Usage:     "write a safe copy of the database, even while serve, send or remind run",
		ArgsUsage: "FILE",
		Description: "Writes a fresh copy of the database to FILE (which must not exist yet), readable by\n" +
			"you only: one consistent moment, with no journal, no free space and every table\n" +
			"rewritten, so that the copy keeps no history and no order of answering. Back up with\n" +
			"this command, never by copying the files of a database that is in use.\n\n" +
			"The copy does not hold the token key file, which the links are made with: back that up\n" +
			"separately, and keep it apart from the database backups.\n\n" +
			"Examples:\n" +
			"  lvm-mail backup /backups/lvm-mail-2026-11-29.db",
		Action: e.backup,
	}
}

func (e *env) backup(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("backup takes one FILE to write the copy to")
	}
	path := c.Args().First()
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists already: choose a new file name (a backup never overwrites)", path)
	}
	store, err := e.openStore(c.Context, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(c.Context, path); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Wrote %s (readable by you only).\n", path)
	fmt.Fprintf(e.stdout, "It does not hold the token key, %s: back that file up separately, and keep it apart from the database backups.\n",
		e.cfg.TokenKeyPath())
	return nil
}

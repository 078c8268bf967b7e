package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/survey"
)

// checkOpenCampaign refuses to serve a database in which no campaign takes
// answers: every link would get "closed" or "not found", which is what a
// serve started on the wrong database looks like.
func (e *env) checkOpenCampaign(ctx context.Context, store *campaign.Store) error {
	camps, err := store.FindCampaigns(ctx)
	if err != nil {
		return err
	}
	for _, c := range camps {
		if !c.Closed(e.now()) {
			return nil
		}
	}
	return fmt.Errorf("no open campaign in %s (from %s): every link would answer that the survey is closed or not found; "+
		"check that this is the right database, or create a campaign first ('lvm-mail campaign create')", e.cfg.Database, e.cfg.DatabaseFrom)
}

// shutdownGrace is how long serve waits, once asked to stop, for requests
// in flight to finish.
const shutdownGrace = 10 * time.Second

func (e *env) serveCommand() *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "run the survey website that records responses",
		ArgsUsage: " ",
		Description: "Serves the page each person reaches through the link in their invitation\n" +
			"(base_url/s/TOKEN) and records their answers. Run it behind your reverse proxy\n" +
			"(which terminates HTTPS), or set [server] tls_cert and tls_key to serve HTTPS\n" +
			"directly. It may run while send and remind run on the same database.\n" +
			"Stop it with Ctrl-C or SIGTERM: requests in flight are finished first.\n\n" +
			"Examples:\n" +
			"  lvm-mail serve\n" +
			"  lvm-mail serve --listen 0.0.0.0:8080",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Usage: "listen on `ADDR` (host:port; default: the config's server.listen)"},
		},
		Action: e.serve,
	}
}

func (e *env) serve(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("serve takes no arguments (got %q)", c.Args().First())
	}
	addr := c.String("listen")
	if addr == "" {
		addr = e.cfg.Server.Listen
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usagef("--listen %q: want host:port, such as 127.0.0.1:8080", addr)
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))

	var tlsConfig *tls.Config
	if cert, key := e.cfg.Server.TLSCert, e.cfg.Server.TLSKey; cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return fmt.Errorf("server.tls_cert and server.tls_key: %w (check the paths and that the key matches the certificate)", err)
		}
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}
	}

	store, err := e.openStore(c.Context, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := e.checkOpenCampaign(c.Context, store); err != nil {
		return err
	}
	handler, err := survey.NewHandler(store, e.cfg.Organisation, e.now, logger, survey.Options{DefaultLanguage: e.cfg.Survey.DefaultLanguage})
	if err != nil {
		return err
	}

	srv := &http.Server{
		Handler:           handler,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          survey.ServerErrorLog(logger),
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another program using it? choose another with --listen or server.listen)", addr, err)
	}
	fmt.Fprintf(e.stdout, "Survey open at %s (listening on %s)\n", e.cfg.BaseURL, ln.Addr())
	logger.Info("serving", "listen", ln.Addr().String(), "tls", tlsConfig != nil)

	served := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			served <- srv.ServeTLS(ln, "", "") // the certificate is in TLSConfig
			return
		}
		served <- srv.Serve(ln)
	}()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-c.Context.Done():
	}
	logger.Info("stopping: finishing requests in flight", "grace", shutdownGrace)
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
		return fmt.Errorf("stop serving: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

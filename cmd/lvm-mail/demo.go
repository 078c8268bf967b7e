package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/demo"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// demoMarker marks a folder as made by the demo, which may then reuse it.
const demoMarker = ".lvm-mail-demo"

func (e *env) demoCommand() *cli.Command {
	return &cli.Command{
		Name:      "demo",
		Usage:     "run a whole campaign for a fictional organisation, with nothing to configure",
		ArgsUsage: " ",
		Description: "Runs the real commands on a made-up bakery chain: imports its roster, creates a\n" +
			"campaign, sends the invitations to a mail server inside this process (every message\n" +
			"is saved as an .eml file), starts the real survey server, lets simulated staff answer\n" +
			"through the links in their emails, sends a reminder round, closes the campaign and\n" +
			"writes the report. Nothing leaves this machine.\n\n" +
			"Examples:\n" +
			"  lvm-mail demo\n" +
			"  lvm-mail demo --dir demo-out --staff 400 --keep-serving",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: "lvm-mail-demo", Usage: "write the database, mail and report to `DIR`"},
			&cli.IntFlag{Name: "staff", Value: 150, Usage: "the number of staff `N` (20 to 100000)"},
			&cli.BoolFlag{Name: "keep-serving", Usage: "afterwards, keep the survey running with one open link to try in a browser"},
		},
		Action: e.demo,
	}
}

// demoRun is one run of the demo: its folder, its mail server and the
// configuration the real commands run with.
type demoRun struct {
	e        *env
	out      *lineWriter // the demo's output, wrapped to fit a terminal
	dir      string      // as the user gave it, so that paths print short
	config   string
	baseURL  string
	mail     *smtptest.Server
	saved    int // messages written to .eml files so far
	rand     *rand.Rand
	comments *demo.Comments
	step     int
}

func (e *env) demo(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("demo takes no arguments (got %q)", c.Args().First())
	}
	n := c.Int("staff")
	if n < 20 || n > 100000 {
		return usagef("--staff %d: choose between 20 and 100000", n)
	}
	dir, err := prepareDemoDir(c.String("dir"))
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(c.Context)
	defer stop()

	d := &demoRun{e: e, out: newLineWrapper(e.stdout, demoWidth), dir: dir, rand: rand.New(rand.NewPCG(7, 2026))}
	d.comments = demo.NewComments(d.rand)
	defer d.out.Flush()
	fmt.Fprintf(d.out, "lvm-mail demo: a survey of %s, written to %s\n", demo.Organisation, dir)

	d.begin("Start a mail server on this machine to capture the emails")
	if d.mail, err = smtptest.Start(smtptest.Options{}); err != nil {
		return fmt.Errorf("start the demo's mail server: %w", err)
	}
	defer d.mail.Close()
	fmt.Fprintf(d.out, "   SMTP on %s; every message is saved in %s\n", d.mail.Addr, filepath.Join(dir, "mail"))

	listen, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	d.baseURL = "http://" + listen
	if err := d.writeConfig(listen); err != nil {
		return err
	}

	d.begin(fmt.Sprintf("Import the roster of %d staff", n))
	roster := demo.Staff(n)
	if err := d.writeRoster(roster); err != nil {
		return err
	}
	if err := d.lvm(ctx, "staff", "import", filepath.Join(dir, "staff.csv")); err != nil {
		return err
	}

	const slug = "northwind-pulse-2026"
	d.begin("Create the campaign")
	closes := e.now().AddDate(0, 0, 14).Format(time.DateOnly)
	if err := d.lvm(ctx, "campaign", "create", "--name", "Northwind pulse 2026", "--closes", closes,
		"--breakdown", "site"); err != nil {
		return err
	}

	// The survey runs before anything is sent, as in a real campaign: send
	// checks that the links in its emails reach it.
	d.begin("Start the survey server")
	served, err := d.serve(ctx, listen)
	if err != nil {
		return err
	}
	defer func() {
		stop()
		<-served // let the server finish and close the database
	}()

	d.begin("Send the invitations")
	if err := d.lvm(ctx, "send", "--campaign", slug); err != nil {
		return err
	}
	if err := d.saveMail(); err != nil {
		return err
	}

	people := map[string]demo.Department{}
	for _, p := range roster {
		for _, dept := range demo.Departments {
			if dept.Name == p.Department {
				people[p.Email] = dept
			}
		}
	}
	in := instrument.Default()
	answered := map[string]bool{}

	d.begin("Staff open their emails and answer (first week)")
	if err := d.answer(ctx, &in, people, answered, 0, 0.62); err != nil {
		return err
	}

	d.begin("Send a reminder to those who have not answered")
	invitations := len(d.mail.Messages())
	if err := d.lvm(ctx, "remind", "--campaign", slug); err != nil {
		return err
	}
	if err := d.saveMail(); err != nil {
		return err
	}

	d.begin("Some of them answer after the reminder")
	if err := d.answer(ctx, &in, people, answered, invitations, 0.45); err != nil {
		return err
	}

	d.begin("Close the campaign and write the report")
	if err := d.lvm(ctx, "campaign", "close", slug); err != nil {
		return err
	}
	if err := d.lvm(ctx, "status", "--campaign", slug); err != nil {
		return err
	}
	xlsx, jsonFile := filepath.Join(dir, "report.xlsx"), filepath.Join(dir, "report.json")
	if err := d.lvm(ctx, "report", "--campaign", slug, "--out", xlsx); err != nil {
		return err
	}
	if err := d.lvm(ctx, "report", "--campaign", slug, "--format", "json", "--out", jsonFile); err != nil {
		return err
	}
	if err := d.headline(jsonFile); err != nil {
		return err
	}

	fmt.Fprintf(d.out, "\nDone. Open the report:   %s\n", xlsx)
	fmt.Fprintf(d.out, "The same figures as JSON: %s\n", jsonFile)
	fmt.Fprintf(d.out, "The database:             %s\n", filepath.Join(dir, "demo.db"))
	fmt.Fprintf(d.out, "Every email sent:         %s (%d files)\n", filepath.Join(dir, "mail", "*.eml"), len(d.mail.Messages()))
	fmt.Fprintf(d.out, "The configuration used:   %s\n", d.config)

	if !c.Bool("keep-serving") {
		return nil
	}
	return d.keepServing(ctx, roster, served)
}

// prepareDemoDir makes the demo folder, or clears the files of an earlier
// demo from it, and returns it as given, cleaned. It refuses a folder that
// holds anything else.
func prepareDemoDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	dir = filepath.Clean(dir)
	entries, err := os.ReadDir(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return "", err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(abs, demoMarker)); err != nil {
			return "", fmt.Errorf("%s is not empty and was not made by the demo: choose another --dir", abs)
		}
		if err := os.RemoveAll(abs); err != nil {
			return "", fmt.Errorf("clear the earlier demo in %s: %w", abs, err)
		}
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(abs, demoMarker), []byte("made by lvm-mail demo; it may clear this folder\n"), 0o644)
}

func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// begin prints the heading of the next step.
func (d *demoRun) begin(what string) {
	d.step++
	fmt.Fprintf(d.out, "\n%2d. %s\n", d.step, what)
}

// writeConfig writes the configuration the real commands run with: the
// capturing mail server, the survey server and the demo's database, by
// its absolute path so that the file works from any folder.
func (d *demoRun) writeConfig(listen string) error {
	host, port, _ := strings.Cut(d.mail.Addr, ":")
	db, err := filepath.Abs(filepath.Join(d.dir, "demo.db"))
	if err != nil {
		return err
	}
	d.config = filepath.Join(d.dir, "lvm-mail.toml")
	text := fmt.Sprintf(`# Written by lvm-mail demo. A real campaign starts from config.example.toml.
organisation = %q
database     = %q
base_url     = %q

[smtp]
host        = %q
port        = %s
tls         = "none"                  # the demo's mail server is on this machine
from        = "People Team <people@northwind.example>"
concurrency = 4
rate        = 0
max_retries = 3
retry_backoff = "100ms"

[server]
listen = %q

[survey]
min_group_size = 5
max_reminders  = 1
remind_after   = "0s"                  # the demo does not wait three days
`, demo.Organisation, db, d.baseURL, host, port, listen)
	return os.WriteFile(d.config, []byte(text), 0o644)
}

func (d *demoRun) writeRoster(roster []demo.Person) error {
	var b bytes.Buffer
	if err := demo.WriteCSV(&b, roster); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.dir, "staff.csv"), b.Bytes(), 0o644)
}

// lvm runs one real lvm-mail command with the demo's configuration, as HR
// would type it, and shows its output indented.
func (d *demoRun) lvm(ctx context.Context, args ...string) error {
	for _, line := range shellLines(append([]string{"lvm-mail"}, args...), "   $ ", "       ", demoWidth) {
		fmt.Fprintln(d.out, line)
	}
	out := newIndenter(d.out, "   ")
	sub := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""),
		stdout: out, stderr: out, now: d.e.now, random: d.e.random}
	err := sub.app().RunContext(ctx, append([]string{"lvm-mail", "--config", d.config}, args...))
	out.Flush()
	if err != nil {
		return fmt.Errorf("demo step 'lvm-mail %s': %w", strings.Join(args, " "), err)
	}
	return nil
}

// serve runs the real serve command until ctx ends and waits until it
// answers. Its request log goes to a file in the demo folder. The channel
// it returns is closed when the server has stopped.
func (d *demoRun) serve(ctx context.Context, listen string) (<-chan struct{}, error) {
	log, err := os.Create(filepath.Join(d.dir, "serve.log"))
	if err != nil {
		return nil, err
	}
	sub := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""),
		stdout: log, stderr: log, now: d.e.now, random: d.e.random}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer log.Close()
		if err := sub.app().RunContext(ctx, []string{"lvm-mail", "--config", d.config, "serve"}); err != nil {
			fmt.Fprintf(log, "serve: %v\n", err)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(d.baseURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-done:
			return nil, fmt.Errorf("the survey server stopped: see %s", log.Name())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("survey server did not start within 10 s (see %s)", log.Name())
		}
	}
	fmt.Fprintf(d.out, "   $ lvm-mail serve\n   Survey open at %s (request log: %s)\n", d.baseURL, log.Name())
	return done, nil
}

// answer lets staff read the captured messages from index from on and
// answer with probability p, each as their department tends to.
func (d *demoRun) answer(ctx context.Context, in *campaign.Instrument, people map[string]demo.Department, answered map[string]bool, from int, p float64) error {
	msgs := d.mail.Messages()
	if from > len(msgs) {
		from = len(msgs)
	}
	var opened, responded int
	client := &http.Client{Timeout: 10 * time.Second}
	// In the order of the roster, not of arrival (which the parallel SMTP
	// connections shuffle), so that the same people answer every time.
	msgs = slices.SortedFunc(slices.Values(msgs[from:]), func(a, b smtptest.Message) int { return strings.Compare(a.To[0], b.To[0]) })
	for _, m := range msgs {
		to := strings.ToLower(strings.Trim(m.To[0], "<>"))
		if answered[to] {
			continue
		}
		opened++
		if d.rand.Float64() >= p {
			continue
		}
		text, err := demo.TextPart(m.Data)
		if err != nil {
			return fmt.Errorf("read the message to %s: %w", to, err)
		}
		link, ok := demo.LinkIn(text, d.baseURL)
		if !ok {
			return fmt.Errorf("the message to %s has no survey link", to)
		}
		answers, comment := demo.Answer(in, people[to], d.rand, d.comments)
		if err := demo.Respond(ctx, client, link, answers, comment); err != nil {
			return fmt.Errorf("%s answers: %w", to, err)
		}
		answered[to] = true
		responded++
	}
	fmt.Fprintf(d.out, "   %d people read their email; %d answered through their link (%d answers in all).\n", opened, responded, len(answered))
	return nil
}

// saveMail writes the messages the mail server accepted since the last
// call to numbered .eml files, as a mail client would save them.
func (d *demoRun) saveMail() error {
	dir := filepath.Join(d.dir, "mail")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	msgs := d.mail.Messages()
	for ; d.saved < len(msgs); d.saved++ {
		name := filepath.Join(dir, fmt.Sprintf("%04d.eml", d.saved+1))
		if err := os.WriteFile(name, msgs[d.saved].Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// headline prints the result in a sentence, from the JSON report.
func (d *demoRun) headline(jsonFile string) error {
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		return err
	}
	var rep struct {
		Responded    int     `json:"responded"`
		ResponseRate float64 `json:"response_rate"`
		Leadership   float64 `json:"leadership"`
		Management   float64 `json:"management"`
		Quadrant     string  `json:"quadrant"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return fmt.Errorf("read %s: %w", jsonFile, err)
	}
	fmt.Fprintf(d.out, "\n   Result: %d responses (%.0f%%). Leadership %.1f, management %.1f of 100:\n   %s.\n",
		rep.Responded, 100*rep.ResponseRate, rep.Leadership, rep.Management, rep.Quadrant)
	fmt.Fprintln(d.out, "   By design, Product Development should read as led, Bakery as managed,")
	fmt.Fprintln(d.out, "   Shops as both and Logistics as neither; Finance, Facilities and the")
	fmt.Fprintln(d.out, "   People Team, each too small to be shown on its own, are pooled into one")
	fmt.Fprintln(d.out, "   group.")
	return nil
}

// keepServing starts a second, open campaign for one person, prints the
// link from their email, and serves until interrupted.
func (d *demoRun) keepServing(ctx context.Context, roster []demo.Person, served <-chan struct{}) error {
	p := roster[0]
	d.begin("Keep the survey open for you to try")
	if err := d.lvm(ctx, "campaign", "create", "--name", "Try it yourself", "--where", "email="+p.Email); err != nil {
		return err
	}
	before := len(d.mail.Messages())
	if err := d.lvm(ctx, "send", "--campaign", "try-it-yourself"); err != nil {
		return err
	}
	if err := d.saveMail(); err != nil {
		return err
	}
	msgs := d.mail.Messages()
	if len(msgs) <= before {
		return errors.New("demo: the invitation to try it yourself was not captured")
	}
	text, err := demo.TextPart(msgs[len(msgs)-1].Data)
	if err != nil {
		return err
	}
	link, _ := demo.LinkIn(text, d.baseURL)
	fmt.Fprintf(d.out, "\nOpen this link in a browser to answer as %s %s:\n\n   %s\n\nPress Ctrl-C to stop.\n", p.FirstName, p.LastName, link)
	d.out.Flush()
	select {
	case <-ctx.Done():
		return nil
	case <-served:
		return fmt.Errorf("the survey server stopped: see %s", filepath.Join(d.dir, "serve.log"))
	}
}

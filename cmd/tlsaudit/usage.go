package main

const usage = `Usage: tlsaudit [flags] TARGET...
       tlsaudit demo [output flags]
       tlsaudit checks [--json]
       tlsaudit inspect [flags] FILE...
       tlsaudit diff [--json] [--expiry-warn DUR] OLD.json NEW.json
       tlsaudit serve [--listen ADDR] [--db PATH|URL] [--allow-targets LIST] [--workers N]
       tlsaudit version | completion bash|zsh|fish | help [COMMAND|TOPIC]
  Flags may come before or after targets and files, in every command; "--" ends them.

Examples:
  tlsaudit demo                           audit two built-in loopback servers (no network needed)
  tlsaudit example.com                    audit example.com:443, print tables
  tlsaudit --json example.com:8443        the report as JSON (always an array of reports)
  tlsaudit https://[2001:db8::1]:8443/    URLs and IPv6 literals work
  tlsaudit smtp://mail.example.com        STARTTLS by URL scheme (smtp, submission, imap, pop3,
                                          ftp, xmpp, xmpp-server, ldap, postgres, mysql, nntp, sieve)
  tlsaudit --targets hosts.txt --format jsonl --concurrency 16 > out.jsonl
  cat hosts.txt | tlsaudit --quiet -       one line per target: target, grade, status
  tlsaudit --fail-under A --fail-on high example.com   CI gate: exit 1 below A or on a high finding
  tlsaudit --policy ci.yaml --remediation nginx example.com   CI gate from a policy file
  tlsaudit checks                         list every check with severity and references
  tlsaudit --html report.html example.com  also write a self-contained HTML report
  tlsaudit --format sarif example.com > tls.sarif   findings for code-scanning dashboards
  tlsaudit diff old.json new.json         what changed; exit 1 on a regression
  tlsaudit --ca-file root.pem --sni www.internal 10.0.0.5:443   a private PKI

Targets:
  host, host:port, IPv4 or IPv6 literal, [v6]:port, https://host:port/path, SCHEME://host[:port].
  The default port is 443 (or the scheme's). Targets come from arguments, from --targets FILE
  and from standard input when an argument is "-": one per line, blank lines and lines
  starting with '#' are ignored. An argument that is a single word without a dot, port
  or scheme (other than localhost) is taken as a mistyped command, not resolved: write
  such a host after -- (tlsaudit -- intranet) or with its port (intranet:443).

Input:
  --targets FILE        read targets from FILE, one per line
  --sni NAME            send NAME as server_name (default: the host, none for IP literals);
                        an RFC 6066 host name of at most 255 bytes, no IP address
  --starttls PROTO      upgrade with STARTTLS for targets without a scheme (smtp, imap, ...)
  --ip ADDR             dial ADDR for every target instead of resolving it (the host name
                        still goes in server_name)

Scan:
  --timeout DURATION    bound the audit of one target (default 60s, at most 1h)
  --conn-timeout DUR    bound each connection (default 5s, at most 10m)
  --concurrency N       targets audited in parallel (default 4, at most 1024)
  --per-host N          concurrent connections to one endpoint (IP address and port),
                        shared by every target on that endpoint (default 8, at most 256)
  --clients DIR         also simulate the captured ClientHellos in DIR (<id>.hello
                        files, see scan/clientsim/README.md)
  --live-client-simulations
                        replay every simulated client on a connection of its own; by
                        default a client whose handshake the enumeration determines
                        exactly is derived from it ("derived": true in the JSON)
  --quick               one handshake only: protocol, suite, chain, expiry, hostname, trust;
                        no enumeration or probes, so only certificate checks are assessed
  --probes LIST         probes run after enumeration: all (default), none (enumeration
                        only: protocols, suites, groups, signature algorithms, chains), or
                        a comma-separated list of probe names such as heartbleed,robot,http
                        (an unknown name gets an error that lists every name)
  --http-path PATH      the path the HTTP probe requests (default: the URL's path, or /);
                        at most 2048 bytes, no spaces or control characters (percent-encode)
  --check-http-redirect also request http://HOST:80/ and check it redirects to HTTPS

Batches (docs/scale-out.md shows a sharded run on Kubernetes):
  Each host name is resolved to all its IPv4 and IPv6 addresses (at most 32) and each
  address is audited as its own endpoint, as SSL Labs does: ONE RECORD PER ENDPOINT, each
  carrying the input target (target.input) and its address (target.ip). A target that
  cannot be parsed or resolved still gets exactly one record (status invalid_target or
  resolve_error), so every input target has at least one record. Targets are read lazily;
  with --format jsonl each record is written the moment it is done and nothing is kept,
  so memory follows --concurrency, not the length of the list.
  --rate N[/s]          start at most N endpoint audits per second, all targets together
                        (a full audit opens tens of connections, a --quick one opens one)
  --retries N           when an endpoint's connection is refused or its connect times out,
                        try again up to N times (default 1) after 0.5s, 1s, 2s, ... (±50%,
                        at most 8s); the record notes the failed attempts
  --resume FILE         skip what FILE, an earlier --format jsonl output, already holds: a
                        target whose records are all final is skipped; of a target with
                        "canceled" records only the endpoints without a final record are
                        redone. FILE is only read (a missing FILE holds nothing): append the
                        new records yourself, e.g.
                          tlsaudit --targets list --format jsonl --resume out.jsonl >> out.jsonl
                        (a canceled record is superseded by a later one for the same endpoint;
                        a partial last record of a killed run is ended with a newline first
                        when stdout is FILE, and partial records inside FILE are skipped)
  --shard K/N           audit only shard K of N, 0-based (K from 0 to N-1, as a Kubernetes
                        Indexed Job's JOB_COMPLETION_INDEX): a target is in shard
                        FNV-1a-64("host:port") mod N, so N runs with 0/N ... N-1/N split one
                        list exactly, whatever its order
  Ctrl-C or SIGTERM stops taking new targets and gives the running audits 10s to finish (a
  second Ctrl-C cancels them: their records say "canceled"); the output is flushed and stays
  valid JSON or JSON Lines; exit status 130.
  Progress (targets done/total, rate, ETA, failures) is drawn on stderr only when stderr is
  a terminal; the total is known for arguments and --targets files, not for stdin.

Certificates and trust:
  Chains are validated against each trust store, one trust line per store in the report:
  "mozilla" (Mozilla's roots, embedded: works offline), "system" (the system bundle,
  /etc/ssl/certs/ca-certificates.crt) and "custom" (--ca-file). A chain counts as trusted
  (no cert.untrusted finding, no grade T) when mozilla or custom trusts it; the system
  store is shown but does not decide, since it differs between machines, and neither do
  the platform and named stores below (see docs/trust-stores.md).
  --ca-file FILE        trust anchors (PEM or DER) of a private PKI, as the store "custom"
  --system-store=false  leave out the system store (default: used when readable)
  --trust-store NAME=FILE  add the store NAME from a PEM bundle (repeatable); like every
                        store but mozilla and custom it gets a trust line (path, reason,
                        file and age) and does not decide the grade
  --trust-store-dir DIR    one store per DIR/NAME.pem (repeatable)
  --platform-stores=false  leave out the platform stores apple, windows and java, read
                        from /etc/testssl when Debian's testssl.sh package is installed
                        (a dated snapshot of those platforms' roots: the report says so)
  --require-store NAME  fail (exit 1) unless store NAME trusts every served chain
                        (repeatable; the policy file's require_stores does the same)
  --fetch-aia           fetch missing intermediates from the AIA caIssuers URL (HTTP,
                        5s and 1 MiB per fetch); the report says what came from where
  --check-revocation    query the OCSP responder, else download the CRL, of each leaf
  --resolver IP[:PORT]  look up CAA and DANE TLSA records with this DNS server
  Without these three flags no fetch is made and no DNS lookup beyond resolving the
  target itself. Each fetch is bounded; all of one target's fetches take at most 30s.

Output (stdout carries only the report; errors go to stderr):
  --format FORMAT       text (default), json (one array), jsonl (one report per line,
                        written as each target finishes), html (one self-contained page),
                        csv, junit (JUnit XML) or sarif (SARIF 2.1.0): one row, test case
                        or result per check and target
  --html FILE           also write the HTML report to FILE (atomically, when the run ends)
  --json                same as --format json
  --quiet               one line per target: target, grade ("-" when none), status [error]
  --findings SET        the findings each report carries: all, nonpass (all but pass and
                        not_applicable) or fail; the report counts the others by status in
                        findings_omitted. Default: fail for jsonl, nonpass for sarif, all
                        for the other formats (verdicts and exit codes always use them all)
  --compact             leave out of each record the observation's copy of the target, the
                        DER of each served certificate (fingerprint, names, dates and key
                        stay), the certificate analysis (trust paths, leaf facts: what they
                        find wrong is in the findings) and an empty grade. Default: on for
                        jsonl (a --quick record is then under 2 KB), off otherwise;
                        --compact=false keeps them
  --verbose             text: add handshake simulations, signature algorithms, raw probe
                        results, every HTTP header, the HTTP request details, each
                        informational trust store's line and whole finding details to the
                        summary and the tables that decide the grade (default off)
  --openssl-names       text: the cipher suite tables add each suite's OpenSSL name (as
                        sslscan and openssl s_client print it) and its cipher's key bits
                        beside the IANA name (default off)
  --color WHEN          auto (default: colour on a terminal unless NO_COLOR is set),
                        always, never

Policy (exit 1 when broken; one "tlsaudit: policy: ..." line per rule on stderr):
  --fail-under GRADE    fail when a target's grade is below GRADE (A+ A A- B C D E F);
                        T, M and a missing grade are below every grade
  --fail-on SEVERITY    fail on a failed check of SEVERITY or worse
                        (info, low, medium, high, critical)
  --expiry-warn DUR     certificate expiry warning window, e.g. 30d, 720h (default 30d);
                        when given explicitly, an expired certificate or one expiring
                        within the window also fails the policy
  --require-mozilla P   fail unless the Mozilla profile P (modern, intermediate, old) is
                        met; one line per deviation
  --policy FILE         custom rules from a YAML or JSON file (minimum protocol, forbidden
                        suites, HSTS, key sizes, days to expiry, Mozilla profile, grade,
                        failed checks): one line per rule broken; a malformed file exits 2.
                        See docs/policy.md and docs/ci-gates.md

Mozilla Server Side TLS (the report says which profile the endpoint meets):
  --mozilla-profile P   judge only profile P (default: modern, intermediate and old)
  --remediation SERVER  add an nginx, apache or haproxy configuration snippet that fixes
                        the deviations from --mozilla-profile, else --require-mozilla, else
                        the next profile stricter than the one met (intermediate when none
                        is met: never old's weaker suites unless asked for)

  --version             print the version and exit
  -h, --help            print this help

Exit status:
  0  every target was audited and passed the policy
  1  a policy rule was broken (--fail-under, --fail-on, --expiry-warn, --require-mozilla,
     --require-store, --policy)
  2  usage error: bad flag, malformed target, unreadable --targets file, malformed --policy
  3  a target could not be audited (its status is not "ok"; a protocol answered with
     broken TLS makes the status protocol_error even when others worked)
  4  the report could not be written (stdout closed, disk full, --html not writable)
  130 interrupted (Ctrl-C, SIGTERM): the output holds the records finished by then
  When several apply, the highest-priority one wins: 130, then 2, then 4, then 3, then 1.
  Every target still gets its record in the output, including malformed and failed ones.
`

//! A real mail server in front of kefu: Debian's postfix, one private instance per test —
//! its own configuration directory, queue and data directories and log file in a temporary
//! directory, smtpd on a free loopback port, no DNS, and nothing sent anywhere but where the
//! test routes it. Per domain, mail goes either by LMTP into a dovecot ([`ImapPeer`], which
//! kefu then reads by IMAP) or through `contrib/postfix/kefu-mail-pipe` — the script a
//! customer's postfix runs as a `pipe(8)` transport — to kefu's signed inbound webhook.
//!
//! The test hands mail to it by SMTP ([`PostfixPeer::send`]), as a customer's mail server
//! would, and follows it through postfix's queue directories and log.
//!
//! postfix runs only as root (its `postfix` command is the superuser's). Without postfix, or
//! not as root, a test using it skips (prints why and returns), unless the peers are
//! required (`KEFU_REQUIRE_PEERS=1`, set by `scripts/test.sh`): then it fails.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;

use crate::ImapPeer;
use crate::smtp_peer::required;

const POSTFIX: &str = "/usr/sbin/postfix";
const POSTQUEUE: &str = "/usr/sbin/postqueue";
const MASTER: &str = "/usr/lib/postfix/sbin/master";

/// The product's pipe script, as a customer installs it.
const PIPE_SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../contrib/postfix/kefu-mail-pipe"
);

/// Who the pipe runs as: pipe(8) runs no command as root or as postfix's own user.
const PIPE_USER: &str = "nobody";

/// The domain the tests pipe to kefu's webhook (the mailbox's own is LMTP's).
pub const WEBHOOK_DOMAIN: &str = "webhook.hengxin.example";

/// The host name postfix gives itself (in its banner and `Received:` lines).
pub const HOSTNAME: &str = "mx.kefu-test.example";

/// Mail is queued in these of postfix's queues until it is delivered or returned.
const QUEUES: [&str; 5] = ["maildrop", "incoming", "active", "deferred", "hold"];

/// How long a test waits for postfix to start, or for a mail to reach a state.
const PATIENCE: Duration = Duration::from_secs(30);

/// Debian's Python, as for the SMTP peer; `KEFU_PYTHON` overrides it. The pipe runs it as
/// `nobody`, so it must be reachable by everyone (a pyenv under /root is not).
fn python() -> PathBuf {
    std::env::var("KEFU_PYTHON")
        .unwrap_or_else(|_| "/usr/bin/python3".into())
        .into()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Why postfix cannot run here, if it cannot.
fn missing() -> Option<&'static str> {
    if !Path::new(POSTFIX).exists() || !Path::new(MASTER).exists() {
        Some("postfix is not installed (apt-get install postfix)")
    } else if !is_root() {
        Some("postfix runs only as root")
    } else {
        None
    }
}

/// Whether a postfix peer can start here. When it cannot, says so (a skip) — or fails the
/// test when the peers are required.
pub fn usable() -> bool {
    match missing() {
        None => true,
        Some(why) => {
            assert!(
                !required(),
                "postfix is required (KEFU_REQUIRE_PEERS=1) but {why}"
            );
            eprintln!("skipped: {why}");
            false
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The numeric id of `nobody` (`id -u` / `id -g`).
fn pipe_user_id(flag: &str) -> u32 {
    let out = Command::new("id")
        .args([flag, PIPE_USER])
        .output()
        .expect("id runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("no user {PIPE_USER}"))
}

/// Where postfix sends the mail of one domain.
#[derive(Debug, Clone)]
pub enum Route {
    /// By LMTP to `127.0.0.1:port` (a dovecot's LMTP listener).
    Lmtp { domain: String, port: u16 },
    /// Through `kefu-mail-pipe` to the inbound webhook of e-mail channel `channel` of the
    /// kefu at `url`, signed with `secret` (kept in a file only the pipe's user reads).
    Kefu {
        domain: String,
        url: String,
        channel: i64,
        secret: String,
    },
}

impl Route {
    /// The domain of `imap`'s account, delivered into its mailbox by LMTP.
    pub fn mailbox(imap: &ImapPeer) -> Route {
        let domain = imap.user.rsplit('@').next().unwrap_or_default().to_owned();
        Route::Lmtp {
            domain,
            port: imap.lmtp_port,
        }
    }

    /// [`WEBHOOK_DOMAIN`] piped to channel `channel` of the kefu at `url`.
    pub fn kefu(url: &str, channel: i64, secret: &str) -> Route {
        Route::Kefu {
            domain: WEBHOOK_DOMAIN.to_owned(),
            url: url.to_owned(),
            channel,
            secret: secret.to_owned(),
        }
    }

    fn domain(&self) -> &str {
        match self {
            Route::Lmtp { domain, .. } | Route::Kefu { domain, .. } => domain,
        }
    }
}

/// A running postfix; it stops, and its directory goes, on drop.
pub struct PostfixPeer {
    /// Its smtpd, on 127.0.0.1.
    pub smtp_port: u16,
    pub dir: PathBuf,
    routes: Vec<Route>,
    /// `postfix start-fg`, which runs as long as the master does.
    child: Option<Child>,
    stopped: bool,
}

impl PostfixPeer {
    /// A postfix delivering each route's domain its way (any other mail is returned to
    /// its sender); `None` (the caller returns, the test skipped) when postfix cannot run
    /// here and is not required.
    pub async fn start(routes: Vec<Route>) -> Option<PostfixPeer> {
        if !usable() {
            return None;
        }
        // A port taken between choosing it and postfix binding it: again on another.
        let mut attempt = 1;
        loop {
            let mut peer = PostfixPeer::prepare(routes.clone());
            peer.launch();
            match peer.wait_ready().await {
                Ok(()) => return Some(peer),
                Err(why) if attempt < 3 => {
                    eprintln!(
                        "postfix did not start ({why}), trying again; its log:\n{}",
                        peer.log()
                    );
                    attempt += 1;
                }
                Err(why) => panic!(
                    "postfix did not start: {why}; its log:\n{}\n{}",
                    peer.log(),
                    std::fs::read_to_string(peer.dir.join("postfix.out")).unwrap_or_default()
                ),
            }
        }
    }

    /// Mail for `imap`'s domain into its mailbox by LMTP.
    pub async fn to_mailbox(imap: &ImapPeer) -> Option<PostfixPeer> {
        PostfixPeer::start(vec![Route::mailbox(imap)]).await
    }

    /// Mail for [`WEBHOOK_DOMAIN`] piped to kefu's webhook of `channel`.
    pub async fn to_kefu(url: &str, channel: i64, secret: &str) -> Option<PostfixPeer> {
        PostfixPeer::start(vec![Route::kefu(url, channel, secret)]).await
    }

    /// Its directory with configuration written, not started.
    fn prepare(routes: Vec<Route>) -> PostfixPeer {
        let dir = std::env::temp_dir().join(format!("kefu-postfix-{}", crate::unique_name()));
        // postfix makes the queue's and data's insides (owned by postfix) itself; the queue
        // directory must be root's. The pipe's user must reach its script and secrets.
        for sub in ["etc", "queue", "pipe"] {
            std::fs::create_dir_all(dir.join(sub)).expect("peer dir");
        }
        for d in [
            dir.clone(),
            dir.join("etc"),
            dir.join("queue"),
            dir.join("pipe"),
        ] {
            std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        // A copy, so the pipe's user runs it wherever the clone is (under /root, say).
        let script = dir.join("pipe/kefu-mail-pipe");
        std::fs::copy(PIPE_SCRIPT, &script)
            .unwrap_or_else(|e| panic!("cannot copy {PIPE_SCRIPT}: {e}"));
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let peer = PostfixPeer {
            smtp_port: free_port(),
            dir,
            routes,
            child: None,
            stopped: false,
        };
        peer.write_config();
        for i in 0..peer.routes.len() {
            peer.write_secret(i);
        }
        peer
    }

    fn etc(&self) -> PathBuf {
        self.dir.join("etc")
    }

    fn secret_file(&self, route: usize) -> PathBuf {
        self.dir.join(format!("pipe/kefu{route}.secret"))
    }

    /// main.cf, master.cf and the transport map, from the routes.
    fn write_config(&self) {
        let d = self.dir.display();
        let name = self
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let domains: Vec<&str> = self.routes.iter().map(Route::domain).collect();
        // Everything private to this instance (queue, data, log, syslog name, pid file in
        // the queue directory); no DNS; nothing relayed beyond the routes; no chroot.
        let main = format!(
            "compatibility_level = 3.6\n\
             queue_directory = {d}/queue\n\
             data_directory = {d}/data\n\
             command_directory = /usr/sbin\n\
             daemon_directory = /usr/lib/postfix/sbin\n\
             shlib_directory = /usr/lib/postfix\n\
             meta_directory = /etc/postfix\n\
             mail_owner = postfix\n\
             setgid_group = postdrop\n\
             syslog_name = {name}\n\
             maillog_file = {d}/maillog\n\
             maillog_file_prefixes = {d}\n\
             myhostname = {HOSTNAME}\n\
             mydomain = kefu-test.example\n\
             myorigin = $myhostname\n\
             mydestination =\n\
             inet_interfaces = loopback-only\n\
             inet_protocols = ipv4\n\
             mynetworks = 127.0.0.0/8\n\
             relayhost =\n\
             relay_domains = {domains}\n\
             transport_maps = texthash:{d}/etc/transport\n\
             default_transport = error:this test mail server sends nowhere else\n\
             disable_dns_lookups = yes\n\
             smtp_dns_support_level = disabled\n\
             smtp_host_lookup = native\n\
             lmtp_host_lookup = native\n\
             smtpd_peername_lookup = no\n\
             smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n\
             alias_maps =\n\
             alias_database =\n\
             local_recipient_maps =\n\
             biff = no\n\
             append_dot_mydomain = no\n",
            domains = domains.join(" "),
        );
        let mut transport = String::new();
        let mut master = format!(
            "127.0.0.1:{port} inet n - n - - smtpd\n\
             pickup    unix  n - n 60    1 pickup\n\
             cleanup   unix  n - n -     0 cleanup\n\
             qmgr      unix  n - n 300   1 qmgr\n\
             rewrite   unix  - - n -     - trivial-rewrite\n\
             bounce    unix  - - n -     0 bounce\n\
             defer     unix  - - n -     0 bounce\n\
             trace     unix  - - n -     0 bounce\n\
             verify    unix  - - n -     1 verify\n\
             flush     unix  n - n 1000? 0 flush\n\
             proxymap  unix  - - n -     - proxymap\n\
             showq     unix  n - n -     - showq\n\
             error     unix  - - n -     - error\n\
             retry     unix  - - n -     - error\n\
             discard   unix  - - n -     - discard\n\
             lmtp      unix  - - n -     - lmtp\n\
             anvil     unix  - - n -     1 anvil\n\
             scache    unix  - - n -     1 scache\n\
             postlog   unix-dgram n - n - 1 postlogd\n",
            port = self.smtp_port,
        );
        for (i, route) in self.routes.iter().enumerate() {
            match route {
                Route::Lmtp { domain, port } => {
                    transport.push_str(&format!("{domain} lmtp:inet:127.0.0.1:{port}\n"));
                }
                Route::Kefu {
                    domain,
                    url,
                    channel,
                    ..
                } => {
                    transport.push_str(&format!("{domain} kefu{i}:\n"));
                    // The line README.md tells a customer to add, but for the paths.
                    master.push_str(&format!(
                        "kefu{i} unix - n n - - pipe\n  flags=R user={PIPE_USER} argv={python} \
                         {d}/pipe/kefu-mail-pipe --url {url} --channel {channel} \
                         --secret-file {secret}\n",
                        python = python().display(),
                        secret = self.secret_file(i).display(),
                    ));
                }
            }
        }
        let etc = self.etc();
        std::fs::write(etc.join("main.cf"), main).expect("main.cf");
        std::fs::write(etc.join("master.cf"), master).expect("master.cf");
        std::fs::write(etc.join("transport"), transport).expect("transport");
    }

    /// Route `route`'s secret in its file: the pipe's user's, readable by nobody else.
    fn write_secret(&self, route: usize) {
        let Route::Kefu { secret, .. } = &self.routes[route] else {
            return;
        };
        let path = self.secret_file(route);
        let _ = std::fs::remove_file(&path);
        std::fs::write(&path, format!("{secret}\n")).expect("secret file");
        std::os::unix::fs::chown(&path, Some(pipe_user_id("-u")), Some(pipe_user_id("-g")))
            .expect("chown the secret");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).expect("chmod");
    }

    fn launch(&mut self) {
        let out = std::fs::File::create(self.dir.join("postfix.out")).expect("output file");
        let err = out.try_clone().expect("output file");
        // `start-fg` runs postfix's own checks (and makes the queue's directories with
        // their owners), then keeps the master in the foreground: a child to wait for.
        let child = Command::new(POSTFIX)
            .arg("-c")
            .arg(self.etc())
            .arg("start-fg")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("postfix starts");
        self.child = Some(child);
    }

    async fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(format!("postfix start-fg ended ({status})"));
            }
            if let Ok(tcp) = TcpStream::connect(("127.0.0.1", self.smtp_port)).await {
                let (read, mut write) = tcp.into_split();
                let mut lines = BufReader::new(read).lines();
                if let Ok(Ok(Some(banner))) =
                    tokio::time::timeout(Duration::from_secs(5), lines.next_line()).await
                    && banner.starts_with("220")
                {
                    let _ = write.write_all(b"QUIT\r\n").await;
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!("no SMTP greeting on port {}", self.smtp_port));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Hands a mail to postfix by SMTP, as another mail server does: its queue id, once
    /// postfix answered 250 to the data (the mail is then postfix's to deliver).
    pub async fn send(&self, from: &str, to: &str, raw: &[u8]) -> String {
        match self.try_send(from, to, raw).await {
            Ok(id) => id,
            Err(e) => panic!(
                "postfix did not take the mail: {e}; its log:\n{}",
                self.log()
            ),
        }
    }

    /// The same, the refusal as an error: the reply that was not the one expected.
    pub async fn try_send(&self, from: &str, to: &str, raw: &[u8]) -> Result<String, String> {
        let tcp = TcpStream::connect(("127.0.0.1", self.smtp_port))
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let (read, mut write) = tcp.into_split();
        let mut lines = BufReader::new(read).lines();
        reply(&mut lines, "220").await?;
        for (command, code) in [
            ("EHLO client.customer.example\r\n".to_owned(), "250"),
            (format!("MAIL FROM:<{from}>\r\n"), "250"),
            (format!("RCPT TO:<{to}>\r\n"), "250"),
            ("DATA\r\n".to_owned(), "354"),
        ] {
            write
                .write_all(command.as_bytes())
                .await
                .map_err(|e| format!("write: {e}"))?;
            reply(&mut lines, code).await?;
        }
        write
            .write_all(&smtp_data(raw))
            .await
            .map_err(|e| format!("write: {e}"))?;
        // `250 2.0.0 Ok: queued as 4B1F29983D9`
        let queued = reply(&mut lines, "250").await?;
        let _ = write.write_all(b"QUIT\r\n").await;
        let id = queued
            .rsplit(' ')
            .next()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| format!("no queue id in {queued:?}"))?;
        Ok(id.to_owned())
    }

    /// postfix's log so far (`maillog_file`), for a failing test's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("maillog")).unwrap_or_default()
    }

    /// The log's delivery lines of queued mail `id`, in order (`… to=<…>, relay=…,
    /// status=sent (…)`): one per attempt and recipient.
    pub fn deliveries(&self, id: &str) -> Vec<String> {
        let marker = format!(" {id}: to=<");
        self.log()
            .lines()
            .filter(|l| l.contains(&marker) && l.contains("status="))
            .map(str::to_owned)
            .collect()
    }

    /// Waits (up to 30 s) until an attempt to deliver mail `id` ended `status` — `sent`,
    /// `deferred` (postfix keeps it and tries again) or `bounced` (returned to its sender):
    /// that log line.
    pub async fn wait_status(&self, id: &str, status: &str) -> String {
        let word = format!("status={status} ");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(line) = self.deliveries(id).into_iter().find(|l| l.contains(&word)) {
                return line;
            }
            assert!(
                Instant::now() < deadline,
                "mail {id} never {status}; its queue:\n{}\npostfix's log:\n{}",
                self.queue_listing(),
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until mail `id` was delivered (the LMTP server or the pipe took it).
    pub async fn wait_delivered(&self, id: &str) -> String {
        self.wait_status(id, "sent").await
    }

    /// Mails in postfix's queue (arriving, being delivered, waiting to be tried again, held).
    pub fn queued(&self) -> usize {
        QUEUES
            .iter()
            .map(|q| files_under(&self.dir.join("queue").join(q)))
            .sum()
    }

    pub fn queue_is_empty(&self) -> bool {
        self.queued() == 0
    }

    /// Mails waiting to be tried again after a temporary failure.
    pub fn deferred(&self) -> usize {
        files_under(&self.dir.join("queue/deferred"))
    }

    /// Waits (up to 30 s) until nothing is left in the queue.
    pub async fn wait_queue_empty(&self) {
        let deadline = Instant::now() + PATIENCE;
        while !self.queue_is_empty() {
            assert!(
                Instant::now() < deadline,
                "postfix's queue stays full:\n{}\nits log:\n{}",
                self.queue_listing(),
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `postqueue -p`: the queue, each mail with why it waits.
    pub fn queue_listing(&self) -> String {
        Command::new(POSTQUEUE)
            .arg("-c")
            .arg(self.etc())
            .arg("-p")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// `postqueue -f`: tries every waiting mail again now (as an administrator does once
    /// the cause is fixed) rather than at postfix's next retry, minutes away.
    pub fn flush(&self) {
        let done = Command::new(POSTQUEUE)
            .arg("-c")
            .arg(self.etc())
            .arg("-f")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("postqueue runs");
        assert!(done.success(), "postqueue -f failed; log:\n{}", self.log());
    }

    /// Flushes the queue until mail `id` was delivered (up to 30 s): that log line. Once is
    /// not always enough: the mail may still be on its way from the active queue to the
    /// deferred one when the first flush comes, or a delivery process started before a
    /// `postfix reload` may take it once more with the old command line.
    pub async fn flush_until_delivered(&self, id: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            self.flush();
            let wait = Instant::now() + Duration::from_secs(2);
            while Instant::now() < wait {
                if let Some(line) = self
                    .deliveries(id)
                    .into_iter()
                    .find(|l| l.contains("status=sent "))
                {
                    return line;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert!(
                Instant::now() < deadline,
                "mail {id} never sent after flushing; its queue:\n{}\npostfix's log:\n{}",
                self.queue_listing(),
                self.log()
            );
        }
    }

    fn kefu_route(&self, domain: &str) -> usize {
        self.routes
            .iter()
            .position(|r| matches!(r, Route::Kefu { domain: d, .. } if d == domain))
            .unwrap_or_else(|| panic!("no route to kefu for {domain}"))
    }

    /// Puts `secret` in the secret file of `domain`'s pipe (read at every delivery), as an
    /// administrator does after rotating the channel's secret.
    pub fn set_secret(&mut self, domain: &str, secret: &str) {
        let i = self.kefu_route(domain);
        if let Route::Kefu { secret: s, .. } = &mut self.routes[i] {
            *s = secret.to_owned();
        }
        self.write_secret(i);
    }

    /// Points `domain`'s pipe at the kefu at `url` (master.cf rewritten, `postfix reload`).
    pub async fn set_kefu_url(&mut self, domain: &str, url: &str) {
        let i = self.kefu_route(domain);
        if let Route::Kefu { url: u, .. } = &mut self.routes[i] {
            *u = url.to_owned();
        }
        self.write_config();
        self.reload().await;
    }

    /// `postfix reload`, waiting until the master has read its configuration again (so a
    /// delivery after it runs the new master.cf).
    async fn reload(&self) {
        let reloads = |log: &str| log.matches("]: reload -- ").count();
        let before = reloads(&self.log());
        let done = Command::new(POSTFIX)
            .arg("-c")
            .arg(self.etc())
            .arg("reload")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("postfix reload runs");
        assert!(
            done.success(),
            "postfix reload failed; log:\n{}",
            self.log()
        );
        let deadline = Instant::now() + PATIENCE;
        while reloads(&self.log()) <= before {
            assert!(
                Instant::now() < deadline,
                "postfix never reloaded:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops postfix (`postfix stop`; the foreground start ends with its master).
    pub fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        let _ = Command::new(POSTFIX)
            .arg("-c")
            .arg(self.etc())
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let Some(mut child) = self.child.take() else {
            return;
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(child.try_wait(), Ok(None)) {
            if Instant::now() > deadline {
                // A master that would not stop: by the pid in its own pid file.
                if let Ok(pid) = std::fs::read_to_string(self.dir.join("queue/pid/master.pid")) {
                    let _ = Command::new("kill").args(["-9", pid.trim()]).status();
                }
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for PostfixPeer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Reads one SMTP reply (its last line: `250 …`, not `250-…`), which must be `code`.
async fn reply(
    lines: &mut tokio::io::Lines<BufReader<OwnedReadHalf>>,
    code: &str,
) -> Result<String, String> {
    loop {
        let line = tokio::time::timeout(PATIENCE, lines.next_line())
            .await
            .map_err(|_| format!("no reply (waiting for {code})"))?
            .map_err(|e| format!("read: {e}"))?
            .ok_or_else(|| format!("connection closed (waiting for {code})"))?;
        if line.len() < 4 || line.as_bytes()[3] != b'-' {
            return if line.starts_with(code) {
                Ok(line)
            } else {
                Err(format!("answered {line:?}, not {code}"))
            };
        }
    }
}

/// A mail as SMTP's DATA carries it: CRLF lines, a leading dot doubled, ended by a dot.
fn smtp_data(raw: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(raw.len() + 64);
    let body = raw.strip_suffix(b"\n").unwrap_or(raw);
    for line in body.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.first() == Some(&b'.') {
            data.push(b'.');
        }
        data.extend_from_slice(line);
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(b".\r\n");
    data
}

/// Files anywhere under `dir` (postfix hashes some queues into subdirectories).
fn files_under(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => files_under(&e.path()),
            Ok(_) => 1,
            Err(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::smtp_data;

    #[test]
    fn data_is_crlf_dot_stuffed_and_ended() {
        assert_eq!(
            smtp_data(b"Subject: a\n\n.hidden\r\nlast"),
            b"Subject: a\r\n\r\n..hidden\r\nlast\r\n.\r\n".to_vec()
        );
        assert_eq!(smtp_data(b"x\r\n"), b"x\r\n.\r\n".to_vec());
    }
}

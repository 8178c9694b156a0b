//! A real IMAP server for the mail-in tests: Debian's dovecot (`dovecot-imapd`,
//! `dovecot-lmtpd`), run in the foreground as a child process with its own configuration,
//! a throw-away certificate made by `openssl`, one mail account, and free loopback ports
//! for IMAP (plain, for the test's own client), IMAPS (for kefu) and LMTP (for postfix).
//! The test puts mail in with APPEND over its own connection, and reads back flags and
//! counts the same way — as another mail client of the mailbox would.
//!
//! Without dovecot a test using it skips (prints why and returns), unless the peers are
//! required (`KEFU_REQUIRE_PEERS=1`, set by `scripts/test.sh`): then it fails.

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_imap::Session;
use futures_util::TryStreamExt;
use tokio::net::TcpStream;

use crate::smtp_peer::required;

const DOVECOT: &str = "/usr/sbin/dovecot";

/// Whether dovecot and openssl are installed.
pub fn available() -> bool {
    Path::new(DOVECOT).exists()
        && Command::new("openssl")
            .arg("version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// Runs `openssl` in `dir`, which must succeed.
fn openssl(dir: &Path, args: &[&str]) {
    let done = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(done.success(), "openssl {args:?} failed");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A running dovecot; it stops, and its directory goes, on drop.
pub struct ImapPeer {
    /// Plain IMAP (the test's own client).
    pub imap_port: u16,
    /// IMAP over TLS (kefu).
    pub imaps_port: u16,
    /// LMTP, for a mail server delivering into the mailbox.
    pub lmtp_port: u16,
    pub user: String,
    pub password: String,
    /// The CA that signed the server's certificate (for `localhost` and 127.0.0.1).
    pub ca_pem: String,
    pub dir: PathBuf,
    child: Option<Child>,
}

impl ImapPeer {
    /// A dovecot with the account `kefu@hengxin.example`; `None` (the caller returns, the
    /// test skipped) when dovecot is missing and not required.
    pub async fn start() -> Option<ImapPeer> {
        ImapPeer::launch(true).await
    }

    /// The same, but a server that does not offer IDLE: kefu has to poll it.
    pub async fn start_without_idle() -> Option<ImapPeer> {
        ImapPeer::launch(false).await
    }

    async fn launch(idle: bool) -> Option<ImapPeer> {
        if !available() {
            assert!(
                !required(),
                "dovecot is required (KEFU_REQUIRE_PEERS=1) but {DOVECOT} or openssl is missing"
            );
            eprintln!(
                "skipped: dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)"
            );
            return None;
        }
        let dir = std::env::temp_dir().join(format!("kefu-imap-{}", crate::unique_name()));
        for sub in ["run", "state", "home/kefu"] {
            std::fs::create_dir_all(dir.join(sub)).expect("peer dir");
        }
        // A private CA and a server certificate it signed, as a company's own mail server
        // has: kefu is given the CA, and verifies the server against it.
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .expect("ext");
        let key = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        openssl(
            &dir,
            &[
                &["req", "-x509"],
                &key[..],
                &[
                    "-days",
                    "2",
                    "-subj",
                    "/CN=kefu test CA",
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.pem",
                ],
            ]
            .concat(),
        );
        openssl(
            &dir,
            &[
                &["req"],
                &key[..],
                &[
                    "-subj",
                    "/CN=localhost",
                    "-keyout",
                    "key.pem",
                    "-out",
                    "server.csr",
                ],
            ]
            .concat(),
        );
        openssl(
            &dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "server.ext",
                "-out",
                "cert.pem",
            ],
        );
        let ca_pem = std::fs::read_to_string(dir.join("ca.pem")).expect("CA certificate");
        // Mail is kept by a user who is not root (dovecot refuses root); as root that is
        // nobody, who must own the home; otherwise the user running the tests.
        let me = std::fs::metadata(&dir).expect("dir").uid();
        let (uid, gid, login_user) = if me == 0 {
            (65534u32, 65534u32, None)
        } else {
            let name =
                String::from_utf8(Command::new("id").arg("-un").output().expect("id").stdout)
                    .expect("user name")
                    .trim()
                    .to_owned();
            let gid = std::fs::metadata(&dir).expect("dir").gid();
            (me, gid, Some(name))
        };
        std::os::unix::fs::chown(dir.join("home"), Some(uid), Some(gid)).expect("chown");
        std::os::unix::fs::chown(dir.join("home/kefu"), Some(uid), Some(gid)).expect("chown");
        let user = "kefu@hengxin.example".to_owned();
        let password = "imap-测试-secret".to_owned();
        std::fs::write(
            dir.join("passwd"),
            format!(
                "{user}:{{PLAIN}}{password}:{uid}:{gid}::{}\n",
                dir.join("home/kefu").display()
            ),
        )
        .expect("passwd");
        // The ports are free when chosen, but another test's server may take one before
        // dovecot binds it: then dovecot is started again on others.
        let mut failure = String::new();
        for _ in 0..3 {
            let (imap_port, imaps_port, lmtp_port) = (free_port(), free_port(), free_port());
            let users = match &login_user {
                Some(name) => format!(
                    "default_internal_user = {name}\ndefault_login_user = {name}\n\
                     default_internal_group = {name}\n"
                ),
                None => String::new(),
            };
            // dovecot's own list of what it can do after LOGIN, less IDLE.
            let capability = if idle {
                String::new()
            } else {
                "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT \
                 THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED \
                 I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE\n"
                    .to_owned()
            };
            let d = dir.display();
            let conf = format!(
                "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
                 protocols = imap lmtp\nlisten = 127.0.0.1\nssl = yes\n\
                 ssl_cert = <{d}/cert.pem\nssl_key = <{d}/key.pem\n\
                 auth_mechanisms = plain login\ndisable_plaintext_auth = no\nfirst_valid_uid = 1\n\
                 {users}{capability}\
                 passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
                 userdb {{\n  driver = passwd-file\n  args = username_format=%u {d}/passwd\n}}\n\
                 mail_location = maildir:~/Maildir\n\
                 service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap_port}\n  }}\n\
                   inet_listener imaps {{\n    address = 127.0.0.1\n    port = {imaps_port}\n    ssl = yes\n  }}\n}}\n\
                 service lmtp {{\n  inet_listener lmtp {{\n    address = 127.0.0.1\n    port = {lmtp_port}\n  }}\n}}\n\
                 service anvil {{\n  chroot =\n}}\n\
                 protocol lmtp {{\n  auth_username_format = %u\n}}\n"
            );
            std::fs::write(dir.join("dovecot.conf"), conf).expect("conf");
            let stderr = std::fs::File::create(dir.join("dovecot.stderr")).expect("stderr file");
            let child = Command::new(DOVECOT)
                .arg("-F")
                .arg("-c")
                .arg(dir.join("dovecot.conf"))
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .expect("dovecot starts");
            let mut peer = ImapPeer {
                imap_port,
                imaps_port,
                lmtp_port,
                user: user.clone(),
                password: password.clone(),
                ca_pem: ca_pem.clone(),
                dir: dir.clone(),
                child: Some(child),
            };
            match peer.wait_ready().await {
                Ok(()) => return Some(peer),
                Err(e) => {
                    failure = e;
                    peer.stop();
                    // The directory (certificate, passwords) serves the next attempt.
                    peer.dir = PathBuf::new();
                }
            }
        }
        panic!("dovecot did not come up in 3 attempts: {failure}");
    }

    async fn wait_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(mut s) = self.session_or_err().await {
                let _ = s.logout().await;
                return Ok(());
            }
            if Instant::now() >= deadline {
                let read =
                    |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
                return Err(format!(
                    "its log: {}\nits stderr: {}",
                    read("dovecot.log"),
                    read("dovecot.stderr")
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn session_or_err(&self) -> Result<Session<TcpStream>, String> {
        let tcp = TcpStream::connect(("127.0.0.1", self.imap_port))
            .await
            .map_err(|e| e.to_string())?;
        let mut client = async_imap::Client::new(tcp);
        client
            .read_response()
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no greeting")?;
        client
            .login(&self.user, &self.password)
            .await
            .map_err(|(e, _)| e.to_string())
    }

    /// A client session of the mailbox (another mail client, as the test's hands).
    pub async fn session(&self) -> Session<TcpStream> {
        self.session_or_err().await.expect("test IMAP session")
    }

    /// Puts a mail into `folder`.
    pub async fn append(&self, folder: &str, raw: &[u8]) {
        let mut s = self.session().await;
        s.append(folder, None, None, raw).await.expect("APPEND");
        let _ = s.logout().await;
    }

    /// Delivers a mail into INBOX over LMTP, as a mail server (postfix) does at its last hop.
    pub async fn deliver(&self, raw: &[u8]) {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let tcp = TcpStream::connect(("127.0.0.1", self.lmtp_port))
            .await
            .expect("LMTP connects");
        let (read, mut write) = tcp.into_split();
        let mut lines = BufReader::new(read).lines();
        // Reads one reply (its last line: `250 …`, not `250-…`), which must be `code`.
        async fn reply(
            lines: &mut tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>,
            code: &str,
        ) {
            loop {
                let line = lines
                    .next_line()
                    .await
                    .expect("LMTP reads")
                    .expect("LMTP line");
                if line.len() < 4 || line.as_bytes()[3] != b'-' {
                    assert!(line.starts_with(code), "LMTP answered {line:?}, not {code}");
                    return;
                }
            }
        }
        reply(&mut lines, "220").await;
        for (command, code) in [
            ("LHLO bench.example\r\n".to_owned(), "250"),
            ("MAIL FROM:<sender@customer.example>\r\n".to_owned(), "250"),
            (format!("RCPT TO:<{}>\r\n", self.user), "250"),
            ("DATA\r\n".to_owned(), "354"),
        ] {
            write
                .write_all(command.as_bytes())
                .await
                .expect("LMTP writes");
            reply(&mut lines, code).await;
        }
        // Dot-stuffing: a line starting with "." gets another.
        let mut data = Vec::with_capacity(raw.len() + 16);
        for line in raw.split_inclusive(|b| *b == b'\n') {
            if line.first() == Some(&b'.') {
                data.push(b'.');
            }
            data.extend_from_slice(line);
        }
        if !data.ends_with(b"\r\n") {
            data.extend_from_slice(b"\r\n");
        }
        data.extend_from_slice(b".\r\n");
        write.write_all(&data).await.expect("LMTP writes");
        reply(&mut lines, "250").await;
        write.write_all(b"QUIT\r\n").await.expect("LMTP writes");
    }

    /// Makes a folder.
    pub async fn create(&self, folder: &str) {
        let mut s = self.session().await;
        s.create(folder).await.expect("CREATE");
        let _ = s.logout().await;
    }

    /// Deletes a folder and makes it again: a new UIDVALIDITY, its mail gone.
    pub async fn recreate(&self, folder: &str) {
        let mut s = self.session().await;
        s.delete(folder).await.expect("DELETE");
        s.create(folder).await.expect("CREATE");
        let _ = s.logout().await;
    }

    /// Each mail in `folder`: its UID and whether it is flagged \Seen.
    pub async fn mails(&self, folder: &str) -> Vec<(u32, bool)> {
        let mut s = self.session().await;
        let m = s.examine(folder).await.expect("EXAMINE");
        let mut out = Vec::new();
        if m.exists > 0 {
            let fetched: Vec<_> = s
                .fetch("1:*", "(UID FLAGS)")
                .await
                .expect("FETCH")
                .try_collect()
                .await
                .expect("FETCH");
            for f in fetched {
                let seen = f
                    .flags()
                    .any(|fl| matches!(fl, async_imap::types::Flag::Seen));
                out.push((f.uid.unwrap_or(0), seen));
            }
        }
        out.sort_unstable();
        let _ = s.logout().await;
        out
    }

    /// Every mail in `folder` as it was delivered (read without flagging it \Seen).
    pub async fn raw_mails(&self, folder: &str) -> Vec<Vec<u8>> {
        let mut s = self.session().await;
        let m = s.examine(folder).await.expect("EXAMINE");
        let mut out = Vec::new();
        if m.exists > 0 {
            let fetched: Vec<_> = s
                .fetch("1:*", "BODY.PEEK[]")
                .await
                .expect("FETCH")
                .try_collect()
                .await
                .expect("FETCH");
            for f in fetched {
                out.push(f.body().unwrap_or_default().to_vec());
            }
        }
        let _ = s.logout().await;
        out
    }

    /// Flags every mail in `folder` \Seen, as a person reading it in their mail client.
    pub async fn read_all(&self, folder: &str) {
        let mut s = self.session().await;
        let m = s.select(folder).await.expect("SELECT");
        if m.exists > 0 {
            let _: Vec<_> = s
                .store("1:*", "+FLAGS (\\Seen)")
                .await
                .expect("STORE")
                .try_collect()
                .await
                .expect("STORE");
        }
        let _ = s.logout().await;
    }

    /// Stops the server (kefu finds nobody at the port).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The server's log, for a failing test's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }
}

impl Drop for ImapPeer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

//! The IMAP connection: TCP, then TLS (from the first byte, or after STARTTLS, which must
//! succeed) verified against Mozilla's roots and the mailbox's own CA when it has one, then
//! LOGIN. Every step has a time limit, so a server that stops answering fails the read
//! instead of holding the mailbox forever.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_imap::{Client, Session};
use kefu_domain::channel::imap::ImapSecurity;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// How long connecting, the TLS handshake and signing in may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// How long one command (a search, a fetch of a batch) may take.
pub(super) const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// The byte stream under the IMAP client: plain (only to this machine) or TLS.
pub(super) trait Io: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Io for T {}

pub(super) type ImapSession = Session<Box<dyn Io>>;

/// Where and as whom to sign in.
pub(super) struct Server<'a> {
    pub host: &'a str,
    pub port: u16,
    pub security: ImapSecurity,
    pub username: &'a str,
    pub password: &'a str,
    pub ca_pem: Option<&'a str>,
}

impl fmt::Debug for Server<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Why a connection failed, in words for the channel page (never the password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ConnectError(pub String);

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn tls_connector(ca_pem: Option<&str>) -> Result<TlsConnector, ConnectError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| ConnectError(format!("CA certificate: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| ConnectError(format!("CA certificate: {e}")))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| ConnectError(format!("TLS: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

async fn tls_wrap(
    tcp: TcpStream,
    host: &str,
    ca_pem: Option<&str>,
) -> Result<Box<dyn Io>, ConnectError> {
    let name = ServerName::try_from(host.trim_matches(['[', ']']).to_owned())
        .map_err(|e| ConnectError(format!("TLS: {host}: {e}")))?;
    let tls = tls_connector(ca_pem)?
        .connect(name, tcp)
        .await
        .map_err(|e| ConnectError(format!("TLS: {e}")))?;
    Ok(Box::new(tls))
}

/// Reads the server's greeting, which must be an untagged OK.
async fn greeting<T: Io>(client: &mut Client<T>) -> Result<(), ConnectError> {
    match client.read_response().await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(ConnectError("the server closed the connection".to_owned())),
        Err(e) => Err(ConnectError(format!("no greeting: {e}"))),
    }
}

async fn open(server: &Server<'_>) -> Result<ImapSession, ConnectError> {
    let tcp = TcpStream::connect((server.host.trim_matches(['[', ']']), server.port))
        .await
        .map_err(|e| ConnectError(format!("{}:{}: {e}", server.host, server.port)))?;
    let client = match server.security {
        ImapSecurity::Tls => {
            let mut client = Client::new(tls_wrap(tcp, server.host, server.ca_pem).await?);
            greeting(&mut client).await?;
            client
        }
        ImapSecurity::StartTls => {
            let mut client = Client::new(tcp);
            greeting(&mut client).await?;
            client
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| ConnectError(format!("STARTTLS: {e}")))?;
            // TLS goes over the very same socket; the server sends no second greeting.
            Client::new(tls_wrap(client.into_inner(), server.host, server.ca_pem).await?)
        }
        ImapSecurity::None => {
            let plain: Box<dyn Io> = Box::new(tcp);
            let mut client = Client::new(plain);
            greeting(&mut client).await?;
            client
        }
    };
    client
        .login(server.username, server.password)
        .await
        .map_err(|(e, _)| ConnectError(format!("LOGIN: {e}")))
}

/// Connects and signs in, within [`CONNECT_TIMEOUT`].
pub(super) async fn connect(server: &Server<'_>) -> Result<ImapSession, ConnectError> {
    match tokio::time::timeout(CONNECT_TIMEOUT, open(server)).await {
        Ok(r) => r,
        Err(_) => Err(ConnectError(format!(
            "{}:{}: no answer within {} s",
            server.host,
            server.port,
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

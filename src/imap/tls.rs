//! TLS for the mail protocols: verified certificates, an optional extra CA, clear errors.

use std::path::{Path, PathBuf};
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite};

/// A byte stream a protocol client can run over: plain TCP or TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {
    /// For recovering the plain TCP stream before a STARTTLS upgrade.
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any>;
}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug + 'static> Io for T {
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

pub type BoxedIo = Box<dyn Io>;

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("cannot read ca_file {path}: {source}")]
    CaFile { path: PathBuf, source: std::io::Error },
    #[error("ca_file {path} holds no PEM certificate: {detail}")]
    CaPem { path: PathBuf, detail: String },
    #[error("TLS setup failed: {0}")]
    Setup(String),
    #[error("the certificate of {host} was refused: {reason}")]
    Certificate { host: String, reason: String },
    #[error("TLS handshake with {host} failed: {detail}")]
    Handshake { host: String, detail: String },
}

/// What to trust when verifying a server.
#[derive(Debug, Clone, Default)]
pub struct TlsSettings {
    pub ca_file: Option<PathBuf>,
    pub accept_invalid_certs: bool,
}

fn connector(settings: &TlsSettings, min13: bool) -> Result<async_native_tls::TlsConnector, TlsError> {
    let min = if min13 { async_native_tls::Protocol::Tlsv13 } else { async_native_tls::Protocol::Tlsv12 };
    let mut c = async_native_tls::TlsConnector::new().min_protocol_version(Some(min));
    if let Some(path) = &settings.ca_file {
        let path = crate::paths::expand_home(path);
        let pem = std::fs::read(&path).map_err(|source| TlsError::CaFile { path: path.clone(), source })?;
        let certs = native_tls_certs(&pem, &path)?;
        for cert in certs {
            c = c.add_root_certificate(cert);
        }
    }
    if settings.accept_invalid_certs {
        c = c.danger_accept_invalid_certs(true);
    }
    Ok(c)
}

fn native_tls_certs(pem: &[u8], path: &Path) -> Result<Vec<async_native_tls::Certificate>, TlsError> {
    let text = String::from_utf8_lossy(pem);
    let mut out = Vec::new();
    for block in text.split("-----END CERTIFICATE-----") {
        if let Some(start) = block.find("-----BEGIN CERTIFICATE-----") {
            let one = format!("{}-----END CERTIFICATE-----\n", &block[start..]);
            let cert = async_native_tls::Certificate::from_pem(one.as_bytes())
                .map_err(|e| TlsError::CaPem { path: path.to_path_buf(), detail: e.to_string() })?;
            out.push(cert);
        }
    }
    if out.is_empty() {
        return Err(TlsError::CaPem { path: path.to_path_buf(), detail: "no BEGIN CERTIFICATE block".into() });
    }
    Ok(out)
}

/// Turns an OpenSSL error string into a sentence a user can act on; the advice takes the
/// `ca_file` in use into account.
fn explain(host: &str, settings: &TlsSettings, e: &async_native_tls::Error) -> TlsError {
    let raw = e.to_string();
    if raw.contains("certificate verify failed") || raw.contains("certificate") && raw.contains("verify") {
        let reason = raw
            .rsplit_once('(')
            .map(|(_, r)| r.trim_end_matches(')').to_string())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "certificate verify failed".into());
        let unknown_issuer = reason.contains("self-signed") || reason.contains("unable to get local issuer");
        let hint = match &settings.ca_file {
            _ if reason.contains("hostname") || reason.contains("mismatch") => {
                "; the certificate is for another host name".to_string()
            }
            Some(ca) if unknown_issuer => format!(
                "; the ca_file {} was used, and it does not sign this server's certificate: \
                 point ca_file at the certificate or CA that does",
                crate::paths::expand_home(ca).display()
            ),
            None if unknown_issuer => "; if you trust this server, point ca_file at its certificate or CA".into(),
            _ => String::new(),
        };
        TlsError::Certificate { host: host.to_string(), reason: format!("{reason}{hint}") }
    } else {
        TlsError::Handshake { host: host.to_string(), detail: raw }
    }
}

/// Wraps a connected stream in TLS, verifying the server as `host`. With `tls13_only`, the
/// handshake fails unless TLS 1.3 is negotiated (used to find the version the server speaks).
pub async fn wrap<S>(
    settings: &TlsSettings,
    host: &str,
    stream: S,
    tls13_only: bool,
) -> Result<async_native_tls::TlsStream<S>, TlsError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let c = connector(settings, tls13_only)?;
    c.connect(host, stream).await.map_err(|e| explain(host, settings, &e))
}

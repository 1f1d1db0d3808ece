//! Settings from `PLEJELINK_*` environment variables (documented in the README).

use anyhow::{Context, bail};
use axum::http::HeaderValue;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone)]
pub struct Settings {
    pub environment: Environment,
    pub database_url: String,
    pub bind: SocketAddr,
    /// Holds the SQLite file and, in development, the generated signing key.
    pub data_dir: PathBuf,
    /// PKCS#8 PEM Ed25519 key that signs access tokens; required in production.
    pub jwt_key_file: Option<PathBuf>,
    /// Keys that signed earlier and still verify (comma-separated paths), for key rotation.
    pub jwt_previous_key_files: Vec<PathBuf>,
    /// Lifetime of an access token (15 minutes; 1 second to 1 hour). A shorter one ends a
    /// subscription sooner after its session could no longer be checked.
    pub access_token_ttl: chrono::Duration,
    /// Header with the client address when behind a trusted proxy (e.g. `x-forwarded-for`).
    pub client_ip_header: Option<String>,
    /// Login attempts per client address a minute, and failed logins per account in 15 minutes.
    pub login_attempts_per_address: usize,
    pub login_failures_per_account: usize,
    /// GraphQL requests served at once; more get 503 at once.
    pub max_in_flight: usize,
    /// How often each instance sends the agendas whose deadline passed.
    pub agenda_send_period: std::time::Duration,
    pub log_filter: String,
    pub log_format: LogFormat,
    /// Token issuer (`iss`) and audience (`aud`).
    pub issuer: String,
    pub audience: String,
    /// Where the built client apps are (served at /nurse/, /doctor/, /relative/); their
    /// `dist/persisted-documents.json` manifests are the trusted documents.
    pub clients_dir: PathBuf,
    /// More trusted-document manifests (`*.json`), e.g. for apps served elsewhere.
    pub trusted_documents_dir: Option<PathBuf>,
    /// `Strict-Transport-Security` on every answer: [`DEFAULT_HSTS`] in production, none in
    /// development; `PLEJELINK_HSTS` sets another value, or `off` (e.g. when the proxy that ends TLS
    /// sends its own).
    pub hsts: Option<HeaderValue>,
}

/// Browsers use HTTPS only for this host and its subdomains for a year.
pub const DEFAULT_HSTS: &str = "max-age=31536000; includeSubDomains";

impl std::fmt::Debug for Settings {
    // The database URL may hold a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("environment", &self.environment)
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

fn number(get: &impl Fn(&str) -> Option<String>, key: &str, default: usize) -> anyhow::Result<usize> {
    get(key).map_or(Ok(default), |v| v.parse().with_context(|| format!("{key} must be a whole number")))
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let environment = match get("PLEJELINK_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => bail!("PLEJELINK_ENV must be development or production, not {other:?}"),
        };
        let data_dir = PathBuf::from(get("PLEJELINK_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = get("PLEJELINK_DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("plejelink.sqlite").display()));
        let bind = get("PLEJELINK_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .context("PLEJELINK_BIND must be an address like 127.0.0.1:8080")?;
        let jwt_key_file = get("PLEJELINK_JWT_KEY_FILE").map(PathBuf::from);
        if environment == Environment::Production && jwt_key_file.is_none() {
            bail!("PLEJELINK_JWT_KEY_FILE is required in production");
        }
        let log_format = match get("PLEJELINK_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("PLEJELINK_LOG_FORMAT must be pretty or json, not {other:?}"),
        };
        let hsts = match get("PLEJELINK_HSTS") {
            Some(value) if value.trim().eq_ignore_ascii_case("off") => None,
            Some(value) => {
                Some(HeaderValue::from_str(value.trim()).context("PLEJELINK_HSTS must be a header value or off")?)
            }
            None => (environment == Environment::Production).then(|| HeaderValue::from_static(DEFAULT_HSTS)),
        };
        Ok(Self {
            environment,
            database_url,
            bind,
            data_dir,
            jwt_key_file,
            jwt_previous_key_files: get("PLEJELINK_JWT_PREVIOUS_KEY_FILES")
                .map(|v| v.split(',').map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from).collect())
                .unwrap_or_default(),
            access_token_ttl: match number(&get, "PLEJELINK_ACCESS_TOKEN_SECONDS", 900)? {
                seconds @ 1..=3600 => chrono::Duration::seconds(seconds as i64),
                other => bail!("PLEJELINK_ACCESS_TOKEN_SECONDS must be 1 to 3600, not {other}"),
            },
            client_ip_header: get("PLEJELINK_CLIENT_IP_HEADER").map(|h| h.to_lowercase()),
            login_attempts_per_address: number(&get, "PLEJELINK_LOGIN_ATTEMPTS_PER_ADDRESS", 100)?,
            login_failures_per_account: number(&get, "PLEJELINK_LOGIN_FAILURES_PER_ACCOUNT", 5)?,
            max_in_flight: number(&get, "PLEJELINK_MAX_IN_FLIGHT", 256)?.max(1),
            agenda_send_period: std::time::Duration::from_secs(
                number(&get, "PLEJELINK_AGENDA_SEND_SECONDS", 30)?.max(1) as u64,
            ),
            log_filter: get("PLEJELINK_LOG").unwrap_or_else(|| "info".into()),
            log_format,
            issuer: get("PLEJELINK_ISSUER").unwrap_or_else(|| "plejelink".into()),
            audience: get("PLEJELINK_AUDIENCE").unwrap_or_else(|| "plejelink-api".into()),
            clients_dir: PathBuf::from(get("PLEJELINK_CLIENTS_DIR").unwrap_or_else(|| "./clients".into())),
            trusted_documents_dir: get("PLEJELINK_TRUSTED_DOCUMENTS_DIR").map(PathBuf::from),
            hsts,
        })
    }

    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_sqlite_in_data_dir_and_refuses_production_without_key() {
        let settings = Settings::from_lookup(|_| None).expect("defaults");
        assert_eq!(settings.environment, Environment::Development);
        assert!(settings.database_url.starts_with("sqlite://./data/"));
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");

        let prod = Settings::from_lookup(|k| (k == "PLEJELINK_ENV").then(|| "production".to_string()));
        assert!(prod.is_err());
        let bad = Settings::from_lookup(|k| (k == "PLEJELINK_ENV").then(|| "staging".to_string()));
        assert!(bad.is_err());
    }

    #[test]
    fn hsts_is_on_in_production_unless_set_otherwise() {
        fn with(pairs: &[(&str, &str)]) -> anyhow::Result<Settings> {
            Settings::from_lookup(|k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| (*v).to_owned()))
        }
        let production = [("PLEJELINK_ENV", "production"), ("PLEJELINK_JWT_KEY_FILE", "key.pem")];
        assert_eq!(with(&production).expect("production").hsts.expect("hsts"), DEFAULT_HSTS);
        assert!(with(&[]).expect("development").hsts.is_none());
        let off = [production[0], production[1], ("PLEJELINK_HSTS", "off")];
        assert!(with(&off).expect("off").hsts.is_none());
        let short = with(&[("PLEJELINK_HSTS", "max-age=60")]).expect("set");
        assert_eq!(short.hsts.expect("hsts"), "max-age=60");
        assert!(with(&[("PLEJELINK_HSTS", "max-age=60\n")]).is_ok(), "trimmed");
        assert!(with(&[("PLEJELINK_HSTS", "bad\u{1}value")]).is_err());
    }
}

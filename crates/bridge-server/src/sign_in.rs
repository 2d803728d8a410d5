//! Signing in to the console: who may (operators with argon2 hashes and a role, the admin
//! token), the session, and the CSRF token every form carries.
//!
//! Sessions are kept by the server (`console_sessions`, one row per sign-in): the cookie carries
//! only the session's random id, signed with HMAC-SHA256 under a key derived from the
//! configured credentials (every replica accepts it). Each request looks the session up:
//! signing out deletes it, and a session whose operator was removed from the settings, or whose
//! password (or the admin token) changed since, is over at once. The cookie is `HttpOnly`,
//! `SameSite=Strict`, scoped to `/console`, and `Secure` when the request came over HTTPS.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use argon2::password_hash::PasswordVerifier;
use argon2::password_hash::phc::PasswordHash;
use axum::http::{HeaderMap, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use bridge_core::store::{Store, StoredSession};

use crate::configuration::{Role, Settings};

/// Sign-in attempts one address may make per minute.
const SIGN_INS_PER_MINUTE: u32 = 10;

/// Who may sign in, and how often one address may try.
pub struct ConsoleState {
    /// Checks credentials and sessions.
    pub gate: Gate,
    pub(crate) throttle: RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>,
    pub(crate) proxy_header: Option<String>,
}

impl ConsoleState {
    /// The console of these settings, or `None` when nobody can sign in (it is off).
    pub fn from_settings(settings: &Settings) -> Option<ConsoleState> {
        let per_minute = NonZeroU32::new(SIGN_INS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        Some(ConsoleState {
            gate: Gate::from_settings(settings)?,
            throttle: RateLimiter::keyed(Quota::per_minute(per_minute)),
            proxy_header: settings
                .server
                .webhook_rate_limit
                .trusted_proxy_header
                .clone(),
        })
    }
}

/// The cookie's name.
pub const COOKIE: &str = "shaq_console";

/// A signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The session's id (as stored).
    pub id: String,
    /// Their name.
    pub operator: String,
    /// What they may do.
    pub role: Role,
    /// The token every form of this session carries.
    pub csrf: String,
}

/// Who may sign in, and the key sessions are signed with.
#[derive(Clone)]
pub struct Gate {
    key: [u8; 32],
    operators: Vec<(String, String, Role)>,
    admin_token: Option<String>,
    ttl: Duration,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("operators", &self.operators.len())
            .finish_non_exhaustive()
    }
}

impl Gate {
    /// The gate of these settings, or `None` when nobody can sign in (the console is off).
    pub fn from_settings(settings: &Settings) -> Option<Gate> {
        if !settings.console_enabled() {
            return None;
        }
        let admin_token = settings
            .server
            .admin_token
            .as_ref()
            .filter(|_| settings.console.admin_token_signs_in)
            .map(|t| t.expose_secret().to_owned());
        let operators: Vec<(String, String, Role)> = settings
            .console
            .operators
            .iter()
            .map(|o| {
                (
                    o.name.clone(),
                    o.password_hash.expose_secret().to_owned(),
                    o.role,
                )
            })
            .collect();
        let mut material = Sha256::new();
        material.update(b"shaq-bridge console sessions v1\0");
        if let Some(token) = &admin_token {
            material.update(token.as_bytes());
        }
        material.update(b"\0");
        for (name, hash, _) in &operators {
            material.update(name.as_bytes());
            material.update(b"\0");
            material.update(hash.as_bytes());
            material.update(b"\0");
        }
        Some(Gate {
            key: material.finalize().into(),
            operators,
            admin_token,
            ttl: settings.console.session_ttl,
        })
    }

    /// Checks a name and password (or the admin token, with the name `admin` or empty): the
    /// session to store, for the credential it was opened with. Takes the time of an argon2
    /// verification whatever the outcome.
    pub fn sign_in(&self, name: &str, password: &str, now: DateTime<Utc>) -> Option<StoredSession> {
        let name = name.trim();
        let admin = (name.is_empty() || name == "admin")
            && self
                .admin_token
                .as_ref()
                .is_some_and(|token| bool::from(token.as_bytes().ct_eq(password.as_bytes())));
        if admin {
            return self.session_for("admin", now);
        }
        let hash = self
            .operators
            .iter()
            .find(|(operator, _, _)| operator == name)
            .map(|(_, hash, _)| hash.as_str());
        // An unknown name is checked against a dummy hash, so the answer takes as long.
        let phc = hash.unwrap_or(DUMMY_HASH.as_str());
        let verified = PasswordHash::new(phc).is_ok_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        });
        if verified && hash.is_some() {
            self.session_for(name, now)
        } else {
            None
        }
    }

    /// A fingerprint of the credential `operator` signs in with now (`None`: nobody of that
    /// name may sign in any more). A session opened with another one is over.
    fn credential_of(&self, operator: &str) -> Option<String> {
        let secret = if operator == "admin" {
            self.admin_token.as_deref()?
        } else {
            self.operators
                .iter()
                .find(|(name, _, _)| name == operator)
                .map(|(_, hash, _)| hash.as_str())?
        };
        let mut mac = self.mac();
        mac.update(b"credential\0");
        mac.update(operator.as_bytes());
        mac.update(b"\0");
        mac.update(secret.as_bytes());
        Some(hex::encode(mac.finalize().into_bytes()))
    }

    /// What `operator` may do (the admin token: everything).
    fn role_of(&self, operator: &str) -> Option<Role> {
        if operator == "admin" {
            return self.admin_token.as_ref().map(|_| Role::Admin);
        }
        self.operators
            .iter()
            .find(|(name, _, _)| name == operator)
            .map(|(_, _, role)| *role)
    }

    fn session_for(&self, operator: &str, now: DateTime<Utc>) -> Option<StoredSession> {
        let ttl = chrono::Duration::from_std(self.ttl).unwrap_or(chrono::Duration::days(1));
        let mut id = [0u8; 32];
        rand::fill(&mut id);
        let mut csrf = [0u8; 16];
        rand::fill(&mut csrf);
        Some(StoredSession {
            id: hex::encode(id),
            operator: operator.to_owned(),
            credential: self.credential_of(operator)?,
            csrf: hex::encode(csrf),
            expires_at: now + ttl,
        })
    }

    fn mac(&self) -> Hmac<Sha256> {
        // An HMAC key of any length is accepted.
        Hmac::<Sha256>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!())
    }

    /// The cookie's value for a session: its id, signed.
    pub fn seal(&self, id: &str) -> String {
        let mut mac = self.mac();
        mac.update(id.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{id}.{signature}")
    }

    /// The session id a cookie value carries, if we signed it.
    pub fn open(&self, value: &str) -> Option<String> {
        let (id, signature) = value.split_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut mac = self.mac();
        mac.update(id.as_bytes());
        mac.verify_slice(&signature).ok()?;
        Some(id.to_owned())
    }

    /// The session id of a request, from its cookie.
    pub fn session_id_of(&self, headers: &HeaderMap) -> Option<String> {
        cookie(headers, COOKIE).and_then(|value| self.open(&value))
    }

    /// The session a stored sign-in still is: its operator may still sign in with the same
    /// credential (`None`: removed, or the password or token changed since).
    pub fn still_valid(&self, stored: StoredSession) -> Option<Session> {
        let current = self.credential_of(&stored.operator)?;
        if !bool::from(current.as_bytes().ct_eq(stored.credential.as_bytes())) {
            return None;
        }
        Some(Session {
            role: self.role_of(&stored.operator)?,
            id: stored.id,
            operator: stored.operator,
            csrf: stored.csrf,
        })
    }

    /// The `Set-Cookie` header that signs the session `id` in.
    pub fn set_cookie(&self, id: &str, headers: &HeaderMap) -> String {
        format!(
            "{COOKIE}={}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={}{}",
            self.seal(id),
            self.ttl.as_secs(),
            secure_suffix(headers)
        )
    }
}

impl ConsoleState {
    /// The signed-in person of a request: a cookie we signed, for a session the store still
    /// holds, of an operator who may still sign in with the same credential.
    pub async fn session_of(
        &self,
        store: &Store,
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, bridge_core::store::StoreError> {
        let Some(id) = self.gate.session_id_of(headers) else {
            return Ok(None);
        };
        Ok(store
            .session(&id, now)
            .await?
            .and_then(|stored| self.gate.still_valid(stored)))
    }
}

/// The `Set-Cookie` header that signs out.
pub fn clear_cookie(headers: &HeaderMap) -> String {
    format!(
        "{COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0{}",
        secure_suffix(headers)
    )
}

/// `Secure` when the browser reached the bridge over HTTPS (through a proxy that says so).
fn secure_suffix(headers: &HeaderMap) -> &'static str {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    if https { "; Secure" } else { "" }
}

/// One cookie's value.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Whether a form's token is the session's.
pub fn csrf_matches(session: &Session, presented: &str) -> bool {
    !presented.is_empty() && bool::from(session.csrf.as_bytes().ct_eq(presented.as_bytes()))
}

/// A form posted from another site is refused: when the browser names the page's origin, it
/// must be this host.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok());
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    host.is_some_and(|host| host.eq_ignore_ascii_case(origin_host))
}

/// An argon2id hash of a random password nobody knows, to spend the same time on unknown names.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut password = [0u8; 16];
    rand::fill(&mut password);
    hash_password(&hex::encode(password)).unwrap_or_default()
});

/// An argon2id hash of `password`, for `[[console.operators]]`.
pub fn hash_password(password: &str) -> Result<String, String> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> Gate {
        let hash = hash_password("correct horse battery").expect("hash");
        let toml = format!(
            "[server]\nadmin_token = \"admin-token-0123456789\"\n\
             [[console.operators]]\nname = \"ama\"\npassword_hash = \"{hash}\"\n"
        );
        let base = bridge_sandbox::bridge_config::BridgeConfig::with_upstreams(
            "http://127.0.0.1:9/api/v1",
            "http://127.0.0.1:9/v1",
            [
                "awaiting_confirmation",
                "received",
                "confirmed",
                "cancelled",
            ]
            .map(|key| (key.to_owned(), format!("status-{key}")))
            .to_vec(),
            "sqlite::memory:",
        )
        .to_toml();
        let mut settings =
            crate::configuration::Settings::from_toml(&merge(&base, &toml)).expect("settings");
        settings.console.session_ttl = Duration::from_secs(3600);
        Gate::from_settings(&settings).expect("console on")
    }

    /// `extra`'s `[server]` keys go into `base`'s `[server]` table.
    fn merge(base: &str, extra: &str) -> String {
        let (server_keys, rest) = extra
            .strip_prefix("[server]\n")
            .and_then(|e| e.split_once('\n'))
            .expect("extra starts with [server]");
        format!(
            "{}\n{rest}",
            base.replacen("[server]\n", &format!("[server]\n{server_keys}\n"), 1)
        )
    }

    #[test]
    fn operators_and_the_admin_token_sign_in_and_nothing_else_does() {
        let gate = gate();
        let now = Utc::now();
        assert_eq!(
            gate.sign_in("ama", "correct horse battery", now)
                .map(|s| s.operator),
            Some("ama".to_owned())
        );
        assert!(gate.sign_in("ama", "wrong", now).is_none());
        assert!(gate.sign_in("kofi", "correct horse battery", now).is_none());
        assert_eq!(
            gate.sign_in("", "admin-token-0123456789", now)
                .map(|s| s.operator),
            Some("admin".to_owned())
        );
        assert!(gate.sign_in("ama", "admin-token-0123456789", now).is_none());
    }

    #[test]
    fn a_cookie_opens_only_unaltered_and_a_session_only_with_its_credential() {
        let gate = gate();
        let now = Utc::now();
        let stored = gate
            .sign_in("ama", "correct horse battery", now)
            .expect("in");
        let sealed = gate.seal(&stored.id);
        assert_eq!(gate.open(&sealed), Some(stored.id.clone()));
        let (_, signature) = sealed.split_once('.').expect("signed");
        assert_eq!(gate.open(&format!("{}x.{signature}", stored.id)), None);
        let session = gate.still_valid(stored.clone()).expect("valid");
        assert_eq!(
            (session.operator.as_str(), session.role),
            ("ama", Role::Operator)
        );
        // A password changed since: the session opened with the old one is over.
        let changed = StoredSession {
            credential: "another".repeat(9),
            ..stored
        };
        assert!(gate.still_valid(changed).is_none());
    }

    #[test]
    fn forms_from_other_sites_are_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "bridge.example:8080".parse().expect("header"));
        assert!(
            same_origin(&headers),
            "no Origin: an older browser or a CLI"
        );
        headers.insert(
            header::ORIGIN,
            "http://bridge.example:8080".parse().expect("header"),
        );
        assert!(same_origin(&headers));
        headers.insert(
            header::ORIGIN,
            "https://evil.example".parse().expect("header"),
        );
        assert!(!same_origin(&headers));
    }
}

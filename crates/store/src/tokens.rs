//! Bearer access tokens: who may call the server, as which role, for which member.
//!
//! A token is a secret, `concord_` and 64 lowercase hex digits (32 random bytes), shown once when
//! it is made. The store keeps only its SHA-256, in the `token` table, and finds a token's
//! [`Grant`] by that hash. Tokens are access control, not governance: they are not ledger
//! entries, and making or revoking one touches neither the Merkle tree nor the checkpoints.
//! Each write is one SQL statement, durable when the call returns (WAL, `synchronous = FULL`).

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::checkpoint::rfc3339;
use crate::sqlite::{Store, StoreError, sql_error};

/// The prefix of every secret, so that a leaked one is recognisable.
const PREFIX: &str = "concord_";

/// Who a token speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// The secretariat: proposals, facts, positions of any member, votes recorded on a member's
    /// behalf, closing, and tokens.
    Secretariat,
    /// One member's delegation: its own member's votes and positions only.
    Delegation,
    /// Read only.
    Observer,
}

impl Role {
    /// The role's name, as written in commands, JSON and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Secretariat => "secretariat",
            Role::Delegation => "delegation",
            Role::Observer => "observer",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Role, String> {
        match text {
            "secretariat" => Ok(Role::Secretariat),
            "delegation" => Ok(Role::Delegation),
            "observer" => Ok(Role::Observer),
            _ => Err(format!("unknown role `{text}`: a role is `secretariat`, `delegation` or `observer`")),
        }
    }
}

/// A token's grant (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    /// The token's number, to list and revoke it by.
    pub id: u64,
    /// Who it speaks for.
    pub role: Role,
    /// The member a delegation token speaks for; `None` for the other roles.
    pub member: Option<String>,
    /// A note for people, such as who holds it.
    pub label: Option<String>,
    /// When it was made, RFC 3339 in UTC.
    pub created: String,
    /// When it was revoked, RFC 3339 in UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
}

/// A token just made: its grant and the secret, shown once.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewToken {
    /// What it grants.
    #[serde(flatten)]
    pub grant: Grant,
    /// The secret: `concord_` and 64 lowercase hex digits. The store keeps only its hash.
    pub token: String,
}

/// The stored form of a secret: its SHA-256.
fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// A new secret from the operating system's randomness.
fn new_secret() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Key(format!("no randomness from the operating system: {e}")))?;
    Ok(format!("{PREFIX}{}", hex::encode(bytes)))
}

/// The columns a grant is read from, in [`grant_from_row`]'s order.
const COLUMNS: &str = "id, role, member, label, created, revoked";

fn grant_from_row(row: &rusqlite::Row<'_>) -> Result<Grant, rusqlite::Error> {
    let role: String = row.get(1)?;
    let role = role
        .parse::<Role>()
        .map_err(|message| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, message.into()))?;
    Ok(Grant {
        id: row.get(0)?,
        role,
        member: row.get(2)?,
        label: row.get(3)?,
        created: row.get(4)?,
        revoked: row.get(5)?,
    })
}

impl Store {
    /// Makes a token. A delegation token needs `member`, which must be a member of the folded
    /// state (so the store must be opened with [`Store::open`], not [`Store::open_unchecked`]);
    /// secretariat and observer tokens must have no member. Anything else is
    /// [`StoreError::Refused`], and nothing is written.
    pub fn create_token(
        &self,
        role: Role,
        member: Option<&str>,
        label: Option<&str>,
        now: i64,
    ) -> Result<NewToken, StoreError> {
        match (role, member) {
            (Role::Delegation, None) => {
                return Err(StoreError::Refused(
                    "a delegation token speaks for one member: give the member's id".to_owned(),
                ));
            }
            (Role::Delegation, Some(_)) if self.state().entries == 0 => {
                return Err(StoreError::Refused(
                    "the store's entries were not read, so its members are unknown (open it with `Store::open`)"
                        .to_owned(),
                ));
            }
            (Role::Delegation, Some(m)) if self.engine().ok().and_then(|e| e.member_index(m)).is_none() => {
                return Err(StoreError::Refused(format!("no member `{m}` in the store")));
            }
            (Role::Secretariat | Role::Observer, Some(m)) => {
                return Err(StoreError::Refused(format!(
                    "a {role} token speaks for no member, so it takes none (found `{m}`)"
                )));
            }
            _ => {}
        }
        let secret = new_secret()?;
        let created = rfc3339(now);
        let id: u64 = self
            .connection()
            .query_row(
                "INSERT INTO token (role, member, label, hash, created) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                params![role.as_str(), member, label, &digest(&secret)[..], created],
                |r| r.get(0),
            )
            .map_err(sql_error(self.path()))?;
        let grant = Grant {
            id,
            role,
            member: member.map(str::to_owned),
            label: label.map(str::to_owned),
            created,
            revoked: None,
        };
        Ok(NewToken { grant, token: secret })
    }

    /// The grant of a secret, if it names a token that exists and is not revoked. Works on a
    /// store opened with [`Store::open_unchecked`] too: it reads only the token table.
    pub fn token_grant(&self, secret: &str) -> Result<Option<Grant>, StoreError> {
        if !secret.starts_with(PREFIX) {
            return Ok(None);
        }
        self.connection()
            .prepare_cached(&format!("SELECT {COLUMNS} FROM token WHERE hash = ?1 AND revoked IS NULL"))
            .and_then(|mut stmt| stmt.query_row([&digest(secret)[..]], grant_from_row).optional())
            .map_err(sql_error(self.path()))
    }

    /// Every token's grant, by id, revoked ones included (with `revoked` set).
    pub fn tokens(&self) -> Result<Vec<Grant>, StoreError> {
        let sql = sql_error(self.path());
        let mut stmt = self.connection().prepare(&format!("SELECT {COLUMNS} FROM token ORDER BY id")).map_err(sql)?;
        let rows = stmt.query_map([], grant_from_row).map_err(sql)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql)
    }

    /// Revokes a token from `now` on; `Ok(false)` when there is no such token or it was already
    /// revoked.
    pub fn revoke_token(&self, id: u64, now: i64) -> Result<bool, StoreError> {
        // Ids are SQLite rowids: one past `i64` names no token.
        let Ok(id) = i64::try_from(id) else { return Ok(false) };
        let changed = self
            .connection()
            .execute("UPDATE token SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL", params![id, rfc3339(now)])
            .map_err(sql_error(self.path()))?;
        Ok(changed == 1)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const SCENARIO: &str = r#"
[scenario]
id = "t"
as_of = 2025-06-01
[[member]]
id = "TUR"
[[member]]
id = "HUN"
[[committee]]
id = "C"
members = "all"
rule = "consensus"
"#;

    const NOW: i64 = 1_764_064_800;

    fn store(dir: &tempfile::TempDir) -> Store {
        let db = dir.path().join("t.db");
        let (store, _) = Store::create(&db, "t.toml", SCENARIO, None, "2025-06-01".parse().unwrap(), NOW).unwrap();
        store
    }

    fn refusal(result: Result<NewToken, StoreError>) -> String {
        match result {
            Err(StoreError::Refused(message)) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn roles_read_and_write_their_names() {
        for role in [Role::Secretariat, Role::Delegation, Role::Observer] {
            assert_eq!(role.to_string().parse::<Role>(), Ok(role));
            assert_eq!(serde_json::to_value(role).unwrap(), serde_json::json!(role.to_string()));
        }
        let e = "admin".parse::<Role>().unwrap_err();
        assert!(e.contains("`admin`") && e.contains("secretariat") && e.contains("observer"), "{e}");
    }

    /// Numbers past SQLite's `i64` rowids name nothing; they are not errors.
    #[test]
    fn ids_past_i64_name_no_token_and_no_entry() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let huge = u64::try_from(i64::MAX).unwrap() + 1;
        assert!(!store.revoke_token(huge, NOW).unwrap());
        assert_eq!(store.entry(huge).unwrap(), None);
        assert_eq!(store.entry(u64::MAX).unwrap(), None);
        assert!(matches!(store.prove(huge), Err(StoreError::NoEntry { .. })));
    }

    #[test]
    fn a_token_made_is_found_by_its_secret_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let made = store.create_token(Role::Delegation, Some("TUR"), Some("Ankara desk"), NOW).unwrap();
        let hex = made.token.strip_prefix("concord_").unwrap();
        assert_eq!(hex.len(), 64);
        assert!(hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{hex}");
        assert_eq!(made.grant.role, Role::Delegation);
        assert_eq!(made.grant.member.as_deref(), Some("TUR"));
        assert_eq!(made.grant.created, "2025-11-25T10:00:00Z");
        assert_eq!(store.token_grant(&made.token).unwrap(), Some(made.grant.clone()));

        let other = store.create_token(Role::Observer, None, None, NOW).unwrap();
        assert_ne!(other.token, made.token);
        assert_ne!(other.grant.id, made.grant.id);
        assert_eq!(store.token_grant(&other.token).unwrap(), Some(other.grant.clone()));
        assert_eq!(store.tokens().unwrap(), vec![made.grant.clone(), other.grant]);

        // A store opened without folding its entries still answers.
        let unchecked = Store::open_unchecked(store.path()).unwrap();
        assert_eq!(unchecked.token_grant(&made.token).unwrap(), Some(made.grant));
    }

    #[test]
    fn a_wrong_secret_grants_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let made = store.create_token(Role::Secretariat, None, None, NOW).unwrap();
        let mut wrong = made.token.clone();
        let last = if wrong.ends_with('0') { '1' } else { '0' };
        wrong.pop();
        wrong.push(last);
        for secret in [wrong.as_str(), "", "concord_", made.token.strip_prefix("concord_").unwrap()] {
            assert_eq!(store.token_grant(secret).unwrap(), None, "{secret}");
        }
        assert_eq!(store.token_grant(&format!("{} ", made.token)).unwrap(), None);
    }

    #[test]
    fn a_revoked_token_grants_nothing_and_is_listed_as_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let made = store.create_token(Role::Observer, None, None, NOW).unwrap();
        assert!(store.revoke_token(made.grant.id, NOW + 60).unwrap());
        assert_eq!(store.token_grant(&made.token).unwrap(), None);
        assert!(!store.revoke_token(made.grant.id, NOW + 120).unwrap(), "already revoked");
        assert!(!store.revoke_token(made.grant.id + 1, NOW).unwrap(), "no such token");
        let listed = store.tokens().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].revoked.as_deref(), Some("2025-11-25T10:01:00Z"));
        let json = serde_json::to_value(&listed[0]).unwrap();
        assert_eq!(json["revoked"], "2025-11-25T10:01:00Z");
        assert!(serde_json::to_value(&made.grant).unwrap().get("revoked").is_none());
    }

    #[test]
    fn members_must_fit_the_role() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let m = refusal(store.create_token(Role::Delegation, None, None, NOW));
        assert!(m.contains("delegation") && m.contains("member"), "{m}");
        let m = refusal(store.create_token(Role::Delegation, Some("FRA"), None, NOW));
        assert!(m.contains("`FRA`"), "{m}");
        let m = refusal(store.create_token(Role::Observer, Some("TUR"), None, NOW));
        assert!(m.contains("observer") && m.contains("`TUR`"), "{m}");
        let m = refusal(store.create_token(Role::Secretariat, Some("TUR"), None, NOW));
        assert!(m.contains("secretariat"), "{m}");
        let unchecked = Store::open_unchecked(store.path()).unwrap();
        let m = refusal(unchecked.create_token(Role::Delegation, Some("TUR"), None, NOW));
        assert!(m.contains("Store::open"), "{m}");
        assert!(store.tokens().unwrap().is_empty(), "a refusal writes nothing");
    }

    #[test]
    fn the_table_holds_no_secret_and_the_ledger_is_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let before = store.latest_checkpoint().unwrap();
        let made = store.create_token(Role::Delegation, Some("HUN"), Some("label"), NOW).unwrap();
        let hex = made.token.strip_prefix("concord_").unwrap().to_owned();
        let conn = rusqlite::Connection::open(store.path()).unwrap();
        let mut stmt = conn.prepare("SELECT id, role, member, label, hash, created, revoked FROM token").unwrap();
        let cells: Vec<Vec<u8>> = stmt
            .query_map([], |r| {
                let mut cells = Vec::new();
                for i in 0..7 {
                    cells.push(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => Vec::new(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string().into_bytes(),
                        rusqlite::types::ValueRef::Real(x) => x.to_string().into_bytes(),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => t.to_vec(),
                    });
                }
                Ok(cells)
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
            .concat();
        let secret_bytes = hex::decode(&hex).unwrap();
        for cell in &cells {
            let text = String::from_utf8_lossy(cell);
            assert!(!text.contains(&hex) && !text.contains("concord_"), "a secret in the table: {text}");
            assert!(!cell.windows(32).any(|w| w == secret_bytes.as_slice()), "the secret's bytes in the table");
        }
        assert!(cells.iter().any(|c| c.as_slice() == digest(&made.token)), "the hash is stored");
        assert_eq!(store.latest_checkpoint().unwrap(), before, "tokens are not ledger entries");
        let verified = crate::verify(&store, store.public_key()).unwrap();
        assert_eq!(verified.fault, None);
        assert_eq!(verified.entries, 1);
    }

    fn schema_version(db: &Path) -> i64 {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_store_made_before_tokens_migrates_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let db = store(&dir).path().to_owned();
        {
            let conn = rusqlite::Connection::open(&db).unwrap();
            conn.execute_batch("DROP TABLE token; PRAGMA user_version = 1;").unwrap();
        }
        assert_eq!(schema_version(&db), 1);
        let store = Store::open(&db).unwrap();
        assert!(schema_version(&db) >= 2);
        let made = store.create_token(Role::Delegation, Some("TUR"), None, NOW).unwrap();
        assert_eq!(store.token_grant(&made.token).unwrap(), Some(made.grant));
        assert_eq!(crate::verify(&store, store.public_key()).unwrap().fault, None);
    }
}

//! Signed checkpoints: a tree size, its root and a time, signed with the store's Ed25519 key.
//!
//! The signed text is five lines, in the spirit of the transparency-log checkpoint format:
//!
//! ```text
//! concord-checkpoint/v1
//! nato-2025
//! 42
//! 6b0a…(the root, 64 hex digits)
//! 2026-11-25T10:04:05Z
//! ```
//!
//! (the header, the scenario id, the tree size, the root and the UTC time it was signed), each
//! line ending in `\n`. The signature is Ed25519 over exactly those bytes. Keys are files of hex:
//! the private key's 32-byte seed (created mode 0600) and the 32-byte public key.

use concord_ledger::Hash;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

const HEADER: &str = "concord-checkpoint/v1";

/// A signed tree head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkpoint {
    /// The scenario id the ledger belongs to.
    pub origin: String,
    /// Number of entries covered.
    pub tree_size: u64,
    /// The Merkle root of those entries.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub root: Hash,
    /// When it was signed, RFC 3339 in UTC.
    pub time: String,
    /// Ed25519 signature of [`Checkpoint::text`], in hex.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "hex_sig")]
    pub signature: [u8; 64],
}

/// Why a checkpoint or key is not good.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The signature does not verify with the key.
    #[error("the signature of the checkpoint at size {0} does not verify with the public key")]
    BadSignature(u64),
    /// The text is not a checkpoint.
    #[error("not a concord checkpoint: {0}")]
    Malformed(String),
    /// A key file's content is not a key.
    #[error("not an Ed25519 key: {0}")]
    BadKey(String),
}

/// The text a checkpoint signs.
pub fn signed_text(origin: &str, tree_size: u64, root: &Hash, time: &str) -> String {
    format!("{HEADER}\n{origin}\n{tree_size}\n{}\n{time}\n", root.to_hex())
}

impl Checkpoint {
    /// Signs a tree head.
    pub fn sign(key: &SigningKey, origin: &str, tree_size: u64, root: Hash, time: String) -> Checkpoint {
        let signature = key.sign(signed_text(origin, tree_size, &root, &time).as_bytes()).to_bytes();
        Checkpoint { origin: origin.to_owned(), tree_size, root, time, signature }
    }

    /// The signed text.
    pub fn text(&self) -> String {
        signed_text(&self.origin, self.tree_size, &self.root, &self.time)
    }

    /// Checks the signature.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), CheckpointError> {
        let signature = Signature::from_bytes(&self.signature);
        key.verify(self.text().as_bytes(), &signature).map_err(|_| CheckpointError::BadSignature(self.tree_size))
    }

    /// Reads a checkpoint's signed text and its signature.
    pub fn parse(text: &str, signature_hex: &str) -> Result<Checkpoint, CheckpointError> {
        let bad = |m: &str| CheckpointError::Malformed(m.to_owned());
        let lines: Vec<&str> = text.split_terminator('\n').collect();
        let [header, origin, size, root, time] = lines.as_slice() else {
            return Err(bad("expected five lines: header, origin, size, root, time"));
        };
        if *header != HEADER {
            return Err(bad(&format!("the first line is `{header}`, expected `{HEADER}`")));
        }
        let tree_size = size.parse().map_err(|_| bad(&format!("the size `{size}` is not a number")))?;
        let root = root.parse::<Hash>().map_err(|e| bad(&format!("the root: {e}")))?;
        let checkpoint = Checkpoint {
            origin: (*origin).to_owned(),
            tree_size,
            root,
            time: (*time).to_owned(),
            signature: parse_signature(signature_hex)?,
        };
        if checkpoint.text() != text {
            return Err(bad("the text is not in the canonical form (one `\\n` after each line)"));
        }
        Ok(checkpoint)
    }
}

/// Reads a hex signature.
pub fn parse_signature(text: &str) -> Result<[u8; 64], CheckpointError> {
    let bytes = hex::decode(text.trim()).map_err(|e| CheckpointError::Malformed(format!("signature: {e}")))?;
    bytes.try_into().map_err(|_| CheckpointError::Malformed("the signature is not 64 bytes".to_owned()))
}

/// Makes a new signing key from the operating system's randomness.
pub fn generate_key() -> Result<SigningKey, String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("no randomness from the operating system: {e}"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads a private key file's text (64 hex digits).
pub fn parse_signing_key(text: &str) -> Result<SigningKey, CheckpointError> {
    let seed: [u8; 32] = hex32(text)?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads a public key file's text (64 hex digits).
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, CheckpointError> {
    VerifyingKey::from_bytes(&hex32(text)?).map_err(|e| CheckpointError::BadKey(e.to_string()))
}

fn hex32(text: &str) -> Result<[u8; 32], CheckpointError> {
    let bytes = hex::decode(text.trim()).map_err(|e| CheckpointError::BadKey(e.to_string()))?;
    bytes.try_into().map_err(|_| CheckpointError::BadKey("expected 32 bytes (64 hex digits)".to_owned()))
}

/// The UTC time of a Unix timestamp, RFC 3339 to the second.
pub fn rfc3339(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let date =
        concord_core::Date::from_days_since_epoch(days).map_or_else(|| "0001-01-01".to_owned(), |d| d.to_string());
    format!("{date}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

mod hex_sig {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(sig: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(sig))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_signature(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_and_rejects_any_change() {
        let key = generate_key().unwrap();
        let root = concord_ledger::leaf_hash(b"x");
        let cp = Checkpoint::sign(&key, "demo", 7, root, rfc3339(1_764_064_800));
        assert_eq!(cp.time, "2025-11-25T10:00:00Z");
        cp.verify(&key.verifying_key()).unwrap();
        let parsed = Checkpoint::parse(&cp.text(), &hex::encode(cp.signature)).unwrap();
        assert_eq!(parsed, cp);

        let mut bigger = cp.clone();
        bigger.tree_size = 8;
        assert_eq!(bigger.verify(&key.verifying_key()), Err(CheckpointError::BadSignature(8)));
        let other = generate_key().unwrap();
        assert!(cp.verify(&other.verifying_key()).is_err());
        assert!(Checkpoint::parse(&cp.text().replace('\n', "\r\n"), &hex::encode(cp.signature)).is_err());
    }

    #[test]
    fn keys_read_back() {
        let key = generate_key().unwrap();
        let again = parse_signing_key(&hex::encode(key.to_bytes())).unwrap();
        assert_eq!(again.to_bytes(), key.to_bytes());
        let public = parse_public_key(&hex::encode(key.verifying_key().to_bytes())).unwrap();
        assert_eq!(public, key.verifying_key());
        assert!(parse_public_key("abcd").is_err());
    }
}

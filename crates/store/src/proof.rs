//! Proofs handed to people outside the store: an entry's inclusion proof with the signed
//! checkpoint it is checked against, in the one JSON shape that `concord ledger prove`, the
//! server and `concord ledger check-proof` share.

use concord_ledger::{Hash, leaf_hash, verify_inclusion};
use serde::{Deserialize, Serialize};

use crate::checkpoint::Checkpoint;
use crate::{Store, StoreError};

/// An inclusion proof with everything needed to check it without the store: the entry's bytes,
/// its audit path, and the checkpoint whose root the path leads to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InclusionProof {
    /// The entry's number, from 0.
    pub entry: u64,
    /// The size of the tree the proof is against.
    pub tree_size: u64,
    /// That tree's root, in hex.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub root: Hash,
    /// The RFC 6962 leaf hash of the entry's bytes, in hex.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub leaf_hash: Hash,
    /// The audit path, leaf to root, in hex.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub path: Vec<Hash>,
    /// The entry's bytes, as text (entries are UTF-8 JSON).
    pub entry_body: String,
    /// The signed checkpoint of `tree_size` and `root`.
    pub checkpoint: SignedCheckpoint,
}

/// A checkpoint as exchanged: the signed text and the signature in hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedCheckpoint {
    /// The checkpoint's text, exactly as signed.
    pub text: String,
    /// The Ed25519 signature of `text`, in hex.
    pub signature: String,
}

impl From<&Checkpoint> for SignedCheckpoint {
    fn from(cp: &Checkpoint) -> SignedCheckpoint {
        SignedCheckpoint { text: cp.text(), signature: hex::encode(cp.signature) }
    }
}

impl Store {
    /// The inclusion proof of entry `entry` against the latest checkpoint. The proof is checked
    /// before it is returned: the store never hands out one that does not verify.
    pub fn prove(&self, entry: u64) -> Result<InclusionProof, StoreError> {
        let cp = self.latest_checkpoint()?;
        if entry >= cp.tree_size {
            return Err(StoreError::NoEntry { entry, tree_size: cp.tree_size });
        }
        let body =
            self.entry(entry)?.ok_or(StoreError::Corrupt { entry, message: "the entry is missing".to_owned() })?;
        let path = self.inclusion_proof(entry, cp.tree_size)?;
        let leaf = leaf_hash(&body);
        verify_inclusion(entry, cp.tree_size, &leaf, &path, &cp.root).map_err(|e| StoreError::Corrupt {
            entry,
            message: format!("the stored proof of the entry does not verify ({e})"),
        })?;
        Ok(InclusionProof {
            entry,
            tree_size: cp.tree_size,
            root: cp.root,
            leaf_hash: leaf,
            path,
            entry_body: String::from_utf8_lossy(&body).into_owned(),
            checkpoint: SignedCheckpoint::from(&cp),
        })
    }
}

//! `concord --db FILE ledger …`: verify the store, prove entries, print checkpoints and entries,
//! and (`ledger check-proof`, no store needed) verify a proof independently.

use std::io::Write;
use std::path::{Path, PathBuf};

use concord_ledger::{leaf_hash, verify_consistency, verify_inclusion};
use concord_store::Store;
use concord_store::checkpoint::{self, Checkpoint};
use concord_store::proof::{InclusionProof, SignedCheckpoint};

use super::TextFormat;
use crate::diagnostics::Failure;

/// The ledger's subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum LedgerCommand {
    /// Check every entry, stored hash and signed checkpoint; name the first bad entry.
    Verify {
        /// The public key file (hex); default: FILE.pub next to the store.
        #[arg(long)]
        key: Option<PathBuf>,
        /// A checkpoint saved earlier (the JSON of `ledger checkpoint --format json`) that the
        /// store must still extend: catches a ledger cut back to an earlier size.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// An inclusion proof of entry ENTRY (0-based) against the latest checkpoint.
    Prove {
        /// The entry's number.
        entry: u64,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: TextFormat,
    },
    /// The latest signed checkpoint.
    Checkpoint {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: TextFormat,
    },
    /// A consistency proof from the first OLD entries to the latest checkpoint.
    Consistency {
        /// The older tree size.
        old: u64,
    },
    /// Print entries as JSON lines.
    Show {
        /// The first entry; default 0.
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// How many; default: all.
        #[arg(long)]
        count: Option<u64>,
    },
    /// Verify a proof made by `ledger prove --format json` with only the public key: no store.
    CheckProof {
        /// The proof file (JSON).
        proof: PathBuf,
        /// The public key file (hex).
        #[arg(long)]
        key: PathBuf,
    },
}

fn need_db(db: Option<&Path>) -> Result<&Path, Failure> {
    db.ok_or_else(|| Failure::Message("this command works on a store: give `--db FILE`".to_owned()))
}

fn read_key(path: &Path) -> Result<concord_store::VerifyingKey, Failure> {
    let text = super::read_text(path, 64 * 1024, "a public key file")?;
    checkpoint::parse_public_key(&text).map_err(|e| Failure::Message(format!("{}: {e}", path.display())))
}

fn read_checkpoint_file(path: &Path) -> Result<Checkpoint, Failure> {
    let text = super::read_text(path, 1024 * 1024, "a checkpoint file")?;
    let signed: SignedCheckpoint = serde_json::from_str(&text)
        .map_err(|e| Failure::Message(format!("{}: not a checkpoint file: {e}", path.display())))?;
    Checkpoint::parse(&signed.text, &signed.signature).map_err(|e| Failure::Message(format!("{}: {e}", path.display())))
}

pub(crate) fn run(command: LedgerCommand, db: Option<&Path>) -> Result<(), Failure> {
    match command {
        LedgerCommand::Verify { key, checkpoint } => verify(need_db(db)?, key, checkpoint),
        LedgerCommand::Prove { entry, format } => prove(need_db(db)?, entry, format),
        LedgerCommand::Checkpoint { format } => {
            let store = Store::open(need_db(db)?)?;
            let cp = store.latest_checkpoint()?;
            match format {
                TextFormat::Json => super::print_json(&SignedCheckpoint::from(&cp)),
                TextFormat::Text => {
                    let mut out = std::io::stdout().lock();
                    write!(out, "{}", cp.text())?;
                    writeln!(out, "signature {}", hex::encode(cp.signature))?;
                    Ok(())
                }
            }
        }
        LedgerCommand::Consistency { old } => {
            let store = Store::open(need_db(db)?)?;
            let cp = store.latest_checkpoint()?;
            let path = store.consistency_proof(old, cp.tree_size)?;
            let old_root = store.root(old.min(cp.tree_size))?;
            // The proof comes from stored nodes, which opening the store does not check: it is
            // checked against the signed root before it is handed out.
            verify_consistency(old, cp.tree_size, &old_root, &cp.root, &path).map_err(|e| {
                Failure::Message(format!(
                    "the stored nodes give no valid consistency proof from {old} to {} ({e}); run `concord --db FILE \
                     ledger verify`",
                    cp.tree_size
                ))
            })?;
            super::print_json(&serde_json::json!({
                "old_size": old, "old_root": old_root, "tree_size": cp.tree_size,
                "root": cp.root, "path": path, "checkpoint": SignedCheckpoint::from(&cp),
            }))
        }
        LedgerCommand::Show { from, count } => {
            let store = Store::open(need_db(db)?)?;
            let end = count.map_or(u64::MAX, |c| from.saturating_add(c));
            let mut out = std::io::stdout().lock();
            store.for_each_entry(|seq, bytes| {
                if (from..end).contains(&seq) {
                    out.write_all(bytes)
                        .and_then(|()| out.write_all(b"\n"))
                        .map_err(|e| concord_store::StoreError::Refused(format!("cannot write output: {e}")))?;
                }
                Ok(())
            })?;
            Ok(())
        }
        LedgerCommand::CheckProof { proof, key } => check_proof(&proof, &key),
    }
}

/// Reads the file read-only, as an adversary may have left it: nothing in it is trusted but what
/// the public key, given from outside, verifies.
fn verify(db: &Path, key: Option<PathBuf>, saved: Option<PathBuf>) -> Result<(), Failure> {
    let store = Store::open_read_only(db)?;
    let key_file = key.unwrap_or_else(|| concord_store::public_key_path(db));
    let key = read_key(&key_file)?;
    if &key != store.public_key() {
        return Err(Failure::Message(format!(
            "the public key in {} is not the one recorded in the store: the store or the key file was replaced",
            key_file.display()
        )));
    }
    let verified = concord_store::verify(&store, &key)?;
    if let Some(fault) = &verified.fault {
        return Err(Failure::Message(match fault.entry {
            Some(entry) => format!("ledger verification failed at entry {entry}: {}", fault.message),
            None => format!("ledger verification failed: {}", fault.message),
        }));
    }
    if let Some(path) = saved {
        let cp = read_checkpoint_file(&path)?;
        cp.verify(&key).map_err(|e| Failure::Message(format!("{}: {e}", path.display())))?;
        if cp.tree_size > verified.entries {
            return Err(Failure::Message(format!(
                "ledger verification failed at entry {}: the saved checkpoint covers {} entries, the store has {}: \
                 entries were removed",
                verified.entries, cp.tree_size, verified.entries
            )));
        }
        let proof = store.consistency_proof(cp.tree_size, verified.entries)?;
        verify_consistency(cp.tree_size, verified.entries, &cp.root, &verified.root, &proof).map_err(|e| {
            Failure::Message(format!(
                "ledger verification failed: the store does not extend the saved checkpoint of size {}: {e}",
                cp.tree_size
            ))
        })?;
    }
    println!(
        "ok: {} entries and {} signed checkpoints verified; root {}",
        verified.entries, verified.checkpoints, verified.root
    );
    Ok(())
}

fn prove(db: &Path, entry: u64, format: TextFormat) -> Result<(), Failure> {
    let store = Store::open(db)?;
    let proof = store.prove(entry)?;
    match format {
        TextFormat::Json => super::print_json(&proof),
        TextFormat::Text => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "entry {entry} of {} (root {})", proof.tree_size, proof.root)?;
            writeln!(out, "leaf hash {}", proof.leaf_hash)?;
            for (i, h) in proof.path.iter().enumerate() {
                writeln!(out, "path[{i}] {h}")?;
            }
            writeln!(out, "{}", proof.entry_body)?;
            Ok(())
        }
    }
}

fn check_proof(file: &Path, key: &Path) -> Result<(), Failure> {
    let key = read_key(key)?;
    let text = super::read_text(file, 1024 * 1024, "a proof file")?;
    let proof: InclusionProof = serde_json::from_str(&text)
        .map_err(|e| Failure::Message(format!("{}: not a proof file: {e}", file.display())))?;
    let bad = |m: String| Failure::Message(format!("{}: the proof does not hold: {m}", file.display()));
    let cp = Checkpoint::parse(&proof.checkpoint.text, &proof.checkpoint.signature).map_err(|e| bad(e.to_string()))?;
    cp.verify(&key).map_err(|e| bad(e.to_string()))?;
    if cp.tree_size != proof.tree_size || cp.root != proof.root {
        return Err(bad("its tree size and root are not the signed checkpoint's".to_owned()));
    }
    let leaf = leaf_hash(proof.entry_body.as_bytes());
    if leaf != proof.leaf_hash {
        return Err(bad(format!("the entry hashes to {leaf}, not to the leaf hash {}", proof.leaf_hash)));
    }
    verify_inclusion(proof.entry, proof.tree_size, &leaf, &proof.path, &proof.root).map_err(|e| bad(e.to_string()))?;
    println!(
        "ok: entry {} is in the ledger of {} entries signed at {} (root {})",
        proof.entry, cp.tree_size, cp.time, cp.root
    );
    Ok(())
}

//! `checkpoint`: any text where the store reads signed checkpoints, keys and proofs: a signed
//! note (the checkpoint's text, a blank line, the signature in hex), a key file's hex, and the
//! JSON of a checkpoint and of a `ledger prove --format json` proof, checked as
//! `concord ledger check-proof` checks it against the key of the store written by concord 0.1
//! (tests/fixtures/store-0.1.0). Nothing panics; a checkpoint that parses is the canonical text
//! it was read from and reads back the same; and a proof that passes every check is a real
//! entry of that store: its bytes are the ones the store holds.

#![no_main]

use std::sync::OnceLock;

use concord_ledger::{Hash, leaf_hash, verify_inclusion};
use concord_store::checkpoint::{Checkpoint, parse_public_key, parse_signature, parse_signing_key};
use concord_store::proof::{InclusionProof, SignedCheckpoint};
use concord_store::{Store, VerifyingKey};
use libfuzzer_sys::fuzz_target;

const STORE: &[u8] = include_bytes!("../../tests/fixtures/store-0.1.0/v1.db");
const PUBLIC_KEY: &str = include_str!("../../tests/fixtures/store-0.1.0/v1.db.pub");

/// The fixture store's key and the leaf hash of every entry.
struct Fixture {
    key: VerifyingKey,
    leaves: Vec<Hash>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("v1.db");
        std::fs::write(&db, STORE).expect("the fixture store copies");
        std::fs::write(concord_store::public_key_path(&db), PUBLIC_KEY).expect("the key copies");
        let store = Store::open_unchecked(&db).expect("the fixture store opens");
        let mut leaves = Vec::new();
        store
            .for_each_entry(|_, body| {
                leaves.push(leaf_hash(body));
                Ok(())
            })
            .expect("the fixture's entries read");
        Fixture { key: parse_public_key(PUBLIC_KEY).expect("the fixture's key reads"), leaves }
    })
}

fuzz_target!(|data: &[u8]| {
    concord_fuzz::catch_stack_overflow();
    let text = String::from_utf8_lossy(data);
    let fixture = fixture();

    // A signed note: the text up to and with its last line's `\n`, a blank line, the signature.
    let (note, signature) = match text.rfind("\n\n") {
        Some(at) => (&text[..=at], &text[at + 2..]),
        None => (&*text, ""),
    };
    checkpoint(note, signature, &fixture.key);

    // Key files and signatures.
    if let Ok(key) = parse_public_key(&text) {
        assert_eq!(parse_public_key(&hex::encode(key.to_bytes())).ok(), Some(key));
    }
    if let Ok(key) = parse_signing_key(&text) {
        assert_eq!(parse_signing_key(&hex::encode(key.to_bytes())).map(|k| k.to_bytes()).ok(), Some(key.to_bytes()));
    }
    if let Ok(sig) = parse_signature(&text) {
        assert_eq!(parse_signature(&hex::encode(sig)).ok(), Some(sig));
    }

    // JSON: a checkpoint as the API serves it, as exchanged, and a whole proof.
    if let Ok(cp) = serde_json::from_str::<Checkpoint>(&text) {
        let again: Checkpoint = serde_json::from_str(&serde_json::to_string(&cp).expect("serializes")).expect("reads");
        assert_eq!(again, cp, "a checkpoint reads back different");
        let _ = cp.verify(&fixture.key);
    }
    if let Ok(signed) = serde_json::from_str::<SignedCheckpoint>(&text) {
        checkpoint(&signed.text, &signed.signature, &fixture.key);
    }
    if let Ok(proof) = serde_json::from_str::<InclusionProof>(&text) {
        check_proof(&proof, fixture);
    }
});

/// Reads a checkpoint's text and signature; one that parses is its canonical text.
fn checkpoint(text: &str, signature: &str, key: &VerifyingKey) -> Option<Checkpoint> {
    let cp = Checkpoint::parse(text, signature).ok()?;
    assert_eq!(cp.text(), text, "a checkpoint parsed from text that is not its own");
    let again = Checkpoint::parse(&cp.text(), &hex::encode(cp.signature)).expect("a checkpoint's own text parses");
    assert_eq!(again, cp, "a checkpoint reads back different");
    cp.verify(key).ok().map(|()| cp)
}

/// `concord ledger check-proof`: every check, in its order; a proof that passes them all must
/// be of an entry the store holds, byte for byte.
fn check_proof(proof: &InclusionProof, fixture: &Fixture) {
    let again: InclusionProof =
        serde_json::from_str(&serde_json::to_string(proof).expect("serializes")).expect("a proof reads back");
    assert_eq!(&again, proof, "a proof reads back different");
    let Some(cp) = checkpoint(&proof.checkpoint.text, &proof.checkpoint.signature, &fixture.key) else { return };
    if cp.tree_size != proof.tree_size || cp.root != proof.root {
        return;
    }
    let leaf = leaf_hash(proof.entry_body.as_bytes());
    if leaf != proof.leaf_hash {
        return;
    }
    if verify_inclusion(proof.entry, proof.tree_size, &leaf, &proof.path, &proof.root).is_err() {
        return;
    }
    let held = usize::try_from(proof.entry).ok().and_then(|i| fixture.leaves.get(i));
    assert_eq!(held, Some(&leaf), "a proof of entry {} passed with bytes the store does not hold", proof.entry);
}

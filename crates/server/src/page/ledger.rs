//! The ledger: its size, root and latest signed checkpoint, the public key to check it with,
//! and the result of verifying every entry, stored hash and checkpoint.

use std::sync::{Arc, PoisonError};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use concord_core::Trigger;
use concord_core::change::Change;
use concord_store::record::{Body, Entry};
use concord_store::{Store, Verified};
use maud::html;

use super::{failure, layout};
use crate::api::ledger_view;
use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;

/// Verifies the whole ledger, or answers the last verification if nothing was added since.
fn verified(app: &App, size: u64) -> Result<Verified, ApiError> {
    if let Some(v) = app.verified.lock().unwrap_or_else(PoisonError::into_inner).as_ref()
        && v.entries == size
    {
        return Ok(v.clone());
    }
    let store = Store::open_unchecked(&app.db)?;
    let key = *store.public_key();
    let v = concord_store::verify(&store, &key)?;
    *app.verified.lock().unwrap_or_else(PoisonError::into_inner) = Some(v.clone());
    Ok(v)
}

pub(crate) async fn page(State(app): State<Arc<App>>, caller: Caller) -> Response {
    if let Err(e) = caller.read(&app) {
        return failure(&caller, &e);
    }
    let snapshot = app.snapshot();
    let view = ledger_view(&app, &snapshot);
    let size = view.tree_size;
    let check = {
        let app = app.clone();
        tokio::task::spawn_blocking(move || verified(&app, size)).await
    };
    let check = check.unwrap_or_else(|e| Err(ApiError::internal(e)));
    let recent = recent_entries(&app, size, 15);
    let body = html! {
        h1 { "Ledger" }
        p.lede { "Every change is an entry of an append-only Merkle tree (RFC 6962); each write is covered by a checkpoint signed with the store's Ed25519 key. Anyone with the public key can check a proof without trusting this server." }
        dl.facts-grid #ledger-state {
            dt { "Entries" } dd #ledger-size { (view.tree_size) }
            dt { "Root" } dd { code.hash #ledger-root { (view.root) } }
            dt { "Signed at" } dd { (view.time) }
            dt { "Public key" } dd { code.hash { (view.public_key) } }
            dt { "Verification" }
            dd #ledger-verified {
                @match &check {
                    Ok(v) => {
                        @match &v.fault {
                            None => { span.badge.adopted { "verified" } " entries: " (v.entries) ", signed checkpoints: " (v.checkpoints) ", root " code.hash { (v.root) } }
                            Some(f) => {
                                span.badge.blocked { "FAULT" } " "
                                @if let Some(entry) = f.entry { "at entry " (entry) ": " }
                                (f.message)
                            }
                        }
                    }
                    Err(e) => { span.badge.blocked { "cannot verify" } " " (e.public_message()) }
                }
            }
        }
        h2 { "Latest entries" }
        @match &recent {
            Ok(entries) => {
                table.entries #ledger-entries {
                    thead { tr { th scope="col" { "Entry" } th scope="col" { "Date" } th scope="col" { "Change" } th scope="col" { "Proof" } } }
                    tbody {
                        @for e in entries.iter().rev() {
                            tr {
                                td.num { a href={ "/api/ledger/entries/" (e.seq) } { (e.seq) } }
                                td { (e.at) }
                                td { (describe(&e.body)) }
                                td { a href={ "/api/ledger/proof/" (e.seq) } { "inclusion proof" } }
                            }
                        }
                    }
                }
            }
            Err(e) => p.alert.error { (e.public_message()) }
        }
        h2 { "Check it yourself" }
        pre.cmd { "curl -s " "http://HOST/api/ledger/proof/ENTRY > proof.json\nconcord ledger check-proof proof.json --key store.pub" }
        p { "The latest checkpoint, exactly as signed:" }
        pre.checkpoint { (view.checkpoint.text) }
        p.sub { "Signature: " code.hash { (view.checkpoint.signature) } }
    };
    layout("Ledger", &caller, "/ledger", body).into_response()
}

/// The last `count` entries of the first `size`.
fn recent_entries(app: &App, size: u64, count: u64) -> Result<Vec<Entry>, ApiError> {
    let store = app.reader();
    (size.saturating_sub(count)..size)
        .filter_map(|seq| store.entry(seq).transpose())
        .map(|bytes| {
            let bytes = bytes.map_err(ApiError::from)?;
            Entry::from_bytes(&bytes).map_err(ApiError::internal)
        })
        .collect()
}

/// An entry in a few words: what changed and what it is about.
fn describe(body: &Body) -> String {
    let change = match body {
        Body::Init { origin, .. } => return format!("store created from {origin}"),
        Body::Change(change) => change,
    };
    match change {
        Change::Proposal(p) => format!("proposal {} circulated to {}", p.id, p.committee),
        Change::Position(p) => format!("position {} of {} declared", p.id, p.member),
        Change::Withdraw(w) => format!("position {} withdrawn", w.position),
        Change::Fact(f) => match f.as_of {
            Some(as_of) => format!("fact {} observed as of {as_of}", f.id),
            None => format!("fact {} observed", f.id),
        },
        Change::Vote(v) => match v.stance {
            concord_core::VoteStance::Silent => format!("{} returns to silence on {}", v.member, v.proposal),
            stance => format!("{} {}s on {}", v.member, stance.as_str(), v.proposal),
        },
        Change::Decision(d) => {
            let how = match d.trigger {
                Trigger::Deadline => "at its deadline",
                Trigger::Adopted => "adopted by the rule",
                Trigger::Close => "on closing",
                Trigger::Record => "as the record gives it",
            };
            format!("{} {} {how}, {}", d.proposal, d.outcome.as_str(), d.on)
        }
        Change::Extend(x) => format!("{} deadline moved to {}", x.proposal, x.deadline),
        Change::WithdrawProposal(w) => format!("proposal {} withdrawn", w.proposal),
    }
}

//! `concord --db FILE token …`: make, list and revoke the bearer tokens that grant access to a
//! store (secretariat, delegation or observer). A secret is printed once, when it is made; the
//! store keeps only its hash, and no command prints it again.

use std::io::Write;
use std::path::Path;

use concord_store::{Grant, Role, Store};

use super::TextFormat;
use crate::diagnostics::Failure;

/// The token subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum TokenCommand {
    /// Make a token and print its secret, once.
    Create {
        /// Who it speaks for: `secretariat`, `delegation` (one member's) or `observer` (read only).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The member a delegation token speaks for.
        #[arg(long)]
        member: Option<String>,
        /// A note for people, such as who holds the token.
        #[arg(long)]
        label: Option<String>,
    },
    /// List every token's grant, revoked ones included; never the secrets.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: TextFormat,
    },
    /// Revoke a token: its secret grants nothing from now on.
    Revoke {
        /// The token's id, from `token list`.
        id: u64,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

fn need_db(db: Option<&Path>) -> Result<&Path, Failure> {
    db.ok_or_else(|| Failure::Message("this command works on a store: give `--db FILE`".to_owned()))
}

pub(crate) fn run(command: TokenCommand, db: Option<&Path>) -> Result<(), Failure> {
    let db = need_db(db)?;
    match command {
        TokenCommand::Create { role, member, label } => create(db, role, member.as_deref(), label.as_deref()),
        TokenCommand::List { format } => list(db, format),
        TokenCommand::Revoke { id } => revoke(db, id),
    }
}

fn create(db: &Path, role: Role, member: Option<&str>, label: Option<&str>) -> Result<(), Failure> {
    match (role, member) {
        (Role::Delegation, None) => {
            return Err(Failure::Message("a delegation token speaks for one member: give `--member ID`".to_owned()));
        }
        (Role::Secretariat | Role::Observer, Some(m)) => {
            return Err(Failure::Message(format!(
                "a {role} token speaks for no member: `--member {m}` is only for `--role delegation`"
            )));
        }
        _ => {}
    }
    // Members are checked against the folded state, so the store is opened in full.
    let store = Store::open(db)?;
    let made = store.create_token(role, member, label, super::now())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", made.token)?;
    out.flush()?;
    let grant = &made.grant;
    let whom = grant.member.as_deref().map(|m| format!(" for {m}")).unwrap_or_default();
    eprintln!("{role} token {}{whom}: keep it, it is not shown again", grant.id);
    Ok(())
}

fn list(db: &Path, format: TextFormat) -> Result<(), Failure> {
    let store = Store::open_unchecked(db)?;
    let tokens = store.tokens()?;
    match format {
        TextFormat::Json => super::print_json(&serde_json::json!({ "tokens": tokens })),
        TextFormat::Text => table(&tokens),
    }
}

fn table(tokens: &[Grant]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    if tokens.is_empty() {
        writeln!(out, "no tokens (make one with `concord --db FILE token create --role ROLE`)")?;
        return Ok(());
    }
    let rows: Vec<[String; 6]> = tokens
        .iter()
        .map(|t| {
            [
                t.id.to_string(),
                t.role.to_string(),
                t.member.clone().unwrap_or_else(|| "-".to_owned()),
                t.label.clone().unwrap_or_else(|| "-".to_owned()),
                t.created.clone(),
                t.revoked.clone().unwrap_or_else(|| "-".to_owned()),
            ]
        })
        .collect();
    let header = ["ID", "ROLE", "MEMBER", "LABEL", "CREATED", "REVOKED"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, &w)| crate::render::pad_end(cell, w)).collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    out.flush()?;
    Ok(())
}

fn revoke(db: &Path, id: u64) -> Result<(), Failure> {
    let store = Store::open_unchecked(db)?;
    if store.revoke_token(id, super::now())? {
        println!("revoked token {id}: its secret grants nothing from now on");
        return Ok(());
    }
    let message = match store.tokens()?.into_iter().find(|t| t.id == id).and_then(|t| t.revoked) {
        Some(when) => format!("token {id} was already revoked on {when}"),
        None => format!("no token {id} in the store (see `concord --db FILE token list`)"),
    };
    Err(Failure::Message(message))
}

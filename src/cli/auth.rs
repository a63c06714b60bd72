//! `accord auth hash`: the secrets a principals file keeps.

use std::io::Read;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::{Outcome, print};
use crate::api::auth::{hash_password, new_token};

/// Make the secrets of a principals file (`accord serve --auth FILE`)
#[derive(Debug, Args)]
pub(crate) struct AuthArgs {
    #[command(subcommand)]
    command: AuthCommand,
}

#[derive(Debug, Subcommand)]
enum AuthCommand {
    Hash(HashArgs),
}

/// Print the argon2id hash of a password read on standard input, for a principal's
/// `password`; with `--token`, make a random token instead and print it with the `sha256:`
/// digest a principal's `token` keeps
#[derive(Debug, Args)]
struct HashArgs {
    /// Make a random token (give it to the client; the file keeps its digest) instead of
    /// hashing a password
    #[arg(long)]
    token: bool,
}

pub(crate) fn run(args: AuthArgs) -> anyhow::Result<Outcome> {
    let AuthCommand::Hash(hash) = args.command;
    if hash.token {
        let (token, digest) =
            new_token().map_err(|e| anyhow::anyhow!("cannot make a token: {e}"))?;
        print(&format!("token: {token}\ndigest: {digest}\n"))?;
        return Ok(Outcome::Success);
    }
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("cannot read the password from standard input")?;
    // One trailing line break is the terminal's or `echo`'s, not the password's.
    let password = password
        .strip_suffix('\n')
        .map(|p| p.strip_suffix('\r').unwrap_or(p))
        .unwrap_or(&password);
    if password.is_empty() {
        anyhow::bail!("no password on standard input: `accord auth hash < password-file`");
    }
    let hash = hash_password(password).map_err(|e| anyhow::anyhow!("cannot hash: {e}"))?;
    print(&format!("{hash}\n"))?;
    Ok(Outcome::Success)
}

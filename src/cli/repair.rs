//! `accord repair`

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{Outcome, print, shown};
use crate::registry::{SchemaId, repair};
use crate::store::{Damage, RocksStore};

/// Repair a data dir the server refuses to open because its write-ahead log is damaged or
/// gone, saying first what the repair drops.
///
/// Without `--accept-loss` it only reads the data dir and lists the acknowledged writes a
/// repair would drop (exit 1 when there are any, 0 when nothing needs repair). With it, it
/// drops them, keeps every schema id they handed out from being handed out again, and closes
/// the data dir cleanly so that `accord serve` opens it. Stop the server and keep a copy of the
/// data dir first.
#[derive(Debug, Args)]
pub(crate) struct RepairArgs {
    /// The data dir to repair
    #[arg(long, env = "ACCORD_DATA_DIR", default_value = "./accord-data")]
    data_dir: PathBuf,
    /// Drop what the report lists and repair; without it, only report
    #[arg(long)]
    accept_loss: bool,
    /// Also keep schema ids up to this one from being handed out again: an id known to be in
    /// use (the highest seen in Kafka, say) that the lost writes may have handed out
    #[arg(long, value_name = "ID")]
    retire_ids_through: Option<u32>,
}

pub(crate) fn run(args: RepairArgs) -> anyhow::Result<Outcome> {
    let dir = &args.data_dir;
    if !dir.join("CURRENT").is_file() {
        anyhow::bail!(
            "`{}` holds no data dir (no `CURRENT` file); nothing to repair",
            dir.display()
        );
    }
    let damage =
        RocksStore::damage(dir).with_context(|| format!("cannot repair `{}`", dir.display()))?;
    let through = args.retire_ids_through.map(SchemaId);
    let mut report = String::new();
    let dropped = match &damage {
        Damage::None if through.is_none() => {
            print(&format!(
                "nothing to repair: `{}` opens as it is\n",
                dir.display()
            ))?;
            return Ok(Outcome::Success);
        }
        Damage::None => {
            writeln!(
                report,
                "`{}` opens as it is; a repair only keeps the schema ids up to {} from being handed out.",
                dir.display(),
                through.unwrap_or_default()
            )?;
            &[][..]
        }
        Damage::Log { dropped } => {
            let lines: Vec<String> = dropped.iter().filter_map(repair::describe).collect();
            writeln!(
                report,
                "`{}`: the write-ahead log is damaged before its end. A repair keeps every write before the damage and drops the rest: the damaged stretch of the log (to the end of its 32 KiB block), which cannot be read, and {} written after it:",
                dir.display(),
                match lines.len() {
                    0 => "nothing readable".to_string(),
                    1 => "this entry".to_string(),
                    n => format!("these {n} entries"),
                }
            )?;
            for line in &lines {
                writeln!(report, "  {}", shown(line))?;
            }
            writeln!(
                report,
                "What the damaged stretch held cannot be known: if clients may hold schema ids higher than any listed, pass the highest as --retire-ids-through so that none is handed out again."
            )?;
            dropped
        }
        Damage::LostLog => {
            writeln!(
                report,
                "`{}`: the last server stopped without closing the data dir, and its write-ahead log (`*.log`) is gone. A repair keeps what its table files hold; the writes since their last flush are lost, and what they were cannot be known. If you know the highest schema id in use (in Kafka, say), pass it as --retire-ids-through so that no lost id is handed out again.",
                dir.display()
            )?;
            &[][..]
        }
    };
    if !args.accept_loss {
        writeln!(
            report,
            "Nothing was changed. Stop the server, keep a copy of the data dir, then run:\n  accord repair --data-dir {} --accept-loss",
            dir.display()
        )?;
        print(&report)?;
        return Ok(Outcome::Findings);
    }
    let store = RocksStore::open_repairing(dir)
        .with_context(|| format!("cannot repair `{}`", dir.display()))?;
    let retired = repair::retire_ids(&store, dropped, through)
        .context("cannot keep the lost schema ids retired")?;
    // A clean close flushes, so that the next start needs no log and no repair.
    drop(store);
    writeln!(report, "Repaired `{}`.", dir.display())?;
    if let Some(id) = retired {
        writeln!(
            report,
            "Schema ids up to {id} stay retired: the next schema registered gets id {}.",
            id.next()
        )?;
    }
    print(&report)?;
    Ok(Outcome::Success)
}

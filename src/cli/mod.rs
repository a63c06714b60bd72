//! The command line: offline `diff | check | validate | rules`, the server `serve`, `repair`
//! for its data dir and `auth hash` for its principals file, the registry clients `register | subjects | versions | get |
//! config` (and `check --subject`), and data products: `product lint | check | publish | status`, `notice announce | withdraw |
//! list`.
//!
//! Exit codes follow ruff and buf: 0 success (compatible, valid), 1 findings (incompatible,
//! invalid schema), 2 usage or input error.

mod against;
mod auth;
mod backup;
mod check;
mod client;
mod config;
mod confluent_import;
mod consumer;
mod diff;
mod impact;
mod input;
mod manifest;
mod notice;
mod product;
mod product_report;
mod repair;
mod report_format;
mod rules;
mod scaffold;
mod search;
mod serve;
mod validate;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// accord: a schema registry and compatibility gate for data products.
#[derive(Debug, Parser)]
#[command(name = "accord", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// When to colour the output: `auto` colours only a terminal
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Diff(diff::DiffArgs),
    Check(check::CheckArgs),
    Validate(validate::ValidateArgs),
    Rules(rules::RulesArgs),
    Serve(serve::ServeArgs),
    Repair(repair::RepairArgs),
    Backup(backup::BackupArgs),
    Restore(backup::RestoreArgs),
    Export(backup::ExportArgs),
    Import(backup::ImportArgs),
    Migrate(backup::MigrateArgs),
    Auth(auth::AuthArgs),
    Register(client::RegisterArgs),
    Subjects(client::SubjectsArgs),
    Versions(client::VersionsArgs),
    Get(client::GetArgs),
    Config(client::ConfigArgs),
    Product(product::ProductArgs),
    Notice(notice::NoticeArgs),
    Consumer(consumer::ConsumerArgs),
}

/// When to colour output.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Output format for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum OutputFormat {
    /// Readable by a person (coloured on a terminal)
    #[default]
    Text,
    /// One JSON document, in the stable shape the README documents
    Json,
}

/// What a command concluded; errors (exit 2) travel as `anyhow::Error`.
pub(crate) enum Outcome {
    Success,
    Findings,
}

/// Parses the arguments, runs the command, and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    }
    .write_global();
    let result = match cli.command {
        Command::Diff(args) => diff::run(args),
        Command::Check(args) => check::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Repair(args) => repair::run(args),
        Command::Backup(args) => backup::backup(args),
        Command::Restore(args) => backup::restore(args),
        Command::Export(args) => backup::export(args),
        Command::Import(args) => backup::import(args),
        Command::Migrate(args) => backup::migrate(args),
        Command::Auth(args) => auth::run(args),
        Command::Register(args) => client::register(args),
        Command::Subjects(args) => client::subjects(args),
        Command::Versions(args) => client::versions(args),
        Command::Get(args) => client::get(args),
        Command::Config(args) => client::config(args),
        Command::Product(args) => product::run(args),
        Command::Notice(args) => notice::run(args),
        Command::Consumer(args) => consumer::run(args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(error) => {
            let mut stderr = anstream::stderr();
            let red = anstyle::Style::new()
                .fg_color(Some(anstyle::AnsiColor::Red.into()))
                .bold();
            let _ = writeln!(stderr, "{red}error{red:#}: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Text a server or a file supplied, safe to print: control characters and bidirectional
/// overrides are written as escapes (`\u{1b}`), so that a product's owner or a notice's summary
/// cannot write to the clipboard, retitle the window or reorder what the reader sees.
pub(crate) fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| {
            if unsafe_char(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Writes text to stdout, stripping styles unless colour is wanted.
pub(crate) fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = anstream::stdout();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Issue 11, item 12: OSC 52, window titles and bidi overrides reached the reader.
    #[test]
    fn supplied_text_is_shown_without_its_control_sequences() {
        assert_eq!(super::shown("payments"), "payments");
        assert_eq!(
            super::shown("team\u{1b}]52;c;aGk=\u{7}"),
            "team\\u{1b}]52;c;aGk=\\u{7}"
        );
        assert_eq!(super::shown("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(super::shown("line\nbreak"), "line\\u{a}break");
    }

    /// clap's own consistency checks over every command (e.g. two arguments with one name).
    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }

    /// Every command, at every depth, says what it does, and every argument what it is for.
    #[test]
    fn help_is_complete_for_every_command() {
        fn visit(command: &clap::Command, path: &str, seen: &mut usize, gaps: &mut Vec<String>) {
            *seen += 1;
            if command.get_about().is_none() {
                gaps.push(format!("`{path}` has no description"));
            }
            for arg in command.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() {
                    gaps.push(format!("`{path}`: argument `{}` has no help", arg.get_id()));
                }
            }
            for sub in command.get_subcommands() {
                visit(sub, &format!("{path} {}", sub.get_name()), seen, gaps);
            }
        }
        let (mut seen, mut gaps) = (0, Vec::new());
        let mut command = super::Cli::command();
        command.build();
        visit(&command, "accord", &mut seen, &mut gaps);
        assert!(gaps.is_empty(), "{}", gaps.join("\n"));
        // accord, its 12 commands and the product subcommands.
        assert!(seen > 13, "only {seen} commands visited");
    }
}

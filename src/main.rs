//! The `accord` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    accord::cli::run()
}

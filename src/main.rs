//! The `accord` binary: everything lives in the library.

// The server allocates a little for every request; mimalloc does that much faster than glibc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    accord::cli::run()
}

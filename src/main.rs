// Reading thousands of small YAML documents is allocation-bound; glibc's
// allocator spent a third of the time consolidating and freeing.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    milestone_dash::runtime::tui::install_panic_hook();
    let code = milestone_dash::cli::main()?;
    std::process::exit(code);
}

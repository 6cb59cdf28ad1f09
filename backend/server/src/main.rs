//! The `imprint` binary: `imprint serve` runs the server, `imprint migrate` only migrates.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use imprint_server::config::Settings;
use imprint_server::startup::Application;

#[derive(Parser)]
#[command(
    name = "imprint",
    version,
    about = "Self-hosted feature-flag impressions"
)]
struct Cli {
    /// A TOML settings file, layered between the defaults and IMPRINT_* variables.
    #[arg(long, global = true, env = "IMPRINT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the API and console.
    Serve {
        /// On an empty database without IMPRINT_ADMIN_EMAIL, create a demo admin and print
        /// its credentials once.
        #[arg(long)]
        demo_admin: bool,
        /// On a fresh database, create a demo environment (flags, a segment, metrics) and run
        /// a traffic simulator against it, which admins can stop from the console. Implies
        /// --demo-admin. Same as IMPRINT_DEMO=true; IMPRINT_DEMO_VISITS_PER_SECOND sets the rate.
        #[arg(long)]
        demo: bool,
    },
    /// Run the database migrations and exit.
    Migrate,
}

fn main() -> anyhow::Result<()> {
    imprint_server::telemetry::init();
    let cli = Cli::parse();
    let mut settings = Settings::load(cli.config.as_deref())?;
    let runtime = actix_web::rt::System::new();
    runtime.block_on(async move {
        match cli.command {
            Command::Serve { demo_admin, demo } => {
                settings.demo.demo |= demo;
                let app = Application::build(settings, demo_admin).await?;
                tracing::info!(address = %app.address(), "Imprint is listening");
                app.run_until_stopped().await
            }
            Command::Migrate => {
                imprint_store::connect(&settings.database_url).await?;
                tracing::info!("migrations are up to date");
                Ok(())
            }
        }
    })
}

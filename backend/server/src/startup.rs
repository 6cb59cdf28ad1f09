//! Building and running the application. `main` and the tests share this code path: the
//! tests bind port 0 and read the real port back.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use imprint_store::Database;
use tracing_actix_web::TracingLogger;

use crate::auth::console_gate::console_gate;
use crate::config::Settings;
use crate::console::Console;
use crate::demo::{demo_actor, DemoTraffic};
use crate::state::AppState;
use crate::{bootstrap, http};

pub struct Application {
    address: std::net::SocketAddr,
    server: Server,
    db: Database,
}

impl Application {
    pub async fn build(settings: Settings, demo_admin: bool) -> anyhow::Result<Application> {
        let db = imprint_store::connect(&settings.database_url).await?;
        let demo = settings.demo.demo;
        bootstrap::ensure_admin(&db, &settings, demo_admin || demo).await?;

        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let address = listener.local_addr()?;
        let console = Console::new(settings.resolved_site_root());
        let max_body = settings.max_body_bytes;
        let https_only = settings.secure_cookies;
        let mut state = AppState::start(db.clone(), settings).await?;
        if demo {
            state.demo = DemoTraffic::prepare(&state, address).await?;
        }
        let state = web::Data::new(state);
        if state.demo.environment_id().is_some() {
            state.demo.start(&state, demo_actor()).await?;
        }

        let server = HttpServer::new(move || {
            let app = App::new()
                .app_data(state.clone())
                .wrap(from_fn(console_gate))
                .wrap(from_fn(http::cors::sdk_cors))
                .wrap(http::security_headers(https_only))
                .wrap(Compress::default())
                .wrap(TracingLogger::default())
                .configure(|cfg| http::configure(cfg, max_body))
                .configure(|cfg| console.configure_assets(cfg));
            console.mount(app)
        })
        // Live tails write small events that must not wait for Nagle's algorithm.
        .tcp_nodelay(true)
        .listen(listener)?
        .run();

        Ok(Application {
            address,
            server,
            db,
        })
    }

    pub fn address(&self) -> std::net::SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.server.await.context("HTTP server")
    }
}

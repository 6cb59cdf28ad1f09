//! Serves the Leptos console: server-side rendering of its pages, its wasm bundle under /pkg
//! and its stylesheet.

use std::path::PathBuf;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use imprint_app::{shell, App};
use leptos::config::LeptosOptions;
use leptos_actix::{generate_route_list, ActixRouteListing, LeptosRoutes};

/// Built once before the workers start: generating the route list renders the app.
#[derive(Clone)]
pub struct Console {
    options: LeptosOptions,
    routes: Vec<ActixRouteListing>,
    pkg_dir: PathBuf,
}

impl Console {
    pub fn new(site_root: PathBuf) -> Self {
        let options = LeptosOptions::builder()
            .output_name("imprint")
            .site_root(site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .build();
        if !site_root.join("pkg").join("imprint.wasm").exists() {
            tracing::warn!(
                site_root = %site_root.display(),
                "the console's wasm bundle is missing: pages render but will not become interactive (run `make build`)"
            );
        }
        let routes = generate_route_list(App);
        Console {
            options,
            routes,
            pkg_dir: site_root.join("pkg"),
        }
    }

    /// The console's static files: stylesheet, icon and the wasm bundle.
    pub fn configure_assets(&self, cfg: &mut web::ServiceConfig) {
        cfg.route("/assets/imprint.css", web::get().to(stylesheet))
            .route("/assets/favicon.svg", web::get().to(favicon))
            .app_data(web::Data::new(self.options.clone()));
        if self.pkg_dir.is_dir() {
            cfg.service(actix_files::Files::new("/pkg", &self.pkg_dir));
        }
    }

    /// The pages themselves; mounted last, since their routes include a catch-all.
    pub fn mount<T>(&self, app: actix_web::App<T>) -> actix_web::App<T>
    where
        T: actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Error = actix_web::Error,
            InitError = (),
        >,
    {
        let options = self.options.clone();
        app.leptos_routes(self.routes.clone(), move || shell(options.clone()))
    }
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(imprint_app::STYLESHEET)
}

async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(imprint_app::FAVICON)
}

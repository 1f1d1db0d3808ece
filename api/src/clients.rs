//! Serves the built apps at `/nurse/`, `/doctor/` and `/relative/`: hashed assets cached for a
//! year, everything else (index.html, the service worker, the manifest) revalidated, unknown paths
//! answered with the app shell (client-side routing), and a strict Content-Security-Policy.

use axum::Router;
use axum::http::{HeaderValue, header};
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub const APPS: [&str; 3] = ["nurse", "doctor", "relative"];

/// Same origin only; no inline script; styles from files (plus inline style attributes, which
/// Svelte transitions set); WebSocket to the same host for subscriptions.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; \
base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

fn app(dist: &Path) -> Router {
    let shell = ServeFile::new(dist.join("index.html"));
    let assets =
        Router::new().fallback_service(ServeDir::new(dist.join("assets"))).layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ));
    Router::new()
        .nest("/assets", assets)
        .fallback_service(ServeDir::new(dist).fallback(shell))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
}

/// A router with every app whose `dist` exists under `clients_dir`; missing apps are skipped with
/// a log line, so the API runs without the apps built.
pub fn router<S: Clone + Send + Sync + 'static>(clients_dir: &Path) -> Router<S> {
    let mut router = Router::new();
    for name in APPS {
        let dist = clients_dir.join(name).join("dist");
        if dist.join("index.html").is_file() {
            router = router.nest_service(&format!("/{name}"), app(&dist));
        } else {
            tracing::info!(app = name, dir = %dist.display(), "app not built; not served");
        }
    }
    router
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
}

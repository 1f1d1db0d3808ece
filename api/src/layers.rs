//! The layer rule, checked on the source text: a module imports only from layers below it.
//!
//! Top to bottom: `startup` (composes the application) → `http` (owns `AppState`) → `graphql` →
//! `services` → `domain`. Beside them, below `services`, sit the shared modules (`audit`, `auth`,
//! `trusted_documents`, `events`, `db`, `error`, `ids`, `clock`, …). Test modules (from a file's
//! `#[cfg(test)]` on) may look anywhere.

use std::path::{Path, PathBuf};

/// Every `.rs` file below `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read api/src") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The production code of each file (up to its `#[cfg(test)]`), without comments, with its path
/// relative to `api/src` (`services/roster.rs`).
fn production_code() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    sources(&root)
        .into_iter()
        .filter(|path| !path.ends_with("layers.rs"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read a source file");
            let code = text
                .lines()
                .take_while(|line| line.trim() != "#[cfg(test)]")
                .map(|line| line.split("//").next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n");
            let name = path.strip_prefix(&root).expect("below api/src").to_string_lossy().replace('\\', "/");
            (name, code)
        })
        .collect()
}

/// The files (outside `allowed`) whose production code names `path`.
fn offenders(path: &str, allowed: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found: Vec<String> = production_code()
        .into_iter()
        .filter(|(name, code)| !allowed(name) && code.contains(path))
        .map(|(name, _)| name)
        .collect();
    found.sort();
    found
}

#[test]
fn only_http_and_startup_use_graphql() {
    let allowed = |name: &str| name.starts_with("graphql/") || name == "http.rs" || name == "startup.rs";
    assert_eq!(offenders("crate::graphql", allowed), Vec::<String>::new());
}

#[test]
fn only_startup_uses_http_and_nothing_uses_startup() {
    assert_eq!(offenders("crate::http", |name| name == "startup.rs"), Vec::<String>::new());
    assert_eq!(offenders("crate::startup", |_| false), Vec::<String>::new());
}

#[test]
fn only_graphql_http_and_startup_use_services() {
    let allowed = |name: &str| {
        name.starts_with("services/") || name.starts_with("graphql/") || name == "http.rs" || name == "startup.rs"
    };
    assert_eq!(offenders("crate::services", allowed), Vec::<String>::new());
}

/// The domain is rules on values: the entities' enums, nothing of the database.
#[test]
fn domain_uses_no_database_code() {
    for (name, code) in production_code().into_iter().filter(|(name, _)| name.starts_with("domain/")) {
        for (at, _) in code.match_indices("crate::") {
            let path = &code[at..];
            assert!(
                ["crate::domain", "crate::error", "crate::ids"].iter().any(|p| path.starts_with(p)),
                "{name} uses {}",
                path.lines().next().unwrap_or_default()
            );
        }
        for (at, _) in code.match_indices("entities::") {
            assert!(code[at..].starts_with("entities::enums"), "{name} uses entities beyond their enums");
        }
        for (at, _) in code.match_indices("sea_orm::") {
            assert!(code[at..].starts_with("sea_orm::Iterable"), "{name} uses sea_orm beyond enum iteration");
        }
    }
}

/// Sibling services do not import each other both ways (`super::relatives` in `sessions.rs` and
/// `super::sessions` in `relatives.rs`).
#[test]
fn no_two_services_import_each_other() {
    let services: Vec<(String, String)> = production_code()
        .into_iter()
        .filter(|(name, _)| name.starts_with("services/") && name != "services/mod.rs")
        .map(|(name, code)| (name.trim_start_matches("services/").trim_end_matches(".rs").to_owned(), code))
        .collect();
    let uses = |code: &str, other: &str| {
        let listed = code.split("use super::{").skip(1).any(|list| {
            let list = list.split("};").next().unwrap_or_default();
            list.split(',').any(|item| item.trim().split("::").next() == Some(other))
        });
        listed || code.contains(&format!("super::{other}::")) || code.contains(&format!("crate::services::{other}"))
    };
    let mut pairs = Vec::new();
    for (a, code_a) in &services {
        for (b, code_b) in &services {
            if a < b && uses(code_a, b) && uses(code_b, a) {
                pairs.push(format!("{a} <-> {b}"));
            }
        }
    }
    assert_eq!(pairs, Vec::<String>::new());
}

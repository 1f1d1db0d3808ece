//! Trusted documents: each client build emits a manifest `{ "sha256:<hex>": "query …" }` of its
//! operations. Clients send `{ "documentId": "sha256:…" }` (GraphQL over HTTP persisted form; over
//! WebSocket as `extensions.documentId`). In production, requests of NURSE, COORDINATOR, DOCTOR,
//! RELATIVE and anonymous callers must name a known document; only ADMIN may send query text.

use crate::error::{AppError, AppResult};
use entities::enums::Role;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

#[derive(Default)]
pub struct TrustedDocuments {
    documents: HashMap<String, String>,
    /// Whether free-text queries are refused for non-ADMIN callers.
    enforce: bool,
}

impl TrustedDocuments {
    /// Loads every `persisted-documents.json` of the built apps under `clients_dir` and every
    /// `*.json` manifest in `extra_dir`. Each id must be the SHA-256 of its text.
    pub fn load(clients_dir: &Path, extra_dir: Option<&Path>, enforce: bool) -> anyhow::Result<Self> {
        let mut files: Vec<std::path::PathBuf> = crate::clients::APPS
            .iter()
            .map(|app| clients_dir.join(app).join("dist").join("persisted-documents.json"))
            .filter(|p| p.is_file())
            .collect();
        if let Some(dir) = extra_dir {
            for entry in std::fs::read_dir(dir)? {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "json") {
                    files.push(path);
                }
            }
        }
        let mut documents = HashMap::new();
        for file in files {
            let text = std::fs::read_to_string(&file)?;
            let manifest: HashMap<String, String> = serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{} is not a document manifest: {e}", file.display()))?;
            for (id, query) in manifest {
                if id != document_id(&query) {
                    anyhow::bail!("{}: {id} is not the SHA-256 of its document", file.display());
                }
                documents.insert(id, query);
            }
        }
        Ok(Self { documents, enforce })
    }

    pub fn from_documents(queries: &[&str], enforce: bool) -> Self {
        Self { documents: queries.iter().map(|q| (document_id(q), (*q).to_owned())).collect(), enforce }
    }

    pub fn len(&self) -> usize {
        self.documents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// The query to run: the named document, or the text when the caller may send text.
    pub fn admit(&self, role: Option<Role>, document: Option<&str>, text: &str) -> AppResult<String> {
        match document {
            Some(id) => self
                .documents
                .get(id)
                .cloned()
                .ok_or_else(|| AppError::validation("documentId", "Unknown document; update the app")),
            None if self.enforce && role != Some(Role::Admin) => {
                Err(AppError::validation("documentId", "Only trusted documents are accepted; send a documentId"))
            }
            None => Ok(text.to_owned()),
        }
    }
}

pub fn document_id(query: &str) -> String {
    let digest = Sha256::digest(query.as_bytes());
    format!("sha256:{}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_known_documents_and_text_only_where_allowed() {
        let query = "query Me { me { email } }";
        let strict = TrustedDocuments::from_documents(&[query], true);
        let id = document_id(query);
        assert_eq!(strict.admit(Some(Role::Nurse), Some(&id), "").ok().as_deref(), Some(query));
        assert!(strict.admit(Some(Role::Nurse), None, query).is_err());
        assert!(strict.admit(None, None, query).is_err(), "anonymous callers too");
        assert!(strict.admit(Some(Role::Admin), None, query).is_ok());
        assert!(strict.admit(Some(Role::Admin), Some("sha256:00"), "").is_err(), "unknown ids never run");
        let open = TrustedDocuments::from_documents(&[], false);
        assert!(open.admit(Some(Role::Nurse), None, query).is_ok());
    }
}

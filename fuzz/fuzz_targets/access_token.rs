//! Access tokens (`auth::jwt::JwtKeys::verify_access`) as any bearer header carries them: any text,
//! and a valid token with bytes changed. Checks: no panic; a refusal is `UNAUTHENTICATED`; random
//! text never verifies; an edited token verifies only if it still says exactly what was signed.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use plejelink::auth::jwt::{AccessClaims, JwtKeys};
use plejelink::configuration::Settings;
use plejelink::error::AppError;
use std::sync::OnceLock;

struct Signed {
    keys: JwtKeys,
    token: String,
    claims: AccessClaims,
}

/// A development key generated into a temporary directory, and one token it signed.
fn signed() -> &'static Signed {
    static SIGNED: OnceLock<Signed> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("plejelink-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let settings = Settings::from_lookup(|key| match key {
            "PLEJELINK_DATA_DIR" => Some(dir.display().to_string()),
            _ => None,
        })
        .expect("settings");
        let keys = JwtKeys::load(&settings).expect("development key");
        let (token, _) =
            keys.issue_access(uuid::Uuid::from_u128(7), uuid::Uuid::from_u128(9), chrono::Utc::now()).expect("sign");
        let claims = keys.verify_access(&token).expect("fresh token verifies");
        Signed { keys, token, claims }
    })
}

#[derive(Debug, Arbitrary)]
enum Token {
    Text(String),
    /// (position, byte) edits of the signed token.
    Edited(Vec<(u16, u8)>),
}

fuzz_target!(|token: Token| {
    let signed = signed();
    let text = match token {
        Token::Text(text) => text,
        Token::Edited(edits) => {
            let mut bytes = signed.token.clone().into_bytes();
            for (at, byte) in edits {
                let at = usize::from(at) % bytes.len();
                bytes[at] = byte;
            }
            match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => return,
            }
        }
    };
    match signed.keys.verify_access(&text) {
        Err(AppError::Unauthenticated) => {}
        Err(other) => panic!("{text:?} refused with {other:?}"),
        Ok(claims) => {
            let (a, b) = (&claims, &signed.claims);
            let same = (a.sub, a.sid, &a.iss, &a.aud, &a.typ, a.iat, a.nbf, a.exp)
                == (b.sub, b.sid, &b.iss, &b.aud, &b.typ, b.iat, b.nbf, b.exp);
            assert!(same, "{text:?} verified with other claims: {claims:?}");
        }
    }
});

//! Relay global ids (`plejelink::ids`) as clients send them: any text. Decoding never panics, a
//! refusal is always `VALIDATION` on the named field, and whatever decodes names the same object
//! when encoded again.
#![no_main]

use async_graphql::ID;
use libfuzzer_sys::fuzz_target;
use plejelink::error::AppError;
use plejelink::ids::{decode, decode_any, encode};

fuzz_target!(|text: &str| {
    let id = ID(text.to_owned());
    match decode_any(&id, "residentId") {
        Err(AppError::Validation { field, .. }) => assert_eq!(field, "residentId"),
        Err(other) => panic!("{text:?}: refused with {other:?}, not VALIDATION"),
        Ok((kind, uuid)) => {
            let again = encode(kind, uuid);
            match decode_any(&again, "id") {
                Ok(decoded) => assert_eq!(decoded, (kind, uuid), "{text:?} re-encoded as {again:?}"),
                Err(err) => panic!("{text:?} decoded, but its encoding {again:?} does not: {err:?}"),
            }
            assert_eq!(decode(&id, kind, "id").ok(), Some(uuid), "{text:?} with its own kind");
        }
    }
});

//! A schema-driven GraphQL fuzzer against a running development server (issue 7 item 8).
//!
//! It introspects the schema, then for `PLEJELINK_FUZZ_SECONDS` (default 15) per backend sends
//! generated requests as each demo role and anonymously: well-typed operations with random fields
//! and boundary arguments (ids from earlier answers and made-up ones, huge and odd strings, extreme
//! numbers, impossible dates, invalid enum values), and broken ones (unknown fields, missing or
//! wrongly typed arguments, malformed JSON, wrong content types, batches, deep nesting). Every
//! answer must come from a live server, without 5xx (503 only as `RATE_LIMITED`), without an
//! `INTERNAL` error, and with every `Resident`, `Observation` and `Question` id inside the viewer's
//! scope, computed from the database independently of the server's own access code.
//! `PLEJELINK_FUZZ_SEED` replays a run (ids the server makes differ, the choices do not); the case
//! being sent is also in `$TMPDIR/plejelink-fuzz-last-case.txt`, for when the process dies.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration as Days, SecondsFormat};
use entities::enums::Role;
use entities::{doctor, doctor_attachment, observation, question, relative_link, resident, staff_membership, user};
use plejelink_tests::{TestApp, backends};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::fmt::Write;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// SplitMix64: tiny, seedable and the same everywhere, so a seed replays the choices of a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A type reference from introspection: `NON_NULL`/`LIST` wrappers around a named type.
#[derive(Debug, Clone)]
enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    fn parse(v: &Value) -> TypeRef {
        match v["kind"].as_str() {
            Some("NON_NULL") => TypeRef::NonNull(Box::new(TypeRef::parse(&v["ofType"]))),
            Some("LIST") => TypeRef::List(Box::new(TypeRef::parse(&v["ofType"]))),
            _ => TypeRef::Named(v["name"].as_str().unwrap_or_default().to_owned()),
        }
    }

    fn name(&self) -> &str {
        match self {
            TypeRef::Named(name) => name,
            TypeRef::List(inner) | TypeRef::NonNull(inner) => inner.name(),
        }
    }

    fn required(&self) -> bool {
        matches!(self, TypeRef::NonNull(_))
    }

    /// As written in a variable definition.
    fn sdl(&self) -> String {
        match self {
            TypeRef::Named(name) => name.clone(),
            TypeRef::List(inner) => format!("[{}]", inner.sdl()),
            TypeRef::NonNull(inner) => format!("{}!", inner.sdl()),
        }
    }
}

struct InputValue {
    name: String,
    ty: TypeRef,
    has_default: bool,
}

struct Field {
    name: String,
    args: Vec<InputValue>,
    ty: TypeRef,
}

#[derive(Default)]
struct FullType {
    kind: String,
    fields: Vec<Field>,
    input_fields: Vec<InputValue>,
    enum_values: Vec<String>,
    possible_types: Vec<String>,
}

struct Schema {
    types: HashMap<String, FullType>,
    query: String,
    mutation: String,
}

const INTROSPECTION: &str = r#"query {
  __schema {
    queryType { name } mutationType { name }
    types {
      kind name
      fields(includeDeprecated: true) { name args { name defaultValue type { ...T } } type { ...T } }
      inputFields { name defaultValue type { ...T } }
      enumValues(includeDeprecated: true) { name }
      possibleTypes { name }
    }
  }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }"#;

fn input_values(list: &Value) -> Vec<InputValue> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|a| InputValue {
            name: a["name"].as_str().unwrap_or_default().to_owned(),
            ty: TypeRef::parse(&a["type"]),
            has_default: !a["defaultValue"].is_null(),
        })
        .collect()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array().into_iter().flatten().filter_map(|v| v["name"].as_str().map(str::to_owned)).collect()
}

impl Schema {
    fn parse(data: &Value) -> Schema {
        let schema = &data["__schema"];
        let mut types = HashMap::new();
        for t in schema["types"].as_array().expect("types") {
            let name = t["name"].as_str().expect("type name").to_owned();
            let fields = t["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| Field {
                    name: f["name"].as_str().unwrap_or_default().to_owned(),
                    args: input_values(&f["args"]),
                    ty: TypeRef::parse(&f["type"]),
                })
                .collect();
            let full = FullType {
                kind: t["kind"].as_str().unwrap_or_default().to_owned(),
                fields,
                input_fields: input_values(&t["inputFields"]),
                enum_values: names(&t["enumValues"]),
                possible_types: names(&t["possibleTypes"]),
            };
            types.insert(name, full);
        }
        Schema {
            types,
            query: schema["queryType"]["name"].as_str().expect("query type").to_owned(),
            mutation: schema["mutationType"]["name"].as_str().expect("mutation type").to_owned(),
        }
    }

    fn kind(&self, name: &str) -> &str {
        self.types.get(name).map_or("SCALAR", |t| t.kind.as_str())
    }
}

/// Mutations left out: they end the fuzzer's own sessions (their own tests cover them).
const SKIPPED_MUTATIONS: &[&str] = &["deactivateUser", "changePassword", "endSessions"];

/// Roots whose answers hold the objects the scope check looks at.
const SCOPED_ROOTS: &[&str] =
    &["node", "careCentres", "residents", "resident", "doctorQueue", "question", "recordObservation", "askQuestion"];

/// Ids and cursors seen in earlier answers, by the type named inside the id.
#[derive(Default)]
struct Pool {
    ids: HashMap<String, Vec<String>>,
    cursors: Vec<String>,
}

/// The type and UUID inside a global id, if it is one.
fn decode_id(id: &str) -> Option<(String, Uuid)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
    let (kind, uuid) = text.split_once(':')?;
    Some((kind.to_owned(), Uuid::parse_str(uuid).ok()?))
}

impl Pool {
    fn learn(&mut self, value: &Value) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("id", Value::String(id)) => {
                            if let Some((kind, _)) = decode_id(id) {
                                let ids = self.ids.entry(kind).or_default();
                                if ids.len() < 500 && !ids.contains(id) {
                                    ids.push(id.clone());
                                }
                            }
                        }
                        ("endCursor" | "cursor", Value::String(c)) if self.cursors.len() < 200 => {
                            self.cursors.push(c.clone())
                        }
                        _ => self.learn(v),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.learn(v)),
            _ => {}
        }
    }
}

/// Odd text: empty, blank, unicode, control characters, SQL and LIKE metacharacters, too long.
fn odd_string(rng: &mut Rng) -> String {
    let choices: [&dyn Fn(&mut Rng) -> String; 14] = [
        &|_| String::new(),
        &|_| "   ".into(),
        &|_| "Ærøskøbing ☃ 😀 ﷽ \u{202e}tfel-ot-thgir".into(),
        &|_| "nul\u{0}byte \u{1} \u{7f}".into(),
        &|_| "'; DROP TABLE resident; -- \" \\ % _ *".into(),
        &|r| "x".repeat(*r.pick(&[2001, 5000, 70_000])),
        &|r| "ø".repeat(*r.pick(&[255, 1001, 2001])),
        &|_| "koordinator.lindegaarden@demo.dk".into(),
        &|_| "not-an-email@".into(),
        &|_| "NaN".into(),
        &|_| "2026-02-30".into(),
        &|_| "sha256:0000".into(),
        &|r| format!("Fuzz {}", r.next()),
        &|r| (0..r.below(40)).filter_map(|_| char::from_u32(r.below(0x3_0000) as u32)).collect(),
    ];
    rng.pick(&choices)(rng)
}

/// A made-up global id: of a real type with a random UUID, or malformed.
fn made_up_id(rng: &mut Rng) -> String {
    let kinds = ["Resident", "Observation", "Question", "CareCentre", "Meeting", "User", "Doctor", "Nope"];
    match rng.below(5) {
        0 => String::new(),
        1 => "!!not base64!!".into(),
        2 => URL_SAFE_NO_PAD.encode(format!("{}:not-a-uuid", rng.pick(&kinds))),
        3 => URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x3a]),
        _ => URL_SAFE_NO_PAD.encode(format!("{}:{}", rng.pick(&kinds), Uuid::from_u128(u128::from(rng.next())))),
    }
}

struct Generator<'a> {
    rng: &'a mut Rng,
    schema: &'a Schema,
    pool: &'a Pool,
    now: chrono::DateTime<chrono::Utc>,
    variables: Map<String, Value>,
    definitions: Vec<String>,
    /// Fields left before the complexity limit (1 000) comes near.
    budget: usize,
    /// Deliberately wrong arguments (wrong types, missing required, unknown enum values).
    sloppy: bool,
}

impl Generator<'_> {
    fn id(&mut self, arg: &str) -> Value {
        if self.rng.chance(80) && !self.pool.ids.is_empty() {
            // `residentId` most likely names a Resident; otherwise any kind we have seen.
            let kind = arg.strip_suffix("Id").map(|k| {
                let mut k = k.to_owned();
                if let Some(first) = k.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                k
            });
            let ids = match kind.and_then(|k| self.pool.ids.get(&k)) {
                Some(ids) if self.rng.chance(75) => ids,
                _ => {
                    let kinds: Vec<&Vec<String>> = self.pool.ids.values().collect();
                    *self.rng.pick(&kinds)
                }
            };
            return Value::String(self.rng.pick(ids).clone());
        }
        Value::String(made_up_id(self.rng))
    }

    fn scalar(&mut self, name: &str, arg: &str) -> Value {
        let rng = &mut *self.rng;
        match name {
            "ID" => self.id(arg),
            "Int" => match rng.below(4) {
                0 => json!(*rng.pick(&[0, 1, -1, 12, 100, 101, 1000, i32::MAX, i32::MIN])),
                _ => json!(rng.below(400) as i64 - 100),
            },
            "Float" => match rng.below(3) {
                0 => json!(*rng.pick(&[0.0, -0.0, 1e308, -1e308, 5e-324, 45.0001, 24.99, 36.05, 1e15])),
                _ => json!((rng.below(4000) as f64) / 10.0 - 50.0),
            },
            "Boolean" => json!(rng.chance(50)),
            "DateTime" => {
                let fixed = [
                    "2026-02-30T10:00:00Z",
                    "+262143-12-31T23:59:59Z",
                    "+262142-12-31T23:59:59Z",
                    "+10000-01-01T00:00:00Z",
                    "-262143-01-01T00:00:00Z",
                    "0000-01-01T00:00:00Z",
                    "9999-12-31T23:59:59.999999999+14:00",
                    "2026-11-29T12:00:00",
                    "yesterday",
                ];
                if rng.chance(30) {
                    json!(*rng.pick(&fixed))
                } else {
                    let minutes = rng.below(200_000) as i64 - 100_000;
                    json!((self.now + Days::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true))
                }
            }
            "Date" => {
                let fixed = [
                    "2026-02-30",
                    "2024-02-29",
                    "2026-02-29",
                    "0000-01-01",
                    "9999-12-31",
                    "+262142-12-31",
                    "-0001-01-01",
                    "2026-13-01",
                    "2026-1-1",
                    "",
                ];
                if rng.chance(40) {
                    json!(*rng.pick(&fixed))
                } else {
                    let days = rng.below(80_000) as i64 - 60_000;
                    json!((self.now + Days::days(days)).format("%Y-%m-%d").to_string())
                }
            }
            _ if arg == "after" && !self.pool.cursors.is_empty() && rng.chance(60) => {
                json!(rng.pick(&self.pool.cursors))
            }
            _ if arg == "month" && rng.chance(60) => {
                json!(*rng.pick(&["2026-11", "2026-02", "2026-13", "0000-00", "+99999-01", "9999-12"]))
            }
            _ => Value::String(odd_string(rng)),
        }
    }

    /// A JSON value of type `ty` (or, when sloppy, sometimes of another).
    fn value(&mut self, ty: &TypeRef, arg: &str, depth: usize) -> Value {
        if self.sloppy && self.rng.chance(10) {
            return match self.rng.below(5) {
                0 => Value::Null,
                1 => json!("wrong type"),
                2 => json!(2_147_483_648_i64),
                3 => json!({ "unexpected": [1, 2] }),
                _ => json!(1.5),
            };
        }
        match ty {
            TypeRef::NonNull(inner) => self.value(inner, arg, depth),
            TypeRef::List(inner) => {
                let n = match self.rng.below(10) {
                    0 => 0,
                    1 if depth < 2 => 120,
                    _ => 1 + self.rng.below(3),
                };
                Value::Array((0..n).map(|_| self.value(inner, arg, depth + 1)).collect())
            }
            TypeRef::Named(name) => match self.schema.kind(name) {
                "ENUM" => {
                    let values = &self.schema.types[name].enum_values;
                    if values.is_empty() || self.rng.chance(5) {
                        json!("NOT_A_VALUE")
                    } else {
                        json!(self.rng.pick(values))
                    }
                }
                "INPUT_OBJECT" if depth < 4 => {
                    let mut object = Map::new();
                    let fields = &self.schema.types[name].input_fields;
                    for f in fields {
                        let wanted = if f.ty.required() && !f.has_default {
                            !self.sloppy || self.rng.chance(90)
                        } else {
                            self.rng.chance(50)
                        };
                        if wanted {
                            object.insert(f.name.clone(), self.value(&f.ty, &f.name, depth + 1));
                        }
                    }
                    if self.sloppy && self.rng.chance(10) {
                        object.insert("noSuchField".into(), json!(1));
                    }
                    Value::Object(object)
                }
                "INPUT_OBJECT" => Value::Object(Map::new()),
                _ => self.scalar(name, arg),
            },
        }
    }

    /// `value` as a GraphQL literal; enums bare when they look like names.
    fn literal(&self, ty: &TypeRef, value: &Value) -> String {
        let named = ty.name();
        match value {
            Value::String(s)
                if self.schema.kind(named) == "ENUM" && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                s.clone()
            }
            Value::Array(items) => {
                let inner = match ty {
                    TypeRef::NonNull(t) => match t.as_ref() {
                        TypeRef::List(i) => i.as_ref().clone(),
                        other => other.clone(),
                    },
                    TypeRef::List(i) => i.as_ref().clone(),
                    other => other.clone(),
                };
                format!("[{}]", items.iter().map(|v| self.literal(&inner, v)).collect::<Vec<_>>().join(", "))
            }
            Value::Object(map) => {
                let fields = self.schema.types.get(named).map(|t| &t.input_fields);
                let parts: Vec<String> = map
                    .iter()
                    .map(|(k, v)| {
                        let fty = fields
                            .and_then(|fs| fs.iter().find(|f| &f.name == k))
                            .map_or(TypeRef::Named("String".into()), |f| f.ty.clone());
                        format!("{k}: {}", self.literal(&fty, v))
                    })
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            other => other.to_string(),
        }
    }

    fn arguments(&mut self, args: &[InputValue]) -> String {
        let mut parts = Vec::new();
        for arg in args {
            let required = arg.ty.required() && !arg.has_default;
            let wanted = if required { !self.sloppy || self.rng.chance(85) } else { self.rng.chance(40) };
            if !wanted {
                continue;
            }
            let value = self.value(&arg.ty, &arg.name, 0);
            if self.rng.chance(50) {
                let name = format!("v{}", self.definitions.len());
                self.definitions.push(format!("${name}: {}", arg.ty.sdl()));
                self.variables.insert(name.clone(), value);
                parts.push(format!("{}: ${name}", arg.name));
            } else {
                parts.push(format!("{}: {}", arg.name, self.literal(&arg.ty, &value)));
            }
        }
        if self.sloppy && self.rng.chance(10) {
            parts.push("noSuchArgument: 1".into());
        }
        if parts.is_empty() { String::new() } else { format!("({})", parts.join(", ")) }
    }

    /// A selection set of the named output type, `depth` levels left.
    fn selection(&mut self, type_name: &str, depth: usize) -> String {
        let Some(t) = self.schema.types.get(type_name) else { return String::new() };
        match t.kind.as_str() {
            "OBJECT" => {
                let mut out = String::from("{ __typename");
                if t.fields.iter().any(|f| f.name == "id") {
                    out.push_str(" id");
                }
                let wanted = 1 + self.rng.below(4);
                for _ in 0..wanted {
                    if self.budget == 0 {
                        break;
                    }
                    let field = self.rng.pick(&t.fields);
                    let inner = field.ty.name().to_owned();
                    let composite = matches!(self.schema.kind(&inner), "OBJECT" | "INTERFACE" | "UNION");
                    if composite && depth == 0 {
                        continue;
                    }
                    self.budget -= 1;
                    let args = self.arguments(&field.args);
                    let sub = if composite { self.selection(&inner, depth - 1) } else { String::new() };
                    let _ = write!(out, " {}{args} {sub}", field.name);
                }
                if self.sloppy && self.rng.chance(10) {
                    out.push_str(" noSuchField");
                }
                out.push_str(" }");
                out
            }
            "INTERFACE" | "UNION" => {
                let mut out = String::from("{ __typename");
                let possible = t.possible_types.clone();
                for _ in 0..1 + self.rng.below(2) {
                    if possible.is_empty() || depth == 0 {
                        break;
                    }
                    let on = self.rng.pick(&possible).clone();
                    let sub = self.selection(&on, depth - 1);
                    let _ = write!(out, " ... on {on} {sub}");
                }
                out.push_str(" }");
                out
            }
            _ => String::new(),
        }
    }

    /// One operation on the query or mutation root.
    fn operation(&mut self, mutation: bool) -> String {
        let root = if mutation { &self.schema.mutation } else { &self.schema.query };
        let fields: Vec<&Field> = self.schema.types[root.as_str()]
            .fields
            .iter()
            .filter(|f| !SKIPPED_MUTATIONS.contains(&f.name.as_str()))
            .collect();
        let depth = 2 + self.rng.below(7);
        let mut body = String::new();
        for n in 0..1 + self.rng.below(if mutation { 1 } else { 3 }) {
            // Half the time a root that returns residents, observations or questions.
            let field = match fields.iter().filter(|f| SCOPED_ROOTS.contains(&f.name.as_str())).collect::<Vec<_>>() {
                scoped if !scoped.is_empty() && self.rng.chance(50) => **self.rng.pick(&scoped),
                _ => *self.rng.pick(&fields),
            };
            let args = self.arguments(&field.args);
            let inner = field.ty.name().to_owned();
            let sub = self.selection(&inner, depth);
            let alias = if self.rng.chance(20) { format!("a{n}: ") } else { String::new() };
            let _ = write!(body, " {alias}{}{args} {sub}", field.name);
        }
        let definitions =
            if self.definitions.is_empty() { String::new() } else { format!("({})", self.definitions.join(", ")) };
        format!("{} Fuzz{definitions} {{{body} }}", if mutation { "mutation" } else { "query" })
    }
}

/// What goes over the wire for one case.
struct Case {
    description: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    get: bool,
    /// A bearer header other than the role's token.
    bearer: Option<String>,
}

impl Case {
    fn json(description: &'static str, body: &Value) -> Case {
        Case {
            description,
            content_type: Some("application/json"),
            body: body.to_string().into_bytes(),
            get: false,
            bearer: None,
        }
    }

    fn shown(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let cut: String = text.chars().take(4000).collect();
        format!(
            "{} (content type {:?}, GET {}, bearer {:?}, {} bytes): {cut}",
            self.description,
            self.content_type,
            self.get,
            self.bearer,
            self.body.len()
        )
    }
}

/// A broken request of some kind.
fn broken(rng: &mut Rng, valid: &Value, token: Option<&str>) -> Case {
    let query = valid["query"].as_str().unwrap_or_default().to_owned();
    match rng.below(12) {
        0 => Case { body: b"{\"query\": \"{ me { id } }\"".to_vec(), ..Case::json("truncated JSON", &json!(null)) },
        1 => Case { content_type: Some("text/plain"), ..Case::json("text/plain", valid) },
        2 => Case { content_type: None, ..Case::json("no content type", valid) },
        3 => Case {
            content_type: Some("application/x-www-form-urlencoded"),
            body: format!("query={query}").into_bytes(),
            ..Case::json("form", &json!(null))
        },
        4 => Case::json("batch", &json!([valid, valid])),
        5 => Case { get: true, body: b"{ me { email } }".to_vec(), ..Case::json("GET", &json!(null)) },
        6 => Case::json(
            "not an object",
            rng.pick(&[
                json!(42),
                json!("{ me { id } }"),
                json!(null),
                json!({ "query": 7 }),
                json!({ "query": "{ me { id } }", "variables": "x" }),
            ]),
        ),
        7 => {
            let cut = rng.below(query.len().max(1));
            let truncated: String = query.chars().take(cut).collect();
            Case::json("truncated query", &json!({ "query": truncated, "variables": valid["variables"] }))
        }
        8 => {
            // Up to just under the 256 KiB body limit: 3 bytes a level.
            let n = *rng.pick(&[13, 100, 5_000, 80_000]);
            let nested = format!("{}{}", "{a".repeat(n), "}".repeat(n));
            Case::json("deep nesting", &json!({ "query": nested }))
        }
        9 => {
            let n = *rng.pick(&[16, 400]);
            let aliases: String = (0..n).map(|i| format!(" a{i}: me {{ email }}")).collect();
            Case::json("many aliases", &json!({ "query": format!("{{{aliases} }}") }))
        }
        10 => {
            let lists = *rng.pick(&[100, 10_000, 120_000]);
            let value = format!("{}{}", "[".repeat(lists), "]".repeat(lists));
            Case::json(
                "nested list literal",
                &json!({ "query": format!("{{ residents(careCentreId: \"x\", status: {value}) {{ totalCount }} }}") }),
            )
        }
        _ => {
            let bearer = match (rng.below(3), token) {
                (0, Some(t)) => {
                    let mut t = t.to_owned();
                    t.pop();
                    format!("Bearer {t}A")
                }
                (1, _) => "Bearer".into(),
                _ => format!("Bearer {}", odd_string(rng)),
            };
            Case {
                bearer: Some(bearer.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').collect()),
                ..Case::json("bad token", valid)
            }
        }
    }
}

/// A demo login and what the scope check needs about it.
struct Login {
    email: &'static str,
    role: Option<Role>,
    user_id: Option<Uuid>,
    token: Option<String>,
}

/// The viewer's reach, read from the tables directly (DESIGN §4), not through the server's code.
struct Reach {
    role: Option<Role>,
    centres: Vec<Uuid>,
    doctor: Option<Uuid>,
    residents: Vec<Uuid>,
}

async fn reach(app: &TestApp, login: &Login) -> Reach {
    let db = &app.db;
    let mut reach = Reach { role: login.role, centres: Vec::new(), doctor: None, residents: Vec::new() };
    let Some(user_id) = login.user_id else { return reach };
    match login.role {
        Some(Role::Nurse | Role::Coordinator) => {
            let rows = staff_membership::Entity::find()
                .filter(staff_membership::Column::UserId.eq(user_id))
                .filter(staff_membership::Column::EndedAt.is_null())
                .all(db)
                .await
                .expect("memberships");
            reach.centres = rows.into_iter().map(|m| m.care_centre_id).collect();
        }
        Some(Role::Doctor) => {
            let doctor =
                doctor::Entity::find().filter(doctor::Column::UserId.eq(user_id)).one(db).await.expect("doctor");
            reach.doctor = doctor.map(|d| d.id);
            let rows = doctor_attachment::Entity::find()
                .filter(doctor_attachment::Column::DoctorId.eq(reach.doctor.unwrap_or_default()))
                .filter(doctor_attachment::Column::EndedAt.is_null())
                .all(db)
                .await
                .expect("attachments");
            reach.centres = rows.into_iter().map(|a| a.care_centre_id).collect();
        }
        Some(Role::Relative) => {
            let rows = relative_link::Entity::find()
                .filter(relative_link::Column::RelativeUserId.eq(user_id))
                .filter(relative_link::Column::RevokedAt.is_null())
                .filter(relative_link::Column::ConsentExpiresAt.gt(app.now))
                .all(db)
                .await
                .expect("links");
            reach.residents = rows.into_iter().map(|l| l.resident_id).collect();
        }
        _ => {}
    }
    reach
}

/// Every `id` of a Resident, Observation or Question in `value`.
fn scoped_ids(value: &Value, found: &mut Vec<(String, Uuid)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if let ("id", Value::String(id)) = (key.as_str(), v) {
                    if let Some((kind, uuid)) = decode_id(id)
                        && matches!(kind.as_str(), "Resident" | "Observation" | "Question")
                    {
                        found.push((kind, uuid));
                    }
                } else {
                    scoped_ids(v, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| scoped_ids(v, found)),
        _ => {}
    }
}

/// Why the viewer should not have seen the object, if they should not have.
async fn out_of_scope(app: &TestApp, reach: &Reach, kind: &str, id: Uuid) -> Option<String> {
    let db = &app.db;
    let resident_visible = |r: &resident::Model| match reach.role {
        Some(Role::Admin) => true,
        Some(Role::Relative) => reach.residents.contains(&r.id),
        Some(_) => reach.centres.contains(&r.care_centre_id),
        None => false,
    };
    let clinical = |r: &resident::Model| match reach.role {
        Some(Role::Nurse | Role::Coordinator) => reach.centres.contains(&r.care_centre_id),
        Some(Role::Doctor) => {
            reach.doctor.is_some() && r.gp_doctor_id == reach.doctor && reach.centres.contains(&r.care_centre_id)
        }
        _ => false,
    };
    match kind {
        "Resident" => {
            let r = resident::Entity::find_by_id(id).one(db).await.expect("resident")?;
            (!resident_visible(&r)).then(|| format!("resident {} of centre {}", r.full_name, r.care_centre_id))
        }
        "Observation" => {
            let o = observation::Entity::find_by_id(id).one(db).await.expect("observation")?;
            let r = resident::Entity::find_by_id(o.resident_id).one(db).await.expect("resident")?;
            (!clinical(&r)).then(|| {
                format!("observation of {} (centre {}, GP {:?})", r.full_name, r.care_centre_id, r.gp_doctor_id)
            })
        }
        _ => {
            let q = question::Entity::find_by_id(id).one(db).await.expect("question")?;
            let visible = match reach.role {
                Some(Role::Nurse | Role::Coordinator) => reach.centres.contains(&q.care_centre_id),
                Some(Role::Doctor) => Some(q.doctor_id) == reach.doctor && reach.centres.contains(&q.care_centre_id),
                _ => false,
            };
            (!visible)
                .then(|| format!("question {:?} of centre {} to doctor {}", q.subject, q.care_centre_id, q.doctor_id))
        }
    }
}

/// Sends one case; returns the status and body (JSON or text), or panics when the server is gone.
async fn send(app: &TestApp, login: &Login, case: &Case) -> (u16, Result<Value, String>) {
    let url = format!("{}/graphql", app.address);
    let mut request = if case.get {
        let query = String::from_utf8_lossy(&case.body).into_owned();
        app.client.get(&url).query(&[("query", query)])
    } else {
        app.client.post(&url).body(case.body.clone())
    };
    if let Some(content_type) = case.content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    match (&case.bearer, &login.token) {
        (Some(bearer), _) => request = request.header(AUTHORIZATION, bearer),
        (None, Some(token)) => request = request.bearer_auth(token),
        (None, None) => {}
    }
    let response = request
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap_or_else(|err| panic!("the server did not answer ({err}); it may have died on: {}", case.shown()));
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).map_err(|_| text))
}

const LOGINS: [(&str, Option<Role>); 6] = [
    ("sygeplejerske.solhaven@demo.dk", Some(Role::Nurse)),
    ("koordinator.solhaven@demo.dk", Some(Role::Coordinator)),
    ("laege.hansen@demo.dk", Some(Role::Doctor)),
    ("paaroerende@demo.dk", Some(Role::Relative)),
    ("admin@demo.dk", Some(Role::Admin)),
    ("(anonymous)", None),
];

async fn graphql_fuzzer(app: TestApp) {
    let seconds: u64 = std::env::var("PLEJELINK_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(15);
    let seed: u64 = std::env::var("PLEJELINK_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| Uuid::now_v7().as_u64_pair().1);
    eprintln!("graphql fuzzer on {:?}: {seconds} s, PLEJELINK_FUZZ_SEED={seed}", app.backend);
    let mut rng = Rng(seed);
    let last_case = std::env::temp_dir().join("plejelink-fuzz-last-case.txt");

    let mut logins = Vec::new();
    for (email, role) in LOGINS {
        let (token, user_id) = match role {
            Some(_) => {
                let token = app.login(email).await;
                let user = user::Entity::find().filter(user::Column::Email.eq(email)).one(&app.db).await.expect("user");
                (Some(token), user.map(|u| u.id))
            }
            None => (None, None),
        };
        logins.push(Login { email, role, user_id, token });
    }
    let admin = logins[4].token.clone().expect("admin token");
    let schema = Schema::parse(&app.data(&admin, INTROSPECTION, json!({})).await);
    let mut pool = Pool::default();
    // Seed the pool with what an admin and the doctor reach (within the node limit: every
    // resident, and what five residents a centre hold).
    for query in [
        "{ careCentres { id doctors { id } agreements { id } residents(first: 100) { edges { cursor node { id } } } } }",
        "{ careCentres { residents(first: 5) { edges { node { observations(first: 5) { edges { node { id } } } carePlans { id } medications { id } questions(first: 5) { edges { node { id } } } } } } } }",
        "{ doctorQueue(first: 20) { edges { node { id resident { id } } } } meetings(first: 20) { edges { node { id agendaItems { id } } } } }",
    ] {
        for login in &logins[1..5] {
            pool.learn(&app.gql(login.token.as_deref(), query, json!({})).await);
        }
    }

    // The extremes first, on every run: nesting just under the body limit, and over it.
    for (description, body) in [
        ("deep nesting", format!("{}{}", "{a".repeat(80_000), "}".repeat(80_000))),
        (
            "nested list literal",
            format!(
                "{{ residents(careCentreId: \"x\", status: {}{}) {{ totalCount }} }}",
                "[".repeat(120_000),
                "]".repeat(120_000)
            ),
        ),
        ("over the body limit", format!("{{ me {{ email }} }}{}", " ".repeat(300_000))),
    ] {
        for login in [&logins[0], &logins[5]] {
            let case = Case::json(description, &json!({ "query": body }));
            std::fs::write(&last_case, format!("fixed case as {}: {}", login.email, case.shown())).ok();
            let (status, answer) = send(&app, login, &case).await;
            let internal = answer.as_ref().is_ok_and(|b| b["errors"][0]["extensions"]["code"] == "INTERNAL");
            assert!(status < 500 && !internal, "{description} as {}: {status} {answer:?}", login.email);
        }
    }

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut cases, mut valid_cases, mut checked_ids) = (0u64, 0u64, 0u64);
    let mut codes: HashMap<String, u64> = HashMap::new();
    let mut kinds: HashMap<&str, u64> = HashMap::new();
    while Instant::now() < deadline {
        let login = &logins[rng.below(logins.len())];
        let mutation = rng.chance(35);
        let sloppy = rng.chance(20);
        let mut generator = Generator {
            rng: &mut rng,
            schema: &schema,
            pool: &pool,
            now: app.now,
            variables: Map::new(),
            definitions: Vec::new(),
            budget: 150,
            sloppy,
        };
        let query = generator.operation(mutation);
        let request = json!({ "query": query, "variables": Value::Object(generator.variables) });
        let case = if rng.chance(15) {
            broken(&mut rng, &request, login.token.as_deref())
        } else {
            valid_cases += u64::from(!sloppy);
            Case::json(if sloppy { "sloppy operation" } else { "operation" }, &request)
        };
        cases += 1;
        *kinds.entry(case.description).or_default() += 1;
        let shown = case.shown();
        std::fs::write(&last_case, format!("seed {seed}, case {cases}, as {}: {shown}", login.email)).ok();
        let (status, body) = send(&app, login, &case).await;
        let context = || {
            format!("case {cases} (PLEJELINK_FUZZ_SEED={seed}) as {}: {shown}\nanswer {status}: {body:#?}", login.email)
        };
        let rate_limited = body.as_ref().is_ok_and(|b| b["errors"][0]["extensions"]["code"] == "RATE_LIMITED");
        assert!(status < 500 || (status == 503 && rate_limited), "server error: {}", context());
        let Ok(body) = &body else { continue };
        for error in body["errors"].as_array().into_iter().flatten() {
            let code = error["extensions"]["code"].as_str().unwrap_or("(none)").to_owned();
            assert_ne!(code, "INTERNAL", "INTERNAL error for a client's input: {}", context());
            *codes.entry(code).or_default() += 1;
        }
        let mut found = Vec::new();
        scoped_ids(&body["data"], &mut found);
        if !found.is_empty() {
            let reach = reach(&app, login).await;
            for (kind, id) in found {
                checked_ids += 1;
                if let Some(why) = out_of_scope(&app, &reach, &kind, id).await {
                    panic!("{kind} {id} outside the scope of {}: {why}\n{}", login.email, context());
                }
            }
        }
        pool.learn(&body["data"]);
    }
    let mut codes: Vec<_> = codes.into_iter().collect();
    codes.sort();
    let mut kinds: Vec<_> = kinds.into_iter().collect();
    kinds.sort();
    eprintln!(
        "graphql fuzzer on {:?}: {cases} cases ({valid_cases} well-typed; {kinds:?}), {checked_ids} scoped ids checked, error codes {codes:?}, PLEJELINK_FUZZ_SEED={seed}",
        app.backend
    );
    assert!(cases > 0, "no case ran");
}

backends!(graphql_fuzzer);

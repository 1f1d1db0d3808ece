//! Request-shape limits beyond async-graphql's depth and complexity, checked on the parsed document
//! before anything runs: a cap on the nodes a request may return (page sizes multiply), a cap on
//! field aliases, which otherwise let one request repeat an expensive field many times, and no NUL
//! characters in text.

use crate::error::AppError;
use crate::graphql::connection::default_first;
use crate::services::Page;
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet, ServiceDocument,
    TypeKind, TypeSystemDefinition,
};
use async_graphql::{ErrorExtensions, Name, Pos, ServerError, ServerResult, Value, Variables};
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::LazyLock;

/// Query depth: the deepest operation the tests use (doctorQueue → edges → node → resident →
/// latestObservation → news2 → total) is 7; headroom for the apps.
pub const MAX_DEPTH: usize = 12;
/// Query complexity, one per field (list fields are not multiplied: [`MAX_NODES`] does that).
pub const MAX_COMPLEXITY: usize = 1_000;
/// Aliased fields per operation, counted at every use of a fragment.
pub const MAX_ALIASES: usize = 15;
/// Nodes one operation may return, computed before it runs the way GitHub's GraphQL API does: a
/// connection returns `first` nodes for each object above it (a missing `first` counts as the
/// connection's default page size), so page sizes multiply down the query; the operation's figure
/// is the sum over its connections and lists. The apps' largest operation counts 330.
pub const MAX_NODES: u64 = 2_000;
/// The items a list that is not a connection counts as (a centre's doctors, a resident's
/// medications and care plans, a question's messages, a meeting's agenda): such lists are short,
/// but they still multiply the connections below them.
pub const LIST_ITEMS: u64 = 10;

/// What a field returns, as far as counting nodes goes.
#[derive(Debug, Clone, Copy)]
enum Returns {
    /// One object (or a scalar); also a connection's `edges` and `nodes`, counted by the connection.
    One,
    /// A list that is not a connection: [`LIST_ITEMS`] items.
    List,
    /// A connection: `first` items, else this default page size.
    Connection { default_first: u64 },
}

/// Each object and interface type's fields: what they return and the type they return.
struct Shape {
    fields: HashMap<String, HashMap<String, (Returns, String)>>,
    roots: [String; 3],
}

impl Shape {
    fn from_sdl(sdl: &str) -> Self {
        let document: ServiceDocument = async_graphql::parser::parse_schema(sdl).expect("the schema's own SDL parses");
        let mut types = HashMap::new();
        let mut roots = ["Query", "Mutation", "Subscription"].map(String::from);
        for definition in &document.definitions {
            match definition {
                TypeSystemDefinition::Type(ty) => {
                    let fields = match &ty.node.kind {
                        TypeKind::Object(object) => &object.fields,
                        TypeKind::Interface(interface) => &interface.fields,
                        _ => continue,
                    };
                    let fields: HashMap<String, (bool, String)> = fields
                        .iter()
                        .map(|f| {
                            let (list, named) = named_type(&f.node.ty.node.base);
                            (f.node.name.node.to_string(), (list, named))
                        })
                        .collect();
                    types.insert(ty.node.name.node.to_string(), fields);
                }
                TypeSystemDefinition::Schema(schema) => {
                    let names = [&schema.node.query, &schema.node.mutation, &schema.node.subscription];
                    for (root, name) in roots.iter_mut().zip(names) {
                        if let Some(name) = name {
                            *root = name.node.to_string();
                        }
                    }
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        // A connection is a type with `edges`, `nodes` and `pageInfo`; its node type names its
        // default page size.
        let connections: HashMap<String, u64> = types
            .iter()
            .filter(|(_, fields)| ["edges", "pageInfo"].iter().all(|f| fields.contains_key(*f)))
            .filter_map(|(name, fields)| Some((name.clone(), default_first(&fields.get("nodes")?.1))))
            .collect();
        let fields = types
            .iter()
            .map(|(name, fields)| {
                let in_connection = connections.contains_key(name);
                let fields = fields
                    .iter()
                    .map(|(field, (list, ty))| {
                        let returns = match connections.get(ty) {
                            Some(&default_first) => Returns::Connection { default_first },
                            None if *list && !in_connection => Returns::List,
                            None => Returns::One,
                        };
                        (field.clone(), (returns, ty.clone()))
                    })
                    .collect();
                (name.clone(), fields)
            })
            .collect();
        Self { fields, roots }
    }

    fn field(&self, ty: &str, field: &str) -> Option<&(Returns, String)> {
        self.fields.get(ty)?.get(field)
    }
}

/// Whether a type is a list (at any level) and the name of the type inside.
fn named_type(base: &BaseType) -> (bool, String) {
    match base {
        BaseType::Named(name) => (false, name.to_string()),
        BaseType::List(inner) => (true, named_type(&inner.base).1),
    }
}

/// The served schema's shape, read once from its SDL.
static SHAPE: LazyLock<Shape> = LazyLock::new(|| Shape::from_sdl(&super::sdl()));

/// What one operation costs, fragments expanded at each use.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Nodes it may return at most (see [`MAX_NODES`]).
    pub nodes: u64,
    /// Aliased fields it executes.
    pub aliases: u64,
}

impl Cost {
    fn add(self, other: Cost) -> Cost {
        Cost { nodes: self.nodes.saturating_add(other.nodes), aliases: self.aliases.saturating_add(other.aliases) }
    }
}

/// Counts one operation. Each fragment is counted once and remembered, so a document whose
/// fragments spread each other many times costs time in its size only; a fragment that spreads
/// itself (refused later by validation) counts nothing the second time.
struct Counter<'a> {
    shape: &'a Shape,
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
    fragments: HashMap<Name, Cost>,
    open: HashSet<Name>,
}

impl Counter<'_> {
    /// The page size a connection field asks for: `first` from the literal, the request's
    /// variables or the variable's default; missing or null is the default page size. Larger than
    /// [`Page::MAX`] counts as the maximum: the resolver refuses it with its own error.
    fn first(&self, field: &Field, default_first: u64) -> u64 {
        let Some((_, value)) = field.arguments.iter().find(|(name, _)| name.node == "first") else {
            return default_first;
        };
        let variable = |name: Name| {
            let given = self.variables.get(&name).cloned().or_else(|| {
                let definition = self.operation.variable_definitions.iter().find(|d| d.node.name.node == name)?;
                definition.node.default_value.as_ref().map(|v| v.node.clone())
            });
            Ok::<_, Infallible>(given.unwrap_or(Value::Null))
        };
        let value = value.node.clone().into_const_with(variable).ok();
        match value {
            Some(Value::Number(n)) => n.as_i64().map_or(Page::MAX, |n| n.clamp(0, Page::MAX as i64) as u64),
            _ => default_first,
        }
    }

    fn selection(&mut self, ty: &str, set: &SelectionSet) -> Cost {
        let mut cost = Cost::default();
        for item in &set.items {
            let item = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let own = Cost { nodes: 0, aliases: u64::from(field.alias.is_some()) };
                    let (returns, child) = match self.shape.field(ty, &field.name.node) {
                        Some((returns, child)) => (*returns, child.as_str()),
                        // `__typename`, introspection and unknown fields (refused by validation).
                        None => (Returns::One, ""),
                    };
                    let below = self.selection(child, &field.selection_set.node);
                    let items = match returns {
                        Returns::One => None,
                        Returns::List if field.selection_set.node.items.is_empty() => None,
                        Returns::List => Some(LIST_ITEMS),
                        Returns::Connection { default_first } => Some(self.first(field, default_first)),
                    };
                    let nodes = match items {
                        None => below.nodes,
                        Some(n) => n.saturating_mul(below.nodes.saturating_add(1)),
                    };
                    own.add(Cost { nodes, aliases: below.aliases })
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment.type_condition.as_ref().map_or(ty, |c| c.node.on.node.as_str());
                    self.selection(on, &fragment.selection_set.node)
                }
                Selection::FragmentSpread(spread) => self.fragment(&spread.node.fragment_name.node),
            };
            cost = cost.add(item);
        }
        cost
    }

    fn fragment(&mut self, name: &Name) -> Cost {
        if let Some(cost) = self.fragments.get(name) {
            return *cost;
        }
        let Some(fragment) = self.document.fragments.get(name) else { return Cost::default() };
        if !self.open.insert(name.clone()) {
            return Cost::default();
        }
        let cost = self.selection(&fragment.node.type_condition.node.on.node, &fragment.node.selection_set.node);
        self.open.remove(name);
        self.fragments.insert(name.clone(), cost);
        cost
    }
}

/// The cost of each operation in the document, by name (`None` for an anonymous operation).
pub fn costs<'a>(document: &'a ExecutableDocument, variables: &Variables) -> Vec<(Option<&'a Name>, Cost)> {
    let shape = &*SHAPE;
    document
        .operations
        .iter()
        .map(|(name, operation)| {
            let root = match operation.node.ty {
                OperationType::Query => &shape.roots[0],
                OperationType::Mutation => &shape.roots[1],
                OperationType::Subscription => &shape.roots[2],
            };
            let mut counter = Counter {
                shape,
                document,
                operation: &operation.node,
                variables,
                fragments: HashMap::new(),
                open: HashSet::new(),
            };
            (name, counter.selection(root, &operation.node.selection_set.node))
        })
        .collect()
}

fn refusal(message: String, figure: (&str, u64), limit: u64) -> ServerError {
    async_graphql::Error::new(message)
        .extend_with(|_, e| {
            e.set("code", "VALIDATION");
            e.set(figure.0, figure.1);
            e.set("limit", limit);
        })
        .into_server_error(Pos::default())
}

/// Refuses a document with an operation over [`MAX_NODES`] nodes or [`MAX_ALIASES`] aliases, as
/// `VALIDATION` with the computed figure (`extensions.nodes` or `extensions.aliases`) and the limit.
pub fn check_cost(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    for (_, cost) in costs(document, variables) {
        if cost.nodes > MAX_NODES {
            let message = format!("The query may return {} nodes; at most {MAX_NODES} are allowed", cost.nodes);
            return Err(refusal(message, ("nodes", cost.nodes), MAX_NODES));
        }
        if cost.aliases > MAX_ALIASES as u64 {
            let message = format!("The query uses {} aliases; at most {MAX_ALIASES} are allowed", cost.aliases);
            return Err(refusal(message, ("aliases", cost.aliases), MAX_ALIASES as u64));
        }
    }
    Ok(())
}

/// The field (innermost object key, else `field`) of the first text in `value` holding a NUL.
fn nul_field(value: &Value, field: &str) -> Option<String> {
    match value {
        Value::String(text) if text.contains('\0') => Some(field.to_owned()),
        Value::List(items) => items.iter().find_map(|v| nul_field(v, field)),
        Value::Object(map) => map.iter().find_map(|(key, v)| nul_field(v, key.as_str())),
        _ => None,
    }
}

fn nul_in_arguments(field: &Field) -> Option<String> {
    field.arguments.iter().find_map(|(name, value)| {
        // Variables are checked on their own; here they stand in as null.
        let value = value.node.clone().into_const_with(|_| Ok::<_, Infallible>(Value::Null)).ok()?;
        nul_field(&value, name.node.as_str())
    })
}

fn nul_in_selection(set: &SelectionSet) -> Option<String> {
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(field) => {
            nul_in_arguments(&field.node).or_else(|| nul_in_selection(&field.node.selection_set.node))
        }
        Selection::InlineFragment(fragment) => nul_in_selection(&fragment.node.selection_set.node),
        Selection::FragmentSpread(_) => None,
    })
}

/// The field of the first text with a NUL in the document or the variables, if any.
pub fn nul_text(document: &ExecutableDocument, variables: &Variables) -> Option<String> {
    let in_variables = || variables.iter().find_map(|(name, value)| nul_field(value, name.as_str()));
    let in_operations = || {
        document.operations.iter().find_map(|(_, op)| {
            op.node
                .variable_definitions
                .iter()
                .find_map(|d| d.node.default_value.as_ref().and_then(|v| nul_field(&v.node, d.node.name.node.as_str())))
                .or_else(|| nul_in_selection(&op.node.selection_set.node))
        })
    };
    let in_fragments = || document.fragments.values().find_map(|f| nul_in_selection(&f.node.selection_set.node));
    in_variables().or_else(in_operations).or_else(in_fragments)
}

/// Refuses text with a NUL character anywhere in the arguments, variables or variable defaults,
/// as `VALIDATION` on the innermost field or argument that holds it. PostgreSQL `text` cannot store
/// NUL (the statement failed as `INTERNAL`, found by the GraphQL fuzzer), and no field has a use for
/// it, so both backends refuse it the same way before any resolver runs.
pub fn check_nul_text(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    match nul_text(document, variables) {
        Some(field) => {
            let error = AppError::validation(field, "Text must not contain NUL characters");
            Err(async_graphql::Error::from(error).into_server_error(Pos::default()))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory};
    use std::sync::Arc;

    fn cost(query: &str, variables: serde_json::Value) -> Cost {
        let document = async_graphql::parser::parse_query(query).expect("parses");
        let costs = costs(&document, &Variables::from_json(variables));
        assert_eq!(costs.len(), 1, "one operation");
        costs[0].1
    }

    #[test]
    fn counts_aliases_at_every_use_of_a_fragment() {
        let query = "{ a: me { b: email } ...F ...F node(id: \"x\") { ... on Resident { c: room } } } \
                     fragment F on QueryRoot { d: me { email } }";
        assert_eq!(cost(query, serde_json::json!({})).aliases, 5);
    }

    #[test]
    fn page_sizes_multiply_down_the_query() {
        let nodes = |query: &str, variables| cost(query, variables).nodes;
        let none = serde_json::json!({});
        let nested = "{ residents(careCentreId: \"x\", first: 100) { nodes { careCentre { residents(first: 100) { edges { node { id } } } } } } }";
        assert_eq!(nodes(nested, none.clone()), 100 + 100 * 100);
        // A missing `first` is the default page size; over 100 counts as 100 (the resolver refuses it).
        assert_eq!(nodes("{ doctorQueue { nodes { id } } }", none.clone()), 20);
        assert_eq!(nodes("{ residents(careCentreId: \"x\") { totalCount } }", none.clone()), 50);
        assert_eq!(nodes("{ doctorQueue(first: 500) { totalCount } }", none.clone()), 100);
        let variable = "query($n: Int = 7) { doctorQueue(first: $n) { totalCount } }";
        assert_eq!(nodes(variable, serde_json::json!({ "n": 3 })), 3);
        assert_eq!(nodes(variable, none.clone()), 7);
        assert_eq!(nodes(variable, serde_json::json!({ "n": null })), 20);
        // Lists that are not connections count LIST_ITEMS; lists of scalars count nothing.
        let lists =
            "{ careCentres { doctors { displayName } residents(first: 10) { nodes { medications { name } } } } }";
        assert_eq!(nodes(lists, none.clone()), 10 * (1 + 10 + 10 * (1 + 10)));
        assert_eq!(
            nodes("{ meetings(first: 2) { nodes { attendees agendaItems { title } } } }", none.clone()),
            2 * (1 + 10)
        );
        // Named and inline fragments are expanded at each use.
        let fragments = "{ node(id: \"x\") { ...R ... on Resident { ...R } } } \
                         fragment R on Resident { observations(first: 10) { nodes { id } } questions(first: 5) { nodes { id } } }";
        assert_eq!(nodes(fragments, none), 30);
    }

    #[test]
    fn fragments_that_spread_themselves_or_each_other_many_times_are_counted_quickly() {
        let cyclic = "{ ...A } fragment A on QueryRoot { x: me { email } ...B } fragment B on QueryRoot { ...A }";
        assert_eq!(cost(cyclic, serde_json::json!({})).aliases, 1);
        // 2^40 uses of one aliased field: counted once per fragment, not once per use.
        let mut query = String::from("{ ...F0 }");
        for i in 0..40 {
            query.push_str(&format!(" fragment F{i} on QueryRoot {{ ...F{next} ...F{next} }}", next = i + 1));
        }
        query.push_str(" fragment F40 on QueryRoot { x: doctorQueue(first: 1) { totalCount } }");
        assert_eq!(cost(&query, serde_json::json!({})), Cost { nodes: 1 << 40, aliases: 1 << 40 });
    }

    /// Runs validation (depth, complexity and the rest) but none of the operation, and keeps the
    /// depth it found.
    struct ValidateOnly(Arc<std::sync::Mutex<usize>>);

    impl ExtensionFactory for ValidateOnly {
        fn create(&self) -> Arc<dyn Extension> {
            Arc::new(ValidateOnly(self.0.clone()))
        }
    }

    #[async_trait::async_trait]
    impl Extension for ValidateOnly {
        async fn validation(
            &self,
            ctx: &ExtensionContext<'_>,
            next: async_graphql::extensions::NextValidation<'_>,
        ) -> Result<async_graphql::ValidationResult, Vec<ServerError>> {
            let result = next.run(ctx).await?;
            *self.0.lock().expect("depth") = result.depth;
            Ok(result)
        }

        async fn execute(
            &self,
            _: &ExtensionContext<'_>,
            _: Option<&str>,
            _: async_graphql::extensions::NextExecute<'_>,
        ) -> async_graphql::Response {
            async_graphql::Response::default()
        }
    }

    /// The `.graphql` files under `dir`, recursively.
    fn graphql_files(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("documents dir").map(|e| e.expect("entry").path()) {
            if entry.is_dir() {
                graphql_files(&entry, files);
            } else if entry.extension().is_some_and(|e| e == "graphql") {
                files.push(entry);
            }
        }
    }

    /// The fragments `set` spreads, directly or through other fragments.
    fn spreads(document: &ExecutableDocument, set: &SelectionSet, found: &mut HashSet<Name>) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => spreads(document, &field.node.selection_set.node, found),
                Selection::InlineFragment(fragment) => spreads(document, &fragment.node.selection_set.node, found),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if found.insert(name.clone()) {
                        spreads(document, &document.fragments[name].node.selection_set.node, found);
                    }
                }
            }
        }
    }

    /// Every operation of the apps (the documents their codegen reads: each app's own and the
    /// shared fragments; the shared package's own) is within the node, alias, depth and complexity
    /// limits, with every `Int` variable (the page sizes) at the largest page.
    #[tokio::test]
    async fn every_trusted_document_is_within_the_limits() {
        let clients = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../clients");
        let depth = Arc::new(std::sync::Mutex::new(0));
        let schema = super::super::limited_builder(false).extension(ValidateOnly(depth.clone())).finish();
        let (mut most_nodes, mut most_aliases, mut deepest) =
            ((String::new(), 0), (String::new(), 0), (String::new(), 0));
        let mut operations = 0;
        for app in ["nurse", "doctor", "relative", "shared"] {
            let mut files = Vec::new();
            graphql_files(&clients.join(app).join("src/graphql"), &mut files);
            if app != "shared" {
                graphql_files(&clients.join("shared/src/graphql/fragments"), &mut files);
            }
            let texts: Vec<String> = files.iter().map(|f| std::fs::read_to_string(f).expect("document")).collect();
            let text = texts.join("\n");
            let document = async_graphql::parser::parse_query(&text).expect("the app's documents parse");
            // Each operation with the fragments it uses, as the app's build sends it.
            let lines: Vec<&str> = text.lines().collect();
            let mut starts: Vec<usize> = document.operations.iter().map(|(_, op)| op.pos.line).collect();
            starts.extend(document.fragments.values().map(|f| f.pos.line));
            starts.sort_unstable();
            let source = |line: usize| {
                let end = starts.iter().find(|&&s| s > line).map_or(lines.len() + 1, |&s| s);
                lines[line - 1..end - 1].join("\n")
            };
            for (name, operation) in document.operations.iter() {
                let name = format!("{app} {}", name.expect("the apps name their operations"));
                let mut used = HashSet::new();
                spreads(&document, &operation.node.selection_set.node, &mut used);
                let mut query = source(operation.pos.line);
                for fragment in &used {
                    query.push('\n');
                    query.push_str(&source(document.fragments[fragment].pos.line));
                }
                let mut variables = serde_json::Map::new();
                for definition in &operation.node.variable_definitions {
                    if matches!(&definition.node.var_type.node.base, BaseType::Named(ty) if ty == "Int") {
                        variables.insert(definition.node.name.node.to_string(), serde_json::json!(Page::MAX));
                    }
                }
                let variables = Variables::from_json(serde_json::Value::Object(variables));
                let parsed = async_graphql::parser::parse_query(&query).expect("parses");
                check_cost(&parsed, &variables).unwrap_or_else(|e| panic!("{name}: {}", e.message));
                let request = async_graphql::Request::new(query.clone()).variables(variables.clone());
                let response = schema.execute(request).await;
                assert!(response.errors.is_empty(), "{name}: {:?}", response.errors);
                let cost = costs(&parsed, &variables)[0].1;
                let depth = *depth.lock().expect("depth") as u64;
                for (most, figure) in
                    [(&mut most_nodes, cost.nodes), (&mut most_aliases, cost.aliases), (&mut deepest, depth)]
                {
                    if figure > most.1 {
                        *most = (name.clone(), figure);
                    }
                }
                operations += 1;
            }
        }
        assert!(operations > 40, "found the apps' operations ({operations})");
        eprintln!(
            "{operations} operations; most nodes {most_nodes:?}, most aliases {most_aliases:?}, deepest {deepest:?} \
             (limits {MAX_NODES}, {MAX_ALIASES}, {MAX_DEPTH})"
        );
    }

    #[test]
    fn finds_nul_in_literals_variables_and_defaults() {
        let parse = |q: &str| async_graphql::parser::parse_query(q).expect("valid document");
        let none = Variables::default();
        let literal = parse(r#"{ residents(careCentreId: "x", search: "a\u0000b") { totalCount } }"#);
        assert_eq!(nul_text(&literal, &none).as_deref(), Some("search"));
        let nested = parse(r#"mutation { recordObservation(input: { note: "\u0000" }) { observation { id } } }"#);
        assert_eq!(nul_text(&nested, &none).as_deref(), Some("note"));
        let default = parse(r#"query($s: String = "\u0000") { me { email } }"#);
        assert_eq!(nul_text(&default, &none).as_deref(), Some("s"));
        let plain = parse(r#"query($v: String) { residents(careCentreId: "x", search: $v) { totalCount } }"#);
        assert_eq!(nul_text(&plain, &none), None);
        let variables = Variables::from_json(serde_json::json!({ "v": { "input": ["ok", "bad\u{0}"] } }));
        assert_eq!(nul_text(&plain, &variables).as_deref(), Some("input"));
    }
}

//! Relatives' invitations: one-time codes stored as hashes, single use, expiry, consent a year.

use entities::{invite, relative_link};
use plejelink_tests::{TestApp, backends, error_code};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

const INVITE: &str = "mutation($i: InviteRelativeInput!) { inviteRelative(input: $i) { id code expiresAt } }";
const ACCEPT: &str = "mutation($c: String!, $p: String!, $n: String!) { acceptInvite(code: $c, password: $p, displayName: $n) { accessToken viewer { role residents { id } } } }";

async fn invited(app: &TestApp, email: &str) -> (Value, String) {
    let coordinator = app.login("koordinator.solhaven@demo.dk").await;
    let roster =
        app.data(&coordinator, "{ careCentres { residents(first: 3) { edges { node { id } } } } }", json!({})).await;
    let resident = roster["careCentres"][0]["residents"]["edges"][2]["node"]["id"].clone();
    let data = app
        .data(&coordinator, INVITE, json!({ "i": { "residentId": resident, "email": email, "relation": "Søn" } }))
        .await;
    (resident, data["inviteRelative"]["code"].as_str().expect("code").to_owned())
}

async fn an_invitation_is_used_once_and_links_the_relative(app: TestApp) {
    let (resident, code) = invited(&app, "Ny.Paaroerende@demo.dk").await;
    let stored =
        invite::Entity::find().order_by_desc(invite::Column::CreatedAt).one(&app.db).await.expect("q").expect("row");
    assert_ne!(stored.code_hash, code, "only the hash is stored");
    assert!(!stored.code_hash.contains(&code));
    assert_eq!(stored.email, "ny.paaroerende@demo.dk");

    let short = app.gql(None, ACCEPT, json!({ "c": code, "p": "kort", "n": "Ole" })).await;
    assert_eq!(short["errors"][0]["extensions"]["field"], "password");
    let (a, b) = tokio::join!(
        app.gql(None, ACCEPT, json!({ "c": code, "p": "et langt kodeord 1", "n": "Ole Lund" })),
        app.gql(None, ACCEPT, json!({ "c": code, "p": "et langt kodeord 1", "n": "Ole Lund" })),
    );
    let winners = [&a, &b].iter().filter(|r| r["data"]["acceptInvite"]["accessToken"].is_string()).count();
    assert_eq!(winners, 1, "used exactly once: {a:#} {b:#}");
    let winner = if a["data"]["acceptInvite"]["accessToken"].is_string() { &a } else { &b };
    assert_eq!(winner["data"]["acceptInvite"]["viewer"]["role"], "RELATIVE");
    assert_eq!(winner["data"]["acceptInvite"]["viewer"]["residents"][0]["id"], resident);
    let link = relative_link::Entity::find()
        .order_by_desc(relative_link::Column::CreatedAt)
        .one(&app.db)
        .await
        .expect("q")
        .expect("link");
    assert_eq!((link.consent_expires_at - link.consent_recorded_at).num_days(), 365, "consent for a year at most");
    let reuse = app.gql(None, ACCEPT, json!({ "c": code, "p": "et langt kodeord 1", "n": "Ole" })).await;
    assert_eq!(reuse["errors"][0]["extensions"]["field"], "code");
}

async fn codes_expire_and_only_coordinators_invite(app: TestApp) {
    let (resident, code) = invited(&app, "senere@demo.dk").await;
    app.clock.set(app.now + chrono::Duration::days(8));
    let late = app.gql(None, ACCEPT, json!({ "c": code, "p": "et langt kodeord 1", "n": "Sen" })).await;
    assert_eq!(late["errors"][0]["extensions"]["field"], "code");
    let unknown = app.gql(None, ACCEPT, json!({ "c": "not-a-code", "p": "et langt kodeord 1", "n": "X" })).await;
    assert_eq!(unknown["errors"][0]["extensions"]["message"], late["errors"][0]["extensions"]["message"]);
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let body = app
        .gql(Some(&nurse), INVITE, json!({ "i": { "residentId": resident, "email": "a@b.dk", "relation": "Søn" } }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

backends!(an_invitation_is_used_once_and_links_the_relative, codes_expire_and_only_coordinators_invite);

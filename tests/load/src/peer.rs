//! The peer: PostGraphile v5 on the same PostgreSQL database (tests/load/postgraphile/), asked
//! for what operations (a)–(c) ask of Plejelink, as closely as its generated schema allows.
//! It runs without authorization or an access log; the SQL functions it needs for the queue's
//! order and the 30-day windows are in tests/load/postgraphile/peer.sql.

use crate::engine::Job;
use crate::ops::{Op, expect, non_empty_array, pick, post, timestamp};
use crate::world::World;
use chrono::{Duration as Days, Utc};
use serde_json::{Value, json};
use std::sync::Arc;

pub const QUEUE: &str = "query DoctorQueue($doctor: UUID!) { doctorQueue(doctor: $doctor, first: 20) { totalCount nodes { rowId subject priority status overdue dueAt askedAt residentByResidentId { rowId fullName room latestObservation { rowId recordedAt news2Total news2Risk } } questionObservationsByQuestionId { nodes { observationByObservationId { rowId recordedAt respirationRate oxygenSaturation systolicBp pulse consciousness temperature news2Total news2Risk } } } } } }";

pub const TREND: &str = "query ResidentTrend($id: UUID!, $from: Datetime!) { residentByRowId(rowId: $id) { rowId fullName observationsSince(since: $from, first: 100) { totalCount nodes { rowId recordedAt respirationRate oxygenSaturation onSupplementalOxygen systolicBp diastolicBp pulse consciousness temperature news2Total news2Risk enteredInError } } news2Trend(days: 30) { nodes { recordedAt news2Total news2Risk news2Complete } } } }";

pub const RESIDENTS: &str = "query Residents($centre: UUID!) { allResidents(condition: { careCentreId: $centre }, orderBy: [FULL_NAME_ASC, ROW_ID_ASC], first: 60) { totalCount nodes { rowId fullName room status latestObservation { rowId recordedAt news2Total news2Risk } openQuestions: questionsByResidentId(condition: { status: \"OPEN\" }) { totalCount } } } }";

pub struct Peer {
    pub client: reqwest::Client,
    pub url: String,
    pub world: Arc<World>,
}

impl Peer {
    pub fn new(client: reqwest::Client, base: &str, world: Arc<World>) -> Self {
        Self { client, url: format!("{}/graphql", base.trim_end_matches('/')), world }
    }

    /// Operations (a)–(c); the peer has no equivalent of the others here.
    pub fn job(&self, op: Op) -> Option<Job> {
        if !matches!(op, Op::Queue | Op::Trend | Op::Residents) {
            return None;
        }
        let (client, url, world) = (self.client.clone(), self.url.clone(), self.world.clone());
        Some(Arc::new(move |n| {
            let (client, url, world) = (client.clone(), url.clone(), world.clone());
            Box::pin(async move { request(&client, &url, &world, op, n).await })
        }))
    }
}

async fn request(client: &reqwest::Client, url: &str, world: &World, op: Op, n: u64) -> Result<(), String> {
    match op {
        Op::Queue => {
            let doctor = pick(&world.doctors, n);
            let data = post(client, url, None, QUEUE, json!({ "doctor": doctor.doctor_id })).await?;
            expect(&data, "/doctorQueue/nodes", non_empty_array)
        }
        Op::Trend => {
            // The same choice of resident as Plejelink's nurse makes for request n.
            let nurse = pick(&world.nurses, n);
            let resident = *pick(world.residents_of(nurse.centre), n >> 7);
            let vars = json!({ "id": resident, "from": timestamp(Utc::now() - Days::days(30)) });
            let data = post(client, url, None, TREND, vars).await?;
            expect(&data, "/residentByRowId/observationsSince/nodes", Value::is_array)?;
            expect(&data, "/residentByRowId/news2Trend/nodes", non_empty_array)
        }
        _ => {
            let staff = if n % 4 == 3 && !world.coordinators.is_empty() {
                pick(&world.coordinators, n)
            } else {
                pick(&world.nurses, n)
            };
            let data = post(client, url, None, RESIDENTS, json!({ "centre": staff.centre })).await?;
            expect(&data, "/allResidents/nodes", non_empty_array)?;
            expect(&data, "/allResidents/nodes/0/openQuestions/totalCount", Value::is_i64)
        }
    }
}

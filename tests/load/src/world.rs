//! What the load is made of, read from the benchmark database: the demo users (by the e-mail
//! pattern of `api/src/demo.rs`), their centres, and the residents each may read.

use anyhow::{Context, bail};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Staff {
    pub email: String,
    pub user_id: Uuid,
    pub centre: Uuid,
    /// NURSE or COORDINATOR.
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct Doctor {
    pub email: String,
    pub user_id: Uuid,
    pub doctor_id: Uuid,
    pub centres: Vec<Uuid>,
    /// Residents whose GP this doctor is, in centres the doctor is attached to.
    pub gp_residents: Vec<Uuid>,
}

#[derive(Debug, Clone)]
pub struct Relative {
    pub email: String,
    pub user_id: Uuid,
    pub resident: Uuid,
}

#[derive(Debug, Clone, Default)]
pub struct World {
    pub nurses: Vec<Staff>,
    pub coordinators: Vec<Staff>,
    pub doctors: Vec<Doctor>,
    pub relatives: Vec<Relative>,
    /// Active residents of each centre, by name.
    pub residents: HashMap<Uuid, Vec<Uuid>>,
}

pub async fn connect(url: &str, max: u32) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false).max_connections(max).min_connections(1);
    Database::connect(options).await.context("connecting to the benchmark database")
}

async fn rows(db: &DatabaseConnection, sql: &str) -> anyhow::Result<Vec<sea_orm::QueryResult>> {
    Ok(db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await?)
}

fn uuid(row: &sea_orm::QueryResult, column: &str) -> anyhow::Result<Uuid> {
    // PostgreSQL has a uuid type; SQLite keeps uuids as text or blob depending on the driver.
    if let Ok(id) = row.try_get::<Uuid>("", column) {
        return Ok(id);
    }
    let text: String = row.try_get("", column)?;
    Ok(Uuid::parse_str(&text)?)
}

impl World {
    /// Reads the world; `centres` limits it to the first centres (by the demo's slugs) when set.
    pub async fn load(db: &DatabaseConnection, centres: Option<usize>) -> anyhow::Result<World> {
        let mut world = World::default();
        let keep = |email: &str| match centres {
            None => true,
            Some(n) => centre_number(email).is_none_or(|c| c <= n),
        };
        for row in rows(
            db,
            "SELECT u.email, u.id AS user_id, u.role, m.care_centre_id FROM users u \
             JOIN staff_memberships m ON m.user_id = u.id WHERE m.ended_at IS NULL AND u.active ORDER BY u.email",
        )
        .await?
        {
            let email: String = row.try_get("", "email")?;
            if !keep(&email) {
                continue;
            }
            let staff = Staff {
                email,
                user_id: uuid(&row, "user_id")?,
                centre: uuid(&row, "care_centre_id")?,
                role: row.try_get("", "role")?,
            };
            if staff.role == "COORDINATOR" { world.coordinators.push(staff) } else { world.nurses.push(staff) }
        }
        let mut doctors: HashMap<Uuid, Doctor> = HashMap::new();
        for row in rows(
            db,
            "SELECT u.email, u.id AS user_id, d.id AS doctor_id, a.care_centre_id FROM doctors d \
             JOIN users u ON u.id = d.user_id JOIN doctor_attachments a ON a.doctor_id = d.id \
             WHERE a.ended_at IS NULL AND u.active ORDER BY u.email",
        )
        .await?
        {
            let email: String = row.try_get("", "email")?;
            let doctor_id = uuid(&row, "doctor_id")?;
            let centre = uuid(&row, "care_centre_id")?;
            let entry = doctors.entry(doctor_id).or_insert(Doctor {
                email,
                user_id: uuid(&row, "user_id")?,
                doctor_id,
                centres: Vec::new(),
                gp_residents: Vec::new(),
            });
            entry.centres.push(centre);
        }
        for row in rows(
            db,
            "SELECT id, care_centre_id, gp_doctor_id FROM residents WHERE status IN ('ACTIVE', 'TERMINAL') \
             ORDER BY care_centre_id, full_name, id",
        )
        .await?
        {
            let id = uuid(&row, "id")?;
            let centre = uuid(&row, "care_centre_id")?;
            world.residents.entry(centre).or_default().push(id);
            if let Ok(gp) = uuid(&row, "gp_doctor_id")
                && let Some(doctor) = doctors.get_mut(&gp)
                && doctor.centres.contains(&centre)
            {
                doctor.gp_residents.push(id);
            }
        }
        let mut doctors: Vec<Doctor> =
            doctors.into_values().filter(|d| keep(&d.email) && !d.gp_residents.is_empty()).collect();
        doctors.sort_by(|a, b| a.email.cmp(&b.email));
        world.doctors = doctors;
        for row in rows(
            db,
            "SELECT u.email, u.id AS user_id, l.resident_id FROM relative_links l JOIN users u ON u.id = l.relative_user_id \
             WHERE l.revoked_at IS NULL ORDER BY u.email",
        )
        .await?
        {
            world.relatives.push(Relative {
                email: row.try_get("", "email")?,
                user_id: uuid(&row, "user_id")?,
                resident: uuid(&row, "resident_id")?,
            });
        }
        if world.nurses.is_empty() || world.doctors.is_empty() {
            bail!("no demo nurses or doctors in the database: load it with `plejelink load-demo`");
        }
        Ok(world)
    }

    /// Every login the load uses.
    pub fn emails(&self) -> Vec<String> {
        let staff = self.nurses.iter().chain(&self.coordinators).map(|s| s.email.clone());
        let doctors = self.doctors.iter().map(|d| d.email.clone());
        staff.chain(doctors).chain(self.relatives.iter().map(|r| r.email.clone())).collect()
    }

    pub fn residents_of(&self, centre: Uuid) -> &[Uuid] {
        self.residents.get(&centre).map_or(&[], Vec::as_slice)
    }
}

/// The demo's centre number of a per-centre login (solhaven 1, lindegaarden 2, centreN N);
/// `None` for logins that belong to no one centre.
fn centre_number(email: &str) -> Option<usize> {
    let slug = email.split('@').next()?.split('.').nth(1)?;
    match slug {
        "solhaven" => Some(1),
        "lindegaarden" => Some(2),
        other => other.strip_prefix("centre")?.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::centre_number;

    #[test]
    fn centre_numbers_follow_the_demo_slugs() {
        assert_eq!(centre_number("sygeplejerske.solhaven@demo.dk"), Some(1));
        assert_eq!(centre_number("laege.centre17@demo.dk"), Some(17));
        assert_eq!(centre_number("laege.hansen@demo.dk"), None);
        assert_eq!(centre_number("paaroerende@demo.dk"), None);
    }
}

//! Live events for subscriptions. Events carry ids only; each subscriber re-reads what it may see
//! with its own permissions. In one process a broadcast channel fans them out; with PostgreSQL the
//! same events also travel through `LISTEN/NOTIFY` so every instance hears every write.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Event {
    /// A question was asked, answered, replied to, closed or moved to an agenda.
    QuestionChanged { question: Uuid, centre: Uuid, doctor: Uuid, kind: QuestionEventKind },
    /// An observation scored MEDIUM or HIGH.
    ObservationAlert { observation: Uuid, resident: Uuid, centre: Uuid },
    /// A meeting's agenda was sent, its minutes recorded, or it was scheduled or cancelled.
    MeetingChanged { meeting: Uuid, centre: Uuid, kind: MeetingEventKind },
    /// Sessions of the user ended (logout, refresh-token reuse, an ADMIN, deactivation, a new
    /// password): their open sockets check their own session and close if it is gone.
    SessionsEnded { user: Uuid },
    /// Events may have been missed (the database connection was lost): every subscriber refetches.
    /// Raised locally by this instance's listener, never sent through the database.
    Resync,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuestionEventKind {
    Asked,
    Replied,
    Answered,
    Closed,
    MovedToAgenda,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MeetingEventKind {
    Scheduled,
    AgendaSent,
    MinutesRecorded,
    Cancelled,
}

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        Self { sender: broadcast::channel(1024).0 }
    }

    /// Delivers to this instance's subscribers. Call after the transaction committed.
    pub fn publish_local(&self, event: Event) {
        // No subscribers is fine.
        let _ = self.sender.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}

const CHANNEL: &str = "plejelink_events";

/// Publishes events: through PostgreSQL `NOTIFY` when on PostgreSQL (every instance, this one
/// included, hears it through its listener), else straight to this process's bus.
#[derive(Clone)]
pub struct Events {
    bus: EventBus,
    db: sea_orm::DatabaseConnection,
}

impl Events {
    pub fn new(bus: EventBus, db: sea_orm::DatabaseConnection) -> Self {
        Self { bus, db }
    }

    pub fn bus(&self) -> &EventBus {
        &self.bus
    }

    /// Call after the write committed. A lost notification costs liveness only (clients also
    /// refetch), so a failed `NOTIFY` is logged and delivered locally instead.
    pub async fn publish(&self, event: Event) {
        use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            self.bus.publish_local(event);
            return;
        }
        let payload = serde_json::to_string(&event).unwrap_or_default();
        let stmt = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        );
        if let Err(err) = self.db.execute_raw(stmt).await {
            tracing::warn!(error = %err, "NOTIFY failed; delivering locally");
            self.bus.publish_local(event);
        }
    }
}

/// Listens on PostgreSQL for events from every instance and feeds this instance's bus; reconnects
/// with a back-off when the database goes away.
pub fn spawn_postgres_listener(url: String, bus: EventBus) {
    use sea_orm::sqlx::postgres::PgListener;
    tokio::spawn(async move {
        let mut backoff = std::time::Duration::from_millis(200);
        let mut lost = false;
        loop {
            match PgListener::connect(&url).await {
                Ok(mut listener) => {
                    if let Err(err) = listener.listen(CHANNEL).await {
                        tracing::warn!(error = %err, "LISTEN failed");
                    } else {
                        backoff = std::time::Duration::from_millis(200);
                        if std::mem::take(&mut lost) {
                            tracing::info!("event listener back; telling subscribers to resync");
                            bus.publish_local(Event::Resync);
                        }
                        // `try_recv`, not `recv`: `recv` would reconnect silently, and subscribers
                        // would never learn that notifications were lost meanwhile.
                        loop {
                            match listener.try_recv().await {
                                Ok(Some(notification)) => match serde_json::from_str::<Event>(notification.payload()) {
                                    Ok(event) => bus.publish_local(event),
                                    Err(err) => tracing::warn!(error = %err, "unreadable event"),
                                },
                                Ok(None) => {
                                    tracing::warn!("event listener lost its connection");
                                    lost = true;
                                    break;
                                }
                                Err(err) => {
                                    tracing::warn!(error = %err, "event listener lost its connection");
                                    lost = true;
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(err) => {
                    lost = true;
                    tracing::warn!(error = %err, "event listener cannot connect");
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(std::time::Duration::from_secs(2));
        }
    });
}

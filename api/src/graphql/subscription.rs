//! Live updates over `graphql-transport-ws` at `/graphql/ws` (token in `connection_init`).
//! Events carry ids only: for every event the subscriber's scope is read from the database again
//! and the object re-read with it, so a revoked viewer stops receiving at once. The socket itself
//! closes when its access token expires or its session ends ([`SocketEnd`]).

use super::enums::News2Risk;
use super::types::{Meeting, Observation, Question, Resident};
use crate::audit::Action;
use crate::auth::{TokenSubject, Viewer};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventBus, MeetingEventKind as StoredMeetingKind, QuestionEventKind as StoredQuestionKind};
use crate::ids::{self, Kind};
use crate::services::{access, meetings, questions, residents};
use async_graphql::futures_util::Stream;
use async_graphql::futures_util::stream;
use async_graphql::{Context, Enum, ID, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use entities::enums::Role;
use entities::observation;
use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

/// Why the server closes a subscriber's socket (the HTTP layer turns it into a close code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketEnd {
    /// The access token of `connection_init` expired: reconnect with a fresh one.
    TokenExpired,
    /// The session ended (logout, refresh-token reuse, an ADMIN, deactivation, a new password):
    /// sign in again.
    SessionEnded,
}

/// Who opened the WebSocket, checked at `connection_init`.
#[derive(Clone)]
pub struct Subscriber {
    pub subject: TokenSubject,
    pub expires_at: DateTime<Utc>,
    pub db: DatabaseConnection,
    pub access_log: crate::audit::AccessLog,
    pub bus: EventBus,
    pub clock: Clock,
    /// Set once the socket must close; the socket's task waits on it.
    pub end: std::sync::Arc<tokio::sync::watch::Sender<Option<SocketEnd>>>,
}

impl Subscriber {
    /// The viewer now, session checked; a refused token or session closes the socket.
    async fn viewer(&self) -> AppResult<Viewer> {
        let viewer = Viewer::load(&self.db, self.subject, self.clock.now()).await;
        if let Err(AppError::Unauthenticated) = viewer {
            self.close(SocketEnd::SessionEnded);
        }
        viewer
    }

    /// Asks the socket's task to close (the first reason wins).
    fn close(&self, why: SocketEnd) {
        self.end.send_if_modified(|end| {
            let first = end.is_none();
            end.get_or_insert(why);
            first
        });
    }

    /// Closes the socket when the token expires (on the real clock, as tokens are) or the session
    /// ends: told by an [`Event::SessionsEnded`] for this user, or found on a resync (events may
    /// have been missed). Returns then, or when the socket went away first.
    pub async fn watch_session(self) {
        let mut events = self.bus.subscribe();
        let remaining = (self.expires_at - Utc::now()).to_std().unwrap_or_default();
        let expiry = tokio::time::sleep(remaining);
        tokio::pin!(expiry);
        loop {
            tokio::select! {
                () = &mut expiry => return self.close(SocketEnd::TokenExpired),
                () = self.end.closed() => return,
                event = events.recv() => {
                    let recheck = match event {
                        Ok(Event::SessionsEnded { user }) => user == self.subject.user_id,
                        Ok(Event::Resync) | Err(RecvError::Lagged(_)) => true,
                        Ok(_) => false,
                        // The bus lives as long as the server; nothing more will come.
                        Err(RecvError::Closed) => return,
                    };
                    if recheck && let Err(AppError::Unauthenticated) = self.viewer().await {
                        return;
                    }
                }
            }
        }
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum QuestionEventKind {
    Asked,
    Replied,
    Answered,
    Closed,
    MovedToAgenda,
    /// Events were missed (overload or a lost database connection): refetch.
    Resync,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MeetingEventKind {
    Scheduled,
    AgendaSent,
    MinutesRecorded,
    Cancelled,
    /// Events were missed: refetch.
    Resync,
}

#[derive(SimpleObject)]
pub struct QuestionEvent {
    pub kind: QuestionEventKind,
    /// None only for RESYNC.
    pub question: Option<Question>,
}

#[derive(SimpleObject)]
pub struct ObservationAlert {
    /// None only when events were missed (refetch then).
    pub observation: Option<Observation>,
    pub resident: Option<Resident>,
    pub risk_level: Option<News2Risk>,
    pub resync: bool,
}

#[derive(SimpleObject)]
pub struct MeetingEvent {
    pub kind: MeetingEventKind,
    pub meeting: Option<Meeting>,
}

/// What an event turns into for one subscriber: an item, or nothing (not theirs).
enum Delivery<T> {
    Item(T),
    Skip,
}

/// Turns the event bus into a stream of what `deliver` makes of each event for this subscriber;
/// `resync` is sent when the receiver lagged behind.
fn events<T, F, Fut>(
    subscriber: Subscriber,
    resync: impl Fn() -> T + Send + 'static,
    deliver: F,
) -> impl Stream<Item = T> + 'static
where
    T: Send + 'static,
    F: Fn(Subscriber, Viewer, Event) -> Fut + Send + 'static,
    Fut: Future<Output = AppResult<Delivery<T>>> + Send,
{
    let receiver = subscriber.bus.subscribe();
    stream::unfold((receiver, deliver, resync), move |(mut receiver, deliver, resync)| {
        let subscriber = subscriber.clone();
        async move {
            loop {
                let event = match receiver.recv().await {
                    Ok(Event::Resync) | Err(RecvError::Lagged(_)) => {
                        return Some((resync(), (receiver, deliver, resync)));
                    }
                    // For the socket's session watch, not for subscriptions.
                    Ok(Event::SessionsEnded { .. }) => continue,
                    Ok(event) => event,
                    Err(RecvError::Closed) => return None,
                };
                let Ok(viewer) = subscriber.viewer().await else { return None };
                viewer.audit.set_request(&format!("ws-{}", Uuid::now_v7()), Some("subscription"));
                let delivered = deliver(subscriber.clone(), viewer.clone(), event).await;
                // What was looked at for this event is logged before it is sent.
                if subscriber.access_log.flush(&viewer, subscriber.clock.now()).await.is_err() {
                    return None;
                }
                match delivered {
                    Ok(Delivery::Item(item)) => return Some((item, (receiver, deliver, resync))),
                    Ok(Delivery::Skip) | Err(AppError::NotFound) => continue,
                    Err(_) => return None,
                }
            }
        }
    })
}

fn subscriber(ctx: &Context<'_>) -> AppResult<Subscriber> {
    ctx.data::<Subscriber>().cloned().map_err(|_| AppError::Unauthenticated)
}

fn centre_filter(id: Option<ID>) -> AppResult<Option<Uuid>> {
    id.map(|id| ids::decode(&id, Kind::CareCentre, "careCentreId")).transpose()
}

pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// Doctors: new and changed questions addressed to them. Staff: activity on their centres' questions.
    async fn question_events(&self, ctx: &Context<'_>) -> async_graphql::Result<impl Stream<Item = QuestionEvent>> {
        let subscriber = subscriber(ctx)?;
        let viewer = subscriber.viewer().await?;
        crate::services::require_role(&viewer, &[Role::Nurse, Role::Coordinator, Role::Doctor])?;
        Ok(events(
            subscriber,
            || QuestionEvent { kind: QuestionEventKind::Resync, question: None },
            |s, viewer, event| async move {
                let Event::QuestionChanged { question, kind, .. } = event else { return Ok(Delivery::Skip) };
                let question = questions::get(&s.db, &viewer, question, Action::Read).await?;
                let kind = match kind {
                    StoredQuestionKind::Asked => QuestionEventKind::Asked,
                    StoredQuestionKind::Replied => QuestionEventKind::Replied,
                    StoredQuestionKind::Answered => QuestionEventKind::Answered,
                    StoredQuestionKind::Closed => QuestionEventKind::Closed,
                    StoredQuestionKind::MovedToAgenda => QuestionEventKind::MovedToAgenda,
                };
                Ok(Delivery::Item(QuestionEvent { kind, question: Some(Question(question)) }))
            },
        ))
    }

    /// MEDIUM and HIGH NEWS2 observations, for the centre's staff and the resident's GP.
    async fn observation_alerts(
        &self,
        ctx: &Context<'_>,
        care_centre_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = ObservationAlert>> {
        let subscriber = subscriber(ctx)?;
        let only = centre_filter(care_centre_id)?;
        let viewer = subscriber.viewer().await?;
        crate::services::require_role(&viewer, &[Role::Nurse, Role::Coordinator, Role::Doctor])?;
        Ok(events(
            subscriber,
            || ObservationAlert { observation: None, resident: None, risk_level: None, resync: true },
            move |s, viewer, event| async move {
                let Event::ObservationAlert { observation, resident, centre } = event else {
                    return Ok(Delivery::Skip);
                };
                if only.is_some_and(|c| c != centre) {
                    return Ok(Delivery::Skip);
                }
                let resident = residents::get(&s.db, &viewer, resident, Action::Read).await?;
                if !access::can_read_clinical(&viewer, &resident) {
                    return Ok(Delivery::Skip);
                }
                let Some(observation) = observation::Entity::find_by_id(observation).one(&s.db).await? else {
                    return Ok(Delivery::Skip);
                };
                // The alert carries the resident and the observation: a read, logged before it is sent.
                viewer.read(resident.id);
                Ok(Delivery::Item(ObservationAlert {
                    risk_level: Some(observation.news2_risk.into()),
                    observation: Some(Observation(observation)),
                    resident: Some(Resident(resident)),
                    resync: false,
                }))
            },
        ))
    }

    /// Agendas sent, minutes recorded, meetings scheduled or cancelled, for those who see the meeting.
    async fn meeting_events(
        &self,
        ctx: &Context<'_>,
        care_centre_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = MeetingEvent>> {
        let subscriber = subscriber(ctx)?;
        let only = centre_filter(care_centre_id)?;
        subscriber.viewer().await?;
        Ok(events(
            subscriber,
            || MeetingEvent { kind: MeetingEventKind::Resync, meeting: None },
            move |s, viewer, event| async move {
                let Event::MeetingChanged { meeting, centre, kind } = event else { return Ok(Delivery::Skip) };
                if only.is_some_and(|c| c != centre) {
                    return Ok(Delivery::Skip);
                }
                let meeting = meetings::get(&s.db, &viewer, meeting).await?;
                let kind = match kind {
                    StoredMeetingKind::Scheduled => MeetingEventKind::Scheduled,
                    StoredMeetingKind::AgendaSent => MeetingEventKind::AgendaSent,
                    StoredMeetingKind::MinutesRecorded => MeetingEventKind::MinutesRecorded,
                    StoredMeetingKind::Cancelled => MeetingEventKind::Cancelled,
                };
                Ok(Delivery::Item(MeetingEvent { kind, meeting: Some(Meeting(meeting)) }))
            },
        ))
    }
}

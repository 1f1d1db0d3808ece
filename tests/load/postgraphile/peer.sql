-- What PostGraphile needs to answer the reference operations like Plejelink does (docs/performance.md).
-- Run once on the benchmark database before starting the peer; Plejelink ignores these functions.

-- (a) The doctor's queue in Plejelink's order: overdue first, then URGENT, then by due time.
CREATE OR REPLACE FUNCTION doctor_queue(doctor uuid) RETURNS SETOF questions LANGUAGE sql STABLE AS $$
  SELECT * FROM questions
  WHERE doctor_id = doctor AND status = 'OPEN'
  ORDER BY CASE WHEN due_at < now() THEN 0 ELSE 1 END,
           CASE WHEN priority = 'URGENT' THEN 0 ELSE 1 END,
           due_at, id
$$;

-- (a) Question.overdue: still open after its deadline.
CREATE OR REPLACE FUNCTION questions_overdue(q questions) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT q.status = 'OPEN' AND q.due_at < now()
$$;

-- (b) Resident.observations(from:): a time window, newest first (connection-filter is not in Amber).
CREATE OR REPLACE FUNCTION residents_observations_since(r residents, since timestamptz)
RETURNS SETOF observations LANGUAGE sql STABLE AS $$
  SELECT * FROM observations WHERE resident_id = r.id AND recorded_at >= since
  ORDER BY recorded_at DESC, id DESC
$$;

-- (b) Resident.news2Trend(days:): valid observations of the last days, oldest first.
CREATE OR REPLACE FUNCTION residents_news2_trend(r residents, days integer)
RETURNS SETOF observations LANGUAGE sql STABLE AS $$
  SELECT * FROM observations
  WHERE resident_id = r.id AND NOT entered_in_error AND recorded_at >= now() - make_interval(days => days)
  ORDER BY recorded_at
$$;

-- (a), (c) Resident.latestObservation: the newest one not entered in error (entered_in_error is not
-- indexed, so Amber offers no condition on it).
CREATE OR REPLACE FUNCTION residents_latest_observation(r residents) RETURNS observations LANGUAGE sql STABLE AS $$
  SELECT * FROM observations WHERE resident_id = r.id AND NOT entered_in_error
  ORDER BY recorded_at DESC, id DESC LIMIT 1
$$;

-- What waits on a supervisor's desk for an acknowledgement: each escalation (a breached clock
-- escalated by the sweeper, an agent's exception report, seed 5.1) and each report of service
-- given outside the service hours (seed 2.2). Acknowledging records who and when; a case is
-- 已升级 while an escalation of it waits, so the queue is no longer a copy of 已超时.
CREATE TABLE supervisor_report (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES service_case(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    acknowledged_by BIGINT REFERENCES user_account(id)
);
-- The desk lists what waits, newest first; acknowledging a case finds its waiting reports.
CREATE INDEX supervisor_report_waiting_idx ON supervisor_report(kind, created_at, id)
    WHERE acknowledged_at IS NULL;
CREATE INDEX supervisor_report_case_idx ON supervisor_report(case_id)
    WHERE acknowledged_at IS NULL;
-- Reports made before: the escalations of cases still shown as escalated, and the extended
-- service reports of open cases, wait for their acknowledgement.
INSERT INTO supervisor_report (case_id, kind, body, created_at)
    SELECT e.case_id, 'escalation', e.body, e.at FROM case_event e
    JOIN service_case s ON s.id = e.case_id
    WHERE e.kind = 'escalation' AND s.escalated = TRUE ORDER BY e.id;
INSERT INTO supervisor_report (case_id, kind, body, created_at)
    SELECT e.case_id, 'extended_service', e.body, e.at FROM case_event e
    JOIN service_case s ON s.id = e.case_id
    WHERE e.kind = 'extended_service' AND s.is_open = TRUE ORDER BY e.id;

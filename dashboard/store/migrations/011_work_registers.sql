-- 011: the office's work registers (DESIGN.md §8, the turn-2 tables of §4): training sessions,
-- publicity, liaison officers, due reports, the office's special inspections, and five columns of the
-- follow-up for transfers, penalties and the credit record. Keys, types and enumerations are enforced;
-- date orders are working rules the 工作台账 page lists (as for the other tables, migration 009).

CREATE TABLE trainings (
    training_code VARCHAR PRIMARY KEY,
    held_on DATE,
    unit_code VARCHAR NOT NULL,
    kind VARCHAR NOT NULL DEFAULT '业务培训'
        CHECK (kind IN ('业务培训', '系统使用培训', '工作规范培训', '其他')),
    topic VARCHAR NOT NULL,
    attendees VARCHAR[] NOT NULL DEFAULT [],
    hours DOUBLE CHECK (hours >= 0 AND hours <= 1000),
    note VARCHAR
);

CREATE TABLE publicity (
    publicity_code VARCHAR PRIMARY KEY,
    published_on DATE,
    unit_code VARCHAR NOT NULL,
    channel VARCHAR NOT NULL DEFAULT '官方网站'
        CHECK (channel IN ('新闻媒体', '官方网站', '新媒体', '现场宣讲', '其他')),
    title VARCHAR NOT NULL,
    url VARCHAR,
    note VARCHAR
);

CREATE TABLE liaisons (
    unit_code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    phone VARCHAR,
    since DATE
);

CREATE TABLE submissions (
    unit_code VARCHAR,
    period VARCHAR CHECK (regexp_full_match(period, '\d{4}(-(0[1-9]|1[0-2])|Q[1-4]|H[12])?')),
    due_on DATE,
    submitted_on DATE,
    note VARCHAR,
    PRIMARY KEY (unit_code, period)
);

CREATE TABLE supervisions (
    supervision_code VARCHAR PRIMARY KEY,
    held_on DATE,
    unit_code VARCHAR NOT NULL,
    topic VARCHAR NOT NULL,
    finding VARCHAR,
    rectify_due DATE,
    rectified_on DATE
);

ALTER TABLE followups ADD COLUMN transferred_to VARCHAR;
ALTER TABLE followups ADD COLUMN transferred_on DATE;
ALTER TABLE followups ADD COLUMN penalty_decided_on DATE;
ALTER TABLE followups ADD COLUMN penalty_published_on DATE;
ALTER TABLE followups ADD COLUMN credit_recorded_on DATE;
